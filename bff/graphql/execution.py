"""The schema's execution context: Strawberry's, with a short path for plain leaf fields.

Most fields of an answer are scalars read straight off a type's attribute: a listing of 20 tiles
has about 15 per tile (``sku``, ``name``, ``price.final.value``, ...) and hundreds more in its
facets. graphql-core runs the same machinery for each of them as for a resolver that fetches: it
builds a ``GraphQLResolveInfo`` (a 15-field tuple), calls Strawberry's wrapper around the default
resolver, checks for an awaitable and dispatches ``complete_value`` through the type's wrappers:
about a quarter of the BFF's CPU for an uncached listing. For a *plain leaf* (a Strawberry field
without a resolver, extensions or arguments, whose type is a scalar or enum, nullable or not, not
a list), ``execute_field`` here reads the attribute with Strawberry's own default resolver and
coerces it with the type's own ``coerce_output_value``, and only that.

The result is the same by construction: the short path answers only when the value is an
ordinary one (not None, an exception or an awaitable) whose coercion succeeds and is not None;
for anything else (a null, a failing coercion, an enum member) it hands the field to the regular
path, which reads it again (a plain attribute read has no side effect) and produces the value or
the located error exactly as before. With any resolve hook installed (a ``SchemaExtension`` with
``resolve``, e.g. the resolver spans when tracing is on) every field takes the regular path, so
hooks still see every field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Values that are never awaitable nor exceptions: the short path's only inputs.
_ORDINARY: Final = frozenset({str, int, float, bool, Decimal})


@dataclass(frozen=True, slots=True)
class PlainLeaf:
    """How to read and coerce one plain leaf field."""

    read: Callable[[Any, str], object]  # Strawberry's default resolver (``getattr``)
    python_name: str
    type: GraphQLLeafType
    resolve: Callable[..., Any]  # Strawberry's resolver of the field, as resolve hooks would wrap it


_PLAIN: WeakKeyDictionary[GraphQLSchema, dict[str, dict[str, PlainLeaf]]] = WeakKeyDictionary()


def plain_leaves(schema: GraphQLSchema) -> dict[str, dict[str, PlainLeaf]]:
    """Per object type name, its plain leaf fields by GraphQL name (computed once per schema)."""
    found = _PLAIN.get(schema)
    if found is None:
        found = {}
        for type_ in schema.type_map.values():
            if isinstance(type_, GraphQLObjectType) and not type_.name.startswith("__"):
                leaves = {name: leaf for name, field in type_.fields.items() if (leaf := _plain(field)) is not None}
                if leaves:
                    found[type_.name] = leaves
        _PLAIN[schema] = found
    return found


def _plain(field: Any) -> PlainLeaf | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or field.args or not getattr(field.resolve, "_is_default", False):
        return None
    named = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    if not is_leaf_type(named):
        return None
    return PlainLeaf(definition.default_resolver, definition.python_name, named, field.resolve)


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """``StrawberryGraphQLCoreExecutionContext`` with the short path of the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._leaves = plain_leaves(self.schema)  # one weak-dictionary lookup per operation, not per field

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        leaves = self._leaves.get(parent_type.name)
        if leaves is not None:
            leaf = leaves.get(field_details_list[0].node.name.value)
            manager = self.middleware_manager
            if leaf is not None and (manager is None or manager.get_field_resolver(leaf.resolve) is leaf.resolve):
                value = leaf.read(source, leaf.python_name)
                if type(value) in _ORDINARY:
                    try:
                        coerced = leaf.type.coerce_output_value(value)
                    except Exception:
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(parent_type, source, field_details_list, path, position_context)
