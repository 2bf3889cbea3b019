"""The same storefront flows with sessions and idempotency records in a real Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import BlockingConnectionPool, Redis
from starlette.applications import Starlette

from bff.app import create_app
from bff.persisted.hashes import document_hash
from bff.sandbox import SandboxState
from bff.settings import PersistedQuerySettings, SessionSettings, Settings
from tests.api.test_checkout import CHECKOUT
from tests.fake_clock import FakeClock
from tests.storefront import checkout_input
from tests.storefront_fixtures import without_cost
from tests.waiting import eventually

ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'
CART = "{ cart { totalQuantity } }"


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


@pytest.fixture
async def redis_client(
    redis: Redis, redis_url: str, sandbox_app: Starlette, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        environment="test", redis_url=SecretStr(redis_url), session=SessionSettings(cookie_secure=False)
    )
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        yield c


async def test_a_guest_checkout_with_sessions_in_redis(
    redis_client: httpx.AsyncClient, redis: Redis, sandbox_state: SandboxState
) -> None:
    await redis_client.post("/graphql", json={"query": ADD})
    response = await redis_client.post("/graphql", json={"query": CHECKOUT, "variables": {"input": checkout_input()}})
    assert response.json()["data"]["checkout"]["order"]["number"] == sandbox_state.orders[0].number
    keys = {k.decode() async for k in redis.scan_iter("bff:v1:*")}
    assert any(k.startswith("bff:v1:session:") for k in keys)
    assert any(k.startswith("bff:v1:idem:") for k in keys)


async def test_redis_holds_neither_the_session_token_nor_the_masked_cart_id_in_keys(
    redis_client: httpx.AsyncClient, redis: Redis, sandbox_state: SandboxState
) -> None:
    await redis_client.post("/graphql", json={"query": ADD})
    token = redis_client.cookies["bff_session"]
    keys = " ".join([k.decode() async for k in redis.scan_iter("*")])
    assert token not in keys
    assert all(cart_id not in keys for cart_id in sandbox_state.carts)


async def test_sessions_in_redis_expire_after_the_idle_timeout(redis_client: httpx.AsyncClient, redis: Redis) -> None:
    await redis_client.post("/graphql", json={"query": ADD})
    assert without_cost((await redis_client.post("/graphql", json={"query": CART})).json()) == {
        "data": {"cart": {"totalQuantity": 1}}
    }
    [key] = [k async for k in redis.scan_iter("bff:v1:session:*")]
    assert await redis.ttl(key) == 7 * 24 * 3600  # the idle timeout, restarted by the last request
    await redis.pexpire(key, 1)  # the idle week passes: Redis, not the BFF, drops the session

    async def gone() -> bool:
        return await redis.exists(key) == 0

    await eventually(gone, what="Redis has expired the session", timeout_s=5)
    assert without_cost((await redis_client.post("/graphql", json={"query": CART})).json()) == {
        "data": {"cart": {"totalQuantity": 0}}
    }


def test_the_app_sizes_its_redis_pool_from_the_settings(redis_url: str, sandbox_app: Starlette) -> None:
    settings = Settings(
        environment="test", redis_url=SecretStr(redis_url), redis_pool_size=3, redis_pool_timeout_s=0.75
    )
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app))
    pool = app.state.redis.connection_pool
    assert isinstance(pool, BlockingConnectionPool)
    assert (pool.max_connections, pool.timeout) == (3, 0.75)


async def test_a_burst_of_shoppers_on_a_two_connection_redis_pool_all_get_their_carts(
    redis: Redis, redis_url: str, sandbox_app: Starlette, clock: FakeClock
) -> None:
    settings = Settings(
        environment="test",
        redis_url=SecretStr(redis_url),
        redis_pool_size=2,
        session=SessionSettings(cookie_secure=False),
    )
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    transport = httpx.ASGITransport(app=app)

    async def shopper() -> tuple[int, object]:
        async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as c:
            response = await c.post("/graphql", json={"query": ADD})
            return response.status_code, without_cost(response.json())

    try:
        answers = await asyncio.gather(*(shopper() for _ in range(30)))
    finally:
        await app.state.redis.aclose()
    assert answers == [(200, {"data": {"addToCart": {"userErrors": []}}})] * 30
    assert len([k async for k in redis.scan_iter("bff:v1:session:*")]) == 30


async def test_automatic_persisted_queries_are_registered_in_redis_for_their_ttl(
    redis_client: httpx.AsyncClient, redis: Redis
) -> None:
    query = "query Cart { cart { totalQuantity } }"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": document_hash(query)}}
    await redis_client.post("/graphql", json={"query": query, "extensions": extensions})
    key = f"bff:v1:apq:{document_hash(query)}"
    assert (await redis.get(key), await redis.ttl(key)) == (query.encode(), PersistedQuerySettings().apq_ttl_s)
    response = await redis_client.post("/graphql", json={"extensions": extensions})
    assert without_cost(response.json()) == {"data": {"cart": {"totalQuantity": 0}}}
