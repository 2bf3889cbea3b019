"""Query cost: what an operation may cost before it runs (requested) and what it cost (actual).

**Requested cost** walks the operation as it would execute (fragments and inline fragments
expanded, ``@skip``/``@include`` decided with the request's variables) and sums, per field:

* its upstream weight: the ``cost`` its Magento operations' policies declare (``cost_map``);
* for an object field: ``multiplier x (1 + cost of its selection)``, where the multiplier is 1,
  or for a list the value of its slicing argument (``pageSize``, from the arguments, the
  variables or the argument's default), or its assumed size;
* nothing for a scalar or an enum; a fixed weight for introspection's ``__schema``/``__type``.

**Actual cost** is measured after execution: 1 per object actually returned, plus the policy
cost of every Magento call actually made (each attempt). The difference is given back to the
client's budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
    parse,
)
from graphql.language import ValueNode

from bff.document_operations import fragments_of, selected_operation
from bff.limits.cost_map import COST_MAP, FieldCost

ASSUMED_LIST_SIZE = 10  # a list without an entry in the cost map (the contract test forbids it)
UpstreamCosts = Mapping[str, int]  # operation name → policy cost


def _is_list(gql_type: GraphQLOutputType) -> bool:
    while isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    return isinstance(gql_type, GraphQLList)


def _value(node: ValueNode, variables: Mapping[str, Any], defaults: Mapping[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        name = node.name.value
        return variables.get(name, defaults.get(name))
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, BooleanValueNode):
        return node.value
    return None


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
        upstream: UpstreamCosts,
    ) -> None:
        self.schema = schema
        self.fragments = fragments_of(document)
        self.variables = variables
        self.defaults = {
            v.variable.name.value: _value(v.default_value, {}, {})
            for v in operation.variable_definitions or ()
            if v.default_value is not None
        }
        self.upstream = upstream
        self.batched: set[str] = set()

    def included(self, node: SelectionNode) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
            value = bool(_value(condition, self.variables, self.defaults)) if condition is not None else False
            if (name == "skip") == value:
                return False
        return True

    def argument(self, node: FieldNode, parent: GraphQLObjectType, name: str) -> int | None:
        """An integer argument of ``node`` as executed (literal, variable, or the schema default)."""
        given = next((a.value for a in node.arguments or () if a.name.value == name), None)
        value = _value(given, self.variables, self.defaults) if given is not None else None
        if value is None:
            argument = parent.fields[node.name.value].args.get(name)
            value = argument.default_value if argument is not None else None
        return value if isinstance(value, int) and value >= 0 else None

    def multiplier(self, entry: FieldCost, node: FieldNode, parent: GraphQLObjectType, sizes: Mapping[str, int]) -> int:
        if entry.slicing_argument is not None:
            given = self.argument(node, parent, entry.slicing_argument)
            if given is not None:
                return given
        if entry.sized_by is not None and entry.sized_by in sizes:
            return sizes[entry.sized_by]
        return entry.assumed_size

    def selection(self, node: SelectionSetNode, parent: GraphQLObjectType, sizes: Mapping[str, int]) -> int:
        total = 0
        for selection in node.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, sizes)
            else:
                condition: NamedTypeNode | None
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment is None:
                        continue
                    inner, condition = fragment.selection_set, fragment.type_condition
                else:
                    assert isinstance(selection, InlineFragmentNode)
                    inner, condition = selection.selection_set, selection.type_condition
                on = self.schema.get_type(condition.name.value) if condition is not None else parent
                total += self.selection(inner, on if isinstance(on, GraphQLObjectType) else parent, sizes)
        return total

    def field(self, node: FieldNode, parent: GraphQLObjectType, sizes: Mapping[str, int]) -> int:
        name = node.name.value
        entry = COST_MAP.get(f"{parent.name}.{name}")
        if entry is not None and entry.flat is not None:
            return entry.flat
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # __typename, or a field validation will refuse
        entry = entry or FieldCost(assumed_size=ASSUMED_LIST_SIZE)
        operations = entry.operations
        if entry.batched:  # counted once per request (a DataLoader serves every occurrence)
            operations = tuple(op for op in operations if op not in self.batched)
            self.batched.update(operations)
        cost = sum(self.upstream.get(op, 0) for op in operations)
        named = get_named_type(definition.type)
        if is_leaf_type(named) or node.selection_set is None or not isinstance(named, GraphQLObjectType):
            return cost
        own_sizes = {a: v for a in definition.args if (v := self.argument(node, parent, a)) is not None}
        times = self.multiplier(entry, node, parent, sizes) if _is_list(definition.type) else 1
        return cost + times * (1 + self.selection(node.selection_set, named, own_sizes))


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
    upstream: UpstreamCosts,
) -> int:
    """The most ``operation`` may cost, with ``variables`` (see the module docstring)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return _Walk(schema, document, operation, variables or {}, upstream).selection(operation.selection_set, root, {})


def returned_objects(document: DocumentNode, operation: OperationDefinitionNode, data: Mapping[str, Any] | None) -> int:
    """The objects an answer holds below the root, counted along the operation's selection
    (an alias counts as often as it is selected; a field in several fragments once)."""
    if not data:
        return 0
    fragments = fragments_of(document)

    def keys(node: SelectionSetNode, seen: set[str]) -> dict[str, list[SelectionSetNode]]:
        found: dict[str, list[SelectionSetNode]] = {}
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is not None:
                    found.setdefault((selection.alias or selection.name).value, []).append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                for key, sets in keys(selection.selection_set, seen).items():
                    found.setdefault(key, []).extend(sets)
            elif (
                isinstance(selection, FragmentSpreadNode)
                and selection.name.value in fragments
                and selection.name.value not in seen
            ):
                inner = keys(fragments[selection.name.value].selection_set, seen | {selection.name.value})
                for key, sets in inner.items():
                    found.setdefault(key, []).extend(sets)
        return found

    # The keys of the same selection sets, merged once per answer, not once per object of a list
    # (a listing's 20 tiles, its facets' options): keyed by the sets' identities, which the
    # document (held for the whole call) keeps alive.
    merged_keys: dict[tuple[int, ...], dict[str, list[SelectionSetNode]]] = {}

    def merged_of(selections: Sequence[SelectionSetNode]) -> dict[str, list[SelectionSetNode]]:
        identity = tuple(map(id, selections))
        merged = merged_keys.get(identity)
        if merged is None:
            merged = {}
            for selection_set in selections:
                for key, sets in keys(selection_set, set()).items():
                    merged.setdefault(key, []).extend(sets)
            merged_keys[identity] = merged
        return merged

    def count(value: Any, selections: Sequence[SelectionSetNode]) -> int:
        if isinstance(value, list):
            return sum(count(item, selections) for item in value)
        if not isinstance(value, dict):
            return 0
        total = 1
        for key, sets in merged_of(selections).items():
            total += count(value.get(key), sets)
        return total

    return count(data, [operation.selection_set]) - 1  # the root itself is not an object of the answer


def document_cost(
    schema: GraphQLSchema, document: str, upstream: UpstreamCosts, variables: dict[str, object] | None = None
) -> int:
    """The requested cost of the document's single (or first) operation, for tools such as
    ``bff documents build``; ``upstream``: operation name → policy cost."""
    parsed = parse(document)
    operation = selected_operation(parsed, None) or next(
        d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)
    )
    return requested_cost(schema, parsed, operation, variables, upstream)
