"""Which GraphQL documents the response cache may store, decided once per distinct text.

A document is cacheable when the operation it runs is a query and every root field it selects
(through fragment spreads and inline fragments, whatever the directives say) is one of
``PUBLIC_ROOT_FIELDS``. Those fields call only public Magento operations and return only catalog
types, so no cart, checkout, customer or node data is reachable from them; ``__schema`` and
``__type`` are not among them either. Directives are ignored on purpose: a field hidden behind
``@include(if: $x)`` counts as selected, so a variable can never sneak a private field into a
stored answer.

The decision and the normalized document's hash (``print_ast`` of the parsed document, so
whitespace and comments do not split entries) are a fact of the document's entry in the process's
``DocumentCache`` (``bff.document_cache``, shared with admission, Strawberry and the access log),
keyed by the operation name: a document is parsed once per process, with the same token limit
admission uses, and a hit never parses GraphQL (``keys.Descriptions`` memoises raw requests).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Final

from graphql import print_ast

from bff.document_cache import Document
from bff.document_operations import operations

# Root fields whose answer depends only on their arguments, the store view and the currency
# (they call only public Magento operations; see bff/magento/operations/catalog/policies.toml).
PUBLIC_ROOT_FIELDS: Final = frozenset(
    {"storeConfig", "products", "product", "categoryTree", "category", "route", "countries", "__typename"}
)


@dataclass(frozen=True, slots=True)
class Classified:
    """What the cache knows about one document text and operation name."""

    cacheable: bool
    normalized_hash: str  # sha256 of the printed document: the document part of a key
    root_fields: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Classification:
    """The fact ``classify`` derives from a document, for one operation name."""

    operation_name: str | None

    def __call__(self, document: Document) -> Classified | None:
        ast = document.ast
        operation = document.derive(operations).get(self.operation_name)
        if ast is None or operation is None:
            return None
        normalized = hashlib.sha256(print_ast(ast).encode()).hexdigest()
        if operation.type != "query":
            return Classified(False, normalized, frozenset())
        fields = frozenset(operation.root_fields)
        return Classified(bool(fields) and fields <= PUBLIC_ROOT_FIELDS, normalized, fields)


def classify(document: Document, operation_name: str | None) -> Classified | None:
    """The cache's view of a document; None when it does not parse or names no single operation."""
    return document.derive(_Classification(operation_name))


def is_cacheable(document: Document, operation_name: str | None) -> bool:
    classified = classify(document, operation_name)
    return classified is not None and classified.cacheable
