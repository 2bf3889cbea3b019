"""Requested cost before an operation runs; objects returned after (the algorithm, on the real schema)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, parse

from bff.document_operations import selected_operation
from bff.graphql.schema import build_schema
from bff.limits.cost import document_cost, returned_objects

UPSTREAM = {"StoreConfig": 1, "ProductListing": 5, "GetCart": 2, "CategoryTree": 3}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema()._schema


def cost(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> int:
    return document_cost(schema, query, UPSTREAM, variables)


def test_a_root_field_weighs_its_upstream_operations_plus_one_per_object(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ storeConfig { storeCode storeName } }") == 1 + 1


def test_scalars_cost_nothing_and_objects_one_each(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ cart { totalQuantity } }") == 2 + 1
    assert cost(schema, "{ cart { prices { grandTotal { value } } } }") == 2 + 1 + 1 + 1


def test_a_list_is_multiplied_by_its_page_size(schema: GraphQLSchema) -> None:
    # products 5 + page 1 + 7 items x (1 + price 1 + final 1)
    assert cost(schema, "{ products(pageSize: 7) { items { sku price { final { value } } } } }") == 5 + 1 + 7 * 3


def test_the_page_size_comes_from_variables_then_defaults(schema: GraphQLSchema) -> None:
    query = "query($n: Int! = 3) { products(pageSize: $n) { items { sku } } }"
    assert cost(schema, query, {"n": 50}) == 5 + 1 + 50
    assert cost(schema, query) == 5 + 1 + 3
    assert cost(schema, "{ products { items { sku } } }") == 5 + 1 + 20


def test_a_list_without_a_sizing_argument_has_its_assumed_size(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ cart { items { uid } } }") == 2 + 1 + 10


def test_skip_and_include_are_decided_with_the_variables(schema: GraphQLSchema) -> None:
    query = "query($on: Boolean!) { storeConfig @include(if: $on) { storeCode } cart @skip(if: $on) { email } }"
    assert cost(schema, query, {"on": True}) == 2
    assert cost(schema, query, {"on": False}) == 3


def test_fragments_and_inline_fragments_count_where_they_are_spread(schema: GraphQLSchema) -> None:
    query = "{ cart { ...Lines ... on Cart { prices { tax { value } } } } } fragment Lines on Cart { items { uid } }"
    assert cost(schema, query) == 2 + 1 + 10 + (1 + 1)


def test_a_shallow_query_of_aliases_times_page_size_is_expensive(schema: GraphQLSchema) -> None:
    query = "{ " + " ".join(f"p{i}: products(pageSize: 100) {{ items {{ sku }} }}" for i in range(10)) + " }"
    assert cost(schema, query) == 10 * (5 + 1 + 100)


def test_introspection_has_a_fixed_cost(schema: GraphQLSchema) -> None:
    assert cost(schema, "{ __schema { types { name fields { name } } } }") == 100
    assert cost(schema, "{ __typename }") == 0


def test_the_actual_cost_counts_the_objects_returned(schema: GraphQLSchema) -> None:
    document = parse("{ cart { items { uid product { sku } } prices { grandTotal { value } } } }")
    operation = selected_operation(document, None)
    assert operation is not None
    data = {"cart": {"items": [{"uid": "1", "product": {"sku": "A"}}, {"uid": "2", "product": {"sku": "B"}}],
                     "prices": {"grandTotal": {"value": "1.00"}}}}  # fmt: skip
    assert returned_objects(document, operation, data) == 1 + 2 * 2 + 2


def test_the_actual_cost_counts_aliases_and_skips_nulls(schema: GraphQLSchema) -> None:
    document = parse('{ a: storeConfig { storeCode } b: storeConfig { storeCode } product(sku: "X") { sku } }')
    operation = selected_operation(document, None)
    assert operation is not None
    assert (
        returned_objects(document, operation, {"a": {"storeCode": "x"}, "b": {"storeCode": "x"}, "product": None}) == 2
    )
