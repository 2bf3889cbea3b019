"""``bff worker``: delivers the outbox to the endpoints configured per event type.

One consumer (named host-pid) in the group ``bff-workers``; any number of workers share the
stream. Each pass:

1. ``XAUTOCLAIM`` takes over entries pending longer than ``CLAIM_IDLE_S``: a crashed worker's.
   A live worker keeps its own pending entries fresh (``XCLAIM … JUSTID`` heartbeat) so they are
   never taken from it; ``CLAIM_IDLE_S`` must exceed ``DELIVERY_TIMEOUT_S``.
2. Its own pending entries (``XREADGROUP … 0``) whose next attempt is due are tried again.
3. New entries (``XREADGROUP … >``, blocking briefly when nothing is due).

How retries wait without blocking other events: a failed entry is not acknowledged; it stays
pending, and its attempt count, next-attempt time and the endpoints that already took it are kept
in the hash ``<prefix>:events:retries``. It is tried again (only for the endpoints still missing)
once due, in a later pass, while new entries flow meanwhile. The wait after attempt n is
``d/2 + random·d/2`` with ``d = min(BACKOFF_CAP_S, BACKOFF_BASE_S·2^(n-1))``. After
``MAX_ATTEMPTS`` the endpoints still missing get one dead letter each and the entry is
acknowledged, in one transaction. All endpoints of an event are posted to concurrently. A worker
holds at most ``MAX_HELD`` (64) pending entries: while that many wait for a retry (an endpoint is
down), it reads nothing new; the stream keeps the newer events until a slot frees.

At-least-once: an entry is acknowledged only after every endpoint answered 2xx, so a worker dying
mid-delivery means a redelivery by another (receivers dedupe on ``webhook-id``); per-endpoint
ordering is not promised. SIGTERM: the delivery in hand is finished, then the worker stops; what it
still holds is claimed by another worker after ``CLAIM_IDLE_S``.

Every worker restart joins the group under a new name; at start and every ``PRUNE_EVERY_S`` a worker
removes the consumers that hold nothing and were idle ``PRUNE_IDLE_S`` (one hour), so
``XINFO CONSUMERS`` lists the live workers and not every pod that ever ran.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Protocol

from bff.events.models import Event
from bff.events.redis import Entry, RedisEventStreams, RetryState
from bff.settings import EventsSettings

log = logging.getLogger("bff.events")

READ_COUNT = 16
MAX_HELD = 64  # pending entries one worker holds at most (waiting retries included)
MAX_BLOCK_S = 1.0
PRUNE_IDLE_S = 3600.0  # a consumer idle this long with nothing pending is a gone worker
PRUNE_EVERY_S = 600.0


class Deliverer(Protocol):
    async def deliver(self, url: str, event: Event) -> str | None: ...


class DeliveryObserver(Protocol):
    def on_delivered(self, event_type: str) -> None: ...

    def on_retried(self, event_type: str) -> None: ...

    def on_dead(self, event_type: str) -> None: ...


class _Unobserved:
    def on_delivered(self, event_type: str) -> None:
        return None

    def on_retried(self, event_type: str) -> None:
        return None

    def on_dead(self, event_type: str) -> None:
        return None


def endpoints_for(settings: EventsSettings, event_type: str) -> list[str]:
    urls = [*settings.endpoints.get(event_type, []), *settings.endpoints.get("*", [])]
    return list(dict.fromkeys(urls))


def backoff_s(settings: EventsSettings, attempts: int, rng: Callable[[], float] = random.random) -> float:
    ceiling = min(settings.backoff_cap_s, settings.backoff_base_s * float(2 ** (attempts - 1)))
    return ceiling / 2 + rng() * ceiling / 2


class Worker:
    def __init__(
        self,
        streams: RedisEventStreams,
        deliverer: Deliverer,
        settings: EventsSettings,
        consumer: str,
        *,
        observer: DeliveryObserver | None = None,
        now: Callable[[], float] = time.time,
        alive: Callable[[], None] | None = None,
        max_held: int = MAX_HELD,
    ) -> None:
        self.streams = streams
        self.deliverer = deliverer
        self.settings = settings
        self.consumer = consumer
        self.observer = observer or _Unobserved()
        self.now = now
        self.alive = alive  # called after each pass (bff worker --liveness-file touches the file)
        self.max_held = max_held
        self.stopping = asyncio.Event()
        self._held: set[str] = set()  # entries this worker holds pending (heartbeat)
        self._last_beat = 0.0
        self._next_prune = 0.0

    def stop(self) -> None:
        self.stopping.set()

    async def run(self) -> None:
        await self.streams.ensure_group()
        log.info("worker %s started", self.consumer)
        while not self.stopping.is_set():
            await self.step()
            if self.alive is not None:
                self.alive()
        log.info("worker %s stopped", self.consumer)

    async def step(self) -> None:
        """One pass (see the module docstring)."""
        if self.now() >= self._next_prune:
            self._next_prune = self.now() + PRUNE_EVERY_S
            if removed := await self.streams.prune_consumers(self.consumer, int(PRUNE_IDLE_S * 1000)):
                log.info("removed %d gone workers from the consumer group", removed)
        own = await self.streams.read_own(self.consumer, self.max_held)
        if len(own) < self.max_held:
            claim_ms = int(self.settings.claim_idle_s * 1000)
            claimed = await self.streams.autoclaim(self.consumer, claim_ms, min(READ_COUNT, self.max_held - len(own)))
            known = {e.entry_id for e in own}
            own += [e for e in claimed if e.entry_id not in known]
        self._held = {e.entry_id for e in own}
        await self._beat(force=True)
        next_due = await self._handle(own)
        if self.stopping.is_set():
            return
        wait_s = min(MAX_BLOCK_S, self.settings.claim_idle_s / 4, max(0.0, next_due - self.now()))
        room = self.max_held - len(self._held)
        if room <= 0:  # full of events waiting for a retry: read nothing new until some leave
            with suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=wait_s)
            return
        fresh = await self.streams.read_new(self.consumer, min(READ_COUNT, room), max(1, int(wait_s * 1000)))
        self._held |= {e.entry_id for e in fresh}
        await self._handle(fresh)

    async def _handle(self, entries: list[Entry]) -> float:
        """Try the due ones; the earliest next-attempt time of those left waiting."""
        next_due = float("inf")
        for entry in entries:
            if self.stopping.is_set():
                break
            await self._beat()
            if not entry.fields:  # trimmed from the stream while pending
                await self.streams.ack([entry.entry_id])
                continue
            state = await self.streams.retry_state(entry.entry_id) or RetryState()
            if state.next_at > self.now():
                next_due = min(next_due, state.next_at)
                continue
            await self._attempt(entry, state)
            if state.attempts and entry.entry_id in self._held:
                next_due = min(next_due, state.next_at)
        return next_due

    async def _attempt(self, entry: Entry, state: RetryState) -> None:
        event = entry.event()
        only = entry.fields.get("endpoint")
        urls = [only] if only else endpoints_for(self.settings, event.type)
        todo = [u for u in urls if u not in state.delivered]
        errors = await asyncio.gather(*(self.deliverer.deliver(u, event) for u in todo))
        failures = {u: e for u, e in zip(todo, errors, strict=True) if e is not None}
        state.delivered += [u for u, e in zip(todo, errors, strict=True) if e is None]
        if not failures:
            await self.streams.ack([entry.entry_id])
            self._held.discard(entry.entry_id)
            if todo:
                self.observer.on_delivered(event.type)
            return
        state.attempts += 1
        state.last_error = "; ".join(sorted(set(failures.values())))
        if state.attempts >= self.settings.max_attempts:
            await self.streams.dead_letter(entry, failures, state.attempts)
            self._held.discard(entry.entry_id)
            log.warning("event %s (%s) dead-lettered after %d attempts", event.id, event.type, state.attempts)
            self.observer.on_dead(event.type)
            return
        state.next_at = self.now() + backoff_s(self.settings, state.attempts)
        await self.streams.save_retry(entry.entry_id, state)
        self.observer.on_retried(event.type)

    async def _beat(self, *, force: bool = False) -> None:
        now = self.now()
        if force or now - self._last_beat >= self.settings.claim_idle_s / 3:
            await self.streams.heartbeat(self.consumer, sorted(self._held))
            self._last_beat = now
