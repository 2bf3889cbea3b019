"""Compiled execution plans: the fast path for queries whose answer has no errors.

graphql-core's executor spends several microseconds on every field of the answer (paths, info
objects, completion dispatch), and a listing of 20 product cards has about a thousand. For a
prepared document (``documents``) this module compiles the operation once into nested closures,
one per selected field, that do only what the sandbox's resolvers need: call the root resolver or
read the key from the parent's mapping (calling it if it is callable, like graphql-core's default
resolver), then complete the value by its schema type: lists, objects (``__typename`` picks an
abstract type's object type), leaves through the type's own ``coerce_output_value``.

The plan is only ever right or silent: whatever would make graphql-core report an error (a
resolver raising, null in a non-null field, a value a scalar cannot represent, an unknown
``__typename``, variables that do not coerce) raises ``Fallback``, and the caller re-runs the
request on graphql-core, which produces Magento's partial data and error entries. So the fast
path runs only queries (re-running reads is harmless) and never introspection (``__schema``,
``__type``), and it supports exactly the selection features Magento's documents use: fields,
aliases, arguments, fragments, inline fragments and ``@skip``/``@include``. Field collection
follows the spec's CollectFields, so keys come out in graphql-core's order.

A plan depends on the document and on the outcome of its ``@skip``/``@include`` conditions, so
plans are cached per document (in ``PreparedDocument.plans``) by that outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_argument_values,
    get_variable_values,
    is_abstract_type,
    is_leaf_type,
)
from graphql.execution.values import VariableValues

from bff.sandbox.documents import PreparedDocument

MAX_PLANS_PER_DOCUMENT = 64  # distinct @skip/@include outcomes kept per document (oldest dropped first)


class Fallback(Exception):
    """graphql-core must answer this request (it has errors, or uses what plans do not support)."""


@dataclass(frozen=True)
class Runtime:
    """What every field of one request shares: the resolvers' ``info`` and the variables."""

    info: Any  # the sandbox's resolvers read ``info.context`` only
    variables: VariableValues | None


@dataclass(frozen=True)
class _Info:
    """Stands in for ``GraphQLResolveInfo``: the sandbox's resolvers only read ``context``."""

    context: Any
    schema: GraphQLSchema


Complete = Callable[[Any, Runtime], Any]
Plan = Callable[[Any, Runtime], dict[str, Any]]


class _Compiler:
    def __init__(self, schema: GraphQLSchema, prepared: PreparedDocument, outcome: dict[int, bool]) -> None:
        assert prepared.document is not None
        self.schema = schema
        self.outcome = outcome
        self.fragments = {
            d.name.value: d for d in prepared.document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    # --- field collection (the spec's CollectFields) ------------------------------------------

    def _included(self, directives: tuple[DirectiveNode, ...] | None) -> bool:
        for directive in directives or ():
            name = directive.name.value
            if name in ("skip", "include"):
                if self.outcome[id(directive)] != (name == "include"):
                    return False
            else:
                raise Fallback  # @defer, @stream, unknown: not for plans
        return True

    def _matches(self, type_condition: Any, runtime: GraphQLObjectType) -> bool:
        if type_condition is None:
            return True
        condition = self.schema.get_type(type_condition.name.value)
        if condition is runtime:
            return True
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, runtime)

    def collect(
        self,
        selection_set: SelectionSetNode,
        runtime: GraphQLObjectType,
        grouped: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                grouped.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._matches(selection.type_condition, runtime):
                    self.collect(selection.selection_set, runtime, grouped, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = self.fragments.get(name)
                if fragment is not None and self._matches(fragment.type_condition, runtime):
                    self.collect(fragment.selection_set, runtime, grouped, visited)

    # --- compilation ------------------------------------------------------------------------

    def object_plan(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> Plan:
        grouped: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for node in nodes:
            if node.selection_set is not None:
                self.collect(node.selection_set, type_, grouped, visited)
        return self.fields_plan(type_, grouped)

    def fields_plan(self, type_: GraphQLObjectType, grouped: dict[str, list[FieldNode]]) -> Plan:
        """One object's fields in order. Each step: response key, field name, root resolver (or
        None: read the parent mapping), argument builder (or None), completion, and for a leaf
        the Python type (with its nullability) that needs no coercion at all."""
        typename = type_.name
        steps: list[_Step] = []
        for key, field_nodes in grouped.items():
            name = field_nodes[0].name.value
            if name == "__typename":
                steps.append(_Step(key, name, _TYPENAME, None, _typename(typename), type(typename), False))
                continue
            if name.startswith("__"):
                raise Fallback  # introspection
            field_def = type_.fields.get(name)
            if field_def is None:
                raise Fallback
            exact, nullable = _exact_leaf(field_def.type)
            steps.append(_Step(key, name, field_def.resolve, _arguments(field_def, field_nodes[0]),
                               self.complete(field_def.type, field_nodes), exact, nullable))  # fmt: skip
        template: dict[str, Any] = {st.key: typename if st.resolve is _TYPENAME else None for st in steps}
        general = tuple(step for step in steps if step.resolve is not _TYPENAME)
        reads = tuple((st.key, st.name, st.args, st.complete, st.exact, st.nullable) for st in general)
        reads_only = all(step.resolve is None for step in general)

        def run(source: Any, rt: Runtime) -> dict[str, Any]:
            # The answer's keys come in document order from the template; __typename is in it.
            out = dict(template)
            info = rt.info
            if reads_only and _is_mapping(source):  # nested objects: every field reads the view
                get = source.get
                for key, name, args, complete, exact, nullable in reads:
                    try:
                        value = get(name)
                        if callable(value):
                            value = value(info, **args(rt)) if args else value(info)
                    except Fallback:
                        raise
                    except Exception as exc:
                        raise Fallback from exc
                    out[key] = value if type(value) is exact or (value is None and nullable) else complete(value, rt)
                return out
            for key, name, resolve, args, complete, exact, nullable in general:
                try:
                    if resolve is not None:
                        value = resolve(source, info, **args(rt)) if args else resolve(source, info)
                    else:
                        value = getattr(source, name, None) if not _is_mapping(source) else source.get(name)
                        if callable(value):
                            value = value(info, **args(rt)) if args else value(info)
                except Fallback:
                    raise
                except Exception as exc:
                    raise Fallback from exc
                out[key] = value if type(value) is exact or (value is None and nullable) else complete(value, rt)
            return out

        return run

    def complete(self, type_: GraphQLOutputType, nodes: list[FieldNode]) -> Complete:
        if isinstance(type_, GraphQLNonNull):
            inner = self.complete(type_.of_type, nodes)

            def non_null(value: Any, rt: Runtime) -> Any:
                if value is None:
                    raise Fallback
                return inner(value, rt)

            return non_null
        if isinstance(type_, GraphQLList):
            item = self.complete(type_.of_type, nodes)

            def list_(value: Any, rt: Runtime) -> Any:
                if value is None:
                    return None
                if not isinstance(value, list | tuple):
                    raise Fallback
                return [item(v, rt) for v in value]

            return list_
        if is_leaf_type(type_):
            return _leaf(type_)
        if isinstance(type_, GraphQLObjectType):
            plan = self.object_plan(type_, nodes)

            def object_(value: Any, rt: Runtime) -> Any:
                return None if value is None else plan(value, rt)

            return object_
        assert isinstance(type_, GraphQLAbstractType)
        return self._abstract(type_, nodes)

    def _abstract(self, type_: GraphQLAbstractType, nodes: list[FieldNode]) -> Complete:
        plans: dict[str, Plan] = {}
        for possible in self.schema.get_possible_types(type_):
            plans[possible.name] = self.object_plan(possible, nodes)

        def abstract(value: Any, rt: Runtime) -> Any:
            if value is None:
                return None
            typename = value.get("__typename") if _is_mapping(value) else None
            plan = plans.get(typename) if isinstance(typename, str) else None
            if plan is None:
                raise Fallback
            return plan(value, rt)

        return abstract


_MAPPING_CLASSES: dict[type, bool] = {dict: True}


def _is_mapping(value: Any) -> bool:
    """``isinstance(value, Mapping)``, remembered per class (the ABC check is slow on hot paths)."""
    cls = type(value)
    known = _MAPPING_CLASSES.get(cls)
    if known is None:
        known = _MAPPING_CLASSES[cls] = isinstance(value, Mapping)
    return known


class _Step(NamedTuple):
    key: str
    name: str
    resolve: Any
    args: Callable[[Runtime], dict[str, Any]] | None
    complete: Complete
    exact: type | None
    nullable: bool


_TYPENAME = object()  # the ``resolve`` of ``__typename``: the object type's name


def _exact_leaf(type_: GraphQLOutputType) -> tuple[type | None, bool]:
    """For String/ID/Boolean leaves, the Python type their coercion returns unchanged."""
    nullable = not isinstance(type_, GraphQLNonNull)
    named = type_ if nullable else type_.of_type  # type: ignore[union-attr]
    if named in (GraphQLString, GraphQLID):
        return str, nullable
    if named is GraphQLBoolean:
        return bool, nullable
    return None, nullable


def _typename(name: str) -> Complete:
    return lambda _value, _rt: name


def _arguments(field_def: GraphQLField, node: FieldNode) -> Callable[[Runtime], dict[str, Any]] | None:
    """The field's coerced arguments; computed once unless they read variables."""
    if not field_def.args:
        return None
    if not any(_has_variable(arg.value) for arg in node.arguments or ()):
        try:
            fixed = get_argument_values(field_def, node)
        except GraphQLError as exc:
            raise Fallback from exc
        return lambda _rt: fixed

    def from_variables(rt: Runtime) -> dict[str, Any]:
        return get_argument_values(field_def, node, rt.variables)

    return from_variables


def _has_variable(value: Any) -> bool:
    if isinstance(value, VariableNode):
        return True
    for child in getattr(value, "values", None) or getattr(value, "fields", None) or ():
        if _has_variable(getattr(child, "value", child)):
            return True
    return False


def _leaf(type_: Any) -> Complete:
    coerce = type_.coerce_output_value
    exact: type | None = str if type_ in (GraphQLString, GraphQLID) else bool if type_ is GraphQLBoolean else None

    def leaf(value: Any, _rt: Runtime) -> Any:
        if value is None:
            return None
        if type(value) is exact:
            return value
        try:
            coerced = coerce(value)
        except Exception as exc:
            raise Fallback from exc
        if coerced is None:
            raise Fallback
        return coerced

    return leaf


def _outcome(prepared: PreparedDocument, variables: VariableValues) -> tuple[bool, ...]:
    """Each @skip/@include condition's ``if``, in document order."""
    found = []
    for directive in prepared.conditions:
        argument = next((a for a in directive.arguments or () if a.name.value == "if"), None)
        if argument is None:
            raise Fallback
        value = argument.value
        if isinstance(value, BooleanValueNode):
            found.append(value.value)
        elif isinstance(value, VariableNode) and isinstance(variables.coerced.get(value.name.value), bool):
            found.append(variables.coerced[value.name.value])
        else:
            raise Fallback
    return tuple(found)


def execute_plan(schema: GraphQLSchema, prepared: PreparedDocument, context: Any, inputs: dict[str, Any]) -> Any:
    """The ``data`` of a query without errors; raises ``Fallback`` for anything else."""
    operation = prepared.operation
    query_type = schema.query_type
    if operation is None or operation.operation != OperationType.QUERY or query_type is None:
        raise Fallback
    variables = get_variable_values(schema, operation.variable_definitions or (), inputs)
    if isinstance(variables, list):
        raise Fallback
    outcome = _outcome(prepared, variables)
    plan = prepared.plans.get(outcome)
    if plan is None:
        plan = _compile(schema, prepared, outcome)
        if len(prepared.plans) >= MAX_PLANS_PER_DOCUMENT:
            del prepared.plans[next(iter(prepared.plans))]
        prepared.plans[outcome] = plan
    return plan(None, Runtime(_Info(context, schema), variables))


def _compile(schema: GraphQLSchema, prepared: PreparedDocument, outcome: tuple[bool, ...]) -> Plan:
    """The plan of the prepared query for one outcome of its conditions; a document plans cannot
    run gets a plan that always falls back (so it is not compiled again)."""
    assert prepared.operation is not None
    assert schema.query_type is not None
    compiler = _Compiler(schema, prepared, {id(d): v for d, v in zip(prepared.conditions, outcome, strict=True)})
    grouped: dict[str, list[FieldNode]] = {}
    try:
        compiler.collect(prepared.operation.selection_set, schema.query_type, grouped, set())
        return compiler.fields_plan(schema.query_type, grouped)
    except Fallback:
        return _unsupported


def _unsupported(_source: Any, _rt: Runtime) -> dict[str, Any]:
    raise Fallback
