"""Store fixtures: each contract test runs once on the memory twin and once on a real redis-server."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bff.persisted.memory import MemoryDocumentStore
from bff.persisted.redis import RedisDocumentStore
from bff.persisted.store import DocumentStore
from bff.sessions.memory import MemoryIdempotencyStore, MemorySessionStore
from bff.sessions.redis import RedisIdempotencyStore, RedisSessionStore
from bff.sessions.store import IdempotencyStore, SessionStore
from tests.fake_clock import FakeClock

IDLE_TTL = 1800.0  # seconds
RECORD_TTL = 86_400.0
APQ_TTL = 3600.0

BACKENDS = ["memory", "redis"]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=BACKENDS)
def sessions(request: pytest.FixtureRequest, clock: FakeClock) -> tuple[SessionStore, FakeClock]:
    if request.param == "memory":
        return MemorySessionStore(clock, idle_ttl_seconds=IDLE_TTL), clock
    client: Redis = request.getfixturevalue("redis_client")
    return RedisSessionStore(client, idle_ttl_seconds=IDLE_TTL), clock


@pytest.fixture(params=BACKENDS)
def idempotency(request: pytest.FixtureRequest, clock: FakeClock) -> tuple[IdempotencyStore, FakeClock]:
    if request.param == "memory":
        return MemoryIdempotencyStore(clock, ttl_seconds=RECORD_TTL), clock
    client: Redis = request.getfixturevalue("redis_client")
    return RedisIdempotencyStore(client, clock, ttl_seconds=RECORD_TTL), clock


@pytest.fixture(params=BACKENDS)
def documents(request: pytest.FixtureRequest, clock: FakeClock) -> tuple[DocumentStore, FakeClock]:
    if request.param == "memory":
        return MemoryDocumentStore(clock, ttl_seconds=APQ_TTL), clock
    client: Redis = request.getfixturevalue("redis_client")
    return RedisDocumentStore(client, ttl_seconds=APQ_TTL), clock
