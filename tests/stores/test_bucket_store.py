"""The bucket store contract (bff/limits/buckets.py), on the memory twin and on a real redis-server."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bff.errors import QueryTooComplex
from bff.limits.buckets import BucketStore, Charge
from bff.limits.memory import MemoryBucketStore
from bff.limits.redis import RedisBucketStore
from bff.limits.throttle import Bucket, ThrottleStatus
from tests.fake_clock import START, FakeClock
from tests.stores.conftest import BACKENDS

# Slow enough that no key expires on the real server while a test runs on the fake clock.
BUCKET = Bucket(maximum=100, restore_rate=10.0)
CLIENT = "session:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

Buckets = tuple[BucketStore, FakeClock]


def status(available: int, bucket: Bucket = BUCKET) -> ThrottleStatus:
    return ThrottleStatus(bucket.maximum, available, bucket.restore_rate)


@pytest.fixture(params=BACKENDS)
def buckets(request: pytest.FixtureRequest, clock: FakeClock) -> Buckets:
    if request.param == "memory":
        return MemoryBucketStore(clock), clock
    client: Redis = request.getfixturevalue("redis_client")
    return RedisBucketStore(client, clock), clock


@pytest.fixture
def redis_buckets(redis_client: Redis, clock: FakeClock) -> RedisBucketStore:
    return RedisBucketStore(redis_client, clock)


@pytest.fixture
async def second_replica(redis_url: str, clock: FakeClock) -> AsyncIterator[RedisBucketStore]:
    """Another BFF replica: its own Redis client (connections, pool) on the same server."""
    client = Redis.from_url(redis_url)
    try:
        yield RedisBucketStore(client, clock)
    finally:
        await client.aclose()


# Contract (both stores)


async def test_a_new_client_starts_with_a_full_bucket(buckets: Buckets) -> None:
    store, _ = buckets
    assert await store.charge(CLIENT, 30, BUCKET, enforce=True) == Charge(True, True, 30, status(70), 0.0)


async def test_a_bucket_refills_at_its_restore_rate(buckets: Buckets) -> None:
    store, clock = buckets
    await store.charge(CLIENT, 100, BUCKET, enforce=True)
    clock.advance(2.5)
    assert (await store.charge(CLIENT, 0, BUCKET, enforce=True)).status == status(25)


async def test_a_bucket_never_refills_above_its_maximum(buckets: Buckets) -> None:
    store, clock = buckets
    await store.charge(CLIENT, 40, BUCKET, enforce=True)
    clock.advance(3600)
    assert (await store.charge(CLIENT, 0, BUCKET, enforce=True)).status == status(100)


async def test_an_empty_bucket_refuses_with_the_retry_after_of_the_maths(buckets: Buckets) -> None:
    store, clock = buckets
    await store.charge(CLIENT, 100, BUCKET, enforce=True)
    clock.advance(1)
    assert await store.charge(CLIENT, 35, BUCKET, enforce=True) == Charge(False, False, 0, status(10), 2.5)


async def test_a_refused_charge_takes_nothing_so_it_fits_after_the_retry_after(buckets: Buckets) -> None:
    store, clock = buckets
    await store.charge(CLIENT, 100, BUCKET, enforce=True)
    clock.advance(1)
    await store.charge(CLIENT, 35, BUCKET, enforce=True)
    clock.advance(2.5)
    assert await store.charge(CLIENT, 35, BUCKET, enforce=True) == Charge(True, True, 35, status(0), 0.0)


async def test_a_cost_above_the_maximum_is_refused_for_good_and_takes_nothing(buckets: Buckets) -> None:
    store, _ = buckets
    charge = await store.charge(CLIENT, 101, BUCKET, enforce=True)
    assert charge == Charge(False, False, 0, status(100), None)
    assert isinstance(charge.refusal(101), QueryTooComplex)


async def test_measure_mode_never_refuses(buckets: Buckets) -> None:
    store, _ = buckets
    await store.charge(CLIENT, 100, BUCKET, enforce=False)
    charges = [await store.charge(CLIENT, cost, BUCKET, enforce=False) for cost in (35, 101)]
    assert charges == [Charge(True, False, 0, status(0), 3.5), Charge(True, False, 0, status(0), None)]


async def test_measure_mode_keeps_the_books_of_enforce_mode(buckets: Buckets) -> None:
    store, _ = buckets
    measured = await store.charge(CLIENT, 60, BUCKET, enforce=False)
    enforced = await store.charge(CLIENT, 60, BUCKET, enforce=True)
    assert (measured, enforced) == (Charge(True, True, 60, status(40), 0.0), Charge(False, False, 0, status(40), 2.0))


async def test_a_refund_gives_points_back(buckets: Buckets) -> None:
    store, _ = buckets
    await store.charge(CLIENT, 80, BUCKET, enforce=True)
    assert await store.refund(CLIENT, 30, BUCKET) == status(50)
    assert (await store.charge(CLIENT, 0, BUCKET, enforce=True)).status == status(50)


async def test_a_refund_never_exceeds_the_maximum(buckets: Buckets) -> None:
    store, clock = buckets
    await store.charge(CLIENT, 30, BUCKET, enforce=True)
    clock.advance(2)
    assert await store.refund(CLIENT, 30, BUCKET) == status(100)
    assert (await store.charge(CLIENT, 0, BUCKET, enforce=True)).status == status(100)


async def test_a_refund_to_a_full_bucket_leaves_it_full(buckets: Buckets) -> None:
    store, _ = buckets
    assert await store.refund("ip:203.0.113.9", 50, BUCKET) == status(100)


async def test_clients_have_buckets_of_their_own(buckets: Buckets) -> None:
    store, _ = buckets
    await store.charge(CLIENT, 100, BUCKET, enforce=True)
    assert (await store.charge("ip:203.0.113.9", 10, BUCKET, enforce=True)).status == status(90)


async def test_a_bigger_budget_applies_to_the_same_client_at_once(buckets: Buckets) -> None:
    store, _ = buckets
    partner = Bucket(1_000, 50.0)
    await store.charge("key:erp", 100, BUCKET, enforce=True)
    assert (await store.charge("key:erp", 0, partner, enforce=True)).status == status(0, partner)


async def test_negative_costs_and_refunds_are_bugs(buckets: Buckets) -> None:
    store, _ = buckets
    with pytest.raises(ValueError, match=r"^a cost is never negative"):
        await store.charge(CLIENT, -1, BUCKET, enforce=True)
    with pytest.raises(ValueError, match=r"^a refund is never negative"):
        await store.refund(CLIENT, -1, BUCKET)


async def test_the_store_answers_ping(buckets: Buckets) -> None:
    store, _ = buckets
    assert await store.ping() is True


# Redis only


async def test_the_bucket_key_is_the_hash_of_the_client_id(
    redis_buckets: RedisBucketStore, redis_client: Redis
) -> None:
    await redis_buckets.charge("ip:2001:db8::7 / anything", 10, BUCKET, enforce=True)
    digest = hashlib.sha256(b"ip:2001:db8::7 / anything").hexdigest()
    assert await redis_client.keys("*") == [f"bff:v1:bucket:{digest}".encode()]


async def test_a_bucket_expires_once_it_would_be_full_again(
    redis_buckets: RedisBucketStore, redis_client: Redis
) -> None:
    await redis_buckets.charge(CLIENT, 50, BUCKET, enforce=True)
    assert 5_900 <= await redis_client.pttl(redis_buckets.key(CLIENT)) <= 6_000  # 5 s to refill + 1 s margin


async def test_a_bucket_refunded_to_full_leaves_no_key(redis_buckets: RedisBucketStore, redis_client: Redis) -> None:
    await redis_buckets.charge(CLIENT, 50, BUCKET, enforce=True)
    await redis_buckets.refund(CLIENT, 50, BUCKET)
    assert await redis_client.exists(redis_buckets.key(CLIENT)) == 0


async def test_fifty_concurrent_charges_drain_the_bucket_exactly(redis_buckets: RedisBucketStore) -> None:
    bucket = Bucket(maximum=400, restore_rate=0.001)
    charges = await asyncio.gather(*(redis_buckets.charge(CLIENT, 10, bucket, enforce=True) for _ in range(50)))
    assert sum(c.allowed for c in charges) == 40
    assert (await redis_buckets.charge(CLIENT, 0, bucket, enforce=True)).status == status(0, bucket)


async def test_two_replicas_share_one_bucket(redis_buckets: RedisBucketStore, second_replica: RedisBucketStore) -> None:
    await redis_buckets.charge(CLIENT, 30, BUCKET, enforce=True)
    assert (await second_replica.charge(CLIENT, 30, BUCKET, enforce=True)).status == status(40)
    assert await redis_buckets.refund(CLIENT, 10, BUCKET) == status(50)


async def test_a_replica_whose_clock_lags_restores_nothing(
    redis_buckets: RedisBucketStore, redis_client: Redis
) -> None:
    lagging = RedisBucketStore(redis_client, FakeClock(START - 3))
    await redis_buckets.charge(CLIENT, 50, BUCKET, enforce=True)
    assert (await lagging.charge(CLIENT, 10, BUCKET, enforce=True)).status == status(40)
    assert (await redis_buckets.charge(CLIENT, 0, BUCKET, enforce=True)).status == status(40)  # nor later


async def test_charges_are_sent_by_evalsha(redis_buckets: RedisBucketStore, redis_client: Redis) -> None:
    await redis_buckets.charge(CLIENT, 1, BUCKET, enforce=True)  # loads the script if the server lacks it
    await redis_client.config_resetstat()
    for _ in range(3):
        await redis_buckets.charge(CLIENT, 1, BUCKET, enforce=True)
    stats = await redis_client.info("commandstats")
    assert (stats["cmdstat_evalsha"]["calls"], "cmdstat_eval" in stats) == (3, False)
