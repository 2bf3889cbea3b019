"""Identity end to end: every cached object has an opaque, stable `id`; `node(id:)` fetches it again.

The cart's id means "the session's current cart": one id before the first add, after an order and
across sign-in and sign-out. The leak scan (tests/api/conftest.py) decodes every id of every
response, so no id carries a Magento masked cart id.
"""

from __future__ import annotations

from typing import Any

from bff.graphql.node import node_id
from tests.storefront import checkout_input
from tests.storefront_fixtures import Gql

RONI_LOGIN = {"email": "roni_cost@example.com", "password": "Roni-Cost-3"}
CART_ID = "query { cart { id } }"
ADD = """mutation Add($items: [CartItemInput!]!) {
  addToCart(items: $items) { cart { id items { id uid } } }
}"""
CHECKOUT = """mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) { order { id number } cart { id totalQuantity } userErrors { code } }
}"""
SIGN_IN = """mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { cart { id } viewer { customer { id email } } }
}"""
SIGN_OUT = "mutation { signOut { cart { id } } }"
NODE = """query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Cart { totalQuantity }
    ... on CartLine { uid quantity }
    ... on Address { city }
    ... on Product { sku }
    ... on ProductVariant { sku }
    ... on Category { uid urlPath }
    ... on Customer { email }
    ... on OrderSummary { number }
  }
}"""
BAG = [{"sku": "BAG-001", "quantity": 1}]


async def _node(gql: Gql, id: str) -> Any:
    body = await gql(NODE, {"id": id})
    assert "errors" not in body
    return body["data"]["node"]


async def test_the_cart_has_the_same_id_before_and_after_the_first_add(gql: Gql) -> None:
    before = (await gql(CART_ID))["data"]["cart"]["id"]
    after = (await gql(ADD, {"items": BAG}))["data"]["addToCart"]["cart"]["id"]
    assert before == after == node_id("Cart", "current")


async def test_the_cart_keeps_its_id_across_sign_in_and_sign_out(gql: Gql) -> None:
    await gql(ADD, {"items": BAG})
    signed_in = (await gql(SIGN_IN, RONI_LOGIN))["data"]["signIn"]["cart"]["id"]
    signed_out = (await gql(SIGN_OUT))["data"]["signOut"]["cart"]["id"]
    assert signed_in == signed_out == node_id("Cart", "current")


async def test_after_an_order_the_new_cart_keeps_the_id_and_the_order_has_its_own(gql: Gql) -> None:
    await gql(ADD, {"items": BAG})
    placed = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
    assert placed["cart"] == {"id": node_id("Cart", "current"), "totalQuantity": 0}
    assert placed["order"]["id"] == node_id("Order", placed["order"]["number"])


async def test_cart_lines_have_ids_of_their_own(gql: Gql) -> None:
    cart = (await gql(ADD, {"items": [*BAG, {"sku": "BAG-002", "quantity": 1}]}))["data"]["addToCart"]["cart"]
    assert [line["id"] for line in cart["items"]] == [node_id("CartLine", line["uid"]) for line in cart["items"]]


async def test_a_listing_tile_and_the_product_page_share_one_id(gql: Gql) -> None:
    listing = await gql('query { products(filter: {skus: ["BAG-001"]}) { items { id } } }')
    page = await gql('query { product(sku: "BAG-001") { id } }')
    assert listing["data"]["products"]["items"] == [page["data"]["product"]] == [{"id": node_id("Product", "BAG-001")}]


async def test_node_fetches_the_current_cart(gql: Gql) -> None:
    await gql(ADD, {"items": BAG})
    assert await _node(gql, node_id("Cart", "current")) == {
        "__typename": "Cart",
        "id": node_id("Cart", "current"),
        "totalQuantity": 1,
    }


async def test_node_fetches_a_cart_line(gql: Gql) -> None:
    line = (await gql(ADD, {"items": BAG}))["data"]["addToCart"]["cart"]["items"][0]
    assert await _node(gql, line["id"]) == {
        "__typename": "CartLine",
        "id": line["id"],
        "uid": line["uid"],
        "quantity": 1,
    }


async def test_node_fetches_the_carts_shipping_address(gql: Gql) -> None:
    await gql(ADD, {"items": BAG})
    await gql(
        "mutation A($a: AddressInput!) { setShippingAddress(address: $a) { userErrors { code } } }",
        {"a": checkout_input()["shippingAddress"]},
    )
    shipping = node_id("Address", "cart", "shipping")
    assert await _node(gql, shipping) == {"__typename": "Address", "id": shipping, "city": "Austin"}


async def test_node_fetches_a_product_by_the_id_of_its_tile(gql: Gql) -> None:
    tile = (await gql('query { products(filter: {skus: ["BAG-001"]}) { items { id } } }'))["data"]["products"]
    id = tile["items"][0]["id"]
    assert await _node(gql, id) == {"__typename": "Product", "id": id, "sku": "BAG-001"}


async def test_node_fetches_a_product_variant(gql: Gql) -> None:
    variant = (await gql('query { product(sku: "TEE-CFG") { variants { id sku } } }'))["data"]["product"]["variants"][0]
    assert await _node(gql, variant["id"]) == {"__typename": "ProductVariant", **variant}


async def test_node_fetches_a_category(gql: Gql) -> None:
    category = (await gql("query { categoryTree(depth: 1) { id uid urlPath } }"))["data"]["categoryTree"][0]
    assert await _node(gql, category["id"]) == {"__typename": "Category", **category}


async def test_node_fetches_the_signed_in_customer_and_their_order(gql: Gql) -> None:
    await gql(ADD, {"items": BAG})
    customer = (await gql(SIGN_IN, RONI_LOGIN))["data"]["signIn"]["viewer"]["customer"]
    order = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]["order"]
    assert await _node(gql, customer["id"]) == {"__typename": "Customer", **customer}
    assert await _node(gql, order["id"]) == {"__typename": "OrderSummary", **order}


async def test_a_customers_id_is_null_once_signed_out(gql: Gql) -> None:
    customer = (await gql(SIGN_IN, RONI_LOGIN))["data"]["signIn"]["viewer"]["customer"]
    await gql(SIGN_OUT)
    assert await _node(gql, customer["id"]) is None


async def test_a_line_of_no_cart_of_the_shopper_is_null(gql: Gql) -> None:
    assert await _node(gql, node_id("CartLine", "MTIzNDU=")) is None


async def test_an_id_of_a_type_node_does_not_know_is_null(gql: Gql) -> None:
    assert await _node(gql, node_id("Invoice", "42")) is None


async def test_a_malformed_id_is_bad_user_input(gql: Gql) -> None:
    body = await gql(NODE, {"id": "not an id!"})
    assert body["data"] == {"node": None}
    assert [(e["extensions"]["code"], e["message"], e["path"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", "`id` is not an id of this API.", ["node"])
    ]
