"""The Redis document store (the only bff.persisted module that imports ``redis``).

``<prefix>:apq:<sha256>`` holds the document text with a TTL set by the server (``SET … PX``) at
each registration. A Redis failure raises ``DocumentStoreUnavailable`` (``UPSTREAM_UNAVAILABLE``,
503), so a request that needed the store is answered with a coded error, never a plain 500.
"""

from __future__ import annotations

import math
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.errors import DocumentStoreUnavailable

DEFAULT_PREFIX: Final = "bff:v1"
UNAVAILABLE: Final = "Persisted queries are temporarily unavailable. Please try again."


class RedisDocumentStore:
    def __init__(self, redis: Redis, ttl_seconds: float, prefix: str = DEFAULT_PREFIX) -> None:
        if not ttl_seconds > 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds!r}")
        self._redis = redis
        self._ttl_ms = max(1, math.ceil(ttl_seconds * 1000))
        self._prefix = f"{prefix}:apq:"

    def key(self, document_hash: str) -> str:
        return self._prefix + document_hash

    async def get(self, document_hash: str) -> str | None:
        try:
            raw = await self._redis.get(self.key(document_hash))
        except (RedisError, OSError) as exc:
            raise DocumentStoreUnavailable(UNAVAILABLE) from exc
        if raw is None:
            return None
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)

    async def put(self, document_hash: str, document: str) -> None:
        try:
            await self._redis.set(self.key(document_hash), document.encode("utf-8"), px=self._ttl_ms)
        except (RedisError, OSError) as exc:
            raise DocumentStoreUnavailable(UNAVAILABLE) from exc
