"""The cost map covers the storefront schema: every list of objects and every field that can call
Magento (every field with a resolver) has an entry; every entry names a real field and operation."""

from __future__ import annotations

import strawberry
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLOutputType, get_named_type
from strawberry.types.base import StrawberryObjectDefinition

from bff.graphql.schema import build_schema
from bff.limits.cost_map import COST_MAP
from bff.magento.operations import all_operations

SCHEMA: strawberry.Schema = build_schema()


def _is_list(gql_type: GraphQLOutputType) -> bool:
    while isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    return isinstance(gql_type, GraphQLList)


def _object_types() -> list[GraphQLObjectType]:
    return [
        t for n, t in SCHEMA._schema.type_map.items() if isinstance(t, GraphQLObjectType) and not n.startswith("__")
    ]


def test_every_list_of_objects_has_an_entry() -> None:
    lists = {
        f"{t.name}.{name}"
        for t in _object_types()
        for name, field in t.fields.items()
        if _is_list(field.type) and isinstance(get_named_type(field.type), GraphQLObjectType)
    }
    assert sorted(lists - COST_MAP.keys()) == []


def test_every_field_with_a_resolver_has_an_entry_naming_its_operations() -> None:
    roots = [SCHEMA.get_type_by_name(name) for name in ("Query", "Mutation")]
    resolved = {
        f"{definition.name}.{field.name}"
        for definition in roots
        if isinstance(definition, StrawberryObjectDefinition)
        for field in definition.fields
        if field.base_resolver is not None
    }
    resolved = {path.replace(path.split(".")[1], _camel(path.split(".")[1])) for path in resolved}
    assert len(resolved) > 20
    assert sorted(p for p in resolved if not (COST_MAP.get(p) and COST_MAP[p].operations)) == []


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def test_every_entry_names_a_field_of_the_schema() -> None:
    fields = {f"{t.name}.{name}" for t in _object_types() for name in t.fields} | {"Query.__schema", "Query.__type"}
    assert sorted(COST_MAP.keys() - fields) == []


def test_every_operation_named_in_the_map_exists() -> None:
    named = {op for entry in COST_MAP.values() for op in entry.operations}
    assert sorted(named - all_operations().keys()) == []
