"""Sandbox customers: tokens and their expiry, sign-in lock, accounts, orders, carts changing hands."""

from __future__ import annotations

import base64
import json
from typing import Any

from bff.sandbox import FakeClock
from bff.sandbox.customers import customer_for_token, issue_token
from bff.sandbox.state import SandboxState
from tests.orders import add_orders
from tests.sandbox.conftest import Gql

SIGN_IN = "mutation S($e: String!, $p: String!) { generateCustomerToken(email: $e, password: $p) { token } }"
SIGN_OUT = "mutation { revokeCustomerToken { result } }"
ME = "{ customer { email firstname default_shipping addresses { id city region { region_code } default_billing } } }"
CREATE_ACCOUNT = """mutation C($input: CustomerCreateInput!) {
  createCustomerV2(input: $input) { customer { email firstname lastname is_subscribed } } }"""
GUEST_CART = "mutation { createGuestCart { cart { id } } }"
ADD = """mutation A($cart: String!, $items: [CartItemInput!]!) {
  addProductsToCart(cartId: $cart, cartItems: $items) { user_errors { message } } }"""
MERGE = """mutation M($source: String!, $destination: String) {
  mergeCarts(source_cart_id: $source, destination_cart_id: $destination) {
    id total_quantity itemsV2 { items { quantity product { sku } } } applied_coupons { code } } }"""
ASSIGN = """mutation G($cart: String!) { assignCustomerToGuestCart(cart_id: $cart) {
  id email itemsV2 { items { quantity product { sku } } } } }"""
CART = "query Q($cart: String!) { cart(cart_id: $cart) { id } }"
RONI = ("roni_cost@example.com", "Roni-Cost-3")
WRONG_CREDENTIALS = (
    "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."
)


def error_of(body: dict[str, Any]) -> tuple[str, str]:
    return body["errors"][0]["message"], body["errors"][0]["extensions"]["category"]


async def sign_in(gql: Gql, email: str = RONI[0], password: str = RONI[1]) -> dict[str, Any]:
    return await gql(SIGN_IN, {"e": email, "p": password})


async def bearer(gql: Gql, email: str = RONI[0], password: str = RONI[1]) -> dict[str, str]:
    token = (await sign_in(gql, email, password))["data"]["generateCustomerToken"]["token"]
    return {"Authorization": f"Bearer {token}"}


async def guest_cart_with(gql: Gql, *items: tuple[str, int]) -> str:
    cart_id: str = (await gql(GUEST_CART))["data"]["createGuestCart"]["cart"]["id"]
    await gql(ADD, {"cart": cart_id, "items": [{"sku": s, "quantity": q} for s, q in items]})
    return cart_id


async def customer_cart_id(gql: Gql, headers: dict[str, str]) -> str:
    cart_id: str = (await gql("{ customerCart { id } }", headers=headers))["data"]["customerCart"]["id"]
    return cart_id


# --- tokens -----------------------------------------------------------------------------------


async def test_a_customer_token_looks_like_a_jwt_that_expires_in_an_hour(gql: Gql, clock: FakeClock) -> None:
    token = (await sign_in(gql))["data"]["generateCustomerToken"]["token"]
    header, claims, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"] == "HS256"
    assert payload["exp"] - payload["iat"] == 3600
    assert payload["iat"] == int(clock.now())
    assert signature


async def test_a_token_signs_the_customer_in(gql: Gql) -> None:
    body = await gql(ME, headers=await bearer(gql))
    assert body["data"]["customer"] == {
        "email": "roni_cost@example.com",
        "firstname": "Veronica",
        "default_shipping": "1001",
        "addresses": [{"id": 1001, "city": "Calder", "region": {"region_code": "MI"}, "default_billing": True}],
    }


async def test_a_wrong_password_is_an_authentication_error(gql: Gql) -> None:
    assert error_of(await sign_in(gql, RONI[0], "wrong")) == (WRONG_CREDENTIALS, "graphql-authentication")


async def test_an_unknown_email_gets_the_same_authentication_error(gql: Gql) -> None:
    assert error_of(await sign_in(gql, "nobody@example.com", "x")) == (WRONG_CREDENTIALS, "graphql-authentication")


async def test_six_failed_sign_ins_lock_the_account_until_the_lock_ends(gql: Gql, clock: FakeClock) -> None:
    for _ in range(6):
        await sign_in(gql, RONI[0], "wrong")
    assert error_of(await sign_in(gql)) == (WRONG_CREDENTIALS, "graphql-authentication")
    clock.advance(1800)
    assert "token" in (await sign_in(gql))["data"]["generateCustomerToken"]


async def test_five_failed_sign_ins_do_not_lock_the_account(gql: Gql) -> None:
    for _ in range(5):
        await sign_in(gql, RONI[0], "wrong")
    assert "errors" not in await sign_in(gql)


async def test_an_expired_token_makes_the_request_a_guests(gql: Gql, clock: FakeClock) -> None:
    headers = await bearer(gql)
    clock.advance(3601)
    assert error_of(await gql(ME, headers=headers)) == (
        "The current customer isn't authorized.",
        "graphql-authorization",
    )
    assert error_of(await gql("{ customerCart { id } }", headers=headers)) == (
        "The request is allowed for logged in customer",
        "graphql-authorization",
    )


async def test_a_token_is_valid_until_just_before_its_expiry(gql: Gql, clock: FakeClock) -> None:
    headers = await bearer(gql)
    clock.advance(3599)
    assert "errors" not in await gql(ME, headers=headers)


def test_customer_for_token_ignores_unknown_revoked_and_expired_tokens(state: SandboxState, clock: FakeClock) -> None:
    roni = state.customer_by_email(RONI[0])
    assert roni is not None
    live, revoked = issue_token(state, roni), issue_token(state, roni)
    state.tokens[revoked].revoked = True
    assert customer_for_token(state, live) is roni
    assert customer_for_token(state, revoked) is None
    assert customer_for_token(state, "a.b.c") is None
    clock.advance(3600)
    assert customer_for_token(state, live) is None


async def test_revoking_a_token_signs_the_customer_out(gql: Gql) -> None:
    headers = await bearer(gql)
    assert (await gql(SIGN_OUT, headers=headers))["data"]["revokeCustomerToken"] == {"result": True}
    assert error_of(await gql(ME, headers=headers))[1] == "graphql-authorization"


async def test_revoking_needs_a_signed_in_customer(gql: Gql) -> None:
    assert error_of(await gql(SIGN_OUT)) == ("The current customer isn't authorized.", "graphql-authorization")


async def test_the_customer_query_needs_a_signed_in_customer(gql: Gql) -> None:
    assert error_of(await gql(ME)) == ("The current customer isn't authorized.", "graphql-authorization")


# --- accounts ------------------------------------------------------------------------------------


def account(**change: Any) -> dict[str, Any]:
    return {"firstname": "Grace", "lastname": "Hopper", "email": "grace@example.com", "password": "Cobol-1959"} | change


async def test_a_new_account_can_sign_in(gql: Gql) -> None:
    body = await gql(CREATE_ACCOUNT, {"input": account(is_subscribed=True)})
    assert body["data"]["createCustomerV2"]["customer"] == {
        "email": "grace@example.com",
        "firstname": "Grace",
        "lastname": "Hopper",
        "is_subscribed": True,
    }
    assert "errors" not in await sign_in(gql, "grace@example.com", "Cobol-1959")


async def test_an_empty_firstname_is_a_missing_required_parameter(gql: Gql) -> None:
    r"""follows Magento\GraphQl\Customer\CreateCustomerV2Test::testCreateCustomerIfNameEmpty
    (CustomerGraphQl's ValidateCustomerData: required attributes are checked before the e-mail's form)"""
    body = await gql(CREATE_ACCOUNT, {"input": account(firstname="")})
    assert error_of(body) == ("Required parameters are missing: First Name", "graphql-input")
    both = await gql(CREATE_ACCOUNT, {"input": account(firstname="", lastname="", email="not-an-email")})
    assert error_of(both) == ("Required parameters are missing: First Name, Last Name", "graphql-input")
    assert "errors" in await sign_in(gql, "grace@example.com", "Cobol-1959")  # no account was made


async def test_an_email_can_only_have_one_account(gql: Gql) -> None:
    body = await gql(CREATE_ACCOUNT, {"input": account(email="John.Doe@example.com")})
    assert error_of(body) == (
        "A customer with the same email address already exists in an associated website.",
        "graphql-input",
    )


async def test_a_password_needs_eight_characters(gql: Gql) -> None:
    body = await gql(CREATE_ACCOUNT, {"input": account(password="Ab1!")})
    assert error_of(body) == (
        "The password needs at least 8 characters. Create a new password and try again.",
        "graphql-input",
    )


async def test_a_password_needs_three_character_classes(gql: Gql) -> None:
    body = await gql(CREATE_ACCOUNT, {"input": account(password="alllowercase1")})
    assert error_of(body) == (
        "Minimum of different classes of characters in password is 3. "
        "Classes of characters: Lower Case, Upper Case, Digits, Special Characters.",
        "graphql-input",
    )


async def test_an_account_needs_a_valid_email(gql: Gql) -> None:
    body = await gql(CREATE_ACCOUNT, {"input": account(email="grace@")})
    assert error_of(body) == ('"grace@" is not a valid email address.', "graphql-input")


async def test_a_customers_orders_are_listed_with_their_numbers(gql: Gql) -> None:
    headers = await bearer(gql)
    cart_id = await customer_cart_id(gql, headers)
    steps = [
        (ADD, {"items": [{"sku": "BAG-001", "quantity": 1}]}),
        (
            "mutation S($cart: String!) { setShippingAddressesOnCart(input: {cart_id: $cart, "
            "shipping_addresses: [{customer_address_id: 1001}]}) { cart { id } } }",
            {},
        ),
        (
            "mutation S($cart: String!) { setShippingMethodsOnCart(input: {cart_id: $cart, "
            'shipping_methods: [{carrier_code: "flatrate", method_code: "flatrate"}]}) { cart { id } } }',
            {},
        ),
        (
            "mutation B($cart: String!) { setBillingAddressOnCart(input: {cart_id: $cart, "
            "billing_address: {customer_address_id: 1001}}) { cart { id } } }",
            {},
        ),
        (
            "mutation P($cart: String!) { setPaymentMethodOnCart(input: {cart_id: $cart, "
            'payment_method: {code: "checkmo"}}) { cart { id } } }',
            {},
        ),
        ("mutation O($cart: String!) { placeOrder(input: {cart_id: $cart}) { errors { message } } }", {}),
    ]
    for document, variables in steps:
        body = await gql(document, {"cart": cart_id, **variables}, headers)
        assert "errors" not in body, body
    orders = await gql(
        "{ customer { orders(pageSize: 5) { total_count page_info { total_pages } items { number "
        "email payment_methods { type } shipping_method shipping_address { city } } } } }",
        headers=headers,
    )
    assert orders["data"]["customer"]["orders"] == {
        "total_count": 1,
        "page_info": {"total_pages": 1},
        "items": [
            {
                "number": "000000001",
                "email": "roni_cost@example.com",
                "payment_methods": [{"type": "checkmo"}],
                "shipping_method": "Flat Rate - Fixed",
                "shipping_address": {"city": "Calder"},
            }
        ],
    }


async def test_a_customer_may_not_use_another_customers_address(gql: Gql) -> None:
    headers = await bearer(gql, "john.doe@example.com", "John-Doe-123")
    query = """mutation S($cart: String!) { setShippingAddressesOnCart(input: {cart_id: $cart,
      shipping_addresses: [{customer_address_id: 1001}]}) { cart { id } } }"""
    body = await gql(query, {"cart": await customer_cart_id(gql, headers)}, headers)
    assert error_of(body) == (
        'Current customer does not have permission to address with ID "1001"',
        "graphql-authorization",
    )


# --- carts changing hands --------------------------------------------------------------------------


async def test_merging_a_guest_cart_adds_up_quantities_of_the_same_sku(gql: Gql) -> None:
    headers = await bearer(gql)
    destination = await customer_cart_id(gql, headers)
    await gql(ADD, {"cart": destination, "items": [{"sku": "BAG-001", "quantity": 1}]}, headers)
    source = await guest_cart_with(gql, ("BAG-001", 2), ("BAG-002", 1))
    merged = (await gql(MERGE, {"source": source, "destination": destination}, headers))["data"]["mergeCarts"]
    assert merged["id"] == destination
    assert merged["total_quantity"] == 4
    assert [(i["product"]["sku"], i["quantity"]) for i in merged["itemsV2"]["items"]] == [
        ("BAG-001", 3.0),
        ("BAG-002", 1.0),
    ]


async def test_merging_deactivates_the_guest_cart(gql: Gql) -> None:
    headers = await bearer(gql)
    source = await guest_cart_with(gql, ("BAG-001", 1))
    await gql(MERGE, {"source": source}, headers)
    assert error_of(await gql(CART, {"cart": source})) == ("The cart isn't active.", "graphql-no-such-entity")


async def test_merging_without_destination_targets_the_customers_active_cart(gql: Gql) -> None:
    headers = await bearer(gql)
    merged = await gql(MERGE, {"source": await guest_cart_with(gql, ("BAG-002", 1))}, headers)
    assert merged["data"]["mergeCarts"]["id"] == await customer_cart_id(gql, headers)


async def test_merging_carries_the_guest_carts_coupon(gql: Gql) -> None:
    headers = await bearer(gql)
    source = await guest_cart_with(gql, ("BAG-001", 1))
    await gql(
        'mutation C($cart: String!) { applyCouponToCart(input: {cart_id: $cart, coupon_code: "TAKE5"}) '
        "{ cart { id } } }",
        {"cart": source},
    )
    merged = await gql(MERGE, {"source": source}, headers)
    assert merged["data"]["mergeCarts"]["applied_coupons"] == [{"code": "TAKE5"}]


async def test_merging_needs_a_signed_in_customer(gql: Gql) -> None:
    body = await gql(MERGE, {"source": await guest_cart_with(gql, ("BAG-001", 1))})
    assert error_of(body) == ("The current customer isn't authorized.", "graphql-authorization")


async def test_merging_needs_a_guest_cart_as_source(gql: Gql) -> None:
    headers = await bearer(gql)
    other = await customer_cart_id(gql, await bearer(gql, "john.doe@example.com", "John-Doe-123"))
    body = await gql(MERGE, {"source": other}, headers)
    assert error_of(body)[1] == "graphql-authorization"


async def test_a_line_over_the_stock_after_merging_is_left_out(gql: Gql) -> None:
    headers = await bearer(gql)
    destination = await customer_cart_id(gql, headers)
    await gql(ADD, {"cart": destination, "items": [{"sku": "LAST-ONE", "quantity": 1}]}, headers)
    merged = await gql(MERGE, {"source": await guest_cart_with(gql, ("LAST-ONE", 1))}, headers)
    assert merged["data"]["mergeCarts"]["total_quantity"] == 1


async def test_assigning_a_guest_cart_makes_it_the_customers_cart(gql: Gql) -> None:
    headers = await bearer(gql)
    guest = await guest_cart_with(gql, ("BAG-002", 1))
    assigned = (await gql(ASSIGN, {"cart": guest}, headers))["data"]["assignCustomerToGuestCart"]
    assert (assigned["id"], assigned["email"]) == (guest, "roni_cost@example.com")
    assert await customer_cart_id(gql, headers) == guest
    assert error_of(await gql(CART, {"cart": guest}))[1] == "graphql-authorization"


async def test_assigning_merges_and_deactivates_the_customers_previous_cart(gql: Gql) -> None:
    headers = await bearer(gql)
    previous = await customer_cart_id(gql, headers)
    await gql(ADD, {"cart": previous, "items": [{"sku": "BAG-001", "quantity": 2}]}, headers)
    guest = await guest_cart_with(gql, ("BAG-001", 1))
    assigned = (await gql(ASSIGN, {"cart": guest}, headers))["data"]["assignCustomerToGuestCart"]
    assert assigned["itemsV2"]["items"] == [{"quantity": 3.0, "product": {"sku": "BAG-001"}}]
    assert error_of(await gql(CART, {"cart": previous}, headers)) == (
        "The cart isn't active.",
        "graphql-no-such-entity",
    )


async def test_assigning_needs_a_signed_in_customer(gql: Gql) -> None:
    body = await gql(ASSIGN, {"cart": await guest_cart_with(gql, ("BAG-001", 1))})
    assert error_of(body) == ("The current customer isn't authorized.", "graphql-authorization")


# --- order history paging (Magento\SalesGraphQl\Model\Resolver\CustomerOrders) ------------------------

ORDER_PAGE = """query P($size: Int, $page: Int) { customer { orders(pageSize: $size, currentPage: $page,
  sort: {sort_field: CREATED_AT, sort_direction: DESC}) { total_count page_info { current_page page_size
  total_pages } items { number } } } }"""


async def order_page(gql: Gql, size: int, page: int) -> dict[str, Any]:
    body = await gql(ORDER_PAGE, {"size": size, "page": page}, await bearer(gql))
    assert "errors" not in body, body
    orders: dict[str, Any] = body["data"]["customer"]["orders"]
    return orders


async def test_customer_orders_come_a_page_at_a_time_newest_first(gql: Gql, state: SandboxState) -> None:
    add_orders(state, RONI[0], 7)
    assert await order_page(gql, 3, 2) == {
        "total_count": 7,
        "page_info": {"current_page": 2, "page_size": 3, "total_pages": 3},
        "items": [{"number": "000000004"}, {"number": "000000003"}, {"number": "000000002"}],
    }


async def test_a_page_beyond_the_last_answers_the_last_page(gql: Gql, state: SandboxState) -> None:
    """The order collection's getCurPage() (Magento\\Framework\\Data\\Collection) clamps the page."""
    add_orders(state, RONI[0], 7)
    assert await order_page(gql, 3, 9) == {
        "total_count": 7,
        "page_info": {"current_page": 3, "page_size": 3, "total_pages": 3},
        "items": [{"number": "000000001"}],
    }


async def test_a_customer_without_orders_has_page_one_of_none(gql: Gql) -> None:
    assert await order_page(gql, 5, 4) == {
        "total_count": 0,
        "page_info": {"current_page": 1, "page_size": 5, "total_pages": 0},
        "items": [],
    }


async def test_an_order_page_below_one_is_refused(gql: Gql) -> None:
    body = await gql(ORDER_PAGE, {"size": 5, "page": 0}, await bearer(gql))
    assert error_of(body) == ("currentPage value must be greater than 0.", "graphql-input")
