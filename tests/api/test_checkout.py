"""Checkout end to end: one-call checkout, step by step, idempotency and lost answers."""

from __future__ import annotations

import asyncio

import pytest

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.storefront import ADDRESS, checkout_input
from tests.storefront_fixtures import Gql

ADD = """mutation Add($sku: String!, $qty: Float!) {
  addToCart(items: [{sku: $sku, quantity: $qty}]) { cart { totalQuantity } userErrors { code message } }
}"""
SEARCH = """query { products(search: "duffle") { items { sku name } } }"""
CHECKOUT = """mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) {
    order { number email grandTotal { value currency } }
    cart { totalQuantity }
    userErrors { code message field }
  }
}"""
PLACE = """mutation Place($key: String!) {
  placeOrder(idempotencyKey: $key) { order { number email } cart { totalQuantity } userErrors { code message } }
}"""
PLACE_FIELDS = """mutation Place($key: String!) {
  placeOrder(idempotencyKey: $key) { order { number } cart { totalQuantity } userErrors { code field missingSteps } }
}"""
CONFLICT_MESSAGE = (
    "This idempotency key was already used with a different cart or input: use a new key for a new order attempt."
)
STATE = """query { checkout { ready missingSteps availableShippingMethods { carrierCode methodCode }
  availablePaymentMethods { code } } }"""


async def add(gql: Gql, sku: str = "BAG-001", qty: float = 1) -> None:
    body = await gql(ADD, {"sku": sku, "qty": qty})
    assert body["data"]["addToCart"]["userErrors"] == []


async def test_a_guest_browses_adds_and_checks_out_in_one_call(gql: Gql, sandbox_state: SandboxState) -> None:
    skus = [p["sku"] for p in (await gql(SEARCH))["data"]["products"]["items"]]
    assert "BAG-001" in skus
    await add(gql, "BAG-001", 2)
    body = await gql(CHECKOUT, {"input": checkout_input()})
    result = body["data"]["checkout"]
    assert result["userErrors"] == []
    assert result["order"]["number"] == sandbox_state.orders[0].number
    assert result["order"]["email"] == "jane@example.com"
    assert result["order"]["grandTotal"] == {"value": "100.00", "currency": "USD"}  # 2 x 45.00 + 2 x 5.00 flat rate
    assert result["cart"] == {"totalQuantity": 0}


async def test_after_an_order_the_session_gets_a_fresh_empty_cart(gql: Gql) -> None:
    await add(gql)
    await gql(CHECKOUT, {"input": checkout_input()})
    await add(gql, "BAG-002")
    cart = (await gql("{ cart { items { product { sku } } } }"))["data"]["cart"]
    assert cart == {"items": [{"product": {"sku": "BAG-002"}}]}


STEPS = [
    ('mutation { setGuestEmail(email: "jane@example.com") { userErrors { code } } }', {}),
    ("mutation A($a: AddressInput!) { setShippingAddress(address: $a) { userErrors { code } } }", {"a": ADDRESS}),
    ("mutation { setBillingAddress(sameAsShipping: true) { userErrors { code } } }", {}),
    ('mutation { setShippingMethod(carrierCode: "flatrate", methodCode: "flatrate") { userErrors { code } } }', {}),
    ('mutation { setPaymentMethod(code: "checkmo") { userErrors { code } } }', {}),
]


async def prepare_checkout(gql: Gql) -> None:
    """Run every checkout step mutation, asserting each succeeds."""
    for document, variables in STEPS:
        body = await gql(document, variables)
        assert "errors" not in body
        assert next(iter(body["data"].values()))["userErrors"] == []


async def test_the_same_checkout_step_by_step(gql: Gql, sandbox_state: SandboxState) -> None:
    await add(gql)
    await prepare_checkout(gql)
    assert (await gql(STATE))["data"]["checkout"]["ready"] is True
    placed = (await gql(PLACE, {"key": "step-by-step-1"}))["data"]["placeOrder"]
    assert placed["order"]["number"] == sandbox_state.orders[0].number


async def test_checkout_state_lists_missing_steps_and_offered_methods(gql: Gql) -> None:
    await add(gql)
    await gql(
        "mutation A($a: AddressInput!) { setShippingAddress(address: $a) { userErrors { code } } }", {"a": ADDRESS}
    )
    state = (await gql(STATE))["data"]["checkout"]
    assert state["ready"] is False
    assert state["missingSteps"] == ["EMAIL", "SHIPPING_METHOD", "BILLING_ADDRESS", "PAYMENT_METHOD"]
    assert {"carrierCode": "flatrate", "methodCode": "flatrate"} in state["availableShippingMethods"]
    assert {"code": "checkmo"} in state["availablePaymentMethods"]


async def test_place_order_on_an_incomplete_checkout_names_the_missing_steps(gql: Gql) -> None:
    await add(gql)
    result = (await gql(PLACE_FIELDS, {"key": "incomplete-1"}))["data"]["placeOrder"]
    assert result == {
        "order": None,
        "cart": {"totalQuantity": 1},
        "userErrors": [
            {
                "code": "CHECKOUT_INCOMPLETE",
                "field": None,
                "missingSteps": ["EMAIL", "SHIPPING_ADDRESS", "SHIPPING_METHOD", "BILLING_ADDRESS", "PAYMENT_METHOD"],
            }
        ],
    }


async def test_place_order_without_a_cart_is_checkout_incomplete_with_the_items_step(gql: Gql) -> None:
    result = (await gql(PLACE_FIELDS, {"key": "no-cart-1"}))["data"]["placeOrder"]
    assert result == {
        "order": None,
        "cart": {"totalQuantity": 0},
        "userErrors": [{"code": "CHECKOUT_INCOMPLETE", "field": None, "missingSteps": ["ITEMS"]}],
    }


async def test_other_user_errors_have_no_missing_steps(gql: Gql) -> None:
    await add(gql)
    body = await gql('mutation { applyCoupon(code: "NOPE") { userErrors { code field missingSteps } } }')
    assert body["data"]["applyCoupon"]["userErrors"] == [
        {"code": "COUPON_NOT_FOUND", "field": ["code"], "missingSteps": None}
    ]


async def test_a_checkout_refusal_names_the_input_path_as_sent(gql: Gql) -> None:
    await add(gql)
    address = {**ADDRESS, "postcode": None}
    result = (await gql(CHECKOUT, {"input": checkout_input(shippingAddress=address)}))["data"]["checkout"]
    assert result["order"] is None
    assert result["cart"] == {"totalQuantity": 1}
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_ADDRESS", ["input", "shippingAddress", "postcode"])
    ]


async def test_a_checkout_billing_address_refusal_names_the_billing_address(gql: Gql) -> None:
    await add(gql)
    billing = {**ADDRESS, "telephone": " "}
    result = (await gql(CHECKOUT, {"input": checkout_input(billingAddress=billing)}))["data"]["checkout"]
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID_ADDRESS", ["input", "billingAddress", "telephone"])
    ]


async def test_a_checkout_shipping_method_refusal_names_the_method_code(gql: Gql) -> None:
    await add(gql)
    method = {"carrierCode": "flatrate", "methodCode": "teleport"}
    result = (await gql(CHECKOUT, {"input": checkout_input(shippingMethod=method)}))["data"]["checkout"]
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("SHIPPING_METHOD_UNAVAILABLE", ["input", "shippingMethod", "methodCode"])
    ]


async def test_a_checkout_payment_method_refusal_names_the_payment_code(gql: Gql) -> None:
    await add(gql)
    refused = (await gql(CHECKOUT, {"input": checkout_input(paymentMethod={"code": "no-such-method"})}))["data"]
    assert [(e["code"], e["field"]) for e in refused["checkout"]["userErrors"]] == [
        ("PAYMENT_METHOD_UNAVAILABLE", ["input", "paymentMethod", "code"])
    ]


async def test_a_replayed_checkout_returns_the_same_order_without_placing_another(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    await add(gql)
    first = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]["order"]
    again = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]["order"]
    assert again == first
    assert len(sandbox_state.orders) == 1


async def test_the_same_key_with_different_input_is_an_idempotency_conflict(gql: Gql) -> None:
    await add(gql)
    refused = (await gql(CHECKOUT, {"input": checkout_input(paymentMethod={"code": "no-such-method"})}))["data"]
    assert refused["checkout"]["order"] is None
    assert [e["code"] for e in refused["checkout"]["userErrors"]] == ["PAYMENT_METHOD_UNAVAILABLE"]
    body = await gql(CHECKOUT, {"input": checkout_input(email="other@example.com")})
    assert "errors" not in body
    assert body["data"] == {
        "checkout": {
            "order": None,
            "cart": {"totalQuantity": 1},
            "userErrors": [
                {"code": "IDEMPOTENCY_CONFLICT", "message": CONFLICT_MESSAGE, "field": ["input", "idempotencyKey"]}
            ],
        }
    }


async def test_the_same_key_for_a_different_cart_is_an_idempotency_conflict(gql: Gql) -> None:
    await add(gql)
    await gql(CHECKOUT, {"input": checkout_input()})
    await add(gql, "BAG-002")
    body = await gql(CHECKOUT, {"input": checkout_input()})
    assert body["data"]["checkout"] == {
        "order": None,
        "cart": {"totalQuantity": 1},
        "userErrors": [
            {"code": "IDEMPOTENCY_CONFLICT", "message": CONFLICT_MESSAGE, "field": ["input", "idempotencyKey"]}
        ],
    }


async def test_a_checkout_key_reused_for_place_order_is_a_conflict_at_the_argument(gql: Gql) -> None:
    await add(gql)
    await gql(CHECKOUT, {"input": checkout_input(idempotencyKey="shared-key-1")})
    await add(gql, "BAG-002")
    result = (await gql(PLACE_FIELDS, {"key": "shared-key-1"}))["data"]["placeOrder"]
    assert result == {
        "order": None,
        "cart": {"totalQuantity": 1},
        "userErrors": [{"code": "IDEMPOTENCY_CONFLICT", "field": ["idempotencyKey"], "missingSteps": None}],
    }


@pytest.mark.parametrize(
    "failing",
    [
        "setGuestEmailOnCart",
        "setShippingAddressesOnCart",
        "setBillingAddressOnCart",
        "setShippingMethodsOnCart",
        "setPaymentMethodOnCart",
        "placeOrder",
    ],
)
async def test_a_checkout_retried_after_a_failure_at_any_step_places_exactly_one_order(
    gql: Gql, faults: FaultPlan, sandbox_state: SandboxState, failing: str
) -> None:
    await add(gql)
    faults.set(failing, Fault(error_rate=1.0, error="http503", times=1))
    failed = await gql(CHECKOUT, {"input": checkout_input()})
    assert failed["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert sandbox_state.orders == []
    retried = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
    assert retried["order"]["number"] == sandbox_state.orders[0].number
    assert len(sandbox_state.orders) == 1


async def test_twenty_concurrent_place_order_calls_with_one_key_place_one_order(
    gql: Gql, sandbox_state: SandboxState, faults: FaultPlan
) -> None:
    await add(gql)
    await prepare_checkout(gql)
    faults.set("placeOrder", Fault(latency_ms=50))  # keep the first call in flight while the others arrive
    bodies = await asyncio.gather(*(gql(PLACE, {"key": "concurrent-key-1"}) for _ in range(20)))
    numbers = {b["data"]["placeOrder"]["order"]["number"] for b in bodies}
    assert len(sandbox_state.orders) == 1
    assert numbers == {sandbox_state.orders[0].number}


async def test_a_lost_place_order_answer_does_not_place_a_second_order(
    gql: Gql, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    await add(gql)
    faults.set("placeOrder", Fault(lose_response="drop", times=1))
    first = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
    retried = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
    assert len(sandbox_state.orders) == 1
    assert first["order"] == retried["order"]
    assert first["order"]["email"] == "jane@example.com"


SIGN_IN = """mutation { signIn(email: "roni_cost@example.com", password: "Roni-Cost-3") {
  viewer { signedIn } userErrors { code } } }"""


async def test_a_lost_answer_for_a_customer_still_returns_the_order_number(
    gql: Gql, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    assert (await gql(SIGN_IN))["data"]["signIn"]["viewer"]["signedIn"] is True
    await add(gql)
    faults.set("placeOrder", Fault(lose_response="drop", times=1))
    body = await gql(CHECKOUT, {"input": checkout_input(email=None)})
    assert body["data"]["checkout"]["order"]["number"] == sandbox_state.orders[0].number
    assert len(sandbox_state.orders) == 1


SIGN_UP = """mutation Up($input: SignUpInput!) { signUp(input: $input) { viewer { signedIn } userErrors { code } } }"""
SIGN_IN_ADA = """mutation { signIn(email: "ada@example.com", password: "Analytical-1") {
  viewer { signedIn } userErrors { code } } }"""
SIGN_OUT = "mutation { signOut { viewer { signedIn } } }"
CART_SKUS = "{ cart { items { product { sku } quantity } } }"


async def test_a_customer_signs_up_signs_in_with_a_guest_cart_checks_out_and_signs_out(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    ada = {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "password": "Analytical-1"}
    assert (await gql(SIGN_UP, {"input": ada}))["data"]["signUp"]["userErrors"] == []
    await add(gql, "BAG-002")
    assert (await gql(SIGN_OUT))["data"]["signOut"]["viewer"]["signedIn"] is False
    await add(gql, "BAG-001")  # as a guest again
    assert (await gql(SIGN_IN_ADA))["data"]["signIn"]["userErrors"] == []
    skus = {line["product"]["sku"] for line in (await gql(CART_SKUS))["data"]["cart"]["items"]}
    assert skus == {"BAG-001", "BAG-002"}
    body = await gql(CHECKOUT, {"input": checkout_input(key="customer-journey-1", email=None)})
    order = body["data"]["checkout"]["order"]
    assert order["number"] == sandbox_state.orders[0].number
    assert sandbox_state.orders[0].customer_id is not None
    assert sandbox_state.orders[0].email == "ada@example.com"
    assert (await gql(SIGN_OUT))["data"]["signOut"]["viewer"]["signedIn"] is False
    assert (await gql(CART_SKUS))["data"]["cart"]["items"] == []
