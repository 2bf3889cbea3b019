"""The events outbox on Redis Streams (the only ``bff.events`` module that imports ``redis``).

* stream ``<prefix>:events``: the outbox; entry fields ``id``, ``type``, ``occurred_at``, ``data``
  (compact JSON), and ``endpoint`` on an entry replayed from the dead letters (then only that
  endpoint is delivered to). XADD ``MAXLEN ~ BFF_EVENTS__STREAM_MAXLEN`` bounds it.
* consumer group ``bff-workers`` on it (created at ``$``-independent id ``0`` so events written
  before the first worker started are delivered).
* hash ``<prefix>:events:retries``: entry id → JSON ``{attempts, next_at, delivered, last_error}``
  for entries waiting for another attempt (they stay pending in the group meanwhile).
* stream ``<prefix>:events:dead``: dead letters; the outbox fields plus ``endpoint``,
  ``attempts``, ``last_error``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from bff.events.models import Event

DEFAULT_PREFIX: Final = "bff:v1"
GROUP: Final = "bff-workers"
EVENT_FIELDS: Final = ("id", "type", "occurred_at", "data")

# KEYS[1] the outbox; ARGV: the group, the caller's own consumer name, the idle time in ms.
# Atomic, so a consumer that reads an entry between the look and the delete is never removed
# with it (XGROUP DELCONSUMER drops a consumer's pending entries).
_PRUNE: Final = """
local removed = 0
for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local info = {}
  for i = 1, #consumer, 2 do info[consumer[i]] = consumer[i + 1] end
  if info['name'] ~= ARGV[2] and tonumber(info['pending']) == 0 and tonumber(info['idle']) >= tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], info['name'])
    removed = removed + 1
  end
end
return removed
"""


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _fields(raw: dict[Any, Any] | None) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in (raw or {}).items()}


@dataclass(frozen=True)
class Entry:
    """One outbox entry as a worker reads it; ``fields`` empty when it was trimmed away."""

    entry_id: str
    fields: dict[str, str]

    def event(self) -> Event:
        return Event.from_fields(self.fields)


@dataclass
class RetryState:
    attempts: int = 0
    next_at: float = 0.0
    delivered: list[str] = field(default_factory=list)
    last_error: str = ""

    def encode(self) -> str:
        return json.dumps(
            {
                "attempts": self.attempts,
                "next_at": self.next_at,
                "delivered": self.delivered,
                "last_error": self.last_error,
            }
        )

    @classmethod
    def decode(cls, raw: str) -> RetryState:
        data = json.loads(raw)
        return cls(int(data["attempts"]), float(data["next_at"]), list(data["delivered"]), str(data["last_error"]))


class RedisEventStreams:
    """The outbox (``publish``, an ``EventPublisher``) and what a worker does with it."""

    def __init__(self, redis: Redis, *, maxlen: int = 100_000, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = redis
        self.maxlen = maxlen
        self.stream = f"{prefix}:events"
        self.dead = f"{prefix}:events:dead"
        self.retries = f"{prefix}:events:retries"
        self.group = GROUP
        self._prune = redis.register_script(_PRUNE)

    async def publish(self, event: Event) -> None:
        await self._redis.xadd(self.stream, event.fields(), maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read_new(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        answer = await self._redis.xreadgroup(
            self.group, consumer, {self.stream: ">"}, count=count, block=block_ms or None
        )
        return self._entries(answer)

    async def read_own(self, consumer: str, count: int) -> list[Entry]:
        """The consumer's pending entries (delivered to it, not acknowledged), oldest first."""
        answer = await self._redis.xreadgroup(self.group, consumer, {self.stream: "0"}, count=count)
        return self._entries(answer)

    async def autoclaim(self, consumer: str, min_idle_ms: int, count: int) -> list[Entry]:
        """Take over entries pending longer than ``min_idle_ms`` (a dead worker's); entries
        trimmed from the stream meanwhile are acknowledged."""
        answer = await self._redis.xautoclaim(
            self.stream, self.group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
        )
        claimed = [Entry(_text(i), _fields(f)) for i, f in answer[1]]
        gone = [_text(i) for i in (answer[2] if len(answer) > 2 else [])]
        if gone:
            await self.ack(gone)
        return claimed

    async def heartbeat(self, consumer: str, entry_ids: list[str]) -> None:
        """Reset the idle time of entries this consumer still holds (so they are not claimed)."""
        if entry_ids:
            ids: list[Any] = list(entry_ids)
            await self._redis.xclaim(self.stream, self.group, consumer, 0, ids, justid=True)

    async def retry_state(self, entry_id: str) -> RetryState | None:
        raw = await self._redis.hget(self.retries, entry_id)
        return None if raw is None else RetryState.decode(_text(raw))

    async def save_retry(self, entry_id: str, state: RetryState) -> None:
        await self._redis.hset(self.retries, entry_id, state.encode())

    async def ack(self, entry_ids: list[str]) -> None:
        async with self._redis.pipeline(transaction=True) as tx:
            tx.xack(self.stream, self.group, *entry_ids)
            tx.hdel(self.retries, *entry_ids)
            await tx.execute()

    async def dead_letter(self, entry: Entry, failures: dict[str, str], attempts: int) -> None:
        """One dead letter per endpoint that never took the event, and the entry acknowledged, atomically."""
        event_fields = {k: entry.fields[k] for k in EVENT_FIELDS}
        async with self._redis.pipeline(transaction=True) as tx:
            for endpoint, error in failures.items():
                letter = event_fields | {"endpoint": endpoint, "attempts": str(attempts), "last_error": error}
                tx.xadd(self.dead, letter, maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]
            tx.xack(self.stream, self.group, entry.entry_id)
            tx.hdel(self.retries, entry.entry_id)
            await tx.execute()

    async def dead_letters(self, count: int = 100) -> list[Entry]:
        return self._range(await self._redis.xrange(self.dead, count=count))

    async def replay_dead(self, dead_id: str) -> bool:
        """Put a dead letter back in the outbox for its endpoint only (same event id), atomically."""
        found = await self._redis.xrange(self.dead, min=dead_id, max=dead_id)
        if not found:
            return False
        letter = _fields(found[0][1])
        entry = {k: letter[k] for k in EVENT_FIELDS} | {"endpoint": letter["endpoint"]}
        async with self._redis.pipeline(transaction=True) as tx:
            tx.xadd(self.stream, entry, maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]
            tx.xdel(self.dead, dead_id)
            await tx.execute()
        return True

    async def prune_consumers(self, consumer: str, idle_ms: int) -> int:
        """Remove the group's consumers (other than ``consumer``) that hold nothing and were idle
        ``idle_ms``: workers that are gone (each run is a new host-pid name). Their count."""
        try:
            return int(await self._prune(keys=[self.stream], args=[self.group, consumer, idle_ms]))
        except ResponseError:  # no stream or no group yet
            return 0

    async def pending_count(self) -> int:
        try:
            summary = await self._redis.xpending(self.stream, self.group)
        except ResponseError:  # no stream or no group yet
            return 0
        return int(summary["pending"])

    async def events(self, count: int = 1000) -> list[Entry]:
        return self._range(await self._redis.xrange(self.stream, count=count))

    def _range(self, items: Any) -> list[Entry]:
        return [Entry(_text(i), _fields(f)) for i, f in items or []]

    def _entries(self, answer: Any) -> list[Entry]:
        entries: list[Entry] = []
        for _stream, items in answer or []:
            entries.extend(Entry(_text(i), _fields(f)) for i, f in items)
        return entries
