"""placeOrder is never sent for a cart while an earlier attempt may still be running in Magento:
the BFF waits for it to settle, polling the cart, and sends it again only once it is certainly
over (end to end through the HTTP API, against the sandbox)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import Fault, FaultPlan, SandboxState
from bff.settings import CheckoutSettings, MagentoSettings, SessionSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording import DetachedTransport, RecordingTransport
from tests.storefront import checkout_input
from tests.storefront_fixtures import Gql

ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'
CHECKOUT = """mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) { order { number email } userErrors { code message } }
}"""
PLACE_ORDER_TIMEOUT_S = 0.3
MARGIN_S = 30.0
FAST_CONNECT = MagentoSettings(connect_timeout_s=0.05)  # in-process, placeOrder's timeout is all it waits
STILL_PROCESSING = "This order is still being processed. Retry with the same idempotencyKey to get its result."


def settles_fast(duplicate_wait_s: float) -> Settings:
    """Short placeOrder deadlines, a fast settle poll, and how long a duplicate waits for the first."""
    return Settings(
        environment="test",
        session=SessionSettings(cookie_secure=False),
        magento=FAST_CONNECT,
        checkout=CheckoutSettings(
            place_order_timeout_s=PLACE_ORDER_TIMEOUT_S,
            place_order_margin_s=MARGIN_S,
            settle_poll_s=0.05,
            duplicate_wait_s=duplicate_wait_s,
        ),
    )


@pytest.fixture
def settings() -> Settings:
    return settles_fast(duplicate_wait_s=1.5)


@pytest.fixture
def upstream(sandbox_app: Starlette) -> RecordingTransport:
    """Magento over a network: a placeOrder the BFF stopped waiting for still runs to its end."""
    return RecordingTransport(DetachedTransport(httpx.ASGITransport(app=sandbox_app)))


@pytest.fixture
def bff_app(settings: Settings, upstream: RecordingTransport, clock: FakeClock) -> Starlette:
    return create_app(settings, magento_transport=upstream, clock=clock)


def place_orders_sent(upstream: RecordingTransport) -> int:
    return sum(1 for r in upstream.requests if r.method == "POST" and b'"PlaceOrder"' in r.content
               and json.loads(r.content)["operationName"] == "PlaceOrder")  # fmt: skip


async def test_an_unanswered_place_order_that_completes_while_the_bff_waits_is_the_order(
    gql: Gql, faults: FaultPlan, sandbox_state: SandboxState, upstream: RecordingTransport
) -> None:
    await gql(ADD)
    faults.set("placeOrder", Fault(latency_ms=800, times=1))  # Magento takes longer than the BFF's timeout
    result = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
    assert result["order"] == {"number": None, "email": "jane@example.com"}  # a guest: the number comes by e-mail
    assert (len(sandbox_state.orders), place_orders_sent(upstream)) == (1, 1)


async def test_a_place_order_whose_answer_hangs_is_the_order_and_is_sent_once(
    gql: Gql, faults: FaultPlan, sandbox_state: SandboxState, upstream: RecordingTransport
) -> None:
    await gql(ADD)
    faults.set("placeOrder", Fault(lose_response="hang", hang_seconds=1.0, times=1))  # placed, never answered
    result = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
    assert result["order"] == {"number": None, "email": "jane@example.com"}
    assert (len(sandbox_state.orders), place_orders_sent(upstream)) == (1, 1)


class TestMagentoStillBusy:
    """The first placeOrder never completes (the sandbox in-process is cancelled with the BFF's
    call), but nothing tells the BFF so: only time does."""

    @pytest.fixture
    def upstream(self, sandbox_app: Starlette) -> RecordingTransport:
        return RecordingTransport(httpx.ASGITransport(app=sandbox_app))

    @pytest.fixture
    def settings(self) -> Settings:
        return settles_fast(duplicate_wait_s=0.3)

    async def unsettled_checkout(self, gql: Gql, faults: FaultPlan) -> dict[str, Any]:
        await gql(ADD)
        faults.set("placeOrder", Fault(latency_ms=5_000, times=1))
        return await gql(CHECKOUT, {"input": checkout_input()})

    async def test_the_shopper_is_told_the_order_is_still_being_processed(self, gql: Gql, faults: FaultPlan) -> None:
        body = await self.unsettled_checkout(gql, faults)
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["message"]) == ("UPSTREAM_UNAVAILABLE", STILL_PROCESSING)

    async def test_a_retry_while_it_may_still_run_does_not_send_place_order_again(
        self, gql: Gql, faults: FaultPlan, upstream: RecordingTransport, clock: FakeClock
    ) -> None:
        await self.unsettled_checkout(gql, faults)
        clock.advance(PLACE_ORDER_TIMEOUT_S + MARGIN_S - 1)
        body = await gql(CHECKOUT, {"input": checkout_input()})
        assert body["errors"][0]["message"] == STILL_PROCESSING
        assert place_orders_sent(upstream) == 1

    async def test_once_it_is_certainly_over_with_the_cart_still_active_a_retry_places_the_order(
        self, gql: Gql, faults: FaultPlan, upstream: RecordingTransport, clock: FakeClock, sandbox_state: SandboxState
    ) -> None:
        await self.unsettled_checkout(gql, faults)
        clock.advance(PLACE_ORDER_TIMEOUT_S + MARGIN_S)
        result = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
        assert result["order"]["number"] == sandbox_state.orders[0].number
        assert (len(sandbox_state.orders), place_orders_sent(upstream)) == (1, 2)

    async def test_an_attempt_refused_before_it_reached_magento_is_not_waited_for(
        self, gql: Gql, faults: FaultPlan, upstream: RecordingTransport, sandbox_state: SandboxState
    ) -> None:
        await gql(ADD)
        faults.set("placeOrder", Fault(error_rate=1.0, error="http503", times=1))  # refused: it did not run
        first = await gql(CHECKOUT, {"input": checkout_input()})
        assert first["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        result = (await gql(CHECKOUT, {"input": checkout_input()}))["data"]["checkout"]
        assert result["order"]["number"] == sandbox_state.orders[0].number
        assert (len(sandbox_state.orders), place_orders_sent(upstream)) == (1, 2)
