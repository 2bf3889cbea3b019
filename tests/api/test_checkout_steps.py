"""The checkout step mutations end to end: guest e-mail, addresses, shipping and payment methods,
input checks before Magento, Magento's refusals as user errors, and lost carts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.storefront_fixtures import Gql

CART_FIELDS = """
fragment CheckoutView on Cart {
  email
  shippingAddress { firstname lastname company street city region regionCode postcode countryCode telephone }
  billingAddress { firstname city countryCode }
  availableShippingMethods { carrierCode methodCode }
  selectedShippingMethod { carrierCode methodCode amount { value } }
  availablePaymentMethods { code }
  selectedPaymentMethod { code title }
  prices { shipping { value } grandTotal { value } }
}
"""
CART = "query { cart { ...CheckoutView } }" + CART_FIELDS
ADD = """mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }"""
SET_EMAIL = (
    """mutation Email($email: String!) {
  setGuestEmail(email: $email) { cart { ...CheckoutView } userErrors { code field } }
}"""
    + CART_FIELDS
)
SET_SHIPPING_ADDRESS = (
    """mutation Ship($address: AddressInput!) {
  setShippingAddress(address: $address) { cart { ...CheckoutView } userErrors { code field } }
}"""
    + CART_FIELDS
)
SET_BILLING_ADDRESS = (
    """mutation Bill($address: AddressInput, $same: Boolean! = false) {
  setBillingAddress(address: $address, sameAsShipping: $same) { cart { ...CheckoutView } userErrors { code field } }
}"""
    + CART_FIELDS
)
SET_SHIPPING_METHOD = (
    """mutation Method($carrier: String!, $method: String!) {
  setShippingMethod(carrierCode: $carrier, methodCode: $method) { cart { ...CheckoutView } userErrors { code field } }
}"""
    + CART_FIELDS
)
SET_PAYMENT_METHOD = (
    """mutation Pay($code: String!) {
  setPaymentMethod(code: $code) { cart { ...CheckoutView } userErrors { code field } }
}"""
    + CART_FIELDS
)
SIGN_IN = """mutation { signIn(email: "roni_cost@example.com", password: "Roni-Cost-3") { userErrors { code } } }"""

ADDRESS: dict[str, Any] = {
    "firstname": "Jane",
    "lastname": "Doe",
    "street": ["1 Main St", "Apt 2"],
    "city": "Austin",
    "region": "Texas",
    "postcode": "78701",
    "countryCode": "us",
    "telephone": "5125550100",
}


async def run(gql: Gql, document: str, variables: dict[str, Any] | None = None) -> Any:
    """The mutation's payload (its only root field)."""
    body = await gql(document, variables)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def cart_now(gql: Gql) -> Any:
    """The session's cart as the step documents select it."""
    return await run(gql, CART)


async def with_cart(gql: Gql) -> None:
    assert (await run(gql, ADD))["userErrors"] == []


async def with_shipping_address(gql: Gql) -> None:
    await with_cart(gql)
    assert (await run(gql, SET_SHIPPING_ADDRESS, {"address": ADDRESS}))["userErrors"] == []


def only_cart(state: SandboxState) -> Any:
    (cart,) = state.carts.values()
    return cart


# --- guest e-mail ------------------------------------------------------------------------------


async def test_a_guest_sets_the_order_email(gql: Gql) -> None:
    await with_cart(gql)
    payload = await run(gql, SET_EMAIL, {"email": " jane@example.com "})
    assert payload["userErrors"] == []
    assert payload["cart"]["email"] == "jane@example.com"


async def test_a_malformed_email_is_invalid_email_before_magento(gql: Gql, faults: FaultPlan) -> None:
    await with_cart(gql)
    faults.set("setGuestEmailOnCart", Fault(error_rate=1.0, error="graphql"))
    payload = await run(gql, SET_EMAIL, {"email": "jane@@example"})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "INVALID_EMAIL", "field": ["email"]}]}


async def test_an_email_without_a_cart_is_cart_empty(gql: Gql, sandbox_state: SandboxState) -> None:
    payload = await run(gql, SET_EMAIL, {"email": "jane@example.com"})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "CART_EMPTY", "field": None}]}
    assert payload["cart"]["email"] is None
    assert sandbox_state.carts == {}


async def test_a_signed_in_shopper_needs_no_guest_email(gql: Gql) -> None:
    assert (await run(gql, SIGN_IN))["userErrors"] == []
    await with_cart(gql)
    payload = await run(gql, SET_EMAIL, {"email": "jane@example.com"})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "ALREADY_SIGNED_IN", "field": ["email"]}]}


# --- shipping address --------------------------------------------------------------------------


async def test_the_shipping_address_is_set_and_shipping_methods_offered(gql: Gql) -> None:
    await with_cart(gql)
    payload = await run(gql, SET_SHIPPING_ADDRESS, {"address": {**ADDRESS, "company": " "}})
    assert payload["userErrors"] == []
    assert payload["cart"]["shippingAddress"] == {
        "firstname": "Jane",
        "lastname": "Doe",
        "company": None,
        "street": ["1 Main St", "Apt 2"],
        "city": "Austin",
        "region": "Texas",
        "regionCode": "TX",
        "postcode": "78701",
        "countryCode": "US",
        "telephone": "5125550100",
    }
    assert payload["cart"]["availableShippingMethods"] == [{"carrierCode": "flatrate", "methodCode": "flatrate"}]


async def test_an_incomplete_address_names_every_field_before_magento(gql: Gql, faults: FaultPlan) -> None:
    await with_cart(gql)
    faults.set("setShippingAddressesOnCart", Fault(error_rate=1.0, error="graphql"))
    address = {**ADDRESS, "firstname": " ", "street": [""], "postcode": None, "region": None}
    payload = await run(gql, SET_SHIPPING_ADDRESS, {"address": address})
    assert payload == {
        "cart": await cart_now(gql),
        "userErrors": [
            {"code": "INVALID_ADDRESS", "field": ["address", "firstname"]},
            {"code": "INVALID_ADDRESS", "field": ["address", "street"]},
            {"code": "INVALID_ADDRESS", "field": ["address", "postcode"]},
            {"code": "INVALID_ADDRESS", "field": ["address", "region"]},
        ],
    }


async def test_a_region_of_another_country_is_invalid_address(gql: Gql) -> None:
    await with_cart(gql)
    payload = await run(gql, SET_SHIPPING_ADDRESS, {"address": {**ADDRESS, "region": "Bayern"}})
    assert payload == {
        "cart": await cart_now(gql),
        "userErrors": [{"code": "INVALID_ADDRESS", "field": ["address", "region"]}],
    }


async def test_a_country_the_store_does_not_know_is_invalid_address(gql: Gql) -> None:
    await with_cart(gql)
    payload = await run(gql, SET_SHIPPING_ADDRESS, {"address": {**ADDRESS, "countryCode": "XX"}})
    assert payload == {
        "cart": await cart_now(gql),
        "userErrors": [{"code": "INVALID_ADDRESS", "field": ["address", "countryCode"]}],
    }


async def test_a_postcode_is_optional_where_the_store_allows_it(gql: Gql) -> None:
    await with_cart(gql)
    address = {**ADDRESS, "countryCode": "GB", "region": None, "postcode": None, "city": "London"}
    payload = await run(gql, SET_SHIPPING_ADDRESS, {"address": address})
    assert payload["userErrors"] == []
    assert payload["cart"]["shippingAddress"]["postcode"] is None


async def test_an_address_magento_refuses_is_invalid_address_without_its_message(gql: Gql) -> None:
    await with_cart(gql)  # the sandbox allows two street lines, the BFF up to four
    payload = await run(gql, SET_SHIPPING_ADDRESS, {"address": {**ADDRESS, "street": ["1", "2", "3"]}})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "INVALID_ADDRESS", "field": ["address"]}]}


# --- billing address ---------------------------------------------------------------------------


async def test_the_billing_address_can_be_the_shipping_address(gql: Gql) -> None:
    await with_shipping_address(gql)
    payload = await run(gql, SET_BILLING_ADDRESS, {"same": True})
    assert payload["userErrors"] == []
    assert payload["cart"]["billingAddress"] == {"firstname": "Jane", "city": "Austin", "countryCode": "US"}


async def test_an_explicit_billing_address_is_set(gql: Gql) -> None:
    await with_shipping_address(gql)
    billing = {**ADDRESS, "firstname": "Bill", "city": "Berlin", "countryCode": "DE", "region": "BER"}
    payload = await run(gql, SET_BILLING_ADDRESS, {"address": {**billing, "postcode": "10115"}})
    assert payload["userErrors"] == []
    assert payload["cart"]["billingAddress"] == {"firstname": "Bill", "city": "Berlin", "countryCode": "DE"}
    assert payload["cart"]["shippingAddress"]["city"] == "Austin"


async def test_same_as_shipping_without_a_shipping_address_is_checkout_incomplete(gql: Gql) -> None:
    await with_cart(gql)
    payload = await run(gql, SET_BILLING_ADDRESS, {"same": True})
    assert payload == {
        "cart": await cart_now(gql),
        "userErrors": [{"code": "CHECKOUT_INCOMPLETE", "field": ["sameAsShipping"]}],
    }


async def test_a_billing_address_needs_exactly_one_of_address_and_same_as_shipping(gql: Gql) -> None:
    await with_shipping_address(gql)
    both = await run(gql, SET_BILLING_ADDRESS, {"address": ADDRESS, "same": True})
    neither = await run(gql, SET_BILLING_ADDRESS, {})
    assert (
        both
        == neither
        == {"cart": await cart_now(gql), "userErrors": [{"code": "INVALID_INPUT", "field": ["address"]}]}
    )


async def test_an_invalid_billing_address_is_invalid_address(gql: Gql) -> None:
    await with_shipping_address(gql)
    payload = await run(gql, SET_BILLING_ADDRESS, {"address": {**ADDRESS, "telephone": ""}})
    assert payload == {
        "cart": await cart_now(gql),
        "userErrors": [{"code": "INVALID_ADDRESS", "field": ["address", "telephone"]}],
    }


# --- shipping and payment methods --------------------------------------------------------------


async def test_the_shipping_method_is_chosen_and_priced(gql: Gql) -> None:
    await with_shipping_address(gql)
    payload = await run(gql, SET_SHIPPING_METHOD, {"carrier": "flatrate", "method": "flatrate"})
    assert payload["userErrors"] == []
    method = payload["cart"]["selectedShippingMethod"]
    assert (method["carrierCode"], method["methodCode"]) == ("flatrate", "flatrate")
    assert float(method["amount"]["value"]) == float(payload["cart"]["prices"]["shipping"]["value"]) == 5.0
    assert float(payload["cart"]["prices"]["grandTotal"]["value"]) == 50.0


async def test_a_shipping_method_not_offered_is_shipping_method_unavailable(gql: Gql) -> None:
    await with_shipping_address(gql)
    payload = await run(gql, SET_SHIPPING_METHOD, {"carrier": "freeshipping", "method": "freeshipping"})
    assert payload == {
        "cart": await cart_now(gql),
        "userErrors": [{"code": "SHIPPING_METHOD_UNAVAILABLE", "field": ["methodCode"]}],
    }


async def test_a_shipping_method_before_the_address_is_checkout_incomplete(gql: Gql) -> None:
    await with_cart(gql)
    payload = await run(gql, SET_SHIPPING_METHOD, {"carrier": "flatrate", "method": "flatrate"})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "CHECKOUT_INCOMPLETE", "field": None}]}


async def test_blank_method_codes_are_invalid_input(gql: Gql) -> None:
    await with_shipping_address(gql)
    payload = await run(gql, SET_SHIPPING_METHOD, {"carrier": " ", "method": "flatrate"})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "INVALID_INPUT", "field": ["carrierCode"]}]}


async def test_the_payment_method_is_chosen(gql: Gql) -> None:
    await with_shipping_address(gql)
    payload = await run(gql, SET_PAYMENT_METHOD, {"code": "checkmo"})
    assert payload["userErrors"] == []
    assert payload["cart"]["selectedPaymentMethod"] == {"code": "checkmo", "title": "Check / Money order"}
    assert payload["cart"]["availablePaymentMethods"] == [{"code": "checkmo"}]  # a default install's offline methods


async def test_a_payment_method_not_offered_is_payment_method_unavailable(gql: Gql) -> None:
    await with_shipping_address(gql)
    payload = await run(gql, SET_PAYMENT_METHOD, {"code": "free"})
    assert payload == {
        "cart": await cart_now(gql),
        "userErrors": [{"code": "PAYMENT_METHOD_UNAVAILABLE", "field": ["code"]}],
    }


async def test_a_payment_method_before_the_address_is_checkout_incomplete(gql: Gql) -> None:
    await with_cart(gql)
    payload = await run(gql, SET_PAYMENT_METHOD, {"code": "checkmo"})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "CHECKOUT_INCOMPLETE", "field": None}]}


# --- store rules and lost carts ----------------------------------------------------------------


async def test_a_store_without_guest_checkout_asks_guests_to_sign_in(gql: Gql, sandbox_state: SandboxState) -> None:
    await with_cart(gql)
    sandbox_state.config = replace(sandbox_state.config, guest_checkout_enabled=False)
    payload = await run(gql, SET_SHIPPING_ADDRESS, {"address": ADDRESS})
    assert payload == {"cart": await cart_now(gql), "userErrors": [{"code": "SIGN_IN_REQUIRED", "field": None}]}
    assert len(sandbox_state.carts) == 1  # the cart is kept


async def test_a_step_on_an_inactive_cart_starts_over_and_says_so(gql: Gql, sandbox_state: SandboxState) -> None:
    await with_cart(gql)
    only_cart(sandbox_state).is_active = False
    payload = await run(gql, SET_EMAIL, {"email": "jane@example.com"})
    assert payload["userErrors"] == [{"code": "CART_RECREATED", "field": None}]
    assert payload["cart"]["email"] is None
    assert (await run(gql, ADD))["userErrors"] == []
    assert len(sandbox_state.carts) == 2
