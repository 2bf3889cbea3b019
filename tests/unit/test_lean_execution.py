"""The execution context's short path for plain leaf fields answers exactly what Strawberry's would."""

from __future__ import annotations

import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from bff.graphql.execution import LeanExecutionContext
from bff.graphql.primitives import SCALAR_MAP


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Tile:
    sku: str
    url_key: str | None
    stock: int
    rating: float
    price: Decimal
    colour: Colour
    broken: str  # set to None by a test: a non-null field with a null value


@strawberry.type
class Query:
    @strawberry.field
    def tiles(self) -> list[Tile]:
        return [
            Tile(sku="A", url_key="a", stock=3, rating=4, price=Decimal("9.50"), colour=Colour.RED, broken="x"),
            Tile(sku="B", url_key=None, stock=0, rating=0.5, price=Decimal("1"), colour=Colour.RED, broken=None),  # type: ignore[arg-type]
        ]


Next = Callable[..., Any]
DOCUMENT = "{ tiles { sku urlKey stock rating price colour } }"


def _schema(lean: bool, extensions: list[Any] | None = None) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        extensions=extensions or [],
        config=strawberry.schema.config.StrawberryConfig(scalar_map=SCALAR_MAP),
        execution_context_class=LeanExecutionContext if lean else None,
    )


def _run(schema: strawberry.Schema, document: str) -> tuple[Any, list[tuple[str, list[str | int]]]]:
    result = schema.execute_sync(document)
    return result.data, [(e.message, list(e.path or [])) for e in result.errors or []]


def test_plain_leaf_fields_answer_their_coerced_attributes_as_strawberry_does() -> None:
    assert _run(_schema(lean=True), DOCUMENT) == _run(_schema(lean=False), DOCUMENT)
    assert _run(_schema(lean=True), DOCUMENT)[0]["tiles"][0] == {
        "sku": "A",
        "urlKey": "a",
        "stock": 3,
        "rating": 4.0,
        "price": _run(_schema(lean=False), DOCUMENT)[0]["tiles"][0]["price"],
        "colour": "RED",
    }


def test_a_null_in_a_non_null_plain_field_is_the_same_located_error() -> None:
    document = "{ tiles { sku broken } }"
    data, errors = _run(_schema(lean=True), document)
    assert (data, errors) == _run(_schema(lean=False), document)
    assert errors == [("Cannot return null for non-nullable field Tile.broken.", ["tiles", 1, "broken"])]


def test_a_resolve_hook_still_sees_every_plain_field() -> None:
    seen: list[str] = []

    class Watch(SchemaExtension):
        def resolve(self, _next: Next, root: Any, info: GraphQLResolveInfo[Any], *a: Any, **k: Any) -> Any:
            seen.append(info.field_name)
            return _next(root, info, *a, **k)

    data, _ = _run(_schema(lean=True, extensions=[Watch]), "{ tiles { sku stock } }")
    assert data == {"tiles": [{"sku": "A", "stock": 3}, {"sku": "B", "stock": 0}]}
    assert seen == ["tiles", "sku", "stock", "sku", "stock"]
