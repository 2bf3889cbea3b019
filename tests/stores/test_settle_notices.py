"""A duplicate waiting for a key is told when the key settles: on the memory twin and on Redis,
where the notice crosses processes (two clients on one redis-server stand for two replicas)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bff.sessions.redis import RedisIdempotencyStore
from bff.sessions.store import IdempotencyStore
from tests.fake_clock import FakeClock
from tests.stores.conftest import RECORD_TTL

Idempotency = tuple[IdempotencyStore, FakeClock]

SCOPE = "session-3f2a"
KEY = "order-key-1"
FP = "fingerprint-a"
LEASE = 30.0
LONG_S = 5.0  # a notice arrives long before this; a missing one makes the wait time out
SETTLE_IN_S = 0.3  # the Redis store subscribes when a watch first waits, and wakes every watch then


async def test_a_watch_is_told_when_its_key_completes(idempotency: Idempotency) -> None:
    store, _ = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    with store.watch(SCOPE, KEY) as settled:
        await store.complete(SCOPE, KEY, {"order": "000000001"})
        assert await settled.wait(LONG_S)
    await store.aclose()


async def test_a_watch_is_told_when_its_key_is_released(idempotency: Idempotency) -> None:
    store, _ = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    with store.watch(SCOPE, KEY) as settled:
        await store.release(SCOPE, KEY)
        assert await settled.wait(LONG_S)
    await store.aclose()


async def test_a_watch_is_not_told_about_another_key(idempotency: Idempotency) -> None:
    store, _ = idempotency
    await store.claim(SCOPE, "other-key-1", FP, LEASE)
    with store.watch(SCOPE, KEY) as settled:
        await settled.wait(SETTLE_IN_S)
        await store.complete(SCOPE, "other-key-1", {"order": "000000001"})
        assert not await settled.wait(SETTLE_IN_S)
    await store.aclose()


@pytest.fixture
async def other_replica(redis_url: str, clock: FakeClock) -> AsyncIterator[RedisIdempotencyStore]:
    client = Redis.from_url(redis_url)
    store = RedisIdempotencyStore(client, clock, ttl_seconds=RECORD_TTL)
    try:
        yield store
    finally:
        await store.aclose()
        await client.aclose()


async def test_a_key_completed_by_another_replica_wakes_the_watch(
    redis_client: Redis, clock: FakeClock, other_replica: RedisIdempotencyStore
) -> None:
    store = RedisIdempotencyStore(redis_client, clock, ttl_seconds=RECORD_TTL)
    await other_replica.claim(SCOPE, KEY, FP, LEASE)
    with store.watch(SCOPE, KEY) as settled:
        await settled.wait(SETTLE_IN_S)  # subscribes
        await other_replica.complete(SCOPE, KEY, {"order": "000000001"})
        assert await settled.wait(LONG_S)
    await store.aclose()


async def test_a_claim_sent_again_after_a_lost_reply_is_still_claimed(
    redis_client: Redis, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client repeats a script whose connection dropped before the reply: a claim that took
    effect must not come back as somebody else's claim in progress."""
    store = RedisIdempotencyStore(redis_client, clock, ttl_seconds=RECORD_TTL)
    monkeypatch.setattr("bff.sessions.redis.secrets.token_hex", lambda _: "one-claim")
    first = await store.claim(SCOPE, KEY, FP, LEASE)
    repeated = await store.claim(SCOPE, KEY, FP, LEASE)
    assert (first.outcome, repeated.outcome) == ("claimed", "claimed")


async def test_another_claim_while_the_lease_lives_is_in_progress(redis_client: Redis, clock: FakeClock) -> None:
    store = RedisIdempotencyStore(redis_client, clock, ttl_seconds=RECORD_TTL)
    await store.claim(SCOPE, KEY, FP, LEASE)
    assert (await store.claim(SCOPE, KEY, FP, LEASE)).outcome == "in_progress"
