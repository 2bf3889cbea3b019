"""The response cache's entry stores: the memory twin and Redis keep, find and purge entries alike.

Entry keys carry a per-test random part so the shared test redis-server never mixes tests.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bff.cache.entries import Entry
from bff.cache.memory import MemoryEntries
from bff.cache.redis import RedisEntries
from tests.fake_clock import FakeClock

Store = MemoryEntries | RedisEntries


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryEntries(clock, max_entries=100, max_bytes=1_000_000)
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    try:
        yield RedisEntries(client, clock)
    finally:
        await client.aclose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def run() -> str:
    return secrets.token_hex(4)


def entry(clock: FakeClock, body: bytes, *tags: str) -> Entry:
    now = clock.now()
    return Entry(body, "application/json", tags, now, now + 300, now + 360)


async def test_a_stored_entry_is_found_with_its_body_tags_and_etag(store: Store, clock: FakeClock, run: str) -> None:
    stored = entry(clock, b'{"data":{"a":1}}', f"cat_p_{run}", "cat_p")
    await store.put(f"k:{run}", stored)
    found = await store.get(f"k:{run}")
    assert found is not None
    assert (found.body, found.tags, found.etag, found.fresh_until) == (
        stored.body, stored.tags, stored.etag, stored.fresh_until,
    )  # fmt: skip


async def test_a_purge_removes_exactly_the_entries_carrying_a_tag(store: Store, clock: FakeClock, run: str) -> None:
    await store.put(f"a:{run}", entry(clock, b"{}", f"cat_p_1{run}"))
    await store.put(f"b:{run}", entry(clock, b"{}", f"cat_p_2{run}"))
    removed = await store.purge([f"cat_p_1{run}"])
    assert removed == [f"a:{run}"]
    assert (await store.get(f"a:{run}"), await store.get(f"b:{run}") is not None) == (None, True)


async def test_a_token_is_claimed_only_once(store: Store, run: str) -> None:
    assert [await store.claim(f"sig-{run}", 60), await store.claim(f"sig-{run}", 60)] == [True, False]


async def test_the_memory_tier_drops_the_least_recently_used_entry_past_its_size(clock: FakeClock) -> None:
    tier = MemoryEntries(clock, max_entries=2, max_bytes=1_000_000)
    for key in ("a", "b"):
        await tier.put(key, entry(clock, b"{}"))
    tier.peek("a")
    await tier.put("c", entry(clock, b"{}"))
    assert [tier.peek(k) is not None for k in ("a", "b", "c")] == [True, False, True]


async def test_the_front_tier_forgets_an_entry_after_its_own_age(clock: FakeClock) -> None:
    front = MemoryEntries(clock, max_entries=10, max_bytes=1_000_000, max_age_s=5)
    await front.put("k", entry(clock, b"{}"))
    clock.advance(5)
    assert front.peek("k") is None
