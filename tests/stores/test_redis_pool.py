"""The Redis connection pool is bounded and blocking: when every connection is busy, a command
waits for one instead of failing (a checkout storm once got ``MaxConnectionsError: Too many
connections`` from redis-py's default pool). Run against the real redis-server, directly and
through a real Sentinel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bff.errors import StoreUnavailable
from bff.sessions.models import Session
from bff.sessions.redis import RedisSessionStore
from bff.sessions.redis_connection import redis_from_url
from bff.sessions.tokens import new_token, session_id
from tests.stores.conftest import IDLE_TTL

POOL_SIZE = 2
SHOPPERS = 50


@pytest.fixture(params=["redis", "sentinel"])
def url(request: pytest.FixtureRequest, redis_url: str) -> str:
    if request.param == "redis":
        return redis_url
    sentinel_url: str = request.getfixturevalue("sentinel_url")
    return sentinel_url


@pytest.fixture
async def small_pool(url: str, redis_client: Redis) -> AsyncIterator[Redis]:
    """A client whose pool has two connections, on an empty database (``redis_client`` flushes it)."""
    client = redis_from_url(url, pool_size=POOL_SIZE, pool_timeout_s=5.0)
    try:
        yield client
    finally:
        await client.aclose()


def new_session(n: int) -> Session:
    return Session(id=session_id(new_token()), cart_id=f"cart-{n}", currency="EUR")


async def test_fifty_concurrent_session_operations_all_succeed_on_a_pool_of_two(small_pool: Redis) -> None:
    store = RedisSessionStore(small_pool, idle_ttl_seconds=IDLE_TTL)
    sessions = [new_session(n) for n in range(SHOPPERS)]

    async def create_save_load(session: Session) -> Session | None:
        await store.create(session)
        await store.save(session.with_changes(currency="USD"))
        return await store.load(session.id)

    loaded = await asyncio.gather(*(create_save_load(s) for s in sessions))
    assert loaded == [s.with_changes(currency="USD") for s in sessions]


async def test_a_pool_of_two_opens_exactly_two_connections_under_load(redis_url: str, redis_client: Redis) -> None:
    before = len(await redis_client.client_list())
    client = redis_from_url(redis_url, pool_size=POOL_SIZE, pool_timeout_s=5.0)
    try:
        store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
        await asyncio.gather(*(store.create(new_session(n)) for n in range(SHOPPERS)))
        assert len(await redis_client.client_list()) == before + POOL_SIZE
    finally:
        await client.aclose()


async def test_a_command_fails_with_a_connection_error_when_no_connection_frees_up_within_the_timeout(
    url: str, redis_client: Redis
) -> None:
    client = redis_from_url(url, pool_size=POOL_SIZE, pool_timeout_s=0.2)
    pool = client.connection_pool
    held = [await pool.get_connection() for _ in range(POOL_SIZE)]  # type: ignore[no-untyped-call]
    try:
        store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
        with pytest.raises(StoreUnavailable) as caught:
            await store.load(session_id(new_token()))
        cause = caught.value.__cause__
        assert (type(cause), str(cause)) == (RedisConnectionError, "No connection available.")
    finally:
        for connection in held:
            await pool.release(connection)
        await client.aclose()
