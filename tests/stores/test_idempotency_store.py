"""The idempotency store contract, on the memory twin and on a real redis-server.

Leases are judged by the injected clock on both stores, so the FakeClock drives lease expiry for
Redis too; the 24 h record TTL is enforced by the Redis server and asserted with ``PTTL``.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest
from redis.asyncio import Redis

from bff.sessions.memory import MemoryIdempotencyStore
from bff.sessions.models import Claim, IdempotencyRecord
from bff.sessions.redis import RedisIdempotencyStore
from bff.sessions.store import IdempotencyStore
from tests.fake_clock import START, FakeClock
from tests.stores.conftest import RECORD_TTL

Idempotency = tuple[IdempotencyStore, FakeClock]

SCOPE = "session-3f2a"
KEY = "order-key-1"
FP = "fingerprint-a"
LEASE = 30.0


def fresh_record(*, at: float = START, key: str = KEY, fingerprint: str = FP) -> IdempotencyRecord:
    return IdempotencyRecord(key=key, fingerprint=fingerprint, lease_expires_at=at + LEASE, created_at=at)


@pytest.fixture
def redis_idempotency(redis_client: Redis, clock: FakeClock) -> RedisIdempotencyStore:
    return RedisIdempotencyStore(redis_client, clock, ttl_seconds=RECORD_TTL)


async def test_the_first_claim_of_a_key_is_claimed(idempotency: Idempotency) -> None:
    store, _ = idempotency
    assert await store.claim(SCOPE, KEY, FP, LEASE) == Claim("claimed", fresh_record())
    assert await store.get(SCOPE, KEY) == fresh_record()


async def test_the_same_fingerprint_while_the_lease_is_alive_is_in_progress(
    idempotency: Idempotency,
) -> None:
    store, clock = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    clock.advance(LEASE - 0.5)
    assert await store.claim(SCOPE, KEY, FP, LEASE) == Claim("in_progress", fresh_record())


async def test_a_different_fingerprint_is_a_conflict(idempotency: Idempotency) -> None:
    store, clock = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    assert await store.claim(SCOPE, KEY, "fingerprint-b", LEASE) == Claim("conflict", fresh_record())
    clock.advance(LEASE + 1)  # even once the lease has expired
    assert (await store.claim(SCOPE, KEY, "fingerprint-b", LEASE)).outcome == "conflict"
    await store.claim(SCOPE, KEY, FP, LEASE)
    await store.complete(SCOPE, KEY, {"order": "000000042"})
    assert (await store.claim(SCOPE, KEY, "fingerprint-b", LEASE)).outcome == "conflict"


async def test_after_complete_a_claim_is_done_with_the_result(idempotency: Idempotency) -> None:
    store, clock = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    await store.record_step(SCOPE, KEY, "PLACE_ORDER", {"order_number": "000000042"})
    await store.complete(SCOPE, KEY, {"order": {"number": "000000042", "total": "19.90"}})
    clock.advance(LEASE * 10)
    claim = await store.claim(SCOPE, KEY, FP, LEASE)
    assert claim.outcome == "done"
    assert claim.record is not None
    assert claim.record.status == "done"
    assert claim.record.result == {"order": {"number": "000000042", "total": "19.90"}}
    assert claim.record.steps == {"PLACE_ORDER": {"order_number": "000000042"}}


async def test_complete_keeps_the_first_result(idempotency: Idempotency) -> None:
    store, _ = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    await store.complete(SCOPE, KEY, {"order": "1"})
    await store.complete(SCOPE, KEY, {"order": "2"})
    record = await store.get(SCOPE, KEY)
    assert record is not None
    assert record.result == {"order": "1"}


async def test_after_release_the_next_claim_is_claimed_with_the_journal(idempotency: Idempotency) -> None:
    store, clock = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    await store.record_step(SCOPE, KEY, "EMAIL", {"email": "ada@example.com"})
    await store.release(SCOPE, KEY)
    clock.advance(1)
    claim = await store.claim(SCOPE, KEY, FP, LEASE)
    assert claim == Claim(
        "claimed",
        IdempotencyRecord(
            key=KEY,
            fingerprint=FP,
            steps={"EMAIL": {"email": "ada@example.com"}},
            lease_expires_at=START + 1 + LEASE,
            created_at=START,
        ),
    )
    assert (await store.claim(SCOPE, KEY, FP, LEASE)).outcome == "in_progress"


async def test_after_the_lease_expires_the_next_caller_claims_it_with_the_journal(
    idempotency: Idempotency,
) -> None:
    store, clock = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    await store.record_step(SCOPE, KEY, "SHIPPING_ADDRESS", {"city": "Lyon"})
    clock.advance(LEASE)  # the lease ends at exactly this instant
    claim = await store.claim(SCOPE, KEY, FP, 60.0)
    assert claim.outcome == "claimed"
    assert claim.record is not None
    assert claim.record.steps == {"SHIPPING_ADDRESS": {"city": "Lyon"}}
    assert claim.record.lease_expires_at == START + LEASE + 60.0
    assert claim.record.created_at == START
    clock.advance(59)
    assert (await store.claim(SCOPE, KEY, FP, LEASE)).outcome == "in_progress"


async def test_a_takeover_before_any_step_has_an_empty_journal(idempotency: Idempotency) -> None:
    store, clock = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    clock.advance(LEASE + 1)
    later = START + LEASE + 1
    expected = IdempotencyRecord(key=KEY, fingerprint=FP, lease_expires_at=later + LEASE, created_at=START)
    assert await store.claim(SCOPE, KEY, FP, LEASE) == Claim("claimed", expected)
    assert await store.get(SCOPE, KEY) == expected


async def test_recording_a_step_renews_the_lease(idempotency: Idempotency) -> None:
    store, clock = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    clock.advance(LEASE - 1)
    await store.record_step(SCOPE, KEY, "EMAIL", {"email": "ada@example.com"})
    clock.advance(LEASE - 1)
    claim = await store.claim(SCOPE, KEY, FP, LEASE)
    assert claim.outcome == "in_progress"
    assert claim.record is not None
    assert claim.record.lease_expires_at == START + (LEASE - 1) + LEASE


async def test_the_journal_round_trips_exactly_and_in_order(idempotency: Idempotency) -> None:
    store, _ = idempotency
    tricky: dict[str, Any] = {
        "float": 1767225600.1234567,
        "tiny": 1e-300,
        "big": 2**62 + 1,
        "empty_list": [],
        "empty_object": {},
        "nested": [{"a": [1, 2.5, None, True, False]}],
        "text": 'Zoë 🛒 "quoted" \\ / \n\t',
    }
    await store.claim(SCOPE, KEY, FP, LEASE)
    await store.record_step(SCOPE, KEY, "ITEMS", tricky)
    await store.record_step(SCOPE, KEY, "EMAIL", "ada@example.com")
    await store.record_step(SCOPE, KEY, "SHIPPING_ADDRESS", None)
    await store.record_step(SCOPE, KEY, "EMAIL", {"email": "grace@example.com"})  # replaced in place
    await store.complete(SCOPE, KEY, {"order": tricky})
    record = await store.get(SCOPE, KEY)
    assert record is not None
    assert list(record.steps.items()) == [
        ("ITEMS", tricky),
        ("EMAIL", {"email": "grace@example.com"}),
        ("SHIPPING_ADDRESS", None),
    ]
    assert record.result == {"order": tricky}


async def test_data_that_is_not_json_is_refused(idempotency: Idempotency) -> None:
    store, _ = idempotency
    await store.claim(SCOPE, KEY, FP, LEASE)
    with pytest.raises(TypeError):
        await store.record_step(SCOPE, KEY, "EMAIL", {1, 2})
    with pytest.raises(ValueError, match="JSON"):
        await store.record_step(SCOPE, KEY, "EMAIL", float("nan"))
    assert await store.get(SCOPE, KEY) == fresh_record()


async def test_writes_to_an_unknown_key_do_nothing(idempotency: Idempotency) -> None:
    store, _ = idempotency
    await store.record_step(SCOPE, KEY, "EMAIL", {})
    await store.complete(SCOPE, KEY, {"order": "1"})
    await store.release(SCOPE, KEY)
    assert await store.get(SCOPE, KEY) is None


async def test_twenty_concurrent_claims_give_exactly_one_claimed(idempotency: Idempotency) -> None:
    store, _ = idempotency
    claims = await asyncio.gather(*(store.claim(SCOPE, KEY, FP, LEASE) for _ in range(20)))
    outcomes = sorted(c.outcome for c in claims)
    assert outcomes == ["claimed"] + ["in_progress"] * 19


async def test_different_scopes_with_the_same_key_are_independent(idempotency: Idempotency) -> None:
    store, _ = idempotency
    assert (await store.claim("session-a", KEY, FP, LEASE)).outcome == "claimed"
    assert (await store.claim("session-b", KEY, "fingerprint-b", LEASE)).outcome == "claimed"
    await store.complete("session-a", KEY, {"order": "a"})
    b = await store.get("session-b", KEY)
    assert b == fresh_record(fingerprint="fingerprint-b")


async def test_a_record_is_forgotten_after_its_ttl(clock: FakeClock) -> None:
    store = MemoryIdempotencyStore(clock, ttl_seconds=RECORD_TTL)
    await store.claim(SCOPE, KEY, FP, LEASE)
    await store.complete(SCOPE, KEY, {"order": "1"})
    clock.advance(RECORD_TTL - 1)
    assert (await store.claim(SCOPE, KEY, "fingerprint-b", LEASE)).outcome == "conflict"
    clock.advance(1)
    assert await store.get(SCOPE, KEY) is None
    claim = await store.claim(SCOPE, KEY, "fingerprint-b", LEASE)
    assert claim == Claim("claimed", fresh_record(at=START + RECORD_TTL, fingerprint="fingerprint-b"))


async def test_the_redis_record_lives_24_hours_from_its_first_claim(
    redis_idempotency: RedisIdempotencyStore, redis_client: Redis
) -> None:
    await redis_idempotency.claim(SCOPE, KEY, FP, LEASE)
    ttl_ms = await redis_client.pttl(redis_idempotency.key(SCOPE, KEY))
    assert 86_400_000 - 5_000 < ttl_ms <= 86_400_000


async def test_later_writes_do_not_extend_the_redis_record_ttl(
    redis_idempotency: RedisIdempotencyStore, redis_client: Redis, clock: FakeClock
) -> None:
    key = redis_idempotency.key(SCOPE, KEY)
    await redis_idempotency.claim(SCOPE, KEY, FP, LEASE)
    await redis_client.pexpire(key, 60_000)
    await redis_idempotency.record_step(SCOPE, KEY, "EMAIL", {})
    await redis_idempotency.release(SCOPE, KEY)
    await redis_idempotency.claim(SCOPE, KEY, FP, LEASE)
    clock.advance(LEASE + 1)
    await redis_idempotency.claim(SCOPE, KEY, FP, LEASE)
    await redis_idempotency.complete(SCOPE, KEY, {"order": "1"})
    assert 0 < await redis_client.pttl(key) <= 60_000


async def test_scope_and_key_are_hashed_into_the_redis_key(
    redis_idempotency: RedisIdempotencyStore, redis_client: Redis
) -> None:
    scope, key = "bff:v1:session:*", "key with spaces\n{and:colons}"
    await redis_idempotency.claim(scope, key, FP, LEASE)
    sha = [hashlib.sha256(v.encode()).hexdigest() for v in (scope, key)]
    assert [k async for k in redis_client.scan_iter(match="*")] == [f"bff:v1:idem:{sha[0]}:{sha[1]}".encode()]
    record = await redis_idempotency.get(scope, key)
    assert record is not None
    assert record.key == key
