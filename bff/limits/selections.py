"""The root fields of an operation, through its fragments: one walker for limits, caching and logs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


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
