"""One simulated shopper of the checkout storm: what it does, what it was told, every call it made.

A shopper (its ``ShopperPlan``, drawn from the storm's seed) opens a cart, signs up first when it
is a customer, and checks out step by step (e-mail, addresses, shipping, payment, ``placeOrder``)
or with the one-call ``checkout`` mutation, under one idempotency key. The checkout call has a
short client timeout; on a timeout, a dropped connection, a 5xx or a top-level error it is sent
again with the same key, alternating replicas, after a jittered backoff. A double submitter sends
2 or more copies at once, each retrying on its own. The first answer that says what happened (an
order, or ``userErrors`` without one) is the shopper's answer; every such answer is kept, so the
reconciliation can check that they agree.

Each shopper sends ``X-Forwarded-For`` with an address of its own, as shoppers behind the load
balancer do, so per-IP limits apply per shopper and not to the whole storm.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "Storm-Pass-123"  # noqa: S105 (a sandbox account's password, made up for the storm)
ADDRESS = {
    "firstname": "Storm",
    "lastname": "Shopper",
    "street": ["1 Main St"],
    "city": "Austin",
    "region": "TX",
    "postcode": "78701",
    "countryCode": "US",
    "telephone": "5125550100",
}
SHIPPING = {"carrierCode": "flatrate", "methodCode": "flatrate"}
PAYMENT = {"code": "checkmo"}

ADD = "mutation Add($sku: String!) { addToCart(items: [{sku: $sku, quantity: 1}]) { userErrors { code } } }"
SIGN_UP = "mutation SignUp($input: SignUpInput!) { signUp(input: $input) { userErrors { code } } }"
SIGN_IN = "mutation SignIn($e: String!, $p: String!) { signIn(email: $e, password: $p) { userErrors { code } } }"
STEPS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    (
        "setShippingAddress",
        "mutation Ship($a: AddressInput!) { setShippingAddress(address: $a) { userErrors { code } } }",
        {"a": ADDRESS},
    ),
    (
        "setBillingAddress",
        "mutation Bill { setBillingAddress(sameAsShipping: true) { userErrors { code } } }",
        {},
    ),
    (
        "setShippingMethod",
        "mutation Method($c: String!, $m: String!) { setShippingMethod(carrierCode: $c, methodCode: $m)"
        " { userErrors { code } } }",
        {"c": SHIPPING["carrierCode"], "m": SHIPPING["methodCode"]},
    ),
    (
        "setPaymentMethod",
        "mutation Pay($code: String!) { setPaymentMethod(code: $code) { userErrors { code } } }",
        {"code": PAYMENT["code"]},
    ),
)
CART = "query Cart { cart { totalQuantity } }"
GUEST_EMAIL = "mutation Email($e: String!) { setGuestEmail(email: $e) { userErrors { code } } }"
PLACE = "mutation Place($key: String!) { placeOrder(idempotencyKey: $key) { order { number } userErrors { code } } }"
CHECKOUT = (
    "mutation Checkout($input: CheckoutInput!) { checkout(input: $input) { order { number } userErrors { code } } }"
)


@dataclass(frozen=True)
class ClientBehaviour:
    """How every shopper's client behaves (the storm's options)."""

    client_timeout_s: float = 1.5  # the checkout call; a timed-out call is sent again
    step_timeout_s: float = 30.0  # the other calls (a slow answer is waited for)
    attempts: int = 6  # checkout calls per submit, the first included
    step_attempts: int = 8  # per cart or checkout step, on a coded retryable answer only (~9 s of backoff:
    # a shopper outlasts a Redis restart, as a real one would retry adding to the cart)
    backoff_s: float = 0.2  # first retry's mean wait; doubles per retry, jittered, capped at 2 s


@dataclass(frozen=True)
class ShopperPlan:
    """What one shopper does, drawn from the storm's seed."""

    index: int
    email: str
    sku: str
    customer: bool  # signs up (a new account) before adding to the cart
    one_call: bool  # the one-call ``checkout`` mutation, else the steps and ``placeOrder``
    submits: int  # concurrent copies of the checkout call (1: no double submit)
    key: str  # the idempotency key
    home: int  # the replica of its first call (the others get retries)
    ip: str  # its X-Forwarded-For address
    rng_seed: int  # backoff jitter

    @classmethod
    def draw(
        cls,
        index: int,
        rng: random.Random,
        *,
        sku: str,
        run: str,
        customer_share: float,
        one_call_share: float,
        double_submit_share: float,
        max_submits: int,
        replicas: int,
    ) -> ShopperPlan:
        submits = rng.randint(2, max(2, max_submits)) if rng.random() < double_submit_share else 1
        return cls(
            index=index,
            email=f"storm-{run}-{index}@storm.example",
            sku=sku,
            customer=rng.random() < customer_share,
            one_call=rng.random() < one_call_share,
            submits=submits,
            key=f"storm-{run}-{index}-{rng.getrandbits(64):016x}",
            home=index % replicas,
            ip=f"10.{(index >> 16) & 255}.{(index >> 8) & 255}.{index & 255}",
            rng_seed=rng.getrandbits(32),
        )


@dataclass(frozen=True)
class Call:
    """One HTTP request of a shopper, as its client saw it."""

    operation: str
    replica: int
    status: int | None  # None: no HTTP answer (client timeout or transport error)
    codes: tuple[str, ...]  # extensions.code of top-level errors, then userErrors codes
    latency_ms: float
    failure: str | None = None  # "timeout", a transport error's class name, or "not-json"
    coded_503: bool = False  # HTTP 503 whose every error is a coded UPSTREAM_UNAVAILABLE (documented)
    request_id: str = ""  # sent as X-Request-Id: the replicas' log lines of this call carry it
    at: float = 0.0  # time.perf_counter() when it was sent (the storm's report puts it on a time axis)


@dataclass(frozen=True)
class Answer:
    """A checkout answer that says what happened: an order (its number, maybe None) or a refusal."""

    placed: bool
    number: str | None
    codes: tuple[str, ...] = ()


@dataclass
class ShopperOutcome:
    plan: ShopperPlan
    calls: list[Call] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)  # every definitive checkout answer
    setup_failure: str | None = None  # the step that never succeeded (no checkout call was made)
    last_error: str | None = None  # what the last non-definitive checkout call got
    resolved_after_s: float | None = None  # from the first checkout call to the first definitive answer
    settled_late: bool = False  # the definitive answer came only from the retry after the storm
    token: str | None = None  # the session token (rotated by signUp)
    sent: int = 0  # requests sent so far (numbers each one's X-Request-Id)

    @property
    def answer(self) -> Answer | None:
        return self.answers[0] if self.answers else None


class StepFailed(Exception):
    pass


def _codes(body: Any, field_name: str | None) -> tuple[str, ...]:
    codes: list[str] = []
    if isinstance(body, dict):
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
            codes.append(str(code) if code else "UNCODED")
        data = body.get("data")
        payload = data.get(field_name) if isinstance(data, dict) and field_name else None
        if isinstance(payload, dict):
            codes.extend(str(e.get("code")) for e in payload.get("userErrors") or [])
    return tuple(codes)


class ShopperClient:
    """Sends a shopper's requests to the replicas, with its session token and address, recording each."""

    def __init__(self, http: httpx.AsyncClient, replicas: Sequence[str], outcome: ShopperOutcome) -> None:
        self.http = http
        self.replicas = replicas
        self.outcome = outcome

    async def send(
        self, operation: str, document: str, variables: dict[str, Any], replica: int, timeout_s: float
    ) -> tuple[Call, Any]:
        plan = self.outcome.plan
        self.outcome.sent += 1
        request_id = f"{plan.key}-{self.outcome.sent:02d}"
        headers = {"X-Forwarded-For": plan.ip, "X-Request-Id": request_id}
        if self.outcome.token:
            headers["Authorization"] = f"Bearer {self.outcome.token}"
        url = f"{self.replicas[replica % len(self.replicas)]}/graphql"
        started = time.perf_counter()
        body: Any = None
        try:
            async with asyncio.timeout(timeout_s):  # the whole call: httpx's own timeout is per read or write
                response = await self.http.post(
                    url, json={"query": document, "variables": variables}, headers=headers, timeout=timeout_s
                )
        except (TimeoutError, httpx.TimeoutException):
            call = Call(
                operation,
                replica,
                None,
                (),
                (time.perf_counter() - started) * 1000,
                "timeout",
                False,
                request_id,
                started,
            )
        except httpx.TransportError as exc:
            failure = type(exc).__name__
            call = Call(
                operation,
                replica,
                None,
                (),
                (time.perf_counter() - started) * 1000,
                failure,
                False,
                request_id,
                started,
            )
        else:
            latency_ms = (time.perf_counter() - started) * 1000
            token = response.headers.get("x-session-token")
            if token:
                self.outcome.token = token
            try:
                body = response.json()
            except ValueError:
                call = Call(
                    operation, replica, response.status_code, (), latency_ms, "not-json", False, request_id, started
                )
            else:
                codes = _codes(body, operation)
                coded_503 = response.status_code == 503 and bool(codes) and set(codes) == {"UPSTREAM_UNAVAILABLE"}
                call = Call(
                    operation, replica, response.status_code, codes, latency_ms, None, coded_503, request_id, started
                )
        self.outcome.calls.append(call)
        return call, body

    async def step(
        self, behaviour: ClientBehaviour, rng: random.Random, operation: str, document: str, variables: dict[str, Any]
    ) -> None:
        """A cart or checkout step, retried on a coded retryable answer (nothing was done) or no answer
        (the set-steps are idempotent; a lost addToCart is retried only if the cart is still empty;
        a lost signUp's retry gets EMAIL_TAKEN, then the shopper signs in)."""
        plan = self.outcome.plan
        for attempt in range(behaviour.step_attempts):
            call, body = await self.send(operation, document, variables, plan.home + attempt, behaviour.step_timeout_s)
            payload = (body.get("data") or {}).get(operation) if isinstance(body, dict) else None
            if isinstance(payload, dict) and not body.get("errors"):
                if payload.get("userErrors"):
                    raise StepFailed(f"{operation}: {','.join(call.codes)}")
                return
            await asyncio.sleep(_backoff(behaviour, rng, attempt))
            lost = call.status is None and call.failure != "ConnectError"  # sent, no answer: it may have run
            if lost and operation == "addToCart" and await self.cart_quantity(behaviour, plan.home + attempt + 1):
                return  # it ran: adding again would buy two
        raise StepFailed(f"{operation}: {','.join(call.codes) or call.failure or call.status}")

    async def cart_quantity(self, behaviour: ClientBehaviour, replica: int) -> int:
        """What the shopper's cart holds now (0 without a session yet, or when the read fails)."""
        if self.outcome.token is None:
            return 0  # the add that was lost opened the session: its token never came, a retry starts anew
        _, body = await self.send("cart", CART, {}, replica, behaviour.step_timeout_s)
        cart = (body.get("data") or {}).get("cart") if isinstance(body, dict) else None
        return int(cart.get("totalQuantity") or 0) if isinstance(cart, dict) else 0


def _backoff(behaviour: ClientBehaviour, rng: random.Random, attempt: int) -> float:
    mean: float = min(2.0, behaviour.backoff_s * 2.0**attempt)
    return mean * rng.uniform(0.5, 1.5)


def definitive(body: Any, operation: str) -> Answer | None:
    """The answer a checkout call's body gives, if it says what happened."""
    if not isinstance(body, dict) or body.get("errors"):
        return None
    payload = (body.get("data") or {}).get(operation)
    if not isinstance(payload, dict):
        return None
    order = payload.get("order")
    if isinstance(order, dict):
        return Answer(placed=True, number=order.get("number"))
    codes = tuple(str(e.get("code")) for e in payload.get("userErrors") or [])
    return Answer(placed=False, number=None, codes=codes) if codes else None


def checkout_call(plan: ShopperPlan) -> tuple[str, str, dict[str, Any]]:
    """The operation, document and variables of the shopper's checkout call."""
    if not plan.one_call:
        return "placeOrder", PLACE, {"key": plan.key}
    checkout_input: dict[str, Any] = {
        "idempotencyKey": plan.key,
        "shippingAddress": ADDRESS,
        "shippingMethod": SHIPPING,
        "paymentMethod": PAYMENT,
    }
    if not plan.customer:
        checkout_input["email"] = plan.email
    return "checkout", CHECKOUT, {"input": checkout_input}


async def submit(
    client: ShopperClient, behaviour: ClientBehaviour, rng: random.Random, copy: int, started: float
) -> None:
    """One copy of the checkout call, retried with the same key (on the next replica each time)."""
    outcome = client.outcome
    operation, document, variables = checkout_call(outcome.plan)
    replica = outcome.plan.home + copy
    for attempt in range(behaviour.attempts):
        call, body = await client.send(operation, document, variables, replica, behaviour.client_timeout_s)
        answer = definitive(body, operation)
        if answer is not None:
            if outcome.resolved_after_s is None:
                outcome.resolved_after_s = time.perf_counter() - started
            outcome.answers.append(answer)
            return
        outcome.last_error = ",".join(call.codes) or call.failure or str(call.status)
        if attempt + 1 < behaviour.attempts:
            replica += 1
            await asyncio.sleep(_backoff(behaviour, rng, attempt))


async def _sign_up(client: ShopperClient, behaviour: ClientBehaviour, rng: random.Random) -> None:
    """A new account; when an earlier try created it but its answer was lost (EMAIL_TAKEN), sign in."""
    plan = client.outcome.plan
    sign_up = {"firstname": "Storm", "lastname": f"Shopper{plan.index}", "email": plan.email, "password": PASSWORD}
    try:
        await client.step(behaviour, rng, "signUp", SIGN_UP, {"input": sign_up})
    except StepFailed as exc:
        if "ALREADY_SIGNED_IN" in str(exc):
            return  # an earlier try signed the session in, then its answer was lost
        if "EMAIL_TAKEN" not in str(exc):
            raise
        await client.step(behaviour, rng, "signIn", SIGN_IN, {"e": plan.email, "p": PASSWORD})


BeforeCheckout = Callable[[ShopperPlan], Awaitable[None]]


async def run_shopper(
    http: httpx.AsyncClient,
    replicas: Sequence[str],
    plan: ShopperPlan,
    behaviour: ClientBehaviour,
    before_checkout: BeforeCheckout | None = None,
) -> ShopperOutcome:
    """The shopper's whole visit; ``before_checkout`` runs just before its checkout call (the storm
    arms a lost-answer fault there, so lost answers are spread over the run)."""
    outcome = ShopperOutcome(plan)
    client = ShopperClient(http, replicas, outcome)
    rng = random.Random(plan.rng_seed)
    try:
        if plan.customer:
            await _sign_up(client, behaviour, rng)
        await client.step(behaviour, rng, "addToCart", ADD, {"sku": plan.sku})
        if not plan.one_call:
            if not plan.customer:
                await client.step(behaviour, rng, "setGuestEmail", GUEST_EMAIL, {"e": plan.email})
            for operation, document, variables in STEPS:
                await client.step(behaviour, rng, operation, document, variables)
    except StepFailed as exc:
        outcome.setup_failure = str(exc)
        return outcome
    if before_checkout is not None:
        await before_checkout(plan)
    started = time.perf_counter()
    copies = [submit(client, behaviour, random.Random(rng.getrandbits(32)), c, started) for c in range(plan.submits)]
    await asyncio.gather(*copies)
    return outcome


async def settle(http: httpx.AsyncClient, replicas: Sequence[str], outcome: ShopperOutcome, timeout_s: float) -> None:
    """The shopper coming back after the storm: its checkout call again, same key, a patient client
    (every 2 s, alternating replicas) until an answer says what happened or ``timeout_s`` is over."""
    client = ShopperClient(http, replicas, outcome)
    operation, document, variables = checkout_call(outcome.plan)
    deadline = time.monotonic() + timeout_s
    replica = outcome.plan.home
    while (remaining := deadline - time.monotonic()) > 0:
        call, body = await client.send(operation, document, variables, replica, max(1.0, remaining))
        answer = definitive(body, operation)
        if answer is not None:
            outcome.answers.append(answer)
            outcome.settled_late = True
            return
        outcome.last_error = ",".join(call.codes) or call.failure or str(call.status)
        replica += 1
        await asyncio.sleep(min(2.0, max(0.0, deadline - time.monotonic())))
