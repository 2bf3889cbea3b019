"""``OrderStatuses`` in Redis, shared by every BFF process: ``bff:v1:order-status:<number>`` holds
the announcement as JSON, with the TTL; a Lua script keeps the later of two announcements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.errors import StoreUnavailable
from bff.orders.status import AnnouncedStatus

PREFIX: Final = "bff:v1:order-status"

# KEYS[1] the order's key; ARGV: the announcement (JSON), its instant, the TTL in seconds.
_RECORD: Final = """
local kept = redis.call('GET', KEYS[1])
if kept then
  local at = cjson.decode(kept)['at']
  if at and tonumber(at) > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


def _key(number: str) -> str:
    return f"{PREFIX}:{number}"


def _decoded(raw: bytes | str) -> AnnouncedStatus | None:
    try:
        value = orjson.loads(raw)
        return AnnouncedStatus(status=str(value["status"]), label=str(value["label"]), at=float(value["at"]))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None  # written by another version: Magento's read answers instead


class RedisOrderStatuses:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self._record = redis.register_script(_RECORD)

    async def record(self, number: str, announced: AnnouncedStatus, ttl_s: int) -> bool:
        value = orjson.dumps({"status": announced.status, "label": announced.label, "at": announced.at})
        try:
            return bool(await self._record(keys=[_key(number)], args=[value, repr(announced.at), ttl_s]))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(operation="order-status", detail=type(exc).__name__) from None

    async def announced(self, numbers: Sequence[str]) -> dict[str, AnnouncedStatus]:
        if not numbers:
            return {}
        try:
            values = await self.redis.mget([_key(n) for n in numbers])
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(operation="order-status", detail=type(exc).__name__) from None
        found = {n: _decoded(raw) for n, raw in zip(numbers, values, strict=True) if raw is not None}
        return {n: a for n, a in found.items() if a is not None}
