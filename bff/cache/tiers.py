"""The two tiers: a small in-process LRU in front of Redis (or the LRU alone, without Redis).

A read looks in process first, then in Redis (and keeps what it found in process for the front
tier's short age). A write goes to Redis, then in process. A purge removes the tagged entries from
Redis, which publishes their keys so every replica's subscriber drops them from its front tier;
this replica drops them at once.

When Redis fails, the tiers skip it for ``retry_after_s`` (monotonic time) and raise
``CacheUnavailable`` at once, so a Redis that times out costs one timeout per second, not one per
request; the in-process tier keeps answering what it holds.
"""

from __future__ import annotations

import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from bff.cache.entries import CacheUnavailable, Entry
from bff.cache.memory import MemoryEntries
from bff.cache.redis import RedisEntries

T = TypeVar("T")


class Tiers:
    def __init__(self, front: MemoryEntries, back: RedisEntries | None = None, *, retry_after_s: float = 1.0) -> None:
        self.front = front
        self.back = back
        self.retry_after_s = retry_after_s
        self._skip_until = 0.0

    async def _shared(self, call: Coroutine[Any, Any, T]) -> T:
        if time.monotonic() < self._skip_until:
            call.close()  # never awaited: Redis is being skipped
            raise CacheUnavailable("skipped after a recent failure")
        try:
            return await call
        except CacheUnavailable:
            self._skip_until = time.monotonic() + self.retry_after_s
            raise

    def peek(self, key: str) -> Entry | None:
        return self.front.peek(key)

    async def get(self, key: str) -> Entry | None:
        """Redis only (after ``peek`` missed); raises ``CacheUnavailable``."""
        if self.back is None:
            return None
        entry = await self._shared(self.back.get(key))
        if entry is not None:
            await self.front.put(key, entry)
        return entry

    async def put(self, key: str, entry: Entry) -> None:
        if self.back is not None:
            await self._shared(self.back.put(key, entry))
        await self.front.put(key, entry)

    async def purge(self, tags: list[str]) -> int:
        """How many entries were removed (from Redis; from the process without Redis)."""
        local = await self.front.purge(tags)
        if self.back is None:
            return len(local)
        return len(await self._shared(self.back.purge(tags)))

    async def claim(self, token: str, ttl_s: int) -> bool:
        store = self.back if self.back is not None else self.front
        return await store.claim(token, ttl_s)
