"""Redis fails while an order is being placed, hangs, or restarts: the shopper is told the truth.

An order Magento placed is reported with its number although Redis failed afterwards; once Redis
answers again the result is recorded, and a retry with the same key replays the same number
(one order). With Redis hung, session requests fail fast and coded while catalog reads go on; a
restarted Redis costs no failed request. Each test runs its own redis-server with persistence
(``RestartableRedis``), so a restart keeps the data, as a deployment with persistence does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import SandboxState
from bff.sandbox.faults import Fault, FaultPlan
from bff.sessions.redis_connection import HUNG_PAUSE_S
from bff.settings import SessionSettings, Settings
from tests.api.test_checkout import CHECKOUT
from tests.fake_clock import FakeClock
from tests.servers import RestartableRedis, restartable_redis
from tests.storefront import checkout_input
from tests.waiting import eventually

ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'
CART = "{ cart { totalQuantity } }"
CATALOG = "{ storeConfig { storeCode } }"
PLACING_S = 1.5  # placeOrder's latency in the sandbox: Redis fails meanwhile
HANG_BOUND_S = 2.0  # a paused Redis never answers: without a command timeout the request would hang


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RestartableRedis]:
    with restartable_redis(tmp_path) as redis:
        yield redis


@pytest.fixture
async def shopper(
    server: RestartableRedis, sandbox_app: Starlette, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment="test", redis_url=SecretStr(server.url), session=SessionSettings(cookie_secure=False)
    )
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client
        server.resume()  # a test may leave Redis hung: the app's shutdown then talks to a live one


async def checkout(shopper: httpx.AsyncClient, key: str) -> httpx.Response:
    return await shopper.post("/graphql", json={"query": CHECKOUT, "variables": {"input": checkout_input(key)}})


def number(response: httpx.Response) -> str | None:
    order = response.json()["data"]["checkout"]["order"]
    return order["number"] if order else None


async def place_order_sent(redis_url: str) -> bool:
    """Whether a checkout journaled its placeOrder attempt (it is sent right after)."""
    client = Redis.from_url(redis_url)
    try:
        records = [await client.get(name) async for name in client.scan_iter("bff:v1:idem:*")]
    finally:
        await client.aclose()
    return any(record and b"place_order_sent" in record for record in records)


async def checkout_while(
    shopper: httpx.AsyncClient,
    server: RestartableRedis,
    faults: FaultPlan,
    key: str,
    redis_fails: Callable[[], object],
) -> httpx.Response:
    """A checkout whose placeOrder takes PLACING_S; ``redis_fails`` runs once placeOrder was sent."""
    await shopper.post("/graphql", json={"query": ADD})
    faults.set("placeOrder", Fault(latency_ms=PLACING_S * 1000))
    placing = asyncio.create_task(checkout(shopper, key))
    await eventually(lambda: place_order_sent(server.url), what="placeOrder sent", interval_s=0.02)
    await asyncio.to_thread(redis_fails)
    return await placing


async def test_an_order_placed_while_redis_stops_is_reported_with_its_number(
    shopper: httpx.AsyncClient, server: RestartableRedis, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    answer = await checkout_while(shopper, server, faults, "redis-stops-1", server.stop)
    assert number(answer) == sandbox_state.orders[0].number


async def test_a_retry_once_redis_is_back_replays_the_same_order(
    shopper: httpx.AsyncClient, server: RestartableRedis, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    first = await checkout_while(shopper, server, faults, "redis-stops-2", server.stop)
    await asyncio.to_thread(server.start)
    retry = await checkout(shopper, "redis-stops-2")
    assert number(first) == number(retry) == sandbox_state.orders[0].number
    assert len(sandbox_state.orders) == 1


async def test_an_order_placed_while_redis_hangs_is_reported_and_replayed_after(
    shopper: httpx.AsyncClient, server: RestartableRedis, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    first = await checkout_while(shopper, server, faults, "redis-hangs-1", server.pause)
    server.resume()
    await asyncio.sleep(HUNG_PAUSE_S)  # a client that saw Redis hang may send nothing for this long
    retry = await checkout(shopper, "redis-hangs-1")
    assert number(first) == number(retry) == sandbox_state.orders[0].number
    assert len(sandbox_state.orders) == 1


async def test_with_redis_hung_a_session_request_is_upstream_unavailable_fast(
    shopper: httpx.AsyncClient, server: RestartableRedis
) -> None:
    await shopper.post("/graphql", json={"query": ADD})
    server.pause()
    async with asyncio.timeout(HANG_BOUND_S):
        response = await shopper.post("/graphql", json={"query": CART})
    assert (response.status_code, response.json()["errors"][0]["extensions"]["code"]) == (503, "UPSTREAM_UNAVAILABLE")


async def test_with_redis_hung_a_catalog_read_with_a_session_answers(
    shopper: httpx.AsyncClient, server: RestartableRedis
) -> None:
    await shopper.post("/graphql", json={"query": ADD})
    server.pause()
    async with asyncio.timeout(HANG_BOUND_S):
        response = await shopper.post("/graphql", json={"query": CATALOG})
    assert (response.status_code, response.json()["data"]) == (200, {"storeConfig": {"storeCode": "default"}})


async def test_the_first_session_request_after_a_redis_restart_succeeds(
    shopper: httpx.AsyncClient, server: RestartableRedis
) -> None:
    await shopper.post("/graphql", json={"query": ADD})
    await asyncio.to_thread(server.restart)
    response = await shopper.post("/graphql", json={"query": CART})
    assert (response.status_code, response.json()["data"]) == (200, {"cart": {"totalQuantity": 1}})
