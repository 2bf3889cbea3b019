"""In-process twins of the Redis stores, for development and tests.

Expiry instants come from the injected ``Clock``; an expired entry behaves as absent and is purged
when touched (plus an occasional sweep so abandoned entries do not pile up). No operation awaits
between reading and writing, so each one is atomic on the event loop without a lock.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Final

from bff.clock import Clock
from bff.events.models import Event
from bff.events.publisher import MemoryOutbox
from bff.sessions.codec import decode_record, encode_record
from bff.sessions.models import Claim, IdempotencyRecord, Session
from bff.sessions.settle import SettleWatch, SettleWatchers

_log = logging.getLogger("bff.sessions")

RECORD_TTL_SECONDS: Final = 86_400.0
_SWEEP_EVERY: Final = 1024  # writes between two sweeps of expired entries

_WARNING: Final = (
    "in-process session store: sessions are lost on restart and not shared between replicas; "
    "set BFF_REDIS_URL in production"
)


def _positive(name: str, value: float) -> float:
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return float(value)


class MemorySessionStore:
    """``SessionStore`` in a dict; the idle timeout slides on every load and save."""

    def __init__(self, clock: Clock, idle_ttl_seconds: float) -> None:
        self._clock = clock
        self._idle_ttl = _positive("idle_ttl_seconds", idle_ttl_seconds)
        self._sessions: dict[str, tuple[Session, float]] = {}  # id → (session, expires_at)
        self._writes = 0
        _log.warning(_WARNING)

    def _live(self, session_id: str) -> Session | None:
        entry = self._sessions.get(session_id)
        if entry is None:
            return None
        session, expires_at = entry
        if expires_at <= self._clock.now():
            del self._sessions[session_id]
            return None
        return session

    def _put(self, session: Session) -> None:
        now = self._clock.now()
        self._sessions[session.id] = (session, now + self._idle_ttl)
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self._sessions = {sid: e for sid, e in self._sessions.items() if e[1] > now}

    async def create(self, session: Session) -> None:
        self._put(session)

    async def load(self, session_id: str) -> Session | None:
        session = self._live(session_id)
        if session is not None:
            self._put(session)
        return session

    async def save(self, session: Session) -> None:
        """Overwrite and extend; a session that was deleted or has expired is not brought back."""
        if self._live(session.id) is not None:
            self._put(session)

    async def delete(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    async def end_customer_sessions(self, customer_key: str) -> int:
        ended = [sid for sid in list(self._sessions) if (s := self._live(sid)) and s.customer_key == customer_key]
        for sid in ended:
            del self._sessions[sid]
        return len(ended)

    async def ping(self) -> bool:
        return True


class MemoryIdempotencyStore:
    """``IdempotencyStore`` in a dict. Records live ``ttl_seconds`` from their first claim."""

    def __init__(
        self, clock: Clock, ttl_seconds: float = RECORD_TTL_SECONDS, outbox: MemoryOutbox | None = None
    ) -> None:
        self._clock = clock
        self.outbox = outbox or MemoryOutbox()
        self._ttl = _positive("ttl_seconds", ttl_seconds)
        # (scope, key) → (envelope JSON, expires_at). Kept encoded, like Redis: reads hand out
        # fresh objects, and caller data is normalised (and checked) exactly as Redis would.
        self._records: dict[tuple[str, str], tuple[str, float]] = {}
        self._writes = 0
        self._watchers = SettleWatchers()

    def _read(self, scope: str, key: str) -> tuple[IdempotencyRecord, float] | None:
        entry = self._records.get((scope, key))
        if entry is None:
            return None
        raw, expires_at = entry
        if expires_at <= self._clock.now():
            del self._records[(scope, key)]
            return None
        return decode_record(raw)

    def _write(self, scope: str, key: str, record: IdempotencyRecord, lease_seconds: float) -> None:
        """Store ``record``; a new one gets the record TTL, an existing one keeps its expiry."""
        now = self._clock.now()
        entry = self._records.get((scope, key))
        expires_at = entry[1] if entry is not None else now + self._ttl
        self._records[(scope, key)] = (encode_record(record, lease_seconds), expires_at)
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self._records = {k: e for k, e in self._records.items() if e[1] > now}

    async def claim(self, scope: str, key: str, fingerprint: str, lease_seconds: float) -> Claim:
        lease_seconds = _positive("lease_seconds", lease_seconds)
        now = self._clock.now()
        current = self._read(scope, key)
        if current is None:
            record = IdempotencyRecord(
                key=key, fingerprint=fingerprint, lease_expires_at=now + lease_seconds, created_at=now
            )
            self._write(scope, key, record, lease_seconds)
            return Claim("claimed", record)
        record, _ = current
        if record.fingerprint != fingerprint:
            return Claim("conflict", record)
        if record.status == "done":
            return Claim("done", record)
        if record.lease_expires_at > now:
            return Claim("in_progress", record)
        record = replace(record, lease_expires_at=now + lease_seconds)
        self._write(scope, key, record, lease_seconds)
        return Claim("claimed", record)

    async def record_step(self, scope: str, key: str, step: str, data: object) -> None:
        current = self._read(scope, key)
        if current is None or current[0].status != "in_progress":
            return
        record, lease_seconds = current
        record = replace(
            record,
            steps={**record.steps, step: data},
            lease_expires_at=self._clock.now() + lease_seconds,
        )
        self._write(scope, key, record, lease_seconds)

    async def complete(self, scope: str, key: str, result: dict[str, object], event: Event | None = None) -> None:
        """Mark done (and append ``event`` to the in-process outbox); a record that is already
        done keeps its first result and adds no event."""
        current = self._read(scope, key)
        if current is None or current[0].status != "in_progress":
            return
        record, lease_seconds = current
        self._write(scope, key, replace(record, status="done", result=result), lease_seconds)
        if event is not None:
            self.outbox.append(event)
        self._watchers.notify(_watched(scope, key))

    async def release(self, scope: str, key: str) -> None:
        current = self._read(scope, key)
        if current is None or current[0].status != "in_progress":
            return
        record, lease_seconds = current
        self._write(scope, key, replace(record, lease_expires_at=0.0), lease_seconds)
        self._watchers.notify(_watched(scope, key))

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        current = self._read(scope, key)
        return None if current is None else current[0]

    def watch(self, scope: str, key: str) -> AbstractContextManager[SettleWatch]:
        return self._watchers.watch(_watched(scope, key))

    async def aclose(self) -> None:
        return None


def _watched(scope: str, key: str) -> str:
    return f"{scope}\x00{key}"
