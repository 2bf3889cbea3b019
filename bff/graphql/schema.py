"""``build_schema``: the storefront schema, merged from each domain's Query and Mutation types."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from bff.graphql.cart.mutations import CartMutation
from bff.graphql.cart.queries import CartQuery
from bff.graphql.catalog.queries import CatalogQuery
from bff.graphql.checkout.mutations import CheckoutMutation
from bff.graphql.checkout.queries import CheckoutQuery
from bff.graphql.customer.mutations import CustomerMutation
from bff.graphql.customer.queries import CustomerQuery

Query = merge_types("Query", (CatalogQuery, CartQuery, CheckoutQuery, CustomerQuery))
Mutation = merge_types("Mutation", (CartMutation, CheckoutMutation, CustomerMutation))


SchemaExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


def build_schema(*, introspection: bool = True, extensions: Sequence[SchemaExtensionFactory] = ()) -> strawberry.Schema:
    """The storefront schema. ``extensions`` run after the schema's own (tracing adds resolver spans)."""
    extensions = list(extensions)
    if not introspection:
        extensions.insert(0, lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=Query, mutation=Mutation, extensions=extensions, config=StrawberryConfig(auto_camel_case=True)
    )
