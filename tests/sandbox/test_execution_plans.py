"""The sandbox's fast path answers exactly as graphql-core does, and hands it every request it cannot.

Compiled plans (``bff.sandbox.execution_plans``) and the document cache (``bff.sandbox.documents``)
are speed, not behaviour: each test here runs the same request both ways and compares answers,
key order, cache tags and cacheability, or checks that the fast path steps aside.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from graphql import execute

import bff.sandbox.catalog_views as views
from bff.magento.operations import all_operations
from bff.sandbox.catalog_search import search_products
from bff.sandbox.context import RequestContext
from bff.sandbox.documents import DocumentCache, prepare
from bff.sandbox.execution import document_cache, parse_request, run, sandbox_schema
from bff.sandbox.execution_plans import MAX_PLANS_PER_DOCUMENT, Fallback, execute_plan
from bff.sandbox.state import SandboxState


def context(
    state: SandboxState, *, signed_in: bool = False, store: str = "default", currency: str = ""
) -> RequestContext:
    customer = next(iter(state.customers.values())) if signed_in else None
    view = state.stores[store]
    return RequestContext(state, view, currency or view.default_display_currency, customer, "t" if customer else None)


def mutate(state: SandboxState, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = run(parse_request({"query": query, "variables": variables or {}}), context(state))
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def assert_same_answer(state: SandboxState, query: str, variables: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Runs graphql-core, then the plan, on fresh contexts; returns the (equal) data."""
    schema = sandbox_schema()
    prepared = prepare(schema, query, None)
    assert prepared.document is not None
    assert not prepared.errors
    slow_ctx, fast_ctx = context(state, **kwargs), context(state, **kwargs)
    slow = execute(schema, prepared.document, context_value=slow_ctx, variable_values=variables)
    assert not getattr(slow, "errors", None), slow
    fast = execute_plan(schema, prepared, fast_ctx, variables)
    assert json.dumps(fast) == json.dumps(slow.data)  # type: ignore[union-attr]
    assert fast_ctx.cache_tags == slow_ctx.cache_tags
    assert fast_ctx.cacheable == slow_ctx.cacheable
    data: dict[str, Any] = fast
    return data


def operation_text(name: str) -> str:
    return all_operations()[name].document


def a_category_path(state: SandboxState) -> str:
    return next(c.url_path for c in state.categories.values() if c.level == 3)


CATALOG_CASES: list[tuple[str, dict[str, Any]]] = [
    ("ProductListing", {"filter": {}, "pageSize": 20, "currentPage": 1}),
    ("ProductListing", {"search": "bag", "pageSize": 5, "currentPage": 1, "sort": {"price": "DESC"}}),
    ("ProductListing", {"filter": {"price": {"from": "10", "to": "40"}}, "pageSize": 12, "currentPage": 2}),
    ("ProductBySku", {"sku": "TEE-CFG"}),
    ("ProductBySku", {"sku": "BAG-001"}),
    ("ProductsBySkus", {"skus": ["BAG-001", "TEE-CFG", "NOPE"], "pageSize": 3}),
    ("CategoryTree", {"level2": True, "level3": True, "level4": False, "level5": False}),
    ("CategoryTree", {"level2": False, "level3": False, "level4": False, "level5": False}),
    ("ProductListingOptions", {}),
    ("StoreConfig", {}),
    ("StoreViews", {}),
    ("StoreCurrencies", {}),
    ("Countries", {}),
    ("Route", {"url": "/"}),
]


@pytest.mark.parametrize(("name", "variables"), CATALOG_CASES)
def test_plans_answer_catalog_operations_exactly_as_graphql_core(
    state: SandboxState, name: str, variables: dict[str, Any]
) -> None:
    assert_same_answer(state, operation_text(name), variables)


def test_plans_answer_in_another_store_and_currency_exactly_as_graphql_core(state: SandboxState) -> None:
    variables = {"filter": {}, "pageSize": 20, "currentPage": 1}
    assert_same_answer(state, operation_text("ProductListing"), variables, store="de", currency="USD")


def test_plans_answer_category_and_product_pages_by_url_exactly_as_graphql_core(state: SandboxState) -> None:
    path = a_category_path(state)
    assert_same_answer(state, operation_text("CategoryByUrlPath"), {"urlPath": path})
    assert_same_answer(state, operation_text("ProductByUrlKey"), {"urlKey": state.products["TEE-CFG"].url_key})
    assert_same_answer(state, operation_text("Route"), {"url": f"{path}.html"})
    assert_same_answer(state, operation_text("Route"), {"url": f"{state.products['BAG-001'].url_key}.html"})


def test_plans_answer_a_cart_with_lines_exactly_as_graphql_core(state: SandboxState) -> None:
    cart_id = mutate(state, "mutation { createGuestCart { cart { id } } }")["createGuestCart"]["cart"]["id"]
    tee = assert_same_answer(state, operation_text("ProductBySku"), {"sku": "TEE-CFG"})["products"]["items"][0]
    options = [option["values"][0]["uid"] for option in tee["configurable_options"]]
    items = [{"sku": "BAG-001", "quantity": 2}, {"sku": "TEE-CFG", "quantity": 1, "selected_options": options}]
    add = "mutation A($c: String!, $i: [CartItemInput!]!) { addProductsToCart(cartId: $c, cartItems: $i) "
    add += "{ cart { id } } }"
    mutate(state, add, {"c": cart_id, "i": items})
    data = assert_same_answer(state, operation_text("GetCart"), {"cartId": cart_id})
    assert data["cart"]["total_quantity"] == 3


def test_plans_answer_a_signed_in_customer_exactly_as_graphql_core(state: SandboxState) -> None:
    assert_same_answer(state, operation_text("Viewer"), {}, signed_in=True)
    assert_same_answer(state, operation_text("CustomerWithCart"), {}, signed_in=True)
    assert_same_answer(state, operation_text("CustomerOrders"), {"pageSize": 5, "currentPage": 1}, signed_in=True)


def test_aliases_fragments_and_conditions_come_out_in_graphql_cores_order(state: SandboxState) -> None:
    query = """
    query Q($more: Boolean!) {
      b: products(filter: {sku: {eq: "TEE-CFG"}}) { items { ...Card sku ... on ConfigurableProduct { a: sku } } }
      products(pageSize: 2, filter: {}) { total_count items { name @skip(if: $more) uid @include(if: $more) } }
    }
    fragment Card on ProductInterface { __typename name sku }
    """
    assert_same_answer(state, query, {"more": True})
    assert_same_answer(state, query, {"more": False})


def test_a_resolver_error_is_left_to_graphql_core(state: SandboxState) -> None:
    prepared = prepare(sandbox_schema(), "{ products { total_count } }", None)
    with pytest.raises(Fallback):
        execute_plan(sandbox_schema(), prepared, context(state), {})


def test_introspection_is_left_to_graphql_core(state: SandboxState) -> None:
    prepared = prepare(sandbox_schema(), "{ __schema { queryType { name } } }", None)
    with pytest.raises(Fallback):
        execute_plan(sandbox_schema(), prepared, context(state), {})


def test_a_resolver_error_answers_graphql_cores_partial_data_and_tags(state: SandboxState) -> None:
    query = '{ cart(cart_id: "nope") { id } products(filter: {sku: {eq: "BAG-001"}}) { total_count } }'
    ctx, core_ctx = context(state), context(state)
    body = run(parse_request({"query": query}), ctx)
    core = execute(sandbox_schema(), prepare(sandbox_schema(), query, None).document, context_value=core_ctx)  # type: ignore[arg-type]
    assert body["data"] == core.data == {"cart": None, "products": {"total_count": 1}}  # type: ignore[union-attr]
    assert body["errors"][0]["path"] == ["cart"]
    assert (ctx.cache_tags, ctx.cacheable) == (core_ctx.cache_tags, core_ctx.cacheable)


def test_a_repeated_document_is_prepared_once(state: SandboxState) -> None:
    payload = {"query": operation_text("StoreConfig"), "operationName": "StoreConfig"}
    first, second = parse_request(payload), parse_request(payload)
    assert first.prepared is second.prepared
    assert run(first, context(state)) == run(second, context(state))


def test_invalid_documents_are_cached_with_their_errors() -> None:
    cache = DocumentCache(sandbox_schema())
    first = cache.get("{ products { nope } }", None)
    assert cache.get("{ products { nope } }", None) is first
    assert [e.message for e in first.errors] == ["Cannot query field 'nope' on type 'Products'."]


def test_the_document_cache_keeps_at_most_its_bound() -> None:
    cache = DocumentCache(sandbox_schema(), max_entries=2)
    for sku in ("A", "B", "C"):
        cache.get(f'{{ products(filter: {{sku: {{eq: "{sku}"}}}}) {{ total_count }} }}', None)
    assert len(cache) == 2


def test_the_process_wide_document_cache_is_bounded() -> None:
    assert document_cache() is document_cache()


def test_a_listing_of_skus_builds_no_images_prices_or_variants(
    state: SandboxState, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []

    def recording(name: str, value: object) -> object:
        return lambda *_: built.append(name) or value  # type: ignore[func-returns-value]

    monkeypatch.setattr(views, "image_url", recording("image", ""))
    monkeypatch.setattr(views, "price_range", recording("price", {}))
    monkeypatch.setattr(views, "variant_views", recording("variants", []))
    data = assert_same_answer(state, "{ products(filter: {}, pageSize: 20) { items { sku } } }", {})
    assert len(data["products"]["items"]) == 20
    assert built == []


def test_a_product_view_read_as_a_mapping_has_every_field(state: SandboxState) -> None:
    view = views.product_view(state.products["TEE-CFG"], context(state))
    assert {"sku", "price_range", "media_gallery", "variants", "configurable_options"} <= set(view)
    assert dict(view)["sku"] == view["sku"] == "TEE-CFG"


FACETS = "{ products(filter: {}, pageSize: 1) { aggregations { attribute_code options { value count } } } }"


def test_a_repeated_search_is_answered_from_the_remembered_result(state: SandboxState) -> None:
    first = search_products(state, None, {"name": {"match": "bag"}}, None)
    assert search_products(state, None, {"name": {"match": "bag"}}, None) is first
    assert search_products(state, "bag", None, None) is not first


def test_a_price_change_shows_in_the_next_listings_facets(state: SandboxState) -> None:
    before = run(parse_request({"query": FACETS}), context(state))
    state.products["BAG-001"].price = Decimal("5000.00")
    after = run(parse_request({"query": FACETS}), context(state))
    prices = [a["options"] for a in after["data"]["products"]["aggregations"] if a["attribute_code"] == "price"]
    assert after != before
    assert prices[0][-1]["value"] == "5000_6000"


def test_a_product_replaced_in_the_catalog_shows_in_the_next_search(state: SandboxState) -> None:
    before = search_products(state, None, {"name": {"match": "bag"}}, None)
    bag = next(p for p in before.products if p.sku == "BAG-001")
    state.products["BAG-001"] = replace(bag, name="Travel Pouch")
    after = search_products(state, None, {"name": {"match": "bag"}}, None)
    assert "BAG-001" not in [p.sku for p in after.products]


def test_a_price_change_shows_in_the_next_answers_prices(state: SandboxState) -> None:
    query = '{ products(filter: {sku: {eq: "BAG-001"}}) { items { price_range { minimum_price {'
    query += " final_price { value } } } } } }"

    def price() -> float:
        item = run(parse_request({"query": query}), context(state))["data"]["products"]["items"][0]
        value: float = item["price_range"]["minimum_price"]["final_price"]["value"]
        return value

    price()
    state.products["BAG-001"].special_price = Decimal("1.50")
    assert price() == 1.5


def test_a_document_keeps_a_bounded_number_of_plans(state: SandboxState) -> None:
    switches = [f"s{i}" for i in range(7)]
    fields = " ".join(f"{name}: total_count @include(if: ${name})" for name in switches)
    declared = ", ".join(f"${name}: Boolean!" for name in switches)
    query = f"query Q({declared}) {{ products(filter: {{}}) {{ {fields} }} }}"
    prepared = prepare(sandbox_schema(), query, None)
    for outcome in range(2**7):
        variables = {name: bool(outcome >> i & 1) for i, name in enumerate(switches)}
        data = execute_plan(sandbox_schema(), prepared, context(state), variables)
        assert len(data["products"]) == bin(outcome).count("1")
    assert len(prepared.plans) == MAX_PLANS_PER_DOCUMENT
