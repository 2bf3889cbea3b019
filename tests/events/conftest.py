"""Events fixtures: a flushed real Redis and the outbox streams on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bff.events.redis import RedisEventStreams


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def streams(redis_client: Redis) -> RedisEventStreams:
    streams = RedisEventStreams(redis_client, maxlen=1000)
    await streams.ensure_group()
    return streams
