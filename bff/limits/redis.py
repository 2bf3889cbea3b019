"""The Redis limit stores (the only ``bff.limits`` module that imports ``redis``).

* ``RedisBucketStore``: cost budgets shared by every replica. Each charge and each refund is one
  Lua script (sent by EVALSHA): read the level and its time, leak, compare, write, and set the
  key to expire when the bucket would be full again. Atomic across processes; ``now`` comes from
  the BFF's ``Clock`` (so replicas agree as far as their clocks do, and tests can fake it), and a
  bucket's time never moves back when a replica's clock lags.
* ``RedisWindowCounter``: the fixed-window rate limits of a request (``windows.WindowCounter``) in
  one Lua script (one EVALSHA, one round trip, for all of them): per key INCR, PEXPIRE when the
  count is new (or the key somehow has no expiry), PTTL. Windows run on the Redis server's clock.
  The keys are the ones the ``limits`` package's fixed window uses (``LIMITER/…`` under our prefix,
  integer counters), so replicas before and after this script share their counters. All keys of
  one script must live on one node: fine for a single server or Sentinel, not for Redis Cluster.
* ``redis_rate_storage(client)``: the ``limits`` package's asyncio Redis storage for the
  moving-window limits of ``rate.RateLimits``, on the connection pool of the BFF's own client
  (the same bounded, blocking pool, TLS and Sentinel fail-over as the sessions).

Keys: ``bff:v1:bucket:<sha256(client id)>`` (hash ``level``, ``at``) and ``bff:v1:rate:LIMITER/…``
(the ``limits`` package's layout, with our prefix). Connection errors become
``StoreUnavailable`` (buckets, fixed windows) or ``limits.errors.StorageError`` (moving windows,
which ``rate.py`` turns into ``StoreUnavailable``); only ``ping`` swallows them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Final

from limits.aio.storage import RedisStorage, Storage
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.clock import Clock
from bff.errors import StoreUnavailable
from bff.limits.buckets import Charge, settle
from bff.limits.throttle import Bucket, ThrottleStatus
from bff.limits.windows import Count, Window

DEFAULT_PREFIX: Final = "bff:v1"
TTL_MARGIN_MS: Final = 1000  # a bucket outlives its refill time by this much (replicas' clocks differ)

# Shared by both scripts: the level leaked to now (never above the maximum; a lagging clock adds
# nothing), as ``throttle.Bucket.level_after`` computes it. %.17g keeps a double exact.
_LEAK: Final = """
local now = tonumber(ARGV[1])
local maximum = tonumber(ARGV[3])
local rate = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'level', 'at')
local stored = state[1] and state[2]
local level = maximum
local at = now
if stored then
  at = tonumber(state[2])
  level = math.min(maximum, tonumber(state[1]) + math.max(0, now - at) * rate)
  if at < now then at = now end
end
local function save(after)
  if after >= maximum then
    redis.call('DEL', KEYS[1])
    return
  end
  redis.call('HSET', KEYS[1], 'level', string.format('%.17g', after), 'at', string.format('%.17g', at))
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.ceil((maximum - after) / rate * 1000) + tonumber(ARGV[5])))
end
"""

# KEYS[1] bucket; ARGV: now, cost, maximum, restore_rate, TTL margin (ms). Takes the cost when it
# fits (as ``buckets.settle`` decides); returns the level before the charge.
_CHARGE: Final = (
    _LEAK
    + """
local cost = tonumber(ARGV[2])
if cost > 0 and cost <= level then save(level - cost) end
return string.format('%.17g', level)
"""
)

# KEYS[1] bucket; ARGV: now, points, maximum, restore_rate, TTL margin (ms). Returns the level after.
_REFUND: Final = (
    _LEAK
    + """
local points = tonumber(ARGV[2])
if not stored then return string.format('%.17g', level) end
level = math.min(maximum, level + points)
if points > 0 then save(level) end
return string.format('%.17g', level)
"""
)


# KEYS: the windows' counters; ARGV: their lengths (ms), in the same order. Returns hits and ms
# left for each key, flattened.
_FIXED_WINDOWS: Final = """
local out = {}
for i, key in ipairs(KEYS) do
  local hits = redis.call('INCR', key)
  local left = -1
  if hits > 1 then left = redis.call('PTTL', key) end
  if left < 0 then
    redis.call('PEXPIRE', key, ARGV[i])
    left = tonumber(ARGV[i])
  end
  out[2 * i - 1] = hits
  out[2 * i] = left
end
return out
"""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _number(raw: bytes | str) -> float:
    return float(raw.decode("ascii") if isinstance(raw, bytes) else raw)


class RedisBucketStore:
    """``BucketStore`` on Redis; see the module docstring."""

    def __init__(self, redis: Redis, clock: Clock, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = redis
        self._clock = clock
        self._prefix = f"{prefix}:bucket:"
        self._charge = redis.register_script(_CHARGE)
        self._refund = redis.register_script(_REFUND)

    def key(self, client: str) -> str:
        return self._prefix + _sha256(client)

    def _args(self, amount: int, bucket: Bucket) -> list[str | int]:
        return [repr(self._clock.now()), amount, bucket.maximum, repr(bucket.restore_rate), TTL_MARGIN_MS]

    async def charge(self, client: str, cost: int, bucket: Bucket, *, enforce: bool) -> Charge:
        if cost < 0:
            raise ValueError(f"a cost is never negative, got {cost!r}")
        try:
            level = _number(await self._charge(keys=[self.key(client)], args=self._args(cost, bucket)))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(operation="bucket.charge", detail=type(exc).__name__) from exc
        charge, _ = settle(bucket, level, cost, enforce=enforce)
        return charge

    async def refund(self, client: str, points: int, bucket: Bucket) -> ThrottleStatus:
        if points < 0:
            raise ValueError(f"a refund is never negative, got {points!r}")
        try:
            level = _number(await self._refund(keys=[self.key(client)], args=self._args(points, bucket)))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(operation="bucket.refund", detail=type(exc).__name__) from exc
        return bucket.status(level)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False


class RedisWindowCounter:
    """``WindowCounter`` on Redis; see the module docstring."""

    def __init__(self, redis: Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self._prefix = f"{prefix}:rate:"
        self._script = redis.register_script(_FIXED_WINDOWS)

    async def hit(self, windows: Sequence[Window]) -> list[Count]:
        if not windows:
            return []
        keys = [self._prefix + w.key for w in windows]
        try:
            flat = await self._script(keys=keys, args=[w.length_ms for w in windows])
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(operation="rate_limits", detail=type(exc).__name__) from exc
        return [Count(int(flat[i]), int(flat[i + 1])) for i in range(0, len(flat), 2)]


def redis_rate_storage(redis: Redis, prefix: str = DEFAULT_PREFIX) -> Storage:
    """Rate-limit counters in Redis, through ``redis``'s connection pool (the client keeps owning
    it: closing the client closes the pool)."""
    # limits types its storage options as scalars; a connection pool is what it documents for
    # reusing a client's connections.
    options: dict[str, Any] = {"connection_pool": redis.connection_pool}
    return RedisStorage(
        "async+redis://", implementation="redispy", key_prefix=f"{prefix}:rate", wrap_exceptions=True, **options
    )
