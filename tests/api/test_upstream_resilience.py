"""Magento slow, down or saturated, end to end through the HTTP API against the sandbox: what a
shopper gets, how fast, and what the metrics say (deadlines, circuit breaker, in-flight cap)."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import Fault, FaultPlan
from bff.settings import CacheSettings, MagentoSettings, SessionSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport
from tests.storefront_fixtures import Gql
from tests.waiting import eventually

PRODUCTS = '{ products(search: "bag") { totalCount } }'
ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'
FAST_ENOUGH_S = 2.0  # an answer within this, where waiting out Magento would take 5 s or more


def settings_with(**magento: object) -> Settings:
    """No response cache: every read here must reach (or be refused before) Magento."""
    return Settings(
        environment="test",
        magento=MagentoSettings.model_validate(magento),
        session=SessionSettings(cookie_secure=False),
        cache=CacheSettings(enabled=False),
    )


@pytest.fixture
def upstream(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


@pytest.fixture
def bff_app(settings: Settings, upstream: RecordingTransport, clock: FakeClock) -> Starlette:
    return create_app(settings, magento_transport=upstream, clock=clock)


def error_code(body: dict[str, object]) -> object:
    errors = body.get("errors")
    assert isinstance(errors, list), body
    return errors[0]["extensions"]["code"]


async def metric(client: httpx.AsyncClient, sample: str) -> float:
    """The value of one sample of /metrics, e.g. ``bff_upstream_rejected_total{reason="breaker"}``."""
    text = (await client.get("/metrics")).text
    found = re.search(rf"^{re.escape(sample)} (\S+)$", text, re.MULTILINE)
    assert found is not None, sample
    return float(found.group(1))


def sent(upstream: RecordingTransport) -> int:
    return len(upstream.requests)


# --- deadlines -------------------------------------------------------------------------------


class TestSlowMagento:
    @pytest.fixture
    def settings(self) -> Settings:
        return settings_with(request_deadline_s=0.5, read_timeout_s=5.0, query_retries=2)

    async def test_a_slow_read_answers_upstream_unavailable_at_the_request_deadline(
        self, gql: Gql, faults: FaultPlan
    ) -> None:
        faults.set("ProductListing", Fault(latency_ms=5_000))
        started = time.monotonic()
        body = await gql(PRODUCTS)
        assert error_code(body) == "UPSTREAM_UNAVAILABLE"
        assert time.monotonic() - started < FAST_ENOUGH_S

    async def test_a_read_that_ran_out_of_time_is_not_sent_again(
        self, gql: Gql, faults: FaultPlan, upstream: RecordingTransport
    ) -> None:
        faults.set("ProductListing", Fault(latency_ms=5_000))
        await gql(PRODUCTS)
        listings = [r for r in upstream.requests if r.url.params.get("operationName") == "ProductListing"]
        assert len(listings) == 1


class TestRetries:
    @pytest.fixture
    def settings(self) -> Settings:
        return settings_with(query_retries=1)

    async def test_a_fast_failure_is_retried_within_the_deadline(
        self, gql: Gql, faults: FaultPlan, client: httpx.AsyncClient
    ) -> None:
        faults.set("ProductListing", Fault(error_rate=1.0, error="http503", times=1))
        body = await gql(PRODUCTS)
        assert body["data"]["products"]["totalCount"] > 0
        assert await metric(client, 'bff_upstream_retries_total{operation="ProductListing"}') == 1


class TestRetryBudget:
    @pytest.fixture
    def settings(self) -> Settings:
        return settings_with(query_retries=1, retry_budget_burst=1, retry_budget_ratio=0.0, breaker_failures=100)

    async def test_retries_stop_when_the_budget_is_spent(
        self, gql: Gql, faults: FaultPlan, client: httpx.AsyncClient
    ) -> None:
        faults.set("ProductListing", Fault(error_rate=1.0, error="http503"))
        await gql(PRODUCTS)
        await gql(PRODUCTS)
        assert await metric(client, 'bff_upstream_retries_total{operation="ProductListing"}') == 1
        assert await metric(client, 'bff_upstream_retry_budget_exhausted_total{operation="ProductListing"}') == 1


# --- circuit breaker -------------------------------------------------------------------------

COOL_DOWN_S = 0.3


class TestCircuitBreaker:
    @pytest.fixture
    def settings(self) -> Settings:
        return settings_with(breaker_failures=2, breaker_cool_down_s=COOL_DOWN_S, query_retries=0)

    async def magento_fails_twice(self, gql: Gql, faults: FaultPlan) -> None:
        faults.set("*", Fault(error_rate=1.0, error="http503"))
        for _ in range(2):
            assert error_code(await gql(PRODUCTS)) == "UPSTREAM_UNAVAILABLE"
        faults.clear()

    async def test_once_open_it_answers_upstream_unavailable_without_calling_magento(
        self, gql: Gql, faults: FaultPlan, upstream: RecordingTransport
    ) -> None:
        await self.magento_fails_twice(gql, faults)
        before = sent(upstream)
        body = await gql(PRODUCTS)
        assert error_code(body) == "UPSTREAM_UNAVAILABLE"
        assert body["errors"][0]["message"] == "The store is temporarily unavailable. Please try again."
        assert sent(upstream) == before

    async def test_it_is_visible_in_the_metrics(self, gql: Gql, faults: FaultPlan, client: httpx.AsyncClient) -> None:
        await self.magento_fails_twice(gql, faults)
        await gql(PRODUCTS)
        assert await metric(client, "bff_upstream_breaker_state") == 1
        assert await metric(client, 'bff_upstream_breaker_transitions_total{state="open"}') == 1
        assert await metric(client, 'bff_upstream_rejected_total{reason="breaker"}') == 1

    async def test_after_the_cool_down_a_probe_closes_it_again(
        self, gql: Gql, faults: FaultPlan, client: httpx.AsyncClient
    ) -> None:
        await self.magento_fails_twice(gql, faults)
        await asyncio.sleep(COOL_DOWN_S)
        body = await gql(PRODUCTS)
        assert body["data"]["products"]["totalCount"] > 0
        assert await metric(client, "bff_upstream_breaker_state") == 0

    async def test_graphql_errors_do_not_open_it(
        self, gql: Gql, faults: FaultPlan, upstream: RecordingTransport
    ) -> None:
        faults.set("*", Fault(error_rate=1.0, error="graphql", times=3))
        for _ in range(3):
            await gql(PRODUCTS)
        before = sent(upstream)
        body = await gql(PRODUCTS)
        assert body["data"]["products"]["totalCount"] > 0
        assert sent(upstream) > before


# --- in-flight cap ---------------------------------------------------------------------------


class TestInflightCap:
    @pytest.fixture
    def settings(self) -> Settings:
        return settings_with(max_inflight=1, request_deadline_s=0.3, read_timeout_s=5.0)

    async def test_with_the_only_slot_held_by_a_hung_call_another_is_refused_fast(
        self, gql: Gql, faults: FaultPlan, client: httpx.AsyncClient, upstream: RecordingTransport
    ) -> None:
        faults.set("addProductsToCart", Fault(hang=True, hang_seconds=5.0))
        hung = asyncio.ensure_future(gql(ADD))  # a write: never cut short, it holds the slot

        async def held() -> bool:
            return any(b"addProductsToCart" in r.content for r in upstream.requests)

        await eventually(held, what="addProductsToCart reached Magento")
        assert await metric(client, "bff_upstream_inflight") == 1
        started = time.monotonic()
        body = await gql(PRODUCTS)
        refused_after = time.monotonic() - started
        hung.cancel()
        await asyncio.gather(hung, return_exceptions=True)
        assert error_code(body) == "UPSTREAM_UNAVAILABLE"
        assert refused_after < FAST_ENOUGH_S
        assert await metric(client, 'bff_upstream_rejected_total{reason="inflight"}') == 1
