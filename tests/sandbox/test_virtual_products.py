"""Virtual products in the sandbox: the seed's virtual products, virtual carts and their checkout
(nothing to ship), as Magento 2.4.7 has them."""

from __future__ import annotations

from typing import Any

from bff.sandbox.seed import VIRTUAL_SKUS
from bff.sandbox.state import SandboxState
from tests.sandbox.conftest import Gql
from tests.sandbox.test_checkout import (
    BILL_TO,
    CALIFORNIA,
    EMAIL,
    PAY,
    PLACE,
    SHIP_BY,
    SHIP_TO,
    cart_with,
    error_of,
)

WARRANTY, YOGA, GIFT_CARD = VIRTUAL_SKUS
PRODUCT = """query P($sku: String!) { products(filter: {sku: {eq: $sku}}) {
  items { __typename sku type_id stock_status } } }"""
CART = """query C($cart: String!) { cart(cart_id: $cart) {
  is_virtual items { __typename product { sku } }
  shipping_addresses { city }
  prices { grand_total { value } applied_taxes { label amount { value } } } } }"""
REMOVE = """mutation R($cart: String!, $item: ID!) {
  removeItemFromCart(input: {cart_id: $cart, cart_item_uid: $item}) { cart { is_virtual } } }"""
ITEM_UIDS = "query U($cart: String!) { cart(cart_id: $cart) { items { uid product { sku } } } }"
ORDER = """mutation O($cart: String!) { placeOrder(input: {cart_id: $cart}) {
  orderV2 { number shipping_method shipping_address { city } billing_address { city }
    total { grand_total { value } total_shipping { value } } }
  errors { code message } } }"""


async def cart_of(gql: Gql, cart_id: str) -> dict[str, Any]:
    cart: dict[str, Any] = (await gql(CART, {"cart": cart_id}))["data"]["cart"]
    return cart


async def bill_and_pay(gql: Gql, cart_id: str, *, pay: bool = True) -> None:
    """The steps a virtual cart needs besides its items: e-mail, billing address, payment."""
    steps: list[tuple[str, dict[str, Any]]] = [
        (EMAIL, {"email": "guest@example.com"}),
        (BILL_TO, {"address": CALIFORNIA, "same": False}),
    ]
    for document, variables in steps + ([(PAY, {"code": "checkmo"})] if pay else []):
        body = await gql(document, {"cart": cart_id, **variables})
        assert "errors" not in body, body


async def test_the_seed_sells_a_warranty_a_video_course_and_a_gift_card_as_virtual_products(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Catalog\VirtualProductViewTest::testQueryAllFieldsVirtualProduct"""
    answers = [(await gql(PRODUCT, {"sku": sku}))["data"]["products"]["items"] for sku in VIRTUAL_SKUS]
    assert answers == [
        [{"__typename": "VirtualProduct", "sku": sku, "type_id": "virtual", "stock_status": "IN_STOCK"}]
        for sku in VIRTUAL_SKUS
    ]


async def test_a_virtual_product_has_no_weight(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Catalog\VirtualProductViewTest::testCannotQueryWeightOnVirtualProductException"""
    body = await gql('{ products(filter: {sku: {eq: "GIFT-CARD-50"}}) { items { ... on VirtualProduct { weight } } } }')
    assert body["errors"][0]["message"] == "Cannot query field 'weight' on type 'VirtualProduct'."


def test_virtual_products_come_after_every_other_product(state: SandboxState) -> None:
    """The seed adds them last, so the ids of the products before them do not change."""
    assert list(state.products)[-len(VIRTUAL_SKUS) :] == list(VIRTUAL_SKUS)
    assert [state.products[sku].id for sku in VIRTUAL_SKUS] == [len(state.products) - 2, len(state.products) - 1,
                                                                len(state.products)]  # fmt: skip


async def test_a_cart_of_virtual_products_only_is_virtual(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\GetCartIsVirtualTest::testGetCartIsVirtual"""
    cart = await cart_of(gql, await cart_with(gql, (WARRANTY, 1), (GIFT_CARD, 2)))
    assert cart["is_virtual"] is True
    assert [item["__typename"] for item in cart["items"]] == ["VirtualCartItem", "VirtualCartItem"]


async def test_a_cart_with_a_virtual_and_a_simple_product_is_not_virtual(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\GetCartIsVirtualTest::testGetMixedCartIsNotVirtual"""
    cart = await cart_of(gql, await cart_with(gql, ("BAG-001", 1), (YOGA, 1)))
    assert cart["is_virtual"] is False


async def test_a_cart_of_simple_products_or_an_empty_cart_is_not_virtual(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\GetCartIsVirtualTest::testGetCartIsNotVirtual"""
    simple = await cart_of(gql, await cart_with(gql, ("BAG-001", 1)))
    empty = await cart_of(
        gql, (await gql("mutation { createGuestCart { cart { id } } }"))["data"]["createGuestCart"]["cart"]["id"]
    )
    assert (simple["is_virtual"], empty["is_virtual"]) == (False, False)


async def test_a_shipping_address_is_refused_on_a_virtual_cart(gql: Gql) -> None:
    r"""follows
    Magento\GraphQl\Quote\Guest\SetShippingAddressOnCartTest::testSetNewShippingAddressOnCartWithVirtualProduct
    (the category is AssignShippingAddressToCart's GraphQlNoSuchEntityException)"""
    body = await gql(SHIP_TO, {"cart": await cart_with(gql, (GIFT_CARD, 1)), "address": CALIFORNIA})
    assert error_of(body) == (
        "Shipping address is not allowed on cart: cart contains no items for shipment.",
        "graphql-no-such-entity",
    )


async def test_a_cart_that_becomes_virtual_shows_no_shipping_address(gql: Gql) -> None:
    r"""follows
    Magento\GraphQl\Quote\Guest\GetShippingAddressWhenCartIsVirtualTest::testGetShippingAddressForVirtualCart"""
    cart_id = await cart_with(gql, ("BAG-001", 1), (YOGA, 1))
    assert "errors" not in await gql(SHIP_TO, {"cart": cart_id, "address": CALIFORNIA})
    before = await cart_of(gql, cart_id)
    items = (await gql(ITEM_UIDS, {"cart": cart_id}))["data"]["cart"]["items"]
    bag = next(item["uid"] for item in items if item["product"]["sku"] == "BAG-001")
    assert "errors" not in await gql(REMOVE, {"cart": cart_id, "item": bag})
    after = await cart_of(gql, cart_id)
    assert (before["is_virtual"], before["shipping_addresses"]) == (False, [{"city": "Cupertino"}])
    assert (after["is_virtual"], after["shipping_addresses"]) == (True, [])


async def test_a_payment_method_is_set_on_a_virtual_cart_without_a_shipping_address(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\SetPaymentMethodOnCartTest::testSetPaymentOnCartWithVirtualProduct"""
    body = await gql(PAY, {"cart": await cart_with(gql, (WARRANTY, 1)), "code": "checkmo"})
    assert body["data"]["setPaymentMethodOnCart"]["cart"]["selected_payment_method"]["code"] == "checkmo"


async def test_a_shipping_method_on_a_virtual_cart_finds_no_shipping_address(gql: Gql) -> None:
    r"""No Magento functional test covers it: ShippingInformationManagement::saveAddressInformation
    refuses a quote address without a country (a virtual quote's), with StateException's text."""
    body = await gql(
        SHIP_BY, {"cart": await cart_with(gql, (WARRANTY, 1)), "carrier": "flatrate", "method": "flatrate"}
    )
    assert error_of(body) == ("The shipping address is missing. Set the address and try again.", "graphql-input")


async def test_a_mixed_cart_still_needs_a_shipping_address_for_its_shipping_method(gql: Gql) -> None:
    r"""follows
    Magento\GraphQl\Quote\Guest\SetShippingMethodsOnCartTest::testSetShippingMethodOnCartWithSimpleProductAndWithoutAddress"""
    cart_id = await cart_with(gql, ("BAG-001", 1), (YOGA, 1))
    body = await gql(SHIP_BY, {"cart": cart_id, "carrier": "flatrate", "method": "flatrate"})
    assert error_of(body) == ("The shipping address is missing. Set the address and try again.", "graphql-input")


async def test_a_mixed_cart_still_needs_a_shipping_address_for_its_payment_method(gql: Gql) -> None:
    r"""follows
    Magento\GraphQl\Quote\Guest\SetPaymentMethodOnCartTest::testSetPaymentOnCartWithSimpleProductAndWithoutAddress"""
    body = await gql(PAY, {"cart": await cart_with(gql, ("BAG-001", 1), (YOGA, 1)), "code": "checkmo"})
    assert error_of(body) == ("The shipping address is missing. Set the address and try again.", "graphql-input")


async def test_a_virtual_cart_is_ordered_with_an_email_a_billing_address_and_a_payment_method(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\SetPaymentMethodAndPlaceOrderTest::testSetPaymentOnCartWithVirtualProduct"""
    cart_id = await cart_with(gql, (YOGA, 1))
    await bill_and_pay(gql, cart_id)
    placed = (await gql(ORDER, {"cart": cart_id}))["data"]["placeOrder"]
    assert placed["errors"] == []
    order = placed["orderV2"]
    assert (order["shipping_method"], order["shipping_address"], order["billing_address"]) == (
        None,
        None,
        {"city": "Cupertino"},
    )
    assert order["total"]["total_shipping"] == {"value": 0.0}


async def test_a_virtual_cart_has_no_shipping_cost_and_is_taxed_by_its_billing_address(gql: Gql) -> None:
    r"""A virtual quote's totals are collected on its billing address (Magento\Quote\Model\Quote\TotalsCollector);
    no Magento functional test covers it."""
    cart_id = await cart_with(gql, (YOGA, 1))
    await bill_and_pay(gql, cart_id)
    prices = (await cart_of(gql, cart_id))["prices"]
    assert prices == {
        "grand_total": {"value": 31.39},
        "applied_taxes": [{"label": "US-CA-*-Rate 1", "amount": {"value": 2.39}}],
    }


async def test_a_mixed_cart_cannot_be_ordered_without_shipping(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\PlaceOrderTest::testPlaceOrderWithNoShippingAddress"""
    cart_id = await cart_with(gql, ("BAG-001", 1), (YOGA, 1))
    await bill_and_pay(gql, cart_id, pay=False)
    placed = (await gql(PLACE, {"cart": cart_id}))["data"]["placeOrder"]
    assert placed["orderV2"] is None
    assert len(placed["errors"]) == 1
