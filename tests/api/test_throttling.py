"""Cost-budget throttling and HTTP rate limits, end to end (memory stores, and one Redis for two apps)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import ApiKeyBudget, CacheSettings, RateLimitSettings, Settings, ThrottleSettings
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport

PAGE_OF_30 = "{ products(pageSize: 30) { items { sku } } }"  # 5 + 5 (listing options) + 1 + 30 = 41 points
WRONG_SIGN_IN = """mutation { signIn(email: "roni_cost@example.com", password: "wrong-Password-1") {
  userErrors { code } } }"""
SMALL_BUCKET = ThrottleSettings(maximum=100, restore_rate=1.0)
UNCACHED = CacheSettings(enabled=False)  # a response-cache hit is never charged: every request must reach admission


def client_for(app: Starlette, ip: str = "203.0.113.10") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://bff.test")


@pytest.fixture
def upstream(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


async def app_with(
    settings: Settings, upstream: RecordingTransport, clock: FakeClock, ip: str = "203.0.113.10"
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(create_app(settings, magento_transport=upstream, clock=clock), ip) as c:
        yield c


@pytest.fixture
async def small_budget(upstream: RecordingTransport, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async for c in app_with(Settings(environment="test", cache=UNCACHED, throttle=SMALL_BUCKET), upstream, clock):
        yield c


async def listing(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> httpx.Response:
    return await client.post("/graphql", json={"query": PAGE_OF_30}, headers=headers)


async def test_each_answer_reports_the_bucket_after_its_charge(small_budget: httpx.AsyncClient) -> None:
    first = (await listing(small_budget)).json()["extensions"]["cost"]
    assert first["requestedQueryCost"] == 41
    assert first["throttleStatus"] == {"maximumAvailable": 100, "currentlyAvailable": 100 - first["actualQueryCost"],
                                       "restoreRate": 1.0}  # fmt: skip


async def test_an_empty_bucket_is_throttled_with_a_retry_after_hint(
    small_budget: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await listing(small_budget)
    await listing(small_budget)
    calls_before = len(upstream.requests)
    refused = await listing(small_budget)
    assert refused.status_code == 429
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "THROTTLED"
    assert refused.headers["Retry-After"] == str(error["extensions"]["retryAfterSeconds"])
    assert int(refused.headers["Retry-After"]) >= 1
    assert len(upstream.requests) == calls_before


async def test_the_bucket_refills_at_its_restore_rate(small_budget: httpx.AsyncClient, clock: FakeClock) -> None:
    await listing(small_budget)
    await listing(small_budget)
    refused = await listing(small_budget)
    clock.advance(int(refused.headers["Retry-After"]))
    assert (await listing(small_budget)).status_code == 200


async def test_a_cost_above_the_whole_budget_is_too_complex_not_throttled(
    upstream: RecordingTransport, clock: FakeClock
) -> None:
    settings = Settings(environment="test", cache=UNCACHED, throttle=ThrottleSettings(maximum=30, restore_rate=1.0))
    async for c in app_with(settings, upstream, clock):
        error = (await listing(c)).json()["errors"][0]
        assert (error["extensions"]["code"], error["extensions"]["measure"]) == ("QUERY_TOO_COMPLEX", "costBudget")


async def test_measure_mode_reports_but_never_refuses(upstream: RecordingTransport, clock: FakeClock) -> None:
    settings = Settings(
        environment="test", cache=UNCACHED, throttle=ThrottleSettings(mode="measure", maximum=100, restore_rate=1.0)
    )
    async for c in app_with(settings, upstream, clock):
        statuses = [(await listing(c)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 200]


async def test_a_partner_api_key_has_its_own_budget(upstream: RecordingTransport, clock: FakeClock) -> None:
    partner = ApiKeyBudget(key=SecretStr("k" * 40), maximum=5000, restore_rate=50.0)
    settings = Settings(environment="test", cache=UNCACHED, throttle=ThrottleSettings(api_keys={"erp": partner}))
    async for c in app_with(settings, upstream, clock):
        status = (await listing(c, {"X-Api-Key": "k" * 40})).json()["extensions"]["cost"]["throttleStatus"]
        assert (status["maximumAvailable"], status["restoreRate"]) == (5000, 50.0)
        unknown = await listing(c, {"X-Api-Key": "not-a-key"})
        assert unknown.status_code == 401
        assert unknown.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_two_app_instances_on_one_redis_share_a_bucket(
    redis_url: str, upstream: RecordingTransport, clock: FakeClock
) -> None:
    settings = Settings(environment="test", cache=UNCACHED, redis_url=SecretStr(redis_url), throttle=SMALL_BUCKET)
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"  # a client of its own on the shared test Redis
    async for first in app_with(settings, upstream, clock, ip):
        async for second in app_with(settings, upstream, clock, ip):
            spent = (await listing(first)).json()["extensions"]["cost"]
            seen = (await listing(second)).json()["extensions"]["cost"]
            assert seen["throttleStatus"]["currentlyAvailable"] == (
                100 - spent["actualQueryCost"] - seen["actualQueryCost"]
            )


async def test_sign_in_attempts_per_email_are_rate_limited_with_retry_after(
    upstream: RecordingTransport, clock: FakeClock
) -> None:
    settings = Settings(environment="test", cache=UNCACHED, rate_limits=RateLimitSettings(sign_in_per_email="5/minute"))
    async for c in app_with(settings, upstream, clock):
        answers = [await c.post("/graphql", json={"query": WRONG_SIGN_IN}) for _ in range(6)]
        assert [a.status_code for a in answers] == [200] * 5 + [429]
        refused = answers[-1]
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.headers["RateLimit-Limit"] == "5"
        assert refused.headers["RateLimit-Remaining"] == "0"


async def test_rate_limit_headers_come_with_successful_answers(small_budget: httpx.AsyncClient) -> None:
    response = await listing(small_budget)
    assert response.status_code == 200
    assert [name in response.headers for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")] == [
        True, True, True,
    ]  # fmt: skip
