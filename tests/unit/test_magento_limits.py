"""Counting depth, fields and aliases the way Magento's QueryComplexityLimiter does."""

from __future__ import annotations

from graphql import parse

from bff.sandbox.limits import QueryMeasure, limit_errors, measure


def test_leaf_fields_do_not_add_depth() -> None:
    assert measure(parse("{ products { items { sku } } }")).depth == 1


def test_fields_are_counted_with_fragments_expanded_at_each_use() -> None:
    doc = parse("""
        query Q { a: cart(cart_id: "x") { ...F } b: cart(cart_id: "y") { ...F } }
        fragment F on Cart { id email }
    """)
    assert measure(doc) == QueryMeasure(depth=0, field_count=6, alias_count=2)


def test_inline_fragments_count_their_fields_without_adding_depth() -> None:
    doc = parse("{ products { items { sku ... on ConfigurableProduct { variants { product { sku } } } } } }")
    assert measure(doc) == QueryMeasure(depth=3, field_count=6, alias_count=0)


def test_only_the_named_operation_is_measured() -> None:
    doc = parse('query A { storeConfig { store_code } } query B { countries { id } cart(cart_id: "x") { id } }')
    assert measure(doc, "B").field_count == 4


def test_documents_within_limits_have_no_errors() -> None:
    assert limit_errors(QueryMeasure(depth=20, field_count=300, alias_count=10)) == []


def test_documents_over_each_limit_get_magentos_messages() -> None:
    assert limit_errors(QueryMeasure(depth=21, field_count=301, alias_count=11)) == [
        "Max query complexity should be 300 but got 301.",
        "Max Aliases in query should be 10 but got 11.",
        "Max query depth should be 20 but got 21.",
    ]
