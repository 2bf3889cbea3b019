"""In-process twins of the Redis limit stores, for development and tests.

* ``MemoryBucketStore``: cost budgets (``buckets.BucketStore``), time from the injected ``Clock``.
  No operation awaits between reading and writing a bucket, so each charge is atomic on the event
  loop without a lock. A bucket is forgotten once it would be full again (absent means full).
* ``MemoryWindowCounter``: the fixed-window rate-limit counters (``windows.WindowCounter``), time
  from the injected ``Clock``; a window is forgotten once it has ended.
* ``memory_rate_storage()``: the ``limits`` package's asyncio memory storage for the moving-window
  limits of ``rate.RateLimits`` (that package reads ``time.time()`` itself).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from limits.aio.storage import MemoryStorage, Storage

from bff.clock import Clock
from bff.limits.buckets import Charge, settle
from bff.limits.throttle import Bucket, ThrottleStatus
from bff.limits.windows import Count, Window

_SWEEP_EVERY: Final = 1024  # charges between two sweeps of refilled buckets


@dataclass(slots=True)
class _Level:
    points: float
    at: float
    full_at: float  # when it is full again and can be forgotten


class MemoryBucketStore:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._levels: dict[str, _Level] = {}
        self._writes = 0

    def _level(self, client: str, bucket: Bucket, now: float) -> float:
        state = self._levels.get(client)
        if state is None:
            return float(bucket.maximum)
        return bucket.level_after(state.points, now - state.at)

    def _store(self, client: str, bucket: Bucket, level: float, now: float) -> None:
        if level >= bucket.maximum:
            self._levels.pop(client, None)
        else:
            previous = self._levels.get(client)
            at = now if previous is None else max(now, previous.at)  # never move a bucket's time back
            self._levels[client] = _Level(level, at, at + bucket.refill_s(level))
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        for client in [c for c, state in self._levels.items() if state.full_at <= now]:
            del self._levels[client]

    async def charge(self, client: str, cost: int, bucket: Bucket, *, enforce: bool) -> Charge:
        now = self._clock.now()
        level = self._level(client, bucket, now)
        charge, after = settle(bucket, level, cost, enforce=enforce)
        if charge.charged:
            self._store(client, bucket, after, now)
        return charge

    async def refund(self, client: str, points: int, bucket: Bucket) -> ThrottleStatus:
        if points < 0:
            raise ValueError(f"a refund is never negative, got {points!r}")
        now = self._clock.now()
        level = min(float(bucket.maximum), self._level(client, bucket, now) + points)
        if points:
            self._store(client, bucket, level, now)
        return bucket.status(level)

    async def ping(self) -> bool:
        return True


@dataclass(slots=True)
class _Window:
    hits: int
    ends_at: float


class MemoryWindowCounter:
    """``WindowCounter`` in this process; no await between reading and writing, so each hit is atomic."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._hits = 0

    async def hit(self, windows: Sequence[Window]) -> list[Count]:
        now = self._clock.now()
        counts = []
        for window in windows:
            state = self._windows.get(window.key)
            if state is None or state.ends_at <= now:
                state = self._windows[window.key] = _Window(0, now + window.length_ms / 1000)
            state.hits += 1
            counts.append(Count(state.hits, max(0, math.ceil((state.ends_at - now) * 1000))))
        self._hits += 1
        if self._hits % _SWEEP_EVERY == 0:
            for key in [k for k, state in self._windows.items() if state.ends_at <= now]:
                del self._windows[key]
        return counts


def memory_rate_storage() -> Storage:
    """Rate-limit counters in this process (``BFF_REDIS_URL`` unset)."""
    return MemoryStorage()
