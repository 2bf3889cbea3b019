"""Entries in Redis, shared by every replica (the only ``bff.cache`` module that imports redis).

Keys (prefix ``bff:v1``):

* ``resp:<digest>``: the entry (``Entry.encode``), expiring with its stale window (``PX``);
* ``resptag:<tag>``: a set of the entry keys carrying the tag, expiring with the longest-lived
  member (``EXPIRE … NX`` then ``EXPIRE … GT``: Redis 7), so purging a tag is ``SMEMBERS`` +
  ``DEL`` and never a ``SCAN``;
  an entry and its tag sets are written by one script (``_PUT``): a listing carries a tag per
  product, and one ``EVALSHA`` with the keys as arguments costs the event loop a fraction of a
  pipeline of ``1 + 3 x tags`` commands (each packed, queued and parsed by redis-py);
* ``hook:<sha256>``: a signature the invalidation hook has seen (``SET NX EX``: the replay guard).

Purges are published on ``PURGE_CHANNEL`` (the keys removed, as JSON) so every replica drops them
from its in-process tier (``subscribe``, run by the app's lifespan). Every Redis failure becomes
``CacheUnavailable``: the response cache fails open.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from collections.abc import Callable
from typing import Final

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bff.cache.entries import CacheUnavailable, Entry
from bff.clock import Clock

PREFIX: Final = "bff:v1"
PURGE_CHANNEL: Final = "bff:v1:resp:purge"

log = logging.getLogger("bff.cache")

# KEYS[1]: the entry; KEYS[2..]: its tag sets. ARGV: the encoded entry, its TTL in ms, in seconds.
_PUT: Final = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  redis.call('EXPIRE', KEYS[i], ARGV[3], 'NX')
  redis.call('EXPIRE', KEYS[i], ARGV[3], 'GT')
end
return 1
"""


def _tag_key(tag: str) -> str:
    return f"{PREFIX}:resptag:{tag}"


class RedisEntries:
    def __init__(self, redis: Redis, clock: Clock) -> None:
        self.redis = redis
        self.clock = clock
        self.subscribed = asyncio.Event()  # set once the purge subscription listens (tests wait for it)
        self._put = redis.register_script(_PUT)

    async def get(self, key: str) -> Entry | None:
        try:
            raw = await self.redis.get(key)
        except (RedisError, OSError) as exc:
            raise CacheUnavailable(str(exc)) from None
        return Entry.decode(raw) if isinstance(raw, bytes) else None

    async def put(self, key: str, entry: Entry) -> None:
        ttl_ms = math.ceil((entry.stale_until - self.clock.now()) * 1000)
        if ttl_ms <= 0:
            return
        ttl_s = math.ceil(ttl_ms / 1000)
        try:
            await self._put(keys=[key, *(_tag_key(t) for t in entry.tags)], args=[entry.encode(), ttl_ms, ttl_s])
        except (RedisError, OSError) as exc:
            raise CacheUnavailable(str(exc)) from None

    async def purge(self, tags: list[str]) -> list[str]:
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for tag in tags:
                    pipe.smembers(_tag_key(tag))
                members = await pipe.execute()
            keys = sorted({k.decode() if isinstance(k, bytes) else str(k) for found in members for k in found})
            removed = 0
            if keys:
                removed = int(await self.redis.delete(*keys))
            await self.redis.delete(*[_tag_key(t) for t in tags])
            await self.redis.publish(PURGE_CHANNEL, orjson.dumps(keys))
        except (RedisError, OSError) as exc:
            raise CacheUnavailable(str(exc)) from None
        log.info("response cache purged", extra={"tags": len(tags), "entries": removed})
        return keys

    async def claim(self, token: str, ttl_s: int) -> bool:
        name = f"{PREFIX}:hook:{hashlib.sha256(token.encode()).hexdigest()}"
        try:
            return bool(await self.redis.set(name, b"1", nx=True, ex=ttl_s))
        except (RedisError, OSError) as exc:
            raise CacheUnavailable(str(exc)) from None

    async def subscribe(self, on_purge: Callable[[list[str]], None], *, retry_s: float = 1.0) -> None:
        """Call ``on_purge`` with the keys of every published purge, until cancelled (reconnects)."""
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(PURGE_CHANNEL)
                self.subscribed.set()
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        keys = orjson.loads(message["data"])
                    except orjson.JSONDecodeError:
                        continue
                    on_purge([str(k) for k in keys] if isinstance(keys, list) else [])
            except (RedisError, OSError):
                self.subscribed.clear()
                log.warning("response cache purge subscription lost; reconnecting")
                await asyncio.sleep(retry_s)
            finally:
                await pubsub.aclose()  # type: ignore[no-untyped-call]
