"""Counting decorators for the session and idempotency stores: an error is counted, then re-raised.

``bff.app`` wraps whichever implementation it built (memory or Redis); callers see the same
protocol. The label is ``<store>.<method>`` (e.g. ``session.load``, ``idempotency.claim``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from prometheus_client import Counter

from bff.events.models import Event
from bff.sessions.models import Claim, IdempotencyRecord, Session
from bff.sessions.settle import SettleWatch
from bff.sessions.store import IdempotencyStore, SessionStore

T = TypeVar("T")


async def _counted(errors: Counter, operation: str, call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except Exception:
        errors.labels(operation).inc()
        raise


class CountingSessionStore:
    def __init__(self, inner: SessionStore, errors: Counter) -> None:
        self.inner = inner
        self.errors = errors

    async def create(self, session: Session) -> None:
        await _counted(self.errors, "session.create", lambda: self.inner.create(session))

    async def load(self, session_id: str) -> Session | None:
        return await _counted(self.errors, "session.load", lambda: self.inner.load(session_id))

    async def save(self, session: Session) -> None:
        await _counted(self.errors, "session.save", lambda: self.inner.save(session))

    async def delete(self, session_id: str) -> None:
        await _counted(self.errors, "session.delete", lambda: self.inner.delete(session_id))

    async def end_customer_sessions(self, customer_key: str) -> int:
        return await _counted(
            self.errors, "session.end_customer_sessions", lambda: self.inner.end_customer_sessions(customer_key)
        )

    async def ping(self) -> bool:
        return await _counted(self.errors, "session.ping", self.inner.ping)


class CountingIdempotencyStore:
    """Also counts the ``order.placed`` events written with an order's result (``bff_events_published_total``)."""

    def __init__(
        self, inner: IdempotencyStore, errors: Counter, published: Callable[[str], None] | None = None
    ) -> None:
        self.inner = inner
        self.errors = errors
        self.published = published

    async def claim(self, scope: str, key: str, fingerprint: str, lease_seconds: float) -> Claim:
        return await _counted(
            self.errors, "idempotency.claim", lambda: self.inner.claim(scope, key, fingerprint, lease_seconds)
        )

    async def record_step(self, scope: str, key: str, step: str, data: object) -> None:
        await _counted(self.errors, "idempotency.record_step", lambda: self.inner.record_step(scope, key, step, data))

    async def complete(self, scope: str, key: str, result: dict[str, object], event: Event | None = None) -> None:
        await _counted(self.errors, "idempotency.complete", lambda: self.inner.complete(scope, key, result, event))
        if event is not None and self.published is not None:
            self.published(event.type)

    async def release(self, scope: str, key: str) -> None:
        await _counted(self.errors, "idempotency.release", lambda: self.inner.release(scope, key))

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        return await _counted(self.errors, "idempotency.get", lambda: self.inner.get(scope, key))

    def watch(self, scope: str, key: str) -> AbstractContextManager[SettleWatch]:
        return self.inner.watch(scope, key)

    async def aclose(self) -> None:
        await self.inner.aclose()
