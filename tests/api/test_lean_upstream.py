"""Upstream documents carry only what the client selected: what Magento is asked for, on the wire.

The sandbox receives every request through a ``RecordingTransport``; the fields each document
selects (its ``@include`` switches applied to the variables sent) are compared with the
client's selection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.graphql.node import node_id
from bff.sandbox import SandboxState
from bff.settings import Settings
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport
from tests.storefront_fixtures import without_cost
from tests.upstream_documents import SentOperation, sent_operation


@pytest.fixture
def upstream(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


@pytest.fixture
async def recorded(
    settings: Settings, upstream: RecordingTransport, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, magento_transport=upstream, clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        yield c


class Run:
    """``await run(query, variables)`` → (the answer, the operations Magento received for it)."""

    def __init__(self, client: httpx.AsyncClient, upstream: RecordingTransport) -> None:
        self.client, self.upstream = client, upstream

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[SentOperation]]:
        before = len(self.upstream.requests)
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}})
        sent = [sent_operation(r) for r in self.upstream.requests[before:]]
        return without_cost(response.json()), sent


@pytest.fixture
def run(recorded: httpx.AsyncClient, upstream: RecordingTransport) -> Run:
    return Run(recorded, upstream)


def only(sent: list[SentOperation], name: str) -> SentOperation:
    [operation] = [s for s in sent if s.name == name]
    return operation


def under(paths: frozenset[str], prefix: str) -> set[str]:
    return {p for p in paths if p == prefix or p.startswith(prefix + ".")}


# --- listings ---------------------------------------------------------------------------------


async def test_the_upstream_document_of_a_three_field_listing_asks_for_no_aggregations(run: Run) -> None:
    body, sent = await run('{ products(search: "bag") { totalCount items { sku name } } }')
    selected = only(sent, "ProductListing").selected
    assert body["data"]["products"]["items"][0].keys() == {"sku", "name"}
    assert under(selected, "products.aggregations") == set()


async def test_a_three_field_listing_asks_for_no_sort_fields(run: Run) -> None:
    _, sent = await run('{ products(search: "bag") { totalCount items { sku name } } }')
    assert under(only(sent, "ProductListing").selected, "products.sort_fields") == set()


async def test_tiles_without_price_images_or_options_ask_for_none_of_them(run: Run) -> None:
    _, sent = await run('{ products(search: "bag") { items { sku name } } }')
    items = under(only(sent, "ProductListing").selected, "products.items")
    assert {p.removeprefix("products.items.") for p in items} >= {"sku", "name"}
    assert {"products.items.price_range", "products.items.thumbnail", "products.items.small_image",
            "products.items.configurable_options", "products.items.variants"} & items == set()  # fmt: skip


async def test_a_total_count_alone_asks_for_no_tiles(run: Run) -> None:
    body, sent = await run('{ products(search: "bag") { totalCount } }')
    assert body["data"]["products"]["totalCount"] > 0
    assert under(only(sent, "ProductListing").selected, "products.items") == set()


async def test_a_facets_only_selection_fetches_no_items(run: Run) -> None:
    body, sent = await run('{ products(search: "bag") { facets { attribute options { value count } } } }')
    selected = only(sent, "ProductListing").selected
    assert body["data"]["products"]["facets"] != []
    assert under(selected, "products.items") == set()
    assert under(selected, "products.total_count") == set()
    assert "products.aggregations.options.count" in selected


async def test_fields_selected_through_fragments_and_aliases_are_fetched(run: Run) -> None:
    query = """query { list: products(search: "Strive Shoulder Pack", pageSize: 1) { ...Tiles } }
      fragment Tiles on ProductPage { items { ... on Product { cost: price { final { value } } } } }"""
    body, sent = await run(query)
    assert body["data"]["list"]["items"] == [{"cost": {"final": {"value": "24.00"}}}]
    assert "products.items.price_range.minimum_price.final_price.value" in only(sent, "ProductListing").selected


async def test_a_field_the_client_skips_is_not_fetched(run: Run) -> None:
    query = """query ($full: Boolean!) {
      products(search: "bag") { items { sku price @include(if: $full) { final { value } } } }
    }"""
    _, sent = await run(query, {"full": False})
    assert under(only(sent, "ProductListing").selected, "products.items.price_range") == set()


async def test_a_whole_listing_asks_for_every_part(run: Run) -> None:
    query = """{ products(search: "jacket") { totalCount pageInfo { totalPages } sortFields { default }
      facets { attribute } items { sku image { url } price { final { value } } options { code } } } }"""
    body, sent = await run(query)
    selected = only(sent, "ProductListing").selected
    assert "errors" not in body
    assert {"products.total_count", "products.page_info", "products.sort_fields", "products.aggregations",
            "products.items.small_image", "products.items.price_range",
            "products.items.configurable_options"} <= selected  # fmt: skip


async def test_a_page_beyond_the_last_asks_page_one_for_its_totals_only(run: Run) -> None:
    body, sent = await run(
        '{ products(search: "bag", page: 50, pageSize: 10) { totalCount pageInfo { totalPages } items { sku } } }'
    )
    listing = body["data"]["products"]
    first = [s for s in sent if s.name == "ProductListing"][-1]
    assert listing["items"] == []
    assert listing["pageInfo"]["totalPages"] == -(-listing["totalCount"] // 10)
    assert first.variables["currentPage"] == 1
    assert under(first.selected, "products.items") == set()


async def test_a_page_beyond_the_last_keeps_its_sort_fields(run: Run) -> None:
    body, _ = await run('{ products(search: "bag", page: 50) { items { sku } sortFields { options { value } } } }')
    assert body["data"]["products"]["sortFields"]["options"] != []


# --- carts ------------------------------------------------------------------------------------

ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 2}, {sku: "BAG-002", quantity: 1}]) { cart { id } } }'
SHIPPING_ADDRESS = """mutation { setShippingAddress(address: {firstname: "Jane", lastname: "Doe", street: ["1 Main St"],
  city: "Austin", region: "TX", postcode: "78701", countryCode: "US", telephone: "5125550100"}) { cart { id } } }"""
CART_DETAILS = ("cart.shipping_addresses", "cart.billing_address", "cart.available_payment_methods",
                "cart.selected_payment_method")  # fmt: skip


async def test_a_cart_count_fetches_no_lines(run: Run) -> None:
    await run(ADD)
    body, sent = await run("{ cart { totalQuantity } }")
    [operation] = sent
    assert body["data"]["cart"] == {"totalQuantity": 3.0}
    assert under(operation.selected, "cart.itemsV2") == set()


async def test_a_cart_count_fetches_no_prices_addresses_or_methods(run: Run) -> None:
    await run(ADD)
    _, [operation] = await run("{ cart { id totalQuantity appliedCoupons } }")
    assert {p for prefix in ("cart.prices", *CART_DETAILS) for p in under(operation.selected, prefix)} == set()


async def test_a_mini_cart_fetches_lines_and_totals_without_addresses_or_methods(run: Run) -> None:
    await run(ADD)
    lines_and_totals = "items { quantity product { sku } } prices { grandTotal { value } subtotal { value } }"
    body, [operation] = await run(f"{{ cart {{ {lines_and_totals} }} }}")
    full, _ = await run(f"{{ cart {{ {lines_and_totals} shippingAddress {{ city }} }} }}")
    assert body["data"]["cart"]["items"] == [{"quantity": 2.0, "product": {"sku": "BAG-001"}},
                                             {"quantity": 1.0, "product": {"sku": "BAG-002"}}]  # fmt: skip
    assert body["data"]["cart"]["prices"] == full["data"]["cart"]["prices"]
    assert {p for prefix in CART_DETAILS for p in under(operation.selected, prefix)} == set()


async def test_a_cart_selection_with_addresses_fetches_the_whole_cart(run: Run) -> None:
    await run(ADD)
    _, [operation] = await run("{ cart { totalQuantity shippingAddress { city } } }")
    assert {"cart.itemsV2", "cart.shipping_addresses", "cart.available_payment_methods"} <= operation.selected


async def test_the_shipping_amount_is_read_from_the_selected_method_without_the_other_details(run: Run) -> None:
    await run(ADD)
    page = "prices { shipping { value } grandTotal { value } }"
    before, _ = await run(f"{{ cart {{ {page} }} }}")
    await run(SHIPPING_ADDRESS)
    await run('mutation { setShippingMethod(carrierCode: "flatrate", methodCode: "flatrate") { cart { id } } }')
    body, [operation] = await run(f"{{ cart {{ {page} }} }}")
    whole, _ = await run(f"{{ cart {{ {page} shippingAddress {{ city }} }} }}")
    assert before["data"]["cart"]["prices"]["shipping"] is None
    assert body["data"]["cart"]["prices"] == whole["data"]["cart"]["prices"]
    assert body["data"]["cart"]["prices"]["shipping"] is not None
    assert "cart.shipping_addresses.selected_shipping_method.amount.value" in operation.selected
    assert {p for prefix in CART_DETAILS for p in under(operation.selected, prefix)} == {
        "cart.shipping_addresses", "cart.shipping_addresses.selected_shipping_method",
        "cart.shipping_addresses.selected_shipping_method.carrier_code",
        "cart.shipping_addresses.selected_shipping_method.amount",
        "cart.shipping_addresses.selected_shipping_method.amount.value",
        "cart.shipping_addresses.selected_shipping_method.amount.currency",
    }  # fmt: skip


async def test_a_cart_the_store_lost_reads_as_empty_through_the_summary_too(
    run: Run, sandbox_state: SandboxState
) -> None:
    await run(ADD)
    sandbox_state.carts.clear()
    body, _ = await run("{ cart { totalQuantity } }")
    again, sent = await run("{ cart { totalQuantity } }")
    assert body["data"]["cart"] == {"totalQuantity": 0.0}
    assert again["data"]["cart"] == {"totalQuantity": 0.0}
    assert sent == []  # the session forgot the cart


# --- SKU lookups ------------------------------------------------------------------------------


async def test_several_product_lookups_by_sku_in_one_request_make_one_upstream_call(run: Run) -> None:
    body, sent = await run('{ a: product(sku: "BAG-001") { name } b: product(sku: "BAG-002") { name } '
                           'c: product(sku: "TEE-CFG") { sku } }')  # fmt: skip
    assert body["data"] == {"a": {"name": "Joust Duffle Bag"}, "b": {"name": "Strive Shoulder Pack"},
                            "c": {"sku": "TEE-CFG"}}  # fmt: skip
    assert [s.name for s in sent] == ["ProductsBySkus"]


async def test_a_batched_lookup_of_an_unknown_sku_is_null_next_to_the_found_ones(run: Run) -> None:
    body, sent = await run('{ a: product(sku: "BAG-001") { sku } b: product(sku: "NO-SUCH-SKU") { sku } }')
    assert body["data"] == {"a": {"sku": "BAG-001"}, "b": None}
    assert len(sent) == 1


async def test_an_empty_sku_is_refused_without_failing_the_other_lookups(run: Run) -> None:
    body, sent = await run('{ a: product(sku: "BAG-001") { sku } b: product(sku: " ") { sku } }')
    assert body["data"] == {"a": {"sku": "BAG-001"}, "b": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert [s.name for s in sent] == ["ProductsBySkus"]


async def test_product_nodes_and_product_roots_of_one_request_share_one_upstream_call(run: Run) -> None:
    query = """query ($a: ID!, $b: ID!) { x: node(id: $a) { ... on Product { sku } } y: node(id: $b) { id }
      z: product(sku: "BAG-001") { name } }"""
    body, sent = await run(query, {"a": node_id("Product", "BAG-002"), "b": node_id("ProductVariant", "TEE-CFG", "x")})
    assert body["data"] == {"x": {"sku": "BAG-002"}, "y": None, "z": {"name": "Joust Duffle Bag"}}
    assert [s.name for s in sent] == ["ProductsBySkus"]
