"""Identical public reads in flight at the same time share one Magento call; nothing else does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import MagentoSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording import GatedTransport, RecordingTransport, settle

LISTING = "query Listing($search: String) { products(search: $search, pageSize: 3) { totalCount items { sku } } }"
ADD_TO_CART = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'
CART = "{ cart { totalQuantity } }"


@pytest.fixture
def gate(sandbox_app: Starlette) -> GatedTransport:
    return GatedTransport(httpx.ASGITransport(app=sandbox_app))


@pytest.fixture
def upstream(gate: GatedTransport) -> RecordingTransport:
    return RecordingTransport(gate)


def bff(settings: Settings, upstream: RecordingTransport, clock: FakeClock) -> httpx.AsyncClient:
    app = create_app(settings, magento_transport=upstream, clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test")


@pytest.fixture
async def client(
    settings: Settings, upstream: RecordingTransport, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    async with bff(settings, upstream, clock) as c:
        yield c


async def concurrently(
    client: httpx.AsyncClient, gate: GatedTransport, requests: list[tuple[str, dict[str, Any], dict[str, str]]]
) -> list[dict[str, Any]]:
    """Send ``(query, variables, headers)`` requests at once; Magento answers none until all are in."""
    sent = [
        asyncio.create_task(client.post("/graphql", json={"query": q, "variables": v}, headers=h))
        for q, v, h in requests
    ]
    await settle()
    gate.open()
    return [(await s).json() for s in sent]


def calls_of(upstream: RecordingTransport, operation: str) -> int:
    return sum(1 for r in upstream.requests if r.url.params.get("operationName") == operation)


async def test_concurrent_identical_listing_reads_make_one_magento_call(
    client: httpx.AsyncClient, gate: GatedTransport, upstream: RecordingTransport
) -> None:
    answers = await concurrently(client, gate, [(LISTING, {"search": "bag"}, {})] * 8)
    assert (calls_of(upstream, "ProductListing"), len({str(a["data"]) for a in answers})) == (1, 1)


async def test_every_concurrent_identical_read_gets_the_answer(client: httpx.AsyncClient, gate: GatedTransport) -> None:
    answers = await concurrently(client, gate, [(LISTING, {"search": "bag"}, {})] * 4)
    assert [a["data"]["products"]["totalCount"] > 0 for a in answers] == [True] * 4


async def test_concurrent_reads_with_different_variables_make_separate_calls(
    client: httpx.AsyncClient, gate: GatedTransport, upstream: RecordingTransport
) -> None:
    await concurrently(client, gate, [(LISTING, {"search": s}, {}) for s in ("bag", "tee", "bag", "tee")])
    assert calls_of(upstream, "ProductListing") == 2


async def test_concurrent_reads_for_different_store_views_make_separate_calls(
    client: httpx.AsyncClient, gate: GatedTransport, upstream: RecordingTransport
) -> None:
    await concurrently(client, gate, [(LISTING, {"search": "bag"}, {"Store": s}) for s in ("de", "default", "de")])
    assert calls_of(upstream, "ProductListing") == 2


async def test_concurrent_reads_in_different_currencies_make_separate_calls(
    client: httpx.AsyncClient, gate: GatedTransport, upstream: RecordingTransport
) -> None:
    currencies = ("EUR", "USD", "EUR", "USD")
    await concurrently(client, gate, [(LISTING, {"search": "bag"}, {"Content-Currency": c}) for c in currencies])
    assert calls_of(upstream, "ProductListing") == 2


async def test_concurrent_cart_reads_are_never_collapsed(
    client: httpx.AsyncClient, gate: GatedTransport, upstream: RecordingTransport
) -> None:
    gate.open()
    await client.post("/graphql", json={"query": ADD_TO_CART})
    before = len(upstream.requests)
    await asyncio.gather(*(client.post("/graphql", json={"query": CART}) for _ in range(3)))
    assert len(upstream.requests) - before == 3


async def test_with_single_flight_off_every_read_makes_its_own_call(
    upstream: RecordingTransport, gate: GatedTransport, clock: FakeClock
) -> None:
    settings = Settings(environment="test", magento=MagentoSettings(single_flight=False))
    async with bff(settings, upstream, clock) as c:
        await concurrently(c, gate, [(LISTING, {"search": "bag"}, {})] * 3)
    assert calls_of(upstream, "ProductListing") == 3
