"""Locale: the store views and currencies a switcher offers, and switching keeps the cart."""

from __future__ import annotations

from tests.storefront_fixtures import Gql

ADD = """mutation { addToCart(items: [{sku: "BAG-001", quantity: 2}]) { userErrors { code } } }"""
CART = """{ cart { items { uid product { sku } prices { rowTotal { value currency } } }
               prices { subtotal { value currency } } } }"""


async def test_switching_the_store_view_keeps_the_cart_priced_in_the_new_currency(gql: Gql) -> None:
    await gql(ADD)
    before = (await gql(CART))["data"]["cart"]
    after = (await gql(CART, headers={"Store": "de"}))["data"]["cart"]
    assert before["prices"]["subtotal"] == {"value": "90.00", "currency": "USD"}
    assert after == {
        "items": [{"uid": before["items"][0]["uid"], "product": {"sku": "BAG-001"},
                   "prices": {"rowTotal": {"value": "82.80", "currency": "EUR"}}}],
        "prices": {"subtotal": {"value": "82.80", "currency": "EUR"}},
    }  # fmt: skip


async def test_switching_the_currency_keeps_the_cart(gql: Gql) -> None:
    await gql(ADD)
    cart = (await gql(CART, headers={"Content-Currency": "EUR"}))["data"]["cart"]
    assert [(i["product"]["sku"], i["prices"]["rowTotal"]) for i in cart["items"]] == [
        ("BAG-001", {"value": "82.80", "currency": "EUR"})
    ]


STORE_VIEWS = "{ storeConfig { storeCode storeViews { code name locale defaultCurrency currencies isDefault } } }"


async def test_store_config_lists_every_store_view_with_its_currencies(gql: Gql) -> None:
    body = await gql(STORE_VIEWS, headers={"Store": "de"})
    assert body["data"]["storeConfig"] == {
        "storeCode": "de",
        "storeViews": [
            {"code": "default", "name": "Default Store View", "locale": "en_US", "defaultCurrency": "USD",
             "currencies": ["USD", "EUR"], "isDefault": True},
            {"code": "de", "name": "German Store View", "locale": "de_DE", "defaultCurrency": "EUR",
             "currencies": ["EUR", "USD"], "isDefault": False},
        ],
    }  # fmt: skip
