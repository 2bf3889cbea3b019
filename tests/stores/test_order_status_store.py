"""The announced order-status store (bff/orders/status.py), on the memory twin and on a real redis-server."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bff.orders.redis import RedisOrderStatuses
from bff.orders.status import AnnouncedStatus, MemoryOrderStatuses, OrderStatuses
from tests.fake_clock import FakeClock
from tests.stores.conftest import BACKENDS

TTL = 900
PROCESSING = AnnouncedStatus(status="processing", label="Processing", at=1_000.0)
COMPLETE = AnnouncedStatus(status="complete", label="Complete", at=2_000.0)


@pytest.fixture(params=BACKENDS)
def statuses(request: pytest.FixtureRequest, clock: FakeClock) -> OrderStatuses:
    if request.param == "memory":
        return MemoryOrderStatuses(clock)
    redis_client: Redis = request.getfixturevalue("redis_client")
    return RedisOrderStatuses(redis_client)


async def test_a_recorded_announcement_is_read_back(statuses: OrderStatuses) -> None:
    assert await statuses.record("000000001", COMPLETE, TTL) is True
    assert await statuses.announced(["000000001", "000000002"]) == {"000000001": COMPLETE}


async def test_a_later_announcement_replaces_an_earlier_one(statuses: OrderStatuses) -> None:
    await statuses.record("000000001", PROCESSING, TTL)
    assert await statuses.record("000000001", COMPLETE, TTL) is True
    assert await statuses.announced(["000000001"]) == {"000000001": COMPLETE}


async def test_an_earlier_announcement_arriving_late_is_ignored(statuses: OrderStatuses) -> None:
    await statuses.record("000000001", COMPLETE, TTL)
    assert await statuses.record("000000001", PROCESSING, TTL) is False
    assert await statuses.announced(["000000001"]) == {"000000001": COMPLETE}


async def test_nothing_is_read_for_no_orders(statuses: OrderStatuses) -> None:
    assert await statuses.announced([]) == {}


async def test_the_memory_twin_forgets_an_announcement_after_its_ttl(clock: FakeClock) -> None:
    statuses = MemoryOrderStatuses(clock)
    await statuses.record("000000001", COMPLETE, TTL)
    clock.advance(TTL)
    assert await statuses.announced(["000000001"]) == {}


async def test_redis_keeps_an_announcement_with_its_ttl_for_every_replica(redis_client: Redis) -> None:
    await RedisOrderStatuses(redis_client).record("000000001", COMPLETE, TTL)
    assert 0 < await redis_client.ttl("bff:v1:order-status:000000001") <= TTL
    assert await RedisOrderStatuses(redis_client).announced(["000000001"]) == {"000000001": COMPLETE}
