"""What ``bff events`` reads and changes in Redis: pending and dead-lettered events, replay, purge.

Synchronous (a command line, and the lag gauge read on a metrics scrape from prometheus_client's
thread). "Pending" is every outbox entry not yet delivered: read by a worker and not acknowledged
(the group's PEL), or not read by the group yet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import redis
from redis.exceptions import RedisError, ResponseError
from redis.sentinel import Sentinel

from bff.events.streams import DEAD_LETTERS, GROUP, OUTBOX
from bff.redis_url import sentinel_target

BATCH = 500
REPLAYED_FIELDS = ("id", "type", "occurred_at", "data", "endpoint")
OutboxUnavailable = RedisError  # what callers catch when Redis does not answer


@dataclass(frozen=True)
class Entry:
    """One stream entry: its stream id and its fields (``id``, ``type``, ``occurred_at``, ``data``, ...)."""

    stream: str
    entry_id: str
    fields: dict[str, str]
    deliveries: int = 0  # pending entries: times handed to a worker so far

    @property
    def event_id(self) -> str:
        return self.fields.get("id", "")


def connect(url: str, timeout_s: float = 2.0) -> redis.Redis:
    """A synchronous client (``redis://``, ``rediss://`` or ``redis+sentinel://``: the current
    master), answers decoded as text."""
    target = sentinel_target(url)
    if target is None:
        return redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
    # redis-py leaves Sentinel's constructor and master_for untyped
    sentinels = Sentinel(target.hosts, socket_timeout=timeout_s, sentinel_kwargs={"socket_timeout": timeout_s})  # type: ignore[no-untyped-call]
    master: redis.Redis = sentinels.master_for(  # type: ignore[no-untyped-call]
        target.service,
        db=target.db,
        password=target.password,
        decode_responses=True,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
    )
    return master


Rows = list[tuple[str, dict[str, str]]]


class OutboxAdmin:
    def __init__(
        self, client: redis.Redis, *, outbox: str = OUTBOX, dead: str = DEAD_LETTERS, group: str = GROUP
    ) -> None:
        self.client = client
        self._r: Any = client  # redis-py's sync annotations are unions with its async ones
        self.outbox, self.dead, self.group = outbox, dead, group

    def _range(self, stream: str, start: str, count: int | None = None, end: str = "+") -> Rows:
        return cast(Rows, self._r.xrange(stream, start, end, count=count))

    def _group_info(self) -> dict[str, Any] | None:
        try:
            groups = cast(list[dict[str, Any]], self._r.xinfo_groups(self.outbox))
        except ResponseError:  # no such stream yet
            return None
        return next((g for g in groups if g["name"] == self.group), None)

    def pending_count(self) -> int:
        """Events not delivered yet: the group's unacknowledged entries plus those it has not read."""
        info = self._group_info()
        if info is None:
            return int(self._r.xlen(self.outbox))
        lag = info.get("lag")
        if lag is None:  # Redis could not tell (entries deleted mid-stream): count the unread ones
            lag = len(self._range(self.outbox, f"({info['last-delivered-id']}"))
        return int(str(info["pending"])) + int(str(lag))

    def dead_count(self) -> int:
        return int(self._r.xlen(self.dead))

    def pending(self, limit: int) -> list[Entry]:
        """The oldest ``limit`` undelivered entries: unacknowledged ones first, then unread ones."""
        found: list[Entry] = []
        info = self._group_info()
        if info is None:
            return [Entry(self.outbox, i, f) for i, f in self._range(self.outbox, "-", limit)]
        for row in cast(list[dict[str, Any]], self._r.xpending_range(self.outbox, self.group, "-", "+", limit)):
            entry_id = row["message_id"]
            for i, fields in self._range(self.outbox, entry_id, end=entry_id):
                found.append(Entry(self.outbox, i, fields, int(row["times_delivered"])))
        if len(found) < limit:
            unread = self._range(self.outbox, f"({info['last-delivered-id']}", limit - len(found))
            found += [Entry(self.outbox, i, f) for i, f in unread]
        return found

    def dead_letters(self, limit: int | None = None) -> list[Entry]:
        return [Entry(self.dead, i, f) for i, f in self._range(self.dead, "-", limit)]

    def _scan(self, stream: str) -> Iterator[Entry]:
        start = "-"
        while True:
            rows = self._range(stream, start, BATCH)
            for entry_id, fields in rows:
                yield Entry(stream, entry_id, fields)
            if len(rows) < BATCH:
                return
            start = f"({rows[-1][0]}"

    def find(self, ref: str) -> list[Entry]:
        """Entries of the dead letters and the outbox whose event id (or stream entry id) is ``ref``."""
        return [e for stream in (self.dead, self.outbox) for e in self._scan(stream) if ref in (e.event_id, e.entry_id)]

    def replay(self, entries: list[Entry], maxlen: int) -> int:
        """Each dead letter back to the outbox as a new entry with the same event id and its endpoint,
        removed from the dead letters in the same transaction. Returns how many were moved."""
        moved = 0
        for entry in entries:
            if entry.stream != self.dead:
                continue
            # the endpoint that never took it: the worker delivers a replayed entry to that endpoint only
            event = {k: entry.fields[k] for k in REPLAYED_FIELDS if k in entry.fields}
            pipe: Any = self.client.pipeline(transaction=True)
            pipe.xadd(self.outbox, event, maxlen=maxlen, approximate=True)
            pipe.xdel(self.dead, entry.entry_id)
            pipe.execute()
            moved += 1
        return moved

    def purge(self) -> int:
        """Deletes every dead letter; returns how many there were."""
        pipe: Any = self.client.pipeline(transaction=True)
        pipe.xlen(self.dead)
        pipe.delete(self.dead)
        count, _ = pipe.execute()
        return int(count)
