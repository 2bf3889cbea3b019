"""``Claims`` in process (no Redis): one process's memory, expired entries swept on each claim."""

from __future__ import annotations

from bff.clock import Clock


class MemoryClaims:
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
