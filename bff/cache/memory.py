"""Entries in process: the whole cache in development and tests, the small front tier otherwise.

A bounded LRU (entries and bytes) with a tag → keys index. Expiry follows the BFF's ``Clock``: an
entry is dropped once it is past its stale window, or, as a front tier, past ``max_age_s`` since
it entered this process (so a replica that missed a purge message serves it at most that long).
"""

from __future__ import annotations

from collections import OrderedDict

from bff.cache.entries import Entry
from bff.clock import Clock


class MemoryClaims:
    """One-time claims of keys in process (no Redis): a claim holds for ``ttl_s``; expired ones are
    swept on each claim. The purge hook's replay tokens and the Magento webhooks' ids use it."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}

    async def claim(self, key: str, ttl_s: int) -> bool:
        now = self.clock.now()
        for old in [k for k, until in self._until.items() if until <= now]:
            del self._until[old]
        if key in self._until:
            return False
        self._until[key] = now + ttl_s
        return True

    async def release(self, key: str) -> None:
        self._until.pop(key, None)


class MemoryEntries:
    def __init__(self, clock: Clock, *, max_entries: int, max_bytes: int, max_age_s: float | None = None) -> None:
        self.clock = clock
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_age_s = max_age_s
        self.bytes = 0
        self._entries: OrderedDict[str, tuple[Entry, float]] = OrderedDict()
        self._tags: dict[str, set[str]] = {}
        self._claims = MemoryClaims(clock)

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: str) -> Entry | None:
        """The entry, synchronously (the hit path's first look)."""
        found = self._entries.get(key)
        if found is None:
            return None
        entry, until = found
        if self.clock.now() >= until:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry

    async def get(self, key: str) -> Entry | None:
        return self.peek(key)

    async def put(self, key: str, entry: Entry) -> None:
        self._drop(key)
        if entry.size > self.max_bytes:
            return
        until = entry.stale_until
        if self.max_age_s is not None:
            until = min(until, self.clock.now() + self.max_age_s)
        self._entries[key] = (entry, until)
        self.bytes += entry.size
        for tag in entry.tags:
            self._tags.setdefault(tag, set()).add(key)
        while len(self._entries) > self.max_entries or self.bytes > self.max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def drop(self, keys: list[str]) -> None:
        for key in keys:
            self._drop(key)

    def _drop(self, key: str) -> None:
        found = self._entries.pop(key, None)
        if found is None:
            return
        entry = found[0]
        self.bytes -= entry.size
        for tag in entry.tags:
            keys = self._tags.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._tags[tag]

    async def purge(self, tags: list[str]) -> list[str]:
        keys = sorted({key for tag in tags for key in self._tags.get(tag, ())})
        self.drop(keys)
        return keys

    async def claim(self, token: str, ttl_s: int) -> bool:
        return await self._claims.claim(token, ttl_s)
