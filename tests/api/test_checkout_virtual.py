r"""Checkout of a cart with nothing to ship (only virtual products), end to end through the BFF and
the sandbox: no shipping address or method is asked for, placing the order works with an e-mail, a
billing address and a payment method; a cart that also holds a simple product still ships.

Magento tells whether a cart is virtual (``Cart.is_virtual``, Quote::isVirtual), which the BFF reads:
Magento\GraphQl\Quote\Guest\GetCartIsVirtualTest."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bff.sandbox import SandboxState
from tests.storefront import ADDRESS, checkout_input
from tests.storefront_fixtures import Gql

ADD = """mutation Add($sku: String!, $qty: Float!) {
  addToCart(items: [{sku: $sku, quantity: $qty}]) { userErrors { code message } }
}"""
STATE = """query { checkout { ready missingSteps availableShippingMethods { carrierCode }
  cart { isVirtual shippingAddress { city } } } }"""
CHECKOUT = """mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) {
    order { number grandTotal { value currency } }
    userErrors { code message field missingSteps }
  }
}"""
EMAIL = 'mutation { setGuestEmail(email: "jane@example.com") { userErrors { code } } }'
BILL = "mutation B($a: AddressInput!) { setBillingAddress(address: $a) { userErrors { code } } }"
BILL_SAME = "mutation { setBillingAddress(sameAsShipping: true) { userErrors { code message field } } }"
PAY = 'mutation { setPaymentMethod(code: "checkmo") { userErrors { code } } }'
SHIP_TO = "mutation S($a: AddressInput!) { setShippingAddress(address: $a) { userErrors { code message field } } }"
SHIP_BY = """mutation { setShippingMethod(carrierCode: "flatrate", methodCode: "flatrate") {
  userErrors { code message field } } }"""
PLACE = """mutation Place($key: String!) {
  placeOrder(idempotencyKey: $key) { order { number grandTotal { value } } userErrors { code missingSteps } }
}"""
NOTHING_TO_SHIP = (
    "This cart holds only virtual products: there is nothing to ship, so it takes no shipping address or method."
)
SIGN_IN = """mutation { signIn(email: "roni_cost@example.com", password: "Roni-Cost-3") { userErrors { code } } }"""
BILLING_ONLY: dict[str, Any] = {"shippingAddress": None, "shippingMethod": None, "billingAddress": ADDRESS}


async def add(gql: Gql, *skus: str) -> None:
    for sku in skus:
        body = await gql(ADD, {"sku": sku, "qty": 1})
        assert body["data"]["addToCart"]["userErrors"] == []


async def test_a_virtual_cart_misses_no_shipping_steps(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\GetCartIsVirtualTest::testGetCartIsVirtual"""
    await add(gql, "GIFT-CARD-50")
    state = (await gql(STATE))["data"]["checkout"]
    assert state == {
        "ready": False,
        "missingSteps": ["EMAIL", "BILLING_ADDRESS", "PAYMENT_METHOD"],
        "availableShippingMethods": [],
        "cart": {"isVirtual": True, "shippingAddress": None},
    }


async def test_a_cart_with_a_virtual_and_a_simple_product_still_misses_the_shipping_steps(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\GetCartIsVirtualTest::testGetMixedCartIsNotVirtual"""
    await add(gql, "GIFT-CARD-50", "BAG-001")
    state = (await gql(STATE))["data"]["checkout"]
    assert state["cart"]["isVirtual"] is False
    assert state["missingSteps"] == [
        "EMAIL",
        "SHIPPING_ADDRESS",
        "SHIPPING_METHOD",
        "BILLING_ADDRESS",
        "PAYMENT_METHOD",
    ]


async def test_a_virtual_cart_is_ordered_step_by_step_without_shipping(gql: Gql, sandbox_state: SandboxState) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\SetPaymentMethodAndPlaceOrderTest::testSetPaymentOnCartWithVirtualProduct"""
    await add(gql, "YOGA-VIDEO")
    for document, variables in ((EMAIL, {}), (BILL, {"a": ADDRESS}), (PAY, {})):
        body = await gql(document, variables)
        assert next(iter(body["data"].values()))["userErrors"] == []
    assert (await gql(STATE))["data"]["checkout"]["ready"] is True
    placed = (await gql(PLACE, {"key": "virtual-step-by-step-1"}))["data"]["placeOrder"]
    assert placed["userErrors"] == []
    assert placed["order"] == {"number": sandbox_state.orders[0].number, "grandTotal": {"value": "29.00"}}
    assert sandbox_state.orders[0].shipping_address is None


async def test_a_virtual_cart_checks_out_in_one_call_with_a_billing_address_only(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    r"""follows Magento\GraphQl\Quote\Guest\SetPaymentMethodAndPlaceOrderTest::testSetPaymentOnCartWithVirtualProduct"""
    await add(gql, "WARRANTY-2Y", "GIFT-CARD-50")
    result = (await gql(CHECKOUT, {"input": checkout_input(**BILLING_ONLY)}))["data"]["checkout"]
    assert result["userErrors"] == []
    assert result["order"] == {
        "number": sandbox_state.orders[0].number,
        "grandTotal": {"value": "69.00", "currency": "USD"},
    }
    order = sandbox_state.orders[0]
    assert (order.shipping_address, order.shipping_method) == (None, None)
    assert getattr(order.billing_address, "city", None) == "Austin"


async def test_a_virtual_cart_checks_out_in_one_call_with_the_shipping_address_as_billing_address(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    r"""The shipping steps a storefront sends anyway are skipped: Magento refuses them for a virtual cart
    (follows
    Magento\GraphQl\Quote\Guest\SetShippingAddressOnCartTest::testSetNewShippingAddressOnCartWithVirtualProduct);
    the address given for shipping becomes the billing address ("billingAddress omitted: same as shipping")."""
    await add(gql, "YOGA-VIDEO")
    result = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
    assert result["userErrors"] == []
    assert result["order"] == {
        "number": sandbox_state.orders[0].number,
        "grandTotal": {"value": "29.00", "currency": "USD"},
    }
    order = sandbox_state.orders[0]
    assert (order.shipping_address, order.shipping_method) == (None, None)
    assert getattr(order.billing_address, "city", None) == "Austin"


async def test_a_customer_checks_out_a_virtual_cart_with_a_billing_address_and_payment_only(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    r"""follows
    Magento\GraphQl\Quote\Customer\SetPaymentMethodAndPlaceOrderTest::testSetPaymentOnCartWithVirtualProduct"""
    assert (await gql(SIGN_IN))["data"]["signIn"]["userErrors"] == []
    await add(gql, "GIFT-CARD-50")
    result = await gql(CHECKOUT, {"input": checkout_input(key="customer-virtual-1", email=None, **BILLING_ONLY)})
    assert result["data"]["checkout"]["userErrors"] == []
    order = sandbox_state.orders[0]
    assert (order.email, order.shipping_address, order.grand_total) == ("roni_cost@example.com", None, Decimal("50.00"))


async def test_a_mixed_cart_checked_out_with_a_billing_address_only_still_needs_shipping(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    r"""follows
    Magento\GraphQl\Quote\Guest\SetPaymentMethodOnCartTest::testSetPaymentOnCartWithSimpleProductAndWithoutAddress"""
    await add(gql, "YOGA-VIDEO", "BAG-001")
    result = (await gql(CHECKOUT, {"input": checkout_input(**BILLING_ONLY)}))["data"]["checkout"]
    assert result["order"] is None
    assert [(e["code"], e["missingSteps"]) for e in result["userErrors"]] == [
        ("CHECKOUT_INCOMPLETE", ["SHIPPING_ADDRESS"])
    ]
    assert sandbox_state.orders == []


async def test_a_shipping_address_on_a_virtual_cart_is_refused_as_nothing_to_ship(gql: Gql) -> None:
    r"""follows
    Magento\GraphQl\Quote\Guest\SetShippingAddressOnCartTest::testSetNewShippingAddressOnCartWithVirtualProduct"""
    await add(gql, "GIFT-CARD-50")
    body = await gql(SHIP_TO, {"a": ADDRESS})
    assert body["data"]["setShippingAddress"]["userErrors"] == [
        {"code": "INVALID_INPUT", "message": NOTHING_TO_SHIP, "field": None}
    ]


async def test_a_shipping_method_on_a_virtual_cart_is_refused_as_nothing_to_ship(gql: Gql) -> None:
    r"""Magento refuses it for the missing shipping address (ShippingInformationManagement::validateAddress);
    the BFF says why there is none."""
    await add(gql, "GIFT-CARD-50")
    body = await gql(SHIP_BY)
    assert body["data"]["setShippingMethod"]["userErrors"] == [
        {"code": "INVALID_INPUT", "message": NOTHING_TO_SHIP, "field": None}
    ]


async def test_billing_same_as_shipping_on_a_virtual_cart_asks_for_the_billing_address(gql: Gql) -> None:
    r"""Magento refuses same_as_shipping without a shipping address (follows
    Magento\GraphQl\Quote\Guest\SetBillingAddressOnCartTest::testSetBillingAddressWithSameAsShippingWithoutShippingAddressOnCart);
    the BFF says a virtual cart has none to copy."""
    await add(gql, "WARRANTY-2Y")
    body = await gql(BILL_SAME)
    assert body["data"]["setBillingAddress"]["userErrors"] == [
        {
            "code": "INVALID_INPUT",
            "message": "This cart holds only virtual products and has no shipping address to copy: "
            "give the billing address.",
            "field": ["sameAsShipping"],
        }
    ]


async def test_a_virtual_products_page_and_url_are_served_like_any_other(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Catalog\VirtualProductViewTest::testQueryAllFieldsVirtualProduct"""
    page = (await gql('{ product(sku: "GIFT-CARD-50") { sku name inStock options { label } } }'))["data"]
    route = (await gql('{ route(url: "/luma-gift-card-50.html") { ... on ProductRoute { product { sku } } } }'))["data"]
    assert page["product"] == {"sku": "GIFT-CARD-50", "name": "Luma Gift Card $50", "inStock": True, "options": []}
    assert route["route"] == {"product": {"sku": "GIFT-CARD-50"}}
