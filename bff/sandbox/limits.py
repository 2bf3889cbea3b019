"""Magento's query limits, counted the way Magento counts them.

``Magento\\Framework\\GraphQl\\Query\\QueryComplexityLimiter`` (2.4.7) applies webonyx's
``QueryDepth`` rule (max 20) and ``QueryComplexity`` rule (max 300), and before that refuses any
document whose field count, fragments expanded, exceeds the complexity limit; it also refuses more
than 10 aliases. See ``../shared/magento/FACTS.md`` ("Limits").

Depth follows webonyx: a field that has a selection set and sits at nesting level ``d`` (root
fields are level 0) raises the depth to ``d``; leaf fields do not count. So
``{ products { items { sku } } }`` has depth 1.
"""

from __future__ import annotations

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

MAX_DEPTH = 20
MAX_COMPLEXITY = 300
MAX_ALIASES = 10


@dataclass(frozen=True)
class QueryMeasure:
    depth: int
    field_count: int
    alias_count: int


def measure(document: DocumentNode, operation_name: str | None = None) -> QueryMeasure:
    """Depth, field count (fragments expanded) and alias count of the selected operation."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)]
    depth = fields = aliases = 0
    for op in chosen[:1] if operation_name else chosen:
        depth = max(depth, _depth(op.selection_set, 0, 0, fragments, frozenset()))
        f, a = _count(op.selection_set, fragments, frozenset())
        fields += f
        aliases += a
    return QueryMeasure(depth=depth, field_count=fields, alias_count=aliases)


def _depth(
    selection_set: SelectionSetNode | None,
    level: int,
    deepest: int,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> int:
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode) and node.selection_set is not None:
            deepest = max(deepest, level)
            deepest = _depth(node.selection_set, level + 1, deepest, fragments, seen)
        elif isinstance(node, InlineFragmentNode):
            deepest = _depth(node.selection_set, level, deepest, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                inner = seen | {node.name.value}
                deepest = _depth(fragment.selection_set, level, deepest, fragments, inner)
    return deepest


def _count(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> tuple[int, int]:
    fields = aliases = 0
    for node in selection_set.selections if selection_set else ():
        if isinstance(node, FieldNode):
            fields += 1
            aliases += 1 if node.alias is not None else 0
            f, a = _count(node.selection_set, fragments, seen)
        elif isinstance(node, InlineFragmentNode):
            f, a = _count(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = fragments.get(node.name.value)
            if fragment is None:
                continue
            f, a = _count(fragment.selection_set, fragments, seen | {node.name.value})
        else:
            continue
        fields += f
        aliases += a
    return fields, aliases


def limit_errors(m: QueryMeasure) -> list[str]:
    """Magento's messages for a document over a limit (empty when within all limits)."""
    errors = []
    if m.field_count > MAX_COMPLEXITY:
        errors.append(f"Max query complexity should be {MAX_COMPLEXITY} but got {m.field_count}.")
    if m.alias_count > MAX_ALIASES:
        errors.append(f"Max Aliases in query should be {MAX_ALIASES} but got {m.alias_count}.")
    if m.depth > MAX_DEPTH:
        errors.append(f"Max query depth should be {MAX_DEPTH} but got {m.depth}.")
    return errors
