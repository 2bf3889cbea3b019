"""Redis restarted, down or hung: the pooled client recovers by itself and fails fast, coded.

Each test runs its own redis-server (``RestartableRedis``), which it stops, pauses or restarts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bff.errors import StoreUnavailable
from bff.sessions.models import Session
from bff.sessions.redis import RedisSessionStore
from bff.sessions.redis_connection import HUNG_AFTER, HUNG_PAUSE_S, redis_from_url
from bff.sessions.tokens import new_token, session_id
from tests.servers import RestartableRedis, restartable_redis
from tests.stores.conftest import IDLE_TTL

POOLED = 40  # connections opened before the restart, all idle in the pool when it happens
TIMEOUT_S = 0.25
HANG_BOUND_S = 2.0  # without a command timeout a paused Redis never answers


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RestartableRedis]:
    with restartable_redis(tmp_path) as redis:
        yield redis


@pytest.fixture
async def client(server: RestartableRedis) -> AsyncIterator[Redis]:
    redis = redis_from_url(server.url, pool_size=50, pool_timeout_s=2.0, timeout_s=TIMEOUT_S)
    try:
        yield redis
    finally:
        await redis.aclose()


def sessions(n: int) -> list[Session]:
    return [Session(id=session_id(new_token()), cart_id=f"cart-{i}") for i in range(n)]


async def test_every_idle_pooled_connection_works_after_a_redis_restart(
    server: RestartableRedis, client: Redis
) -> None:
    store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
    stored = sessions(POOLED)
    await asyncio.gather(*(store.create(s) for s in stored))  # opens POOLED connections at once
    server.restart()
    loaded = await asyncio.gather(*(store.load(s.id) for s in stored))
    assert [s.cart_id if s else None for s in loaded] == [s.cart_id for s in stored]


async def test_a_stopped_redis_is_store_unavailable(server: RestartableRedis, client: Redis) -> None:
    store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
    server.stop()
    with pytest.raises(StoreUnavailable):
        await store.load(session_id(new_token()))


async def test_the_store_answers_again_once_redis_is_back(server: RestartableRedis, client: Redis) -> None:
    store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
    [session] = sessions(1)
    await store.create(session)
    server.stop()
    with pytest.raises(StoreUnavailable):
        await store.load(session.id)
    server.start()
    assert await store.load(session.id) == session


async def test_a_hung_redis_is_store_unavailable_within_the_command_timeout(
    server: RestartableRedis, client: Redis
) -> None:
    store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
    await store.create(sessions(1)[0])  # a pooled connection exists when Redis hangs
    server.pause()
    async with asyncio.timeout(HANG_BOUND_S):
        with pytest.raises(StoreUnavailable):
            await store.load(session_id(new_token()))


async def test_after_timeouts_in_a_row_the_next_command_fails_without_being_sent(
    server: RestartableRedis, client: Redis
) -> None:
    """A hung Redis costs a few timeouts, not one per command: then commands fail at once, not sent."""
    store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
    await store.create(sessions(1)[0])
    server.pause()
    details = []
    for _ in range(HUNG_AFTER + 1):
        with pytest.raises(StoreUnavailable) as failed:
            await store.load(session_id(new_token()))
        details.append(failed.value.detail)
    assert details == ["TimeoutError"] * HUNG_AFTER + ["ConnectionError"]


async def test_one_late_reply_does_not_stop_the_client_sending(server: RestartableRedis, client: Redis) -> None:
    """On a saturated event loop a reply can be read after its timeout although Redis is well."""
    store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
    [session] = sessions(1)
    await store.create(session)
    server.pause()
    with pytest.raises(StoreUnavailable):
        await store.load(session.id)
    server.resume()
    assert await store.load(session.id) == session


async def test_commands_are_sent_again_once_the_pause_after_a_hang_is_over(
    server: RestartableRedis, client: Redis
) -> None:
    store = RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL)
    [session] = sessions(1)
    await store.create(session)
    server.pause()
    for _ in range(HUNG_AFTER):
        with pytest.raises(StoreUnavailable):
            await store.load(session.id)
    server.resume()
    await asyncio.sleep(HUNG_PAUSE_S)
    assert await store.load(session.id) == session
