"""``build_schema``: the storefront schema, merged from each domain's Query and Mutation types.

``build_schema(settings, ...)`` owns the schema's extensions and their order:

1. validation rules from the settings (introspection off in production);
2. parsing and validation themselves (``Validation``), read from the process's ``DocumentCache``
   (``documents``; one parse and one validation per document), without "Did you mean"
   suggestions outside development;
3. the observers passed in by ``bff.app`` (tracing's resolver spans), last, so they see every
   resolver as it runs.

The query limits and cost run before all of this, at admission (``bff.graphql.admission``).

Error codes are not an extension: the view codes every error of the result (``coded_error``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from bff.document_cache import DocumentCache
from bff.graphql.cart.mutations import CartMutation
from bff.graphql.cart.queries import CartQuery
from bff.graphql.catalog.queries import CatalogQuery
from bff.graphql.catalog.types import ROUTE_TYPES
from bff.graphql.checkout.mutations import CheckoutMutation
from bff.graphql.checkout.queries import CheckoutQuery
from bff.graphql.checkout.types import Order
from bff.graphql.customer.mutations import CustomerMutation
from bff.graphql.customer.queries import CustomerQuery
from bff.graphql.customer.types import OrderSummary
from bff.graphql.error_codes import ErrorCode
from bff.graphql.execution import LeanExecutionContext
from bff.graphql.node_query import NodeQuery
from bff.graphql.primitives import SCALAR_MAP
from bff.graphql.validation import Validation
from bff.settings import Settings

Query = merge_types("Query", (CatalogQuery, CartQuery, CheckoutQuery, CustomerQuery, NodeQuery))
Mutation = merge_types("Mutation", (CartMutation, CheckoutMutation, CustomerMutation))


SchemaExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


def build_schema(
    settings: Settings | None = None,
    *,
    observers: Sequence[SchemaExtensionFactory] = (),
    documents: DocumentCache | None = None,
) -> strawberry.Schema:
    """The storefront schema configured by ``settings`` (None: the defaults, e.g. to print the SDL);
    ``observers`` run after the BFF's own extensions; ``documents``: the app's cache (None: one of
    the schema's own)."""
    settings = settings or Settings.model_construct()
    cache = documents if documents is not None else DocumentCache()
    extensions: list[SchemaExtensionFactory] = []
    if not settings.introspection:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    hide_suggestions = settings.environment != "development"
    extensions.append(lambda: Validation(documents=cache, hide_suggestions=hide_suggestions))
    extensions.extend(observers)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        types=[ErrorCode, Order, OrderSummary, *ROUTE_TYPES],
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP),
        execution_context_class=LeanExecutionContext,
    )
