"""End to end: shopper data and secrets sent through every storefront mutation never reach the logs.

All log output (ours, Strawberry's, httpx's, the in-process sandbox's) is captured at the root at
DEBUG while a guest (browser cookie) and a mobile client (Bearer token) run every mutation with
recognisable values, failures included. Then the captured text is searched for each value, for
every session token the BFF issued, and for every Magento masked cart id and customer token that
exists in the sandbox.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from starlette.applications import Starlette

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.observability.conftest import LogCapture

EMAIL = "zebulonia.quenthistle@leak-check.example"
EMAIL_2 = "ophelia.marchbanks@leak-check.example"
EMAIL_3 = "thaddeus.brightwater@leak-check.example"
PASSWORD = "Leaky-Pass-Word-9041!"
WRONG_PASSWORD = "Not-The-Pass-7733?"
WEIRD_SKUS = ["sku-of zebulonia.quenthistle@leak-check.example", "Xq7Lm2Vb9Tr4Kp8Wn3Hc6Jd1Fs5Gz0Ya"]
WEIRD_COUPON = "COUPON-FOR-ophelia.marchbanks@leak-check.example"


def address(first: str, last: str, street: str, city: str, postcode: str, phone: str) -> dict[str, Any]:
    return {
        "firstname": first,
        "lastname": last,
        "street": [street],
        "city": city,
        "region": "TX",
        "postcode": postcode,
        "countryCode": "US",
        "telephone": phone,
        "company": "Quenthistle Holdings",
    }


SHIPPING = address("Zebulonia", "Quenthistle", "742 Leakington Terrace", "Springfieldia", "78744", "+1 512-555-0187")
BILLING = address("Ophelia", "Marchbanks", "19 Redactment Row", "Scrubtown", "78759", "(512) 555-0143")
CHECKOUT_ADDRESS = address("Thaddeus", "Brightwater", "5 Obscura Lane", "Hiddenburg", "78731", "5125550166")

PERSONAL_VALUES = [
    EMAIL,
    EMAIL_2,
    EMAIL_3,
    PASSWORD,
    WRONG_PASSWORD,
    WEIRD_COUPON,
    *WEIRD_SKUS,
    *(
        str(v)
        for a in (SHIPPING, BILLING, CHECKOUT_ADDRESS)
        for k, v in a.items()
        if k not in ("region", "countryCode", "street")
    ),
    *(a["street"][0] for a in (SHIPPING, BILLING, CHECKOUT_ADDRESS)),
]

ADD = """mutation Add($items: [CartItemInput!]!) {
  addToCart(items: $items) { cart { items { uid product { sku } } } userErrors { code } } }"""
UPDATE = """mutation Update($uid: ID!) { updateCartItems(items: [{uid: $uid, quantity: 2}]) { userErrors { code } } }"""
REMOVE = """mutation Remove($uid: ID!) { removeCartItem(uid: $uid) { userErrors { code } } }"""
APPLY = """mutation Apply($code: String!) { applyCoupon(code: $code) { userErrors { code } } }"""
UNAPPLY = """mutation { removeCoupon { userErrors { code } } }"""
EMAIL_STEP = """mutation Email($email: String!) { setGuestEmail(email: $email) { userErrors { code } } }"""
SHIP_TO = """mutation Ship($a: AddressInput!) { setShippingAddress(address: $a) { userErrors { code } } }"""
BILL_TO = """mutation Bill($a: AddressInput!) { setBillingAddress(address: $a) { userErrors { code } } }"""
METHOD = """mutation { setShippingMethod(carrierCode: "flatrate", methodCode: "flatrate") { userErrors { code } } }"""
PAYMENT = """mutation { setPaymentMethod(code: "checkmo") { userErrors { code } } }"""
PLACE = """mutation Place($key: String!) {
  placeOrder(idempotencyKey: $key) { order { number } userErrors { code } } }"""
CHECKOUT = """mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) { order { number } userErrors { code } } }"""
SIGN_UP = """mutation SignUp($input: SignUpInput!) { signUp(input: $input) { userErrors { code } } }"""
SIGN_IN = """mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { viewer { signedIn } userErrors { code } } }"""
SIGN_OUT = """mutation { signOut { userErrors { code } } }"""


class Shopper:
    """One client of the BFF; remembers every session token the BFF handed it."""

    def __init__(self, app: Starlette, *, bearer: bool) -> None:
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test")
        self.bearer = bearer
        self.token: str | None = None
        self.issued: set[str] = set()
        self.requests = 0

    async def send(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.bearer and self.token else {}
        response = await self.client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        self.requests += 1
        if token := response.headers.get("X-Session-Token"):
            self.token = token
        self.issued |= {response.headers.get("X-Session-Token") or "", self.client.cookies.get("bff_session") or ""}
        body: dict[str, Any] = response.json()
        return body

    async def run(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.send(query, **variables)
        assert "errors" not in body, body
        payload: dict[str, Any] = next(iter(body["data"].values()))
        return payload

    async def ok(self, query: str, **variables: Any) -> dict[str, Any]:
        payload = await self.run(query, **variables)
        assert payload["userErrors"] == [], payload
        return payload


async def guest_checkout_step_by_step(guest: Shopper, faults: FaultPlan) -> None:
    refused = await guest.run(ADD, items=[{"sku": sku, "quantity": 1} for sku in WEIRD_SKUS])
    assert {e["code"] for e in refused["userErrors"]} == {"PRODUCT_NOT_FOUND"}
    cart = (await guest.ok(ADD, items=[{"sku": "BAG-001", "quantity": 1}, {"sku": "BAG-002", "quantity": 1}]))["cart"]
    uids = {line["product"]["sku"]: line["uid"] for line in cart["items"]}
    await guest.ok(UPDATE, uid=uids["BAG-001"])
    await guest.ok(REMOVE, uid=uids["BAG-002"])
    assert (await guest.run(APPLY, code=WEIRD_COUPON))["userErrors"] != []
    await guest.ok(APPLY, code="SAVE10")
    await guest.ok(UNAPPLY)
    await guest.ok(EMAIL_STEP, email=EMAIL)
    await guest.ok(SHIP_TO, a=SHIPPING)
    await guest.ok(BILL_TO, a=BILLING)
    await guest.ok(METHOD)
    await guest.ok(PAYMENT)
    faults.set("placeOrder", Fault(error_rate=1.0, error="graphql", times=1))  # Magento's error text gets logged
    assert (await guest.send(PLACE, key="sweep-place-0001"))["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert (await guest.ok(PLACE, key="sweep-place-0002"))["order"]["number"]
    assert (await guest.ok(PLACE, key="sweep-place-0002"))["order"]["number"]  # replayed


async def malformed_requests(guest: Shopper) -> None:
    """Invalid input is answered BAD_USER_INPUT; its values must not be logged either (GraphQL
    libraries like to quote them in error messages)."""
    bad_address = {k: v for k, v in SHIPPING.items() if k != "countryCode"}
    body = await guest.send(SHIP_TO, a=bad_address)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    name = SHIPPING["firstname"]
    inline = f'mutation {{ setGuestEmail(emailAddress: "{EMAIL}", name: "{name}") {{ cart {{ id }} }} }}'
    assert (await guest.send(inline))["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    body = await guest.send(UPDATE, uid=SHIPPING["lastname"] + " " + SHIPPING["street"][0])
    assert body["data"]["updateCartItems"]["userErrors"] != []


async def mobile_checkout_and_account(mobile: Shopper) -> None:
    await mobile.ok(ADD, items=[{"sku": "BAG-002", "quantity": 1}])
    checkout = {
        "idempotencyKey": "sweep-checkout-0001",
        "email": EMAIL_2,
        "shippingAddress": CHECKOUT_ADDRESS,
        "billingAddress": BILLING,
        "shippingMethod": {"carrierCode": "flatrate", "methodCode": "flatrate"},
        "paymentMethod": {"code": "checkmo"},
    }
    assert (await mobile.ok(CHECKOUT, input=checkout))["order"]["number"]
    sign_up = {"firstname": "Thaddeus", "lastname": "Brightwater", "email": EMAIL_3, "password": PASSWORD}
    await mobile.ok(SIGN_UP, input=sign_up)
    await mobile.ok(ADD, items=[{"sku": "BAG-001", "quantity": 1}])
    await mobile.ok(SIGN_OUT)
    wrong = await mobile.run(SIGN_IN, email=EMAIL_3, password=WRONG_PASSWORD)
    assert [e["code"] for e in wrong["userErrors"]] == ["INVALID_CREDENTIALS"]
    assert (await mobile.ok(SIGN_IN, email=EMAIL_3, password=PASSWORD))["viewer"]["signedIn"] is True
    await mobile.ok(SHIP_TO, a=SHIPPING)
    await mobile.ok(SIGN_OUT)


def appears(value: str, text: str) -> bool:
    """Whether ``value`` occurs in ``text`` as a whole (digits inside timestamps do not count)."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text) is not None


async def test_no_shopper_data_or_secret_reaches_the_logs(
    bff_app: Starlette, logs: LogCapture, sandbox_state: SandboxState, faults: FaultPlan
) -> None:
    guest, mobile = Shopper(bff_app, bearer=False), Shopper(bff_app, bearer=True)
    async with guest.client, mobile.client:
        await guest_checkout_step_by_step(guest, faults)
        await malformed_requests(guest)
        await mobile_checkout_and_account(mobile)

    text = logs.text
    assert len(logs.requests()) == guest.requests + mobile.requests  # every request was logged ...
    assert {"customer account created", "customer signed in", "customer signed out"} <= {
        line["event"] for line in logs.lines()
    }
    assert "Magento refused placeOrder" in text or "request failed" in text  # ... failures included
    secrets = {
        "shopper data": [v for v in PERSONAL_VALUES if appears(v, text)],
        "session tokens": [t for t in guest.issued | mobile.issued if t and t in text],
        "masked cart ids": [c for c in sandbox_state.carts if c in text],
        "customer tokens": [t for t in sandbox_state.tokens if t in text],
    }
    assert secrets == {"shopper data": [], "session tokens": [], "masked cart ids": [], "customer tokens": []}
    assert len(guest.issued | mobile.issued) > 3  # the search above was not vacuous
    assert sandbox_state.carts
    assert sandbox_state.tokens
