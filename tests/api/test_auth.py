"""Customers end to end: viewer, signUp, signIn (with the guest-cart merge), signOut, expiry."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.fake_clock import FakeClock
from tests.storefront import checkout_input
from tests.storefront_fixtures import Gql, without_cost

COOKIE = "bff_session"
RONI_LOGIN = {"email": "roni_cost@example.com", "password": "Roni-Cost-3"}
JOHN_LOGIN = {"email": "john.doe@example.com", "password": "John-Doe-123"}
ADA = {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "password": "Analytical-1"}

VIEWER = """
query { viewer { signedIn customer { firstname lastname email orders { items { number } } orderCount } } }
"""
SIGN_IN = """
mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    viewer { signedIn customer { firstname lastname email } }
    userErrors { code message field }
  }
}
"""
SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    viewer { signedIn customer { firstname lastname email } }
    userErrors { code message field }
  }
}
"""
SIGN_OUT = """
mutation { signOut { viewer { signedIn customer { email } } userErrors { code message field } } }
"""
ADD_TO_CART = """
mutation Add($items: [CartItemInput!]!) {
  addToCart(items: $items) { cart { items { quantity product { sku } } } userErrors { code } }
}
"""
CART = "query { cart { items { quantity product { sku } } } }"

RONI_CUSTOMER = {"firstname": "Veronica", "lastname": "Costello", "email": "roni_cost@example.com"}
RONI_VIEWER = {"signedIn": True, "customer": RONI_CUSTOMER}
SIGNED_OUT = {"signedIn": False, "customer": None}
INVALID_CREDENTIALS = [
    {
        "code": "INVALID_CREDENTIALS",
        "message": "The email address or password is incorrect, or the account is temporarily locked.",
        "field": None,
    }
]

Post = Callable[..., Awaitable[httpx.Response]]


def payload(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"][field]
    return result


async def sign_in(gql: Gql, credentials: dict[str, str] = RONI_LOGIN) -> dict[str, Any]:
    return payload(await gql(SIGN_IN, credentials), "signIn")


async def guest_session(gql: Gql, client: httpx.AsyncClient) -> str:
    """A guest session with a cookie (signing in and out is the cart-free way to get one)."""
    await sign_in(gql)
    await gql(SIGN_OUT)
    return client.cookies[COOKIE]


async def cart_skus(gql: Gql) -> dict[str, float]:
    items = payload(await gql(CART), "cart")["items"]
    return {i["product"]["sku"]: float(i["quantity"]) for i in items}


async def add(gql: Gql, sku: str, quantity: int = 1) -> dict[str, Any]:
    return payload(await gql(ADD_TO_CART, {"items": [{"sku": sku, "quantity": quantity}]}), "addToCart")


# --- viewer -------------------------------------------------------------------------------------


async def test_a_new_shopper_is_signed_out_without_asking_magento(gql: Gql, faults: FaultPlan) -> None:
    faults.set("*", Fault(error_rate=1.0, error="graphql"))
    assert await gql(VIEWER) == {"data": {"viewer": SIGNED_OUT}}


async def test_sign_in_signs_the_viewer_in(gql: Gql) -> None:
    assert await sign_in(gql) == {"viewer": RONI_VIEWER, "userErrors": []}
    assert await gql(VIEWER) == {
        "data": {"viewer": {**RONI_VIEWER, "customer": {**RONI_CUSTOMER, "orders": {"items": []}, "orderCount": 0}}}
    }


# --- sign-in ------------------------------------------------------------------------------------


async def test_sign_in_rotates_the_session_token(gql: Gql, client: httpx.AsyncClient) -> None:
    guest_token = await guest_session(gql, client)
    response = await client.post("/graphql", json={"query": SIGN_IN, "variables": RONI_LOGIN})
    assert COOKIE in response.headers.get("set-cookie", "")
    assert client.cookies[COOKIE] != guest_token
    old = await gql(VIEWER, headers={"Cookie": f"{COOKIE}={guest_token}"})
    assert old["data"]["viewer"] == SIGNED_OUT


async def test_wrong_password_is_invalid_credentials_and_keeps_the_session(gql: Gql, client: httpx.AsyncClient) -> None:
    guest_token = await guest_session(gql, client)
    response = await client.post(
        "/graphql", json={"query": SIGN_IN, "variables": {**RONI_LOGIN, "password": "Wrong-Pass-1"}}
    )
    assert response.json()["data"]["signIn"] == {"viewer": SIGNED_OUT, "userErrors": INVALID_CREDENTIALS}
    assert "set-cookie" not in response.headers
    assert client.cookies[COOKIE] == guest_token


async def test_unknown_email_gets_the_same_answer_as_a_wrong_password(gql: Gql) -> None:
    unknown = await gql(SIGN_IN, {"email": "nobody@example.com", "password": "Whatever-1"})
    assert unknown["data"]["signIn"] == {"viewer": SIGNED_OUT, "userErrors": INVALID_CREDENTIALS}


async def test_sign_in_input_is_checked_before_magento(gql: Gql, faults: FaultPlan) -> None:
    faults.set("*", Fault(error_rate=1.0, error="graphql"))
    body = await gql(SIGN_IN, {"email": "not-an-email", "password": ""})
    assert payload(body, "signIn")["userErrors"] == [
        {"code": "INVALID_EMAIL", "message": "Enter a valid email address, e.g. name@example.com.", "field": ["email"]},
        {"code": "INVALID_INPUT", "message": "Enter your password.", "field": ["password"]},
    ]
    too_long = await gql(SIGN_IN, {**RONI_LOGIN, "password": "x" * 257})
    assert [e["field"] for e in payload(too_long, "signIn")["userErrors"]] == [["password"]]


async def test_signing_in_twice_is_already_signed_in(gql: Gql) -> None:
    await sign_in(gql)
    again = await sign_in(gql, JOHN_LOGIN)
    assert again["userErrors"][0]["code"] == "ALREADY_SIGNED_IN"
    assert again["viewer"] == RONI_VIEWER
    assert payload(await gql(VIEWER), "viewer")["customer"]["email"] == RONI_LOGIN["email"]


async def test_credentials_never_reach_the_logs(gql: Gql, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await gql(SIGN_IN, {**JOHN_LOGIN, "password": "Wrong-Pass-9"})
    await sign_in(gql, JOHN_LOGIN)
    await gql(SIGN_OUT)
    await gql(SIGN_UP, {"input": ADA})
    for secret in (JOHN_LOGIN["email"], JOHN_LOGIN["password"], "Wrong-Pass-9", ADA["email"], ADA["password"]):
        assert secret not in caplog.text


# --- sign-up ------------------------------------------------------------------------------------


async def test_sign_up_creates_the_account_and_signs_in(gql: Gql, sandbox_state: SandboxState) -> None:
    body = await gql(SIGN_UP, {"input": {**ADA, "newsletter": True}})
    assert payload(body, "signUp") == {
        "viewer": {
            "signedIn": True,
            "customer": {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com"},
        },
        "userErrors": [],
    }
    customer = sandbox_state.customer_by_email(ADA["email"])
    assert customer is not None
    assert customer.is_subscribed


async def test_signing_up_again_with_the_same_email_is_email_taken(gql: Gql) -> None:
    await gql(SIGN_UP, {"input": ADA})
    await gql(SIGN_OUT)
    again = payload(await gql(SIGN_UP, {"input": {**ADA, "firstname": "Augusta"}}), "signUp")
    assert again == {
        "viewer": SIGNED_OUT,
        "userErrors": [
            {
                "code": "EMAIL_TAKEN",
                "message": "An account with this email address already exists. Sign in instead.",
                "field": ["input", "email"],
            }
        ],
    }


async def test_sign_up_refuses_a_weak_password(gql: Gql, sandbox_state: SandboxState) -> None:
    body = await gql(SIGN_UP, {"input": {**ADA, "password": "lowercase-only"}})
    assert payload(body, "signUp")["userErrors"] == [
        {
            "code": "WEAK_PASSWORD",
            "message": "The password needs at least 3 of these: lower case letters, upper case letters, digits, "
            "special characters.",
            "field": ["input", "password"],
        }
    ]
    assert sandbox_state.customer_by_email(ADA["email"]) is None


async def test_sign_up_reports_every_invalid_field(gql: Gql) -> None:
    body = await gql(
        SIGN_UP, {"input": {"firstname": " ", "lastname": "<script>", "email": "ada@", "password": "Short-1"}}
    )
    errors = payload(body, "signUp")["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [
        ("INVALID_INPUT", ["input", "firstname"]),
        ("INVALID_INPUT", ["input", "lastname"]),
        ("INVALID_EMAIL", ["input", "email"]),
        ("WEAK_PASSWORD", ["input", "password"]),
    ]


# --- sign-out -----------------------------------------------------------------------------------


async def test_sign_out_ends_the_customer_session(
    gql: Gql, client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    await sign_in(gql)
    signed_in_token = client.cookies[COOKIE]
    assert payload(await gql(SIGN_OUT), "signOut") == {"viewer": SIGNED_OUT, "userErrors": []}
    assert client.cookies[COOKIE] != signed_in_token
    assert await gql(VIEWER) == {"data": {"viewer": SIGNED_OUT}}
    old = await gql(VIEWER, headers={"Cookie": f"{COOKIE}={signed_in_token}"})
    assert old == {"data": {"viewer": SIGNED_OUT}}
    assert all(t.revoked for t in sandbox_state.tokens.values())


async def test_sign_out_when_signed_out_is_harmless(gql: Gql) -> None:
    assert payload(await gql(SIGN_OUT), "signOut") == {"viewer": SIGNED_OUT, "userErrors": []}


async def test_sign_out_succeeds_when_magento_cannot_revoke_the_token(gql: Gql, faults: FaultPlan) -> None:
    await sign_in(gql)
    faults.set("revokeCustomerToken", Fault(error_rate=1.0, error="http503"))
    assert payload(await gql(SIGN_OUT), "signOut") == {"viewer": SIGNED_OUT, "userErrors": []}
    assert await gql(VIEWER) == {"data": {"viewer": SIGNED_OUT}}


# --- mobile clients -----------------------------------------------------------------------------


@pytest.fixture
async def mobile(bff_app: Starlette, responses: list[httpx.Response]) -> AsyncIterator[Post]:
    """POST /graphql like an app: no cookie jar (cookies are dropped), the token sent as Bearer."""

    async def record(response: httpx.Response) -> None:
        await response.aread()
        responses.append(response)

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bff_app), base_url="http://bff.test", event_hooks={"response": [record]}
    ) as app_client:

        async def post(query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> httpx.Response:
            app_client.cookies.clear()
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return await app_client.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )

        yield post


async def test_a_mobile_client_signs_in_with_the_session_token_header(mobile: Post) -> None:
    signed_in = await mobile(SIGN_IN, RONI_LOGIN)
    token = signed_in.headers["X-Session-Token"]
    viewer = await mobile(VIEWER, token=token)
    assert viewer.json()["data"]["viewer"]["customer"]["email"] == RONI_LOGIN["email"]

    signed_out = await mobile(SIGN_OUT, token=token)
    assert "set-cookie" not in signed_out.headers
    guest_token = signed_out.headers["X-Session-Token"]
    assert guest_token != token
    assert without_cost((await mobile(VIEWER, token=token)).json()) == {"data": {"viewer": SIGNED_OUT}}
    assert without_cost((await mobile(VIEWER, token=guest_token)).json()) == {"data": {"viewer": SIGNED_OUT}}


# --- expiry -------------------------------------------------------------------------------------


async def test_an_expired_sign_in_is_unauthenticated_once_then_a_guest(gql: Gql, clock: FakeClock) -> None:
    await sign_in(gql)
    clock.advance(3601)
    expired = await gql(VIEWER)
    assert expired["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await gql(VIEWER) == {"data": {"viewer": SIGNED_OUT}}
    assert await sign_in(gql) == {"viewer": RONI_VIEWER, "userErrors": []}


async def test_the_token_lifetime_comes_from_the_store(gql: Gql, clock: FakeClock, sandbox_state: SandboxState) -> None:
    sandbox_state.config = replace(sandbox_state.config, customer_token_lifetime_minutes=120)
    await sign_in(gql)
    clock.advance(3601)
    assert payload(await gql(VIEWER), "viewer")["signedIn"] is True
    clock.advance(3600)
    assert (await gql(VIEWER))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_token_magento_refuses_ends_the_customer_session(gql: Gql, sandbox_state: SandboxState) -> None:
    await sign_in(gql)
    for record in sandbox_state.tokens.values():
        record.revoked = True  # e.g. revoked from another device
    assert (await gql(VIEWER))["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await gql(VIEWER) == {"data": {"viewer": SIGNED_OUT}}


async def test_after_expiry_the_shopper_can_shop_as_a_guest(gql: Gql, clock: FakeClock) -> None:
    await sign_in(gql)
    clock.advance(3601)
    await gql(VIEWER)
    assert (await add(gql, "BAG-001"))["userErrors"] == []
    assert await cart_skus(gql) == {"BAG-001": 1.0}


# --- the guest cart merge -----------------------------------------------------------------------


async def customer_cart_with(gql: Gql, sku: str, quantity: int = 1) -> None:
    """Roni's account cart holds ``sku``; the shopper is a signed-out guest again, with no cart."""
    await sign_in(gql)
    assert (await add(gql, sku, quantity))["userErrors"] == []
    await gql(SIGN_OUT)


async def test_sign_in_merges_the_guest_cart_into_the_customers(gql: Gql) -> None:
    await customer_cart_with(gql, "BAG-002")
    await add(gql, "BAG-001", 2)
    assert await sign_in(gql) == {"viewer": RONI_VIEWER, "userErrors": []}
    assert await cart_skus(gql) == {"BAG-001": 2.0, "BAG-002": 1.0}


async def test_the_merge_moves_what_stock_allows(gql: Gql, sandbox_state: SandboxState) -> None:
    sandbox_state.products["BAG-001"].qty = 3
    await customer_cart_with(gql, "BAG-001", 2)
    await add(gql, "BAG-001", 2)
    signed_in = await sign_in(gql)
    assert signed_in["viewer"] == RONI_VIEWER
    assert [e["code"] for e in signed_in["userErrors"]] == ["QUANTITY_ADJUSTED"]
    assert await cart_skus(gql) == {"BAG-001": 3.0}


async def test_a_guest_line_with_no_stock_left_is_reported_and_the_customers_kept(gql: Gql) -> None:
    await customer_cart_with(gql, "LAST-ONE")
    await add(gql, "LAST-ONE")
    signed_in = await sign_in(gql)
    assert signed_in["viewer"] == RONI_VIEWER
    assert [e["code"] for e in signed_in["userErrors"]] == ["MERGE_FAILED"]
    assert await cart_skus(gql) == {"LAST-ONE": 1.0}


async def test_a_failed_merge_keeps_the_customers_items(gql: Gql, faults: FaultPlan) -> None:
    await customer_cart_with(gql, "BAG-002")
    await add(gql, "BAG-001")
    for field in ("addProductsToCart", "mergeCarts"):
        faults.set(field, Fault(error_rate=1.0, error="http503"))
    signed_in = await sign_in(gql)
    faults.clear()
    assert signed_in["viewer"] == RONI_VIEWER
    assert "MERGE_FAILED" in [e["code"] for e in signed_in["userErrors"]]
    assert (await cart_skus(gql))["BAG-002"] == 1.0


async def test_sign_up_moves_the_guest_cart_into_the_new_account(gql: Gql) -> None:
    await add(gql, "BAG-001")
    assert payload(await gql(SIGN_UP, {"input": ADA}), "signUp")["userErrors"] == []
    assert await cart_skus(gql) == {"BAG-001": 1.0}


async def test_sign_out_leaves_an_empty_guest_cart(gql: Gql) -> None:
    await sign_in(gql)
    await add(gql, "BAG-001")
    await gql(SIGN_OUT)
    assert await cart_skus(gql) == {}


# --- the session's cart in AuthPayload ------------------------------------------------------------

AUTH_CART = "items { quantity product { sku } } totalQuantity"
SIGN_IN_WITH_CART = f"""
mutation SignIn($email: String!, $password: String!) {{
  signIn(email: $email, password: $password) {{ cart {{ {AUTH_CART} }} userErrors {{ code }} }}
}}"""
SIGN_OUT_WITH_CART = f"mutation {{ signOut {{ cart {{ {AUTH_CART} }} userErrors {{ code }} }} }}"
SIGN_UP_WITH_CART = f"""
mutation SignUp($input: SignUpInput!) {{ signUp(input: $input) {{ cart {{ {AUTH_CART} }} userErrors {{ code }} }} }}"""
CART_NOW = f"query {{ cart {{ {AUTH_CART} }} }}"


async def test_sign_in_answers_the_customers_cart_with_the_guest_items_merged(gql: Gql) -> None:
    await add(gql, "BAG-002", 2)
    signed_in = payload(await gql(SIGN_IN_WITH_CART, RONI_LOGIN), "signIn")
    assert signed_in["userErrors"] == []
    assert {"quantity": 2, "product": {"sku": "BAG-002"}} in signed_in["cart"]["items"]
    assert signed_in["cart"] == payload(await gql(CART_NOW), "cart")


async def test_sign_out_answers_the_new_empty_cart(gql: Gql) -> None:
    await sign_in(gql)
    await add(gql, "BAG-001")
    signed_out = payload(await gql(SIGN_OUT_WITH_CART), "signOut")
    assert signed_out == {"cart": {"items": [], "totalQuantity": 0}, "userErrors": []}


async def test_sign_up_answers_the_guest_items_in_the_new_accounts_cart(gql: Gql) -> None:
    await add(gql, "BAG-001")
    signed_up = payload(await gql(SIGN_UP_WITH_CART, {"input": ADA}), "signUp")
    assert signed_up == {
        "cart": {"items": [{"quantity": 1, "product": {"sku": "BAG-001"}}], "totalQuantity": 1},
        "userErrors": [],
    }


async def test_a_refused_sign_in_answers_the_unchanged_guest_cart(gql: Gql) -> None:
    await add(gql, "BAG-001")
    refused = payload(await gql(SIGN_IN_WITH_CART, {**RONI_LOGIN, "password": "Wrong-Password-1"}), "signIn")
    assert refused == {
        "cart": {"items": [{"quantity": 1, "product": {"sku": "BAG-001"}}], "totalQuantity": 1},
        "userErrors": [{"code": "INVALID_CREDENTIALS"}],
    }


async def test_an_orders_placed_at_is_an_iso_date_time_in_utc(gql: Gql, sandbox_state: SandboxState) -> None:
    await sign_in(gql)
    await add(gql, "BAG-001")
    await gql(
        "mutation C($input: CheckoutInput!) { checkout(input: $input) { userErrors { code } } }",
        {"input": {**checkout_input("placed-at-0001"), "email": None}},
    )
    (order,) = sandbox_state.orders
    magento_date = order.created_at  # "YYYY-MM-DD HH:MM:SS", UTC
    viewer = payload(await gql("query { viewer { customer { orders { items { number placedAt } } } } }"), "viewer")
    assert {"number": order.number, "placedAt": magento_date.replace(" ", "T") + "+00:00"} in viewer["customer"][
        "orders"
    ]["items"]


# --- partial data -------------------------------------------------------------------------------

PAGE = """{ storeConfig { storeCode } viewer { signedIn customer { email } } cart { totalQuantity } }"""


async def test_an_expired_sign_in_keeps_the_rest_of_the_page(gql: Gql, clock: FakeClock) -> None:
    await sign_in(gql)
    clock.advance(3601)
    page = await gql(PAGE)
    assert page["data"] == {
        "storeConfig": {"storeCode": "default"},
        "viewer": {"signedIn": False, "customer": None},
        "cart": {"totalQuantity": 0.0},
    }
    assert [(e["path"], e["extensions"]["code"]) for e in page["errors"]] == [
        (["viewer", "customer"], "UNAUTHENTICATED")
    ]


async def test_a_token_magento_refuses_keeps_the_rest_of_the_page(gql: Gql, sandbox_state: SandboxState) -> None:
    await sign_in(gql)
    sandbox_state.tokens.clear()
    page = await gql(PAGE)
    assert page["data"]["storeConfig"] == {"storeCode": "default"}
    assert page["data"]["viewer"] == {"signedIn": False, "customer": None}
    assert [e["extensions"]["code"] for e in page["errors"]] == ["UNAUTHENTICATED"]
