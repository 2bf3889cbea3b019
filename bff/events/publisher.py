"""``EventPublisher``: how services hand an event to the outbox, and the in-process outbox.

Events other than ``order.placed`` (``customer.registered``, ``cart.merged``,
``checkout.failed``) are published after the step they describe, not atomically with it: a
process dying between the two loses that one event, and a publish that fails (the store did not
answer) is logged and dropped, never failing the shopper's request. Only ``order.placed`` is
written in the same step as the order's result (``IdempotencyStore.complete``).
"""

from __future__ import annotations

import logging
from typing import Protocol

from bff.events.models import Event

log = logging.getLogger("bff.events")


class EventPublisher(Protocol):
    async def publish(self, event: Event) -> None:
        """Append ``event`` to the outbox."""
        ...


class PublishObserver(Protocol):
    def on_published(self, event_type: str) -> None: ...


class MemoryOutbox:
    """The outbox in process (no Redis): what was published, in order. Nothing delivers from it;
    it is the memory twin of the stream for development and tests."""

    def __init__(self, maxlen: int = 100_000) -> None:
        self.maxlen = maxlen
        self.events: list[Event] = []

    async def publish(self, event: Event) -> None:
        self.append(event)

    def append(self, event: Event) -> None:
        self.events.append(event)
        if len(self.events) > self.maxlen:
            del self.events[: len(self.events) - self.maxlen]


class Publishing:
    """Publishes without ever failing the caller (see the module docstring) and counts what it wrote."""

    def __init__(self, inner: EventPublisher, observer: PublishObserver | None = None) -> None:
        self.inner = inner
        self.observer = observer

    async def publish(self, event: Event) -> None:
        try:
            await self.inner.publish(event)
        except Exception as exc:  # an event is never worth a failed request
            log.warning("event %s (%s) not published: %s", event.id, event.type, type(exc).__name__)
            return
        if self.observer is not None:
            self.observer.on_published(event.type)
