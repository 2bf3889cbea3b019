"""Gone workers leave the consumer group (``RedisEventStreams.prune_consumers``), on a real Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from bff.events.catalogue import cart_merged
from bff.events.redis import GROUP, RedisEventStreams


async def read_and_ack(streams: RedisEventStreams, consumer: str) -> None:
    await streams.publish(cart_merged(1))
    (entry,) = await streams.read_new(consumer, 1, 0)
    await streams.ack([entry.entry_id])


async def consumers(redis_client: Redis, streams: RedisEventStreams) -> set[str]:
    return {c["name"].decode() for c in await redis_client.xinfo_consumers(streams.stream, GROUP)}


async def test_a_consumer_holding_nothing_is_removed_once_idle(redis_client: Redis, streams: RedisEventStreams) -> None:
    await read_and_ack(streams, "gone-1")
    assert await streams.prune_consumers("me", idle_ms=0) == 1
    assert "gone-1" not in await consumers(redis_client, streams)


async def test_a_consumer_holding_pending_entries_is_kept_for_xautoclaim(
    redis_client: Redis, streams: RedisEventStreams
) -> None:
    await streams.publish(cart_merged(1))
    await streams.read_new("crashed-1", 1, 0)
    assert await streams.prune_consumers("me", idle_ms=0) == 0
    assert await streams.pending_count() == 1
    assert "crashed-1" in await consumers(redis_client, streams)


async def test_a_consumer_idle_less_than_the_threshold_is_kept(redis_client: Redis, streams: RedisEventStreams) -> None:
    await read_and_ack(streams, "quiet-1")
    assert await streams.prune_consumers("me", idle_ms=3_600_000) == 0
    assert "quiet-1" in await consumers(redis_client, streams)


async def test_the_pruning_worker_never_removes_itself(redis_client: Redis, streams: RedisEventStreams) -> None:
    await read_and_ack(streams, "me")
    assert await streams.prune_consumers("me", idle_ms=0) == 0
    assert "me" in await consumers(redis_client, streams)
