"""The fixed-window counter contract: the broad rate limits of a request counted in one call.

A fixed window is one counter per key: the first hit creates it and starts its window, every hit
adds one, and the key expires when the window ends (the next hit then starts a new one). ``hit``
counts one request against *all* the fixed windows that apply to it and reads each back (its count
and the time left in its window) in the same call, so ``rate.RateLimits`` needs one round trip to
the store for all of them, where the ``limits`` package's strategies need two per limit (``hit``,
then ``get_window_stats``: INCR, then GET and TTL). A hit over the limit still counts (as the
``limits`` package's fixed window does): a client that keeps knocking keeps its window full.

``memory.MemoryWindowCounter`` (one process, time from the BFF's ``Clock``) and
``redis.RedisWindowCounter`` (one Lua script, time on the Redis server) implement it with the same
semantics; ``tests/stores/test_rate_limits.py`` runs the same specification against both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Window:
    key: str  # the counter's key, without the store's prefix (digests only: no IP or session id)
    length_ms: int  # the window's length


@dataclass(frozen=True, slots=True)
class Count:
    hits: int  # hits in the current window, this one included
    reset_ms: int  # milliseconds until the window ends


class WindowCounter(Protocol):
    async def hit(self, windows: Sequence[Window]) -> list[Count]:
        """Count one hit in each window (in order), atomically per window; raises
        ``StoreUnavailable`` when the store does not answer."""
        ...
