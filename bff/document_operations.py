"""The root fields of an operation, through its fragments: one walker for limits, the response cache and logs.

``operations`` is the ``Document`` fact (``bff.document_cache``) the CDN rule and the access log
read: each operation's name, type and root fields, found once per document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from bff.document_cache import Document


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def selected_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation ``operation_name`` names, or the only one; None when there is no such one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        return next((op for op in operations if op.name is not None and op.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def root_field_nodes(
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> Iterator[FieldNode]:
    """Each field selected at this level, inline fragments and fragment spreads followed (whatever
    their directives); a fragment spread inside itself is not followed again (validation refuses it)."""
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from root_field_nodes(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from root_field_nodes(fragment.selection_set, fragments, seen | {name})


def root_field_names(document: DocumentNode, operation: OperationDefinitionNode) -> tuple[str, ...]:
    """The operation's root field names (not aliases), in order, each once."""
    nodes = root_field_nodes(operation.selection_set, fragments_of(document))
    return tuple(dict.fromkeys(node.name.value for node in nodes))


@dataclass(frozen=True, slots=True)
class Operation:
    name: str | None  # None when anonymous
    type: str  # "query", "mutation", "subscription"
    root_fields: tuple[str, ...]  # field names (not aliases) selected at the root, in order, each once


def operations(document: Document) -> dict[str | None, Operation]:
    """The fact: each operation of a document that parses, by name (the first of a name), and
    under None the only operation when there is exactly one (``selected_operation``'s choice)."""
    ast = document.ast
    if ast is None:
        return {}
    found: dict[str | None, Operation] = {}
    definitions = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    for op in definitions:
        name = op.name.value if op.name else None
        if name is not None and name not in found:
            found[name] = Operation(name, op.operation.value, root_field_names(ast, op))
    if len(definitions) == 1:
        only = definitions[0]
        found[None] = Operation(
            only.name.value if only.name else None, only.operation.value, root_field_names(ast, only)
        )
    return found
