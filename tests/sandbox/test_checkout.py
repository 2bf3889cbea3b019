"""Checkout in the sandbox: addresses, shipping, payment, totals and placeOrder, as Magento does them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from bff.sandbox.state import Address, Cart, CartItem, SandboxConfig, SandboxState
from bff.sandbox.totals import compute_totals, payment_methods
from tests.sandbox.conftest import Gql

CREATE = "mutation { createGuestCart { cart { id } } }"
ADD = """mutation A($cart: String!, $items: [CartItemInput!]!) {
  addProductsToCart(cartId: $cart, cartItems: $items) { user_errors { code message } } }"""
EMAIL = """mutation E($cart: String!, $email: String!) {
  setGuestEmailOnCart(input: {cart_id: $cart, email: $email}) { cart { email } } }"""
SHIP_TO = """mutation S($cart: String!, $address: CartAddressInput!) {
  setShippingAddressesOnCart(input: {cart_id: $cart, shipping_addresses: [{address: $address}]}) {
    cart { shipping_addresses { region { code label region_id } country { code label }
      available_shipping_methods { carrier_code method_code amount { value } } } } } }"""
SHIP_BY = """mutation M($cart: String!, $carrier: String!, $method: String!) {
  setShippingMethodsOnCart(input: {cart_id: $cart,
      shipping_methods: [{carrier_code: $carrier, method_code: $method}]}) {
    cart { shipping_addresses { selected_shipping_method { carrier_code amount { value } } } } } }"""
BILL_SAME = """mutation B($cart: String!) {
  setBillingAddressOnCart(input: {cart_id: $cart, billing_address: {same_as_shipping: true}}) {
    cart { billing_address { firstname city } } } }"""
BILL_TO = """mutation B($cart: String!, $address: CartAddressInput!, $same: Boolean) {
  setBillingAddressOnCart(input: {cart_id: $cart, billing_address: {address: $address, same_as_shipping: $same}}) {
    cart { billing_address { city } shipping_addresses { city } } } }"""
PAY = """mutation P($cart: String!, $code: String!) {
  setPaymentMethodOnCart(input: {cart_id: $cart, payment_method: {code: $code}}) {
    cart { selected_payment_method { code title } } } }"""
PLACE = """mutation O($cart: String!) { placeOrder(input: {cart_id: $cart}) {
  orderV2 { number status email total { grand_total { value currency } } items { product_sku quantity_ordered } }
  order { order_number } errors { code message } } }"""
PRICES = """query Q($cart: String!) { cart(cart_id: $cart) {
  available_payment_methods { code title }
  prices { grand_total { value currency } subtotal_excluding_tax { value }
    subtotal_with_discount_excluding_tax { value } applied_taxes { label amount { value } }
    discounts { label amount { value } } }
  shipping_addresses { selected_shipping_method { amount { value } } } } }"""
COUPON = """mutation C($cart: String!, $code: String!) {
  applyCouponToCart(input: {cart_id: $cart, coupon_code: $code}) { cart { id } } }"""

CALIFORNIA = {
    "firstname": "Ada",
    "lastname": "Lovelace",
    "street": ["1 Infinite Loop"],
    "city": "Cupertino",
    "region": "CA",
    "postcode": "95014",
    "country_code": "US",
    "telephone": "555-0100",
}
MICHIGAN = {**CALIFORNIA, "region": "Michigan", "city": "Calder", "postcode": "49628"}
NEW_YORK = {**CALIFORNIA, "region_id": 43, "region": None, "city": "New York", "postcode": "10001"}
BERLIN = {**CALIFORNIA, "country_code": "DE", "region": "BER", "city": "Berlin", "postcode": "10115"}


def error_of(body: dict[str, Any]) -> tuple[str, str]:
    return body["errors"][0]["message"], body["errors"][0]["extensions"]["category"]


async def cart_with(gql: Gql, *items: tuple[str, int], headers: dict[str, str] | None = None) -> str:
    cart_id: str = (await gql(CREATE, headers=headers))["data"]["createGuestCart"]["cart"]["id"]
    body = await gql(ADD, {"cart": cart_id, "items": [{"sku": s, "quantity": q} for s, q in items]}, headers)
    assert body["data"]["addProductsToCart"]["user_errors"] == []
    return cart_id


async def ready_cart(
    gql: Gql,
    *items: tuple[str, int],
    address: dict[str, Any] | None = None,
    method: tuple[str, str] = ("flatrate", "flatrate"),
    payment: str = "checkmo",
    headers: dict[str, str] | None = None,
) -> str:
    """A guest cart with e-mail, addresses, shipping and payment set: ready for placeOrder."""
    cart_id = await cart_with(gql, *items, headers=headers)
    steps: list[tuple[str, dict[str, Any]]] = [
        (EMAIL, {"email": "guest@example.com"}),
        (SHIP_TO, {"address": address or CALIFORNIA}),
        (SHIP_BY, {"carrier": method[0], "method": method[1]}),
        (BILL_SAME, {}),
        (PAY, {"code": payment}),
    ]
    for document, variables in steps:
        body = await gql(document, {"cart": cart_id, **variables}, headers)
        assert "errors" not in body, body
    return cart_id


async def place(gql: Gql, cart_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    body = await gql(PLACE, {"cart": cart_id}, headers)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["placeOrder"]
    return result


async def prices(gql: Gql, cart_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    cart: dict[str, Any] = (await gql(PRICES, {"cart": cart_id}, headers))["data"]["cart"]
    return cart


# --- guest e-mail and addresses --------------------------------------------------------------------


async def test_a_malformed_guest_email_is_refused(gql: Gql) -> None:
    body = await gql(EMAIL, {"cart": await cart_with(gql, ("BAG-001", 1)), "email": "not-an-email"})
    assert error_of(body) == ("Invalid email format", "graphql-input")


async def test_a_customer_may_not_set_a_guest_email(gql: Gql) -> None:
    sign_in = 'mutation { generateCustomerToken(email: "roni_cost@example.com", password: "Roni-Cost-3") { token } }'
    token = (await gql(sign_in))["data"]["generateCustomerToken"]["token"]
    headers = {"Authorization": f"Bearer {token}"}
    cart_id = (await gql("{ customerCart { id } }", headers=headers))["data"]["customerCart"]["id"]
    body = await gql(EMAIL, {"cart": cart_id, "email": "x@example.com"}, headers)
    assert error_of(body) == ("The request is not allowed for logged in customers", "graphql-input")


async def test_a_shipping_address_resolves_its_region_and_offers_rates(gql: Gql) -> None:
    body = await gql(SHIP_TO, {"cart": await cart_with(gql, ("BAG-001", 1)), "address": CALIFORNIA})
    address = body["data"]["setShippingAddressesOnCart"]["cart"]["shipping_addresses"][0]
    assert address["region"] == {"code": "CA", "label": "California", "region_id": 12}
    assert address["country"] == {"code": "US", "label": "United States"}
    assert address["available_shipping_methods"] == [
        {"carrier_code": "flatrate", "method_code": "flatrate", "amount": {"value": 5.0}}
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"firstname": " "}, '"firstname" is required. Enter and try again.'),
        ({"region": None}, '"regionId" is required. Enter and try again.'),
        ({"postcode": None}, '"postcode" is required. Enter and try again.'),
        ({"telephone": None}, '"telephone" is required. Enter and try again.'),
        ({"country_code": "XX"}, 'Invalid value of "XX" provided for the countryId field.'),
        ({"street": ["a", "b", "c"]}, '"Street Address" cannot contain more than 2 lines.'),
    ],
)
async def test_an_incomplete_shipping_address_is_refused_with_magentos_message(
    gql: Gql, change: dict[str, Any], message: str
) -> None:
    body = await gql(SHIP_TO, {"cart": await cart_with(gql, ("BAG-001", 1)), "address": {**CALIFORNIA, **change}})
    assert error_of(body) == (message, "graphql-input")


async def test_a_guest_cannot_use_a_customer_address_id(gql: Gql) -> None:
    query = """mutation S($cart: String!) { setShippingAddressesOnCart(input: {cart_id: $cart,
      shipping_addresses: [{customer_address_id: 1001}]}) { cart { id } } }"""
    body = await gql(query, {"cart": await cart_with(gql, ("BAG-001", 1))})
    assert error_of(body) == ("The current customer isn't authorized.", "graphql-authorization")


async def test_same_as_shipping_needs_a_shipping_address(gql: Gql) -> None:
    body = await gql(BILL_SAME, {"cart": await cart_with(gql, ("BAG-001", 1))})
    assert error_of(body) == (
        'Could not use the "same_as_shipping" option, because the shipping address has not been set.',
        "graphql-input",
    )


async def test_a_billing_address_with_same_as_shipping_also_becomes_the_shipping_address(gql: Gql) -> None:
    body = await gql(BILL_TO, {"cart": await cart_with(gql, ("BAG-001", 1)), "address": BERLIN, "same": True})
    cart = body["data"]["setBillingAddressOnCart"]["cart"]
    assert cart == {"billing_address": {"city": "Berlin"}, "shipping_addresses": [{"city": "Berlin"}]}


# --- shipping and payment methods ------------------------------------------------------------------


async def test_free_shipping_is_offered_from_the_threshold_after_discount(gql: Gql, state: SandboxState) -> None:
    state.config = replace(state.config, shipping_methods=("flatrate", "freeshipping"))
    cart_id = await cart_with(gql, ("BAG-001", 2), ("FREEBIE", 1))  # 90.00: below 100.00
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})
    await gql(ADD, {"cart": cart_id, "items": [{"sku": "BAG-002", "quantity": 1}]})  # 114.00
    rates = await gql(
        "query Q($cart: String!) { cart(cart_id: $cart) { shipping_addresses { "
        "available_shipping_methods { carrier_code amount { value } } } } }",
        {"cart": cart_id},
    )
    methods = rates["data"]["cart"]["shipping_addresses"][0]["available_shipping_methods"]
    assert methods == [
        {"carrier_code": "flatrate", "amount": {"value": 20.0}},
        {"carrier_code": "freeshipping", "amount": {"value": 0.0}},
    ]
    await gql(COUPON, {"cart": cart_id, "code": "SAVE10"})  # 102.60 after discount: still free
    body = await gql(SHIP_BY, {"cart": cart_id, "carrier": "freeshipping", "method": "freeshipping"})
    assert "errors" not in body


async def test_free_shipping_below_the_threshold_is_an_unknown_carrier(gql: Gql, state: SandboxState) -> None:
    state.config = replace(state.config, shipping_methods=("flatrate", "freeshipping"))
    cart_id = await cart_with(gql, ("BAG-001", 1))
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})
    body = await gql(SHIP_BY, {"cart": cart_id, "carrier": "freeshipping", "method": "freeshipping"})
    assert error_of(body) == ("Carrier with such method not found: freeshipping, freeshipping", "graphql-input")


async def test_a_shipping_method_needs_a_shipping_address(gql: Gql) -> None:
    body = await gql(
        SHIP_BY, {"cart": await cart_with(gql, ("BAG-001", 1)), "carrier": "flatrate", "method": "flatrate"}
    )
    assert error_of(body) == ("The shipping address is missing. Set the address and try again.", "graphql-input")


async def test_free_payment_is_not_available_for_a_cart_that_costs_something(gql: Gql) -> None:
    cart_id = await cart_with(gql, ("BAG-001", 1))
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})
    body = await gql(PAY, {"cart": cart_id, "code": "free"})
    assert error_of(body) == ("The requested Payment Method is not available.", "graphql-input")


async def test_a_zero_total_cart_offers_only_free_payment(gql: Gql) -> None:
    cart_id = await cart_with(gql, ("FREEBIE", 3))
    await gql(SHIP_TO, {"cart": cart_id, "address": MICHIGAN})  # no shipping method chosen yet
    cart = await prices(gql, cart_id)
    assert cart["prices"]["grand_total"]["value"] == 0.0
    assert cart["available_payment_methods"] == [{"code": "free", "title": "No Payment Information Required"}]
    chosen = (await gql(PAY, {"cart": cart_id, "code": "free"}))["data"]["setPaymentMethodOnCart"]["cart"]
    assert chosen["selected_payment_method"] == {"code": "free", "title": "No Payment Information Required"}
    refused = await gql(PAY, {"cart": cart_id, "code": "checkmo"})
    assert error_of(refused) == ("The requested Payment Method is not available.", "graphql-input")


def test_payment_methods_depend_on_the_grand_total() -> None:
    enabled = SandboxConfig(payment_methods=("checkmo", "banktransfer", "free"))
    assert payment_methods(Decimal("0.00"), enabled) == ["free"]
    assert payment_methods(Decimal("0.01"), enabled) == ["checkmo", "banktransfer"]


# --- totals ------------------------------------------------------------------------------------


async def test_a_percent_coupon_and_california_tax_make_the_grand_total(gql: Gql) -> None:
    cart_id = await ready_cart(gql, ("BAG-001", 1), ("BAG-002", 1))  # 45.00 + 24.00 special price
    await gql(COUPON, {"cart": cart_id, "code": "SAVE10"})
    cart = await prices(gql, cart_id)
    assert cart["prices"] == {
        "grand_total": {"value": 77.22, "currency": "USD"},  # 69.00 - 6.90 + 10.00 + 5.12
        "subtotal_excluding_tax": {"value": 69.0},
        "subtotal_with_discount_excluding_tax": {"value": 62.1},
        "applied_taxes": [{"label": "US-CA-*-Rate 1", "amount": {"value": 5.12}}],  # 3.34 + 1.78
        "discounts": [{"label": "SAVE10", "amount": {"value": 6.9}}],
    }


async def test_a_fixed_coupon_and_new_york_tax_make_the_grand_total(gql: Gql) -> None:
    cart_id = await ready_cart(gql, ("BAG-001", 1), address=NEW_YORK)
    await gql(COUPON, {"cart": cart_id, "code": "TAKE5"})
    cart = await prices(gql, cart_id)
    assert cart["prices"]["discounts"] == [{"label": "TAKE5", "amount": {"value": 5.0}}]
    assert cart["prices"]["applied_taxes"] == [{"label": "US-NY-*-Rate 1", "amount": {"value": 3.35}}]
    assert cart["prices"]["grand_total"]["value"] == 48.35  # 45.00 - 5.00 + 5.00 + 3.35


async def test_other_destinations_pay_no_tax(gql: Gql) -> None:
    cart = await prices(gql, await ready_cart(gql, ("BAG-001", 2), address=MICHIGAN))
    assert cart["prices"]["applied_taxes"] == []
    assert cart["prices"]["grand_total"]["value"] == 100.0  # 90.00 + 2 x 5.00


async def test_a_euro_cart_converts_unit_prices_before_multiplying(gql: Gql) -> None:
    euro = {"Content-Currency": "EUR"}
    cart_id = await ready_cart(gql, ("BAG-002", 3), address=MICHIGAN, headers=euro)
    cart = await prices(gql, cart_id, euro)
    assert cart["prices"]["subtotal_excluding_tax"] == {"value": 66.24}  # 3 x 22.08 (24.00 x 0.92)
    assert cart["shipping_addresses"][0]["selected_shipping_method"]["amount"] == {"value": 13.8}  # 3 x 4.60
    assert cart["prices"]["grand_total"] == {"value": 80.04, "currency": "EUR"}


async def test_the_german_store_view_prices_carts_in_euro(gql: Gql) -> None:
    german = {"Store": "de"}
    cart = await prices(gql, await cart_with(gql, ("BAG-001", 1), headers=german), german)
    assert cart["prices"]["grand_total"] == {"value": 41.4, "currency": "EUR"}


def test_the_grand_total_is_the_sum_of_its_parts_for_any_cart(state: SandboxState) -> None:
    state.config = replace(state.config, shipping_methods=("flatrate", "freeshipping"))
    shapes: list[tuple[list[tuple[str, str | None, int]], str | None, str | None, tuple[str, str] | None]] = [
        ([("BAG-001", None, 1)], None, None, None),
        ([("BAG-001", None, 3), ("BAG-002", None, 2)], "SAVE10", "CA", ("flatrate", "flatrate")),
        ([("BAG-002", None, 7), ("TEE-CFG-Red-M", "TEE-CFG", 3)], "TAKE5", "NY", ("freeshipping", "freeshipping")),
        ([("FREEBIE", None, 2)], "TAKE5", "NY", ("flatrate", "flatrate")),
        ([("TEE-CFG-Blue-S", "TEE-CFG", 1), ("BAG-001", None, 1)], "SAVE10", "MI", ("flatrate", "flatrate")),
    ]
    region_ids = {"CA": 12, "NY": 43, "MI": 33}
    for number, (lines, coupon, region, method) in enumerate(shapes):
        address = Address("A", "B", ["1 St"], "C", "1", "US", "1", region, region, region_ids.get(region or ""))
        cart = Cart(
            f"cart{number}",
            number,
            "default",
            coupon_code=coupon,
            shipping_method=method,
            shipping_address=address if region else None,
            items=[CartItem(i, sku, Decimal(q), parent) for i, (sku, parent, q) in enumerate(lines)],
        )
        for currency in ("USD", "EUR"):
            t = compute_totals(cart, state, currency)
            assert t.subtotal == sum(line.row_total for line in t.lines.values())
            assert t.discount == sum(line.discount for line in t.lines.values())
            assert t.tax == sum(line.tax for line in t.lines.values())
            assert t.grand_total == t.subtotal - t.discount + t.shipping + t.tax
            assert t.grand_total >= 0
            quantities = {item.id: item.quantity for item in cart.items}
            assert all(line.row_total == line.unit_price * quantities[i] for i, line in t.lines.items())


def test_a_fixed_coupon_never_discounts_more_than_the_subtotal(state: SandboxState) -> None:
    cart = Cart("c", 1, "default", coupon_code="TAKE5", items=[CartItem(1, "FREEBIE", Decimal(1))])
    totals = compute_totals(cart, state, "USD")
    assert (totals.discount, totals.grand_total) == (Decimal("0.00"), Decimal("0.00"))


# --- placeOrder ----------------------------------------------------------------------------------


async def test_placing_an_order_returns_its_number_and_details(gql: Gql) -> None:
    result = await place(gql, await ready_cart(gql, ("BAG-001", 2), address=MICHIGAN))
    assert result["errors"] == []
    assert result["order"] == {"order_number": "000000001"}
    assert result["orderV2"] == {
        "number": "000000001",
        "status": "Pending",
        "email": "guest@example.com",
        "total": {"grand_total": {"value": 100.0, "currency": "USD"}},
        "items": [{"product_sku": "BAG-001", "quantity_ordered": 2.0}],
    }


async def test_order_numbers_are_sequential(gql: Gql) -> None:
    numbers = [(await place(gql, await ready_cart(gql, ("BAG-001", 1))))["orderV2"]["number"] for _ in range(3)]
    assert numbers == ["000000001", "000000002", "000000003"]


async def test_ordering_takes_the_units_from_stock(gql: Gql, state: SandboxState) -> None:
    await place(gql, await ready_cart(gql, ("BAG-001", 4), ("TEE-CFG-Red-S", 2)))
    assert (state.products["BAG-001"].qty, state.products["TEE-CFG-Red-S"].qty) == (96, 8)


async def test_a_placed_cart_is_no_longer_active(gql: Gql) -> None:
    cart_id = await ready_cart(gql, ("BAG-001", 1))
    await place(gql, cart_id)
    body = await gql("query Q($cart: String!) { cart(cart_id: $cart) { id } }", {"cart": cart_id})
    assert error_of(body) == ("The cart isn't active.", "graphql-no-such-entity")
    again = await place(gql, cart_id)
    assert again["errors"] == [{"code": "CART_NOT_ACTIVE", "message": "The cart isn't active."}]


async def test_the_last_unit_sold_makes_another_carts_order_fail(gql: Gql) -> None:
    first, second = await ready_cart(gql, ("LAST-ONE", 1)), await ready_cart(gql, ("LAST-ONE", 1))
    assert (await place(gql, first))["errors"] == []
    result = await place(gql, second)
    assert result["orderV2"] is None
    assert result["errors"] == [{"code": "UNABLE_TO_PLACE_ORDER", "message": "Some of the products are out of stock."}]
    line = await gql(
        "query Q($cart: String!) { cart(cart_id: $cart) { itemsV2 { items { is_available "
        "errors { code message } } } } }",
        {"cart": second},
    )
    assert line["data"]["cart"]["itemsV2"]["items"] == [
        {"is_available": False, "errors": [{"code": "ITEM_QTY", "message": "This product is out of stock."}]}
    ]


async def test_a_guest_cart_without_email_cannot_be_ordered(gql: Gql) -> None:
    result = await place(gql, await cart_with(gql, ("BAG-001", 1)))
    assert result["errors"] == [{"code": "GUEST_EMAIL_MISSING", "message": "Guest email for cart is missing."}]


async def test_a_cart_without_shipping_address_cannot_be_ordered(gql: Gql) -> None:
    cart_id = await cart_with(gql, ("BAG-001", 1))
    await gql(EMAIL, {"cart": cart_id, "email": "guest@example.com"})
    error = (await place(gql, cart_id))["errors"][0]
    assert error["code"] == "UNDEFINED"
    assert error["message"].startswith('Please check the shipping address information. "firstname" is required.')


async def test_a_cart_without_shipping_method_cannot_be_ordered(gql: Gql) -> None:
    cart_id = await cart_with(gql, ("BAG-001", 1))
    await gql(EMAIL, {"cart": cart_id, "email": "guest@example.com"})
    await gql(SHIP_TO, {"cart": cart_id, "address": CALIFORNIA})
    assert (await place(gql, cart_id))["errors"] == [
        {
            "code": "UNABLE_TO_PLACE_ORDER",
            "message": "The shipping method is missing. Select the shipping method and try again.",
        }
    ]


async def test_a_cart_without_billing_address_or_payment_cannot_be_ordered(gql: Gql) -> None:
    cart_id = await cart_with(gql, ("BAG-001", 1))
    steps: list[tuple[str, dict[str, Any]]] = [
        (EMAIL, {"email": "guest@example.com"}),
        (SHIP_TO, {"address": CALIFORNIA}),
        (SHIP_BY, {"carrier": "flatrate", "method": "flatrate"}),
    ]
    for document, variables in steps:
        await gql(document, {"cart": cart_id, **variables})
    billing = (await place(gql, cart_id))["errors"][0]
    assert billing["code"] == "UNABLE_TO_PLACE_ORDER"
    assert billing["message"].startswith("Please check the billing address information.")
    await gql(BILL_SAME, {"cart": cart_id})
    assert (await place(gql, cart_id))["errors"] == [
        {"code": "UNABLE_TO_PLACE_ORDER", "message": "Enter a valid payment method and try again."}
    ]


async def test_an_unknown_cart_is_reported_in_place_order_errors(gql: Gql) -> None:
    result = await place(gql, "z" * 32)
    assert result["errors"] == [{"code": "CART_NOT_FOUND", "message": f'Could not find a cart with ID "{"z" * 32}"'}]


async def test_placing_a_customers_cart_as_a_guest_is_an_authorization_error(gql: Gql) -> None:
    sign_in = 'mutation { generateCustomerToken(email: "john.doe@example.com", password: "John-Doe-123") { token } }'
    token = (await gql(sign_in))["data"]["generateCustomerToken"]["token"]
    cart_id = await gql("{ customerCart { id } }", headers={"Authorization": f"Bearer {token}"})
    body = await gql(PLACE, {"cart": cart_id["data"]["customerCart"]["id"]})
    assert error_of(body)[1] == "graphql-authorization"


async def test_guest_checkout_can_be_disabled(gql: Gql, state: SandboxState) -> None:
    cart_id = await ready_cart(gql, ("BAG-001", 1))
    state.config = replace(state.config, guest_checkout_enabled=False)
    body = await gql(PLACE, {"cart": cart_id})
    assert error_of(body) == (
        "Guest checkout is not allowed. Register a customer account or login with existing one.",
        "graphql-authorization",
    )
