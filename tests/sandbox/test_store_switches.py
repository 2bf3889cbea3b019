"""The sandbox's store configuration switches: Magento's defaults, the admin endpoint that changes
them at runtime, and what they change (out-of-stock visibility, payment and shipping methods)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bff.cli import build_parser, sandbox_config_from_args
from bff.sandbox.catalog_views import is_in_stock
from bff.sandbox.state import SandboxConfig, SandboxState
from tests.sandbox.conftest import Gql
from tests.sandbox.test_checkout import MICHIGAN, PAY, SHIP_TO, cart_with, error_of

LISTING = """query L($filter: ProductAttributeFilterInput) { products(filter: $filter, pageSize: 100) {
  total_count items { sku }
  aggregations { attribute_code options { value count } } } }"""
TEE = """{ products(filter: {sku: {eq: "TEE-CFG"}}) { items { ... on ConfigurableProduct {
  configurable_options { attribute_code values { label } } variants { product { sku stock_status } } } } } }"""
CATEGORY_COUNT = """query C($id: String!) { categories(filters: {ids: {eq: $id}}) { items { product_count } } }"""
METHODS = """query Q($cart: String!) { cart(cart_id: $cart) { available_payment_methods { code }
  shipping_addresses { available_shipping_methods { carrier_code } } } }"""


async def listed(gql: Gql, filter_: dict[str, Any]) -> dict[str, Any]:
    body = await gql(LISTING, {"filter": filter_})
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["products"]
    return result


def show_out_of_stock(state: SandboxState) -> None:
    state.config = replace(state.config, show_out_of_stock=True)


# --- the admin endpoint ------------------------------------------------------------------------


async def test_the_config_endpoint_answers_magentos_defaults(http: httpx.AsyncClient) -> None:
    config = (await http.get("/__sandbox/config")).json()
    assert {name: config[name] for name in
            ("show_out_of_stock", "guest_checkout_enabled", "payment_methods", "shipping_methods", "max_sale_qty",
             "enable_agreements")} == {
        "show_out_of_stock": False,
        "guest_checkout_enabled": True,
        "payment_methods": ["checkmo", "free"],
        "shipping_methods": ["flatrate"],
        "max_sale_qty": "10000",
        "enable_agreements": False,
    }  # fmt: skip


async def test_posting_to_the_config_endpoint_changes_the_running_sandbox(
    http: httpx.AsyncClient, state: SandboxState
) -> None:
    response = await http.post(
        "/__sandbox/config", json={"show_out_of_stock": True, "payment_methods": ["checkmo", "banktransfer", "free"]}
    )
    assert response.status_code == 200
    assert response.json()["payment_methods"] == ["checkmo", "banktransfer", "free"]
    assert state.config.show_out_of_stock is True
    assert state.config.payment_methods == ("checkmo", "banktransfer", "free")


async def test_the_config_endpoint_refuses_unknown_fields_and_wrong_types_and_changes_nothing(
    http: httpx.AsyncClient, state: SandboxState
) -> None:
    before = state.config
    for change in (
        {"show_out_of_stock": True, "no_such_switch": 1},
        {"show_out_of_stock": "yes"},
        {"max_sale_qty": "many"},
        {"payment_methods": "checkmo"},
        {"payment_methods": ["paypal_express"]},
        {"seed": 7},
        ["show_out_of_stock"],
    ):
        response = await http.post("/__sandbox/config", json=change)
        assert response.status_code == 400, change
        assert response.json()["error"]
    assert state.config == before


async def test_a_switch_changed_over_the_endpoint_reaches_a_remembered_listing(
    gql: Gql, http: httpx.AsyncClient
) -> None:
    filter_ = {"sku": {"in": ["SOLD-OUT", "BAG-001"]}}
    assert [i["sku"] for i in (await listed(gql, filter_))["items"]] == ["BAG-001"]
    await http.post("/__sandbox/config", json={"show_out_of_stock": True})
    assert [i["sku"] for i in (await listed(gql, filter_))["items"]] == ["BAG-001", "SOLD-OUT"]


# --- bff sandbox flags ------------------------------------------------------------------------
def test_cli_store_flags_build_the_sandbox_config() -> None:
    args = build_parser().parse_args(
        ["sandbox", "--show-out-of-stock", "--payment-methods", "checkmo,banktransfer,free",
         "--shipping-methods", "flatrate,freeshipping", "--max-sale-qty", "20", "--no-guest-checkout"]
    )  # fmt: skip
    config = sandbox_config_from_args(args)
    assert (config.show_out_of_stock, config.guest_checkout_enabled, config.max_sale_qty) == (True, False, Decimal(20))
    assert config.payment_methods == ("checkmo", "banktransfer", "free")
    assert config.shipping_methods == ("flatrate", "freeshipping")


def test_cli_store_flags_default_to_magentos_defaults() -> None:
    assert sandbox_config_from_args(build_parser().parse_args(["sandbox"])) == SandboxConfig()


def test_cli_rejects_an_unknown_payment_method() -> None:
    args = build_parser().parse_args(["sandbox", "--payment-methods", "checkmo,paypal_express"])
    with pytest.raises(SystemExit, match="paypal_express"):
        sandbox_config_from_args(args)


# --- out-of-stock visibility -------------------------------------------------------------------


async def test_out_of_stock_products_are_left_out_of_listings_by_default(gql: Gql) -> None:
    r"""show_out_of_stock = 0 (the default); follows
    Magento\GraphQl\Catalog\ProductSearchTest::testFilterProductsThatAreOutOfStockWithConfigSettings"""
    found = await listed(gql, {"sku": {"in": ["SOLD-OUT", "BAG-001"]}})
    assert found["total_count"] == 1
    assert found["items"] == [{"sku": "BAG-001"}]


async def test_out_of_stock_products_are_left_out_of_search_and_its_aggregations(gql: Gql, state: SandboxState) -> None:
    r"""Search results and layered navigation count only what is shown; follows
    Magento\GraphQl\Catalog\ProductSearchTest::testFilterProductsThatAreOutOfStockWithConfigSettings"""
    query = """{ products(search: "hoodie", pageSize: 100) { total_count items { sku }
      aggregations { attribute_code options { count } } } }"""
    hidden = (await gql(query))["data"]["products"]
    show_out_of_stock(state)
    shown = (await gql(query))["data"]["products"]
    hidden_skus = {i["sku"] for i in hidden["items"]}
    out_of_stock = {i["sku"] for i in shown["items"]} - hidden_skus
    assert "SOLD-OUT" in out_of_stock
    assert all(is_in_stock(state, state.products[sku]) for sku in hidden_skus)
    assert not any(is_in_stock(state, state.products[sku]) for sku in out_of_stock)
    assert hidden["total_count"] == shown["total_count"] - len(out_of_stock)

    def price_counts(result: dict[str, Any]) -> int:
        price = next(a for a in result["aggregations"] if a["attribute_code"] == "price")
        return sum(o["count"] for o in price["options"])

    assert (price_counts(hidden), price_counts(shown)) == (hidden["total_count"], shown["total_count"])


async def test_out_of_stock_variants_are_left_out_of_a_configurable_by_default(gql: Gql) -> None:
    r"""follows Magento\GraphQl\ConfigurableProduct\ConfigurableProductStockStatusTest::testConfigurableProductDoNotShowOutOfStock"""  # noqa: E501
    item = (await gql(TEE))["data"]["products"]["items"][0]
    skus = {v["product"]["sku"] for v in item["variants"]}
    assert "TEE-CFG-Blue-L" not in skus
    assert len(skus) == 5
    assert all(v["product"]["stock_status"] == "IN_STOCK" for v in item["variants"])


async def test_an_option_value_with_only_out_of_stock_variants_is_left_out(gql: Gql, state: SandboxState) -> None:
    r"""Option values come from the shown children (ConfigurableProduct's InStockOptionSelectBuilder);
    follows Magento\GraphQl\ConfigurableProduct\ConfigurableProductStockStatusTest::testConfigurableProductDoNotShowOutOfStock"""  # noqa: E501
    for sku in ("TEE-CFG-Blue-S", "TEE-CFG-Blue-M"):  # TEE-CFG-Blue-L is sold out in the seed
        state.products[sku].qty = 0
    options = (await gql(TEE))["data"]["products"]["items"][0]["configurable_options"]
    colors = next(o for o in options if o["attribute_code"] == "color")
    assert colors["values"] == [{"label": "Red"}]
    show_out_of_stock(state)
    options = (await gql(TEE))["data"]["products"]["items"][0]["configurable_options"]
    assert next(o for o in options if o["attribute_code"] == "color")["values"] == [{"label": "Red"}, {"label": "Blue"}]


async def test_a_color_filter_ignores_out_of_stock_variants(gql: Gql, state: SandboxState) -> None:
    r"""Filters see only shown children; follows
    Magento\GraphQl\Catalog\ProductSearchTest::testFilterProductsThatAreOutOfStockWithConfigSettings"""
    blue = next(v.value_index for o in state.products["TEE-CFG"].options for v in o.values if v.label == "Blue")
    for sku in ("TEE-CFG-Blue-S", "TEE-CFG-Blue-M"):
        state.products[sku].qty = 0
    by_blue = {"sku": {"eq": "TEE-CFG"}, "color": {"eq": str(blue)}}
    assert (await listed(gql, by_blue))["items"] == []
    show_out_of_stock(state)
    assert (await listed(gql, by_blue))["items"] == [{"sku": "TEE-CFG"}]


async def test_a_categorys_product_count_counts_only_shown_products(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\Catalog\ProductSearchTest::testFilterProductsThatAreOutOfStockWithConfigSettings
    (categories' product_count reads the same stock-filtered collection)"""
    hoodies = next(c for c in state.categories.values() if c.url_key == "hoodies-and-sweatshirts-men")
    visible = [p for p in state.products.values() if p.visible and hoodies.id in p.category_ids]
    out_of_stock = [p for p in visible if not is_in_stock(state, p)]
    assert out_of_stock  # SOLD-OUT at least
    counted = (await gql(CATEGORY_COUNT, {"id": str(hoodies.id)}))["data"]["categories"]["items"][0]
    assert counted["product_count"] == len(visible) - len(out_of_stock)
    show_out_of_stock(state)
    counted = (await gql(CATEGORY_COUNT, {"id": str(hoodies.id)}))["data"]["categories"]["items"][0]
    assert counted["product_count"] == len(visible)


# --- payment and shipping methods of a default install ------------------------------------------


async def test_a_default_install_offers_check_money_order_and_flat_rate_only(gql: Gql) -> None:
    r"""payment/banktransfer/active and carriers/freeshipping/active are 0 in Magento's config.xml; follows
    Magento\GraphQl\Quote\Guest\GetAvailablePaymentMethodsTest::testGetAvailablePaymentMethods and
    Magento\GraphQl\Quote\Guest\GetAvailableShippingMethodsTest::testGetAvailableShippingMethods"""
    cart_id = await cart_with(gql, ("BAG-001", 3))  # 135.00: above the free-shipping threshold
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})
    cart = (await gql(METHODS, {"cart": cart_id}))["data"]["cart"]
    assert cart["available_payment_methods"] == [{"code": "checkmo"}]
    assert cart["shipping_addresses"][0]["available_shipping_methods"] == [{"carrier_code": "flatrate"}]


async def test_bank_transfer_is_refused_until_it_is_enabled(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\SetPaymentMethodOnCartTest::testSetDisabledPaymentOnCart"""
    cart_id = await cart_with(gql, ("BAG-001", 1))
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})
    refused = await gql(PAY, {"cart": cart_id, "code": "banktransfer"})
    assert error_of(refused) == ("The requested Payment Method is not available.", "graphql-input")
    state.config = replace(state.config, payment_methods=("checkmo", "banktransfer", "free"))
    assert "errors" not in await gql(PAY, {"cart": cart_id, "code": "banktransfer"})


async def test_with_every_carrier_disabled_no_shipping_method_is_offered(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\Quote\Customer\GetAvailableShippingMethodsTest::testGetAvailableShippingMethodsIfShippingMethodsAreNotPresent"""  # noqa: E501
    state.config = replace(state.config, shipping_methods=())
    cart_id = await cart_with(gql, ("BAG-001", 1))
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})
    cart = (await gql(METHODS, {"cart": cart_id}))["data"]["cart"]
    assert cart["shipping_addresses"][0]["available_shipping_methods"] == []


async def test_with_every_payment_method_disabled_none_is_offered(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\GetAvailablePaymentMethodsTest::testGetAvailablePaymentMethodsIfPaymentsAreNotPresent"""  # noqa: E501
    state.config = replace(state.config, payment_methods=())
    cart_id = await cart_with(gql, ("BAG-001", 1))
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})
    assert (await gql(METHODS, {"cart": cart_id}))["data"]["cart"]["available_payment_methods"] == []
