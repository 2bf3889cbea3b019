"""Fresh hits answered at the edge (``bff.cache.edge``), before the middleware chain: what they
carry, how they are logged and counted, and which requests take the chain instead."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import LogSettings, SessionSettings, Settings
from tests.fake_clock import FakeClock
from tests.observability.conftest import LogCapture, capture_logs
from tests.recording import RecordingTransport

PRODUCT = '{ product(sku: "BAG-001") { sku name } }'
ORIGIN = "http://localhost:3000"  # a development origin the CORS layer allows


def app_with(magento: RecordingTransport, clock: FakeClock, *, sample_hits: float) -> Starlette:
    settings = Settings(
        environment="development",  # allows the loopback origins
        session=SessionSettings(cookie_secure=False),
        log=LogSettings(sample_hits=sample_hits),
    )
    return create_app(settings, magento_transport=magento, clock=clock)


async def two_reads(app: Starlette, **headers: str) -> tuple[httpx.Response, httpx.Response, LogCapture]:
    with contextlib.ExitStack() as stack:
        logs = stack.enter_context(contextlib.contextmanager(capture_logs)(LogSettings(level="INFO")))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as client:
            first = await client.post("/graphql", json={"query": PRODUCT}, headers=headers)
            second = await client.post("/graphql", json={"query": PRODUCT}, headers=headers)
    return first, second, logs


@pytest.fixture
def magento(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


async def test_a_hit_is_in_the_access_log_as_a_cache_hit_without_upstream_calls(
    magento: RecordingTransport, clock: FakeClock
) -> None:
    _, _, logs = await two_reads(app_with(magento, clock, sample_hits=1.0))
    miss, hit = logs.requests()
    assert (miss["cache"], [c["operation"] for c in miss["upstream"]]) == ("miss", ["ProductsBySkus"])
    assert (hit["cache"], hit["status"], hit["outcome"], "upstream" in hit) == ("hit", 200, "OK", False)


async def test_hits_answered_at_the_edge_are_logged_as_sampled_but_all_counted(
    magento: RecordingTransport, clock: FakeClock
) -> None:
    app = app_with(magento, clock, sample_hits=0.0)
    _, hit, logs = await two_reads(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as client:
        metrics = (await client.get("/metrics")).text
    assert hit.headers["x-cache"] == "HIT"
    assert [line["cache"] for line in logs.requests()] == ["miss"]
    assert 'bff_response_cache_total{outcome="hit"} 1.0' in metrics


async def test_a_hit_at_the_edge_echoes_a_valid_request_id_and_replaces_an_invalid_one(
    magento: RecordingTransport, clock: FakeClock
) -> None:
    app = app_with(magento, clock, sample_hits=0.0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as client:
        await client.post("/graphql", json={"query": PRODUCT})
        kept = await client.post("/graphql", json={"query": PRODUCT}, headers={"X-Request-ID": "edge-1"})
        replaced = await client.post("/graphql", json={"query": PRODUCT}, headers={"X-Request-ID": "bad id!"})
    assert (kept.headers["x-cache"], kept.headers["x-request-id"]) == ("HIT", "edge-1")
    assert replaced.headers["x-cache"] == "HIT"
    assert replaced.headers["x-request-id"] != "bad id!"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_a_browser_request_with_an_origin_is_a_hit_with_its_cors_headers(
    magento: RecordingTransport, clock: FakeClock
) -> None:
    """Requests with an ``Origin`` take the chain, whose CORS layer answers for the origin."""
    first, hit, logs = await two_reads(app_with(magento, clock, sample_hits=0.0), Origin=ORIGIN)
    assert hit.headers["x-cache"] == "HIT"
    assert hit.headers["access-control-allow-origin"] == ORIGIN
    assert [line["cache"] for line in logs.requests()] == ["miss", "hit"]  # the chain logs every line
    assert hit.json()["data"] == first.json()["data"]
