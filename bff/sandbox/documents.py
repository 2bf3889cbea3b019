"""A bounded cache of prepared documents: parsed, the operation picked, limits measured, validated.

A storefront sends the same few documents over and over, so everything that depends only on the
document text (and the chosen ``operationName``) is done once: parsing, picking the operation,
Magento's query limits (``limits``, counted on the AST) and graphql-core's validation. Failures
are deterministic too and are cached with the rest (a syntax error, an unknown operation, a limit
exceeded, validation errors), so a client repeating a broken document costs no more than a good
one. The cache is an LRU bounded in entries (``MAX_ENTRIES``); documents longer than
``MAX_CACHED_TEXT`` characters are prepared every time and never kept, so the cache's memory is
bounded too.

The cache is per process and never needs invalidating: the schema is fixed at start-up.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    parse,
    validate,
    visit,
)

from bff.sandbox.limits import limit_errors, measure

MAX_ENTRIES = 512
MAX_CACHED_TEXT = 100_000


@dataclass
class PreparedDocument:
    """One document text with one ``operationName``, prepared as far as it goes.

    Exactly one stage failed at most: ``syntax_error`` (parse), ``operation_error`` (no such
    operation / ambiguous), ``limit_error`` (Magento's field-count or alias limit: refused
    before execution) or ``errors`` (validation, or the depth limit, answered as GraphQL errors).
    ``plans`` is scratch space for the executor (compiled plans per directive outcome).
    """

    syntax_error: str | None = None
    operation_error: str | None = None
    document: DocumentNode | None = None
    operation: OperationDefinitionNode | None = None
    limit_error: str | None = None
    errors: list[GraphQLError] = field(default_factory=list)
    names: frozenset[str] = frozenset()
    conditions: tuple[DirectiveNode, ...] = ()  # every @skip/@include of the document
    plans: dict[tuple[bool, ...], Any] = field(default_factory=dict)

    @property
    def is_mutation(self) -> bool:
        return self.operation is not None and self.operation.operation == OperationType.MUTATION


def _pick(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        chosen = [op for op in operations if op.name is not None and op.name.value == operation_name]
    else:
        chosen = operations if len(operations) == 1 else []
    return chosen[0] if chosen else None


class _Conditions(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[DirectiveNode] = []

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        if node.name.value in ("skip", "include"):
            self.found.append(node)


def prepare(schema: GraphQLSchema, query: str, operation_name: str | None) -> PreparedDocument:
    """Prepare ``query`` without the cache (see ``DocumentCache.get``)."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return PreparedDocument(syntax_error=exc.message)
    operation = _pick(document, operation_name)
    if operation is None:
        message = (
            f'Unknown operation named "{operation_name}".'
            if operation_name
            else "Must provide operation name if query contains multiple operations."
        )
        return PreparedDocument(operation_error=message, document=document)
    names = {sel.name.value for sel in operation.selection_set.selections if hasattr(sel, "name")}
    if operation.name is not None:
        names.add(operation.name.value)
    prepared = PreparedDocument(document=document, operation=operation, names=frozenset(names))
    over = limit_errors(measure(document, operation_name))
    field_count_errors = [e for e in over if not e.startswith("Max query depth")]
    if field_count_errors:
        prepared.limit_error = field_count_errors[0]
        return prepared
    prepared.errors = list(validate(schema, document))
    if not prepared.errors and over:
        prepared.errors = [GraphQLError(over[0])]
    if not prepared.errors:
        conditions = _Conditions()
        visit(document, conditions)
        prepared.conditions = tuple(conditions.found)
    return prepared


class DocumentCache:
    """An LRU of ``PreparedDocument`` by (document text, operation name)."""

    def __init__(self, schema: GraphQLSchema, max_entries: int = MAX_ENTRIES) -> None:
        self._schema = schema
        self._max = max_entries
        self._entries: OrderedDict[tuple[str, str | None], PreparedDocument] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str, operation_name: str | None) -> PreparedDocument:
        key = (query, operation_name)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        entry = prepare(self._schema, query, operation_name)
        if len(query) <= MAX_CACHED_TEXT:
            self._entries[key] = entry
            if len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return entry
