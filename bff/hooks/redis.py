"""``Claims`` in Redis (``SET NX EX``), shared by every BFF process."""

from __future__ import annotations

import hashlib
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.hooks.claims import ClaimsUnavailable

PREFIX: Final = "bff:v1:hook-claim"


def _name(key: str) -> str:
    return f"{PREFIX}:{hashlib.sha256(key.encode()).hexdigest()}"


class RedisClaims:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def claim(self, key: str, ttl_s: int) -> bool:
        try:
            return bool(await self.redis.set(_name(key), b"1", nx=True, ex=ttl_s))
        except (RedisError, OSError) as exc:
            raise ClaimsUnavailable(str(exc)) from None

    async def release(self, key: str) -> None:
        try:
            await self.redis.delete(_name(key))
        except (RedisError, OSError) as exc:
            raise ClaimsUnavailable(str(exc)) from None
