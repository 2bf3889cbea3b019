"""The order's event is written in the same atomic step as its result: once, only when the record
moves to done, on Redis and on the in-process twin."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bff.events.catalogue import ORDER_PLACED, order_placed
from bff.events.models import Event
from bff.events.redis import RedisEventStreams
from bff.sessions.memory import MemoryIdempotencyStore
from bff.sessions.redis import RedisIdempotencyStore
from bff.sessions.store import IdempotencyStore
from tests.fake_clock import FakeClock

SCOPE, KEY = "session-1", "key-1"
RESULT: dict[str, object] = {"number": "000000042"}


def an_order_event() -> Event:
    return order_placed(
        number="000000042", email="a@example.com", total="12.50", currency="USD", signed_in=False, idempotency_key=KEY
    )


class Backend:
    def __init__(self, store: IdempotencyStore, redis: Redis | None) -> None:
        self.store = store
        self.redis = redis

    async def outbox(self) -> list[Event]:
        if isinstance(self.store, MemoryIdempotencyStore):
            return list(self.store.outbox.events)
        assert self.redis is not None
        return [e.event() for e in await RedisEventStreams(self.redis).events()]


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> Backend:
    clock = FakeClock()
    if request.param == "memory":
        return Backend(MemoryIdempotencyStore(clock), None)
    redis: Redis = request.getfixturevalue("redis_client")
    return Backend(RedisIdempotencyStore(redis, clock), redis)


async def test_completing_a_claimed_key_with_an_event_writes_the_event_once(backend: Backend) -> None:
    await backend.store.claim(SCOPE, KEY, "fp", lease_seconds=30)
    event = an_order_event()
    await backend.store.complete(SCOPE, KEY, RESULT, event)
    assert await backend.outbox() == [event]


async def test_completing_a_key_again_adds_no_second_event(backend: Backend) -> None:
    await backend.store.claim(SCOPE, KEY, "fp", lease_seconds=30)
    event = an_order_event()
    await backend.store.complete(SCOPE, KEY, RESULT, event)
    await backend.store.complete(SCOPE, KEY, RESULT, event)  # a pending write's retry, a duplicate
    await backend.store.complete(SCOPE, KEY, RESULT, an_order_event())
    assert [e.id for e in await backend.outbox()] == [event.id]


async def test_completing_an_unclaimed_key_writes_no_event(backend: Backend) -> None:
    await backend.store.complete(SCOPE, KEY, RESULT, an_order_event())
    assert await backend.outbox() == []


async def test_the_order_event_carries_a_hash_of_the_idempotency_key_never_the_key(backend: Backend) -> None:
    await backend.store.claim(SCOPE, KEY, "fp", lease_seconds=30)
    await backend.store.complete(SCOPE, KEY, RESULT, an_order_event())
    (event,) = await backend.outbox()
    assert event.type == ORDER_PLACED
    assert KEY not in repr(event.data)
    assert len(event.data["idempotency_key_hash"]) == 64
