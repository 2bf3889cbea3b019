"""``Instrumentation``: everything observability adds to one app, built from settings.

``bff.app.create_app`` is the only caller. It asks this object for its middleware (placed by
``bff.app.middleware_chain``, which owns the order of every layer), the routes,
the Magento client's observer and tracer, the checkout's idempotency observer and the store
wrappers, and runs ``running()`` in its lifespan (the separate metrics listener, the tracer
provider's flush). Business code never imports ``bff.observability`` (import-linter checks).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from opentelemetry.trace import TracerProvider
from starlette.middleware import Middleware
from starlette.routing import Route
from strawberry.extensions import SchemaExtension

from bff.magento.client import MagentoClient, Observer, UpstreamTracer
from bff.magento.upstream_events import UpstreamEvents
from bff.observability.access_log import AccessLogMiddleware, EdgeHitLog
from bff.observability.metrics import (
    EventCounters,
    IdempotencyCounters,
    Metrics,
    MetricsServer,
    RedisCommandTimings,
    UpstreamEventCounters,
    metrics_route,
)
from bff.observability.request_id import RequestIdMiddleware
from bff.observability.stores import CountingIdempotencyStore, CountingSessionStore
from bff.observability.tracing import Tracing, TracingMiddleware
from bff.sessions.store import IdempotencyStore, SessionStore
from bff.settings import Settings


class Instrumentation:
    def __init__(self, settings: Settings, *, tracer_provider: TracerProvider | None = None) -> None:
        self.metrics = Metrics() if settings.metrics.enabled else None
        self.sample_ok = settings.log.sample_ok
        self.sample_hits = settings.log.sample_hits
        self.tracing = Tracing.from_settings(settings.tracing, tracer_provider) if settings.tracing.enabled else None
        self._server = (
            MetricsServer(self.metrics, settings.server.host, settings.metrics.port)
            if self.metrics is not None and settings.metrics.port is not None
            else None
        )

    def request_id(self) -> Middleware:
        """Accept or create ``X-Request-ID``; creates the request's ``RequestState``."""
        return Middleware(RequestIdMiddleware)

    def server_span(self) -> list[Middleware]:
        """The request's server span (none when tracing is off)."""
        return [Middleware(TracingMiddleware, tracing=self.tracing)] if self.tracing is not None else []

    def access_log(self) -> Middleware:
        """The per-request log line and the request metrics."""
        return Middleware(AccessLogMiddleware, metrics=self.metrics, sample_ok=self.sample_ok)

    def edge_hits(self) -> EdgeHitLog | None:
        """What counts and logs the hits answered at the edge; None with tracing on (then every
        request takes the middleware chain, so each gets its server span)."""
        return EdgeHitLog(self.metrics, sample_hits=self.sample_hits) if self.tracing is None else None

    def routes(self) -> list[Route]:
        """``/metrics`` on the main app, unless metrics are off or have a port of their own."""
        if self.metrics is None or self._server is not None:
            return []
        return [metrics_route(self.metrics)]

    def upstream_observers(self) -> list[Observer]:
        return [self.metrics.observe_upstream] if self.metrics is not None else []

    def upstream_events(self) -> UpstreamEvents | None:
        return UpstreamEventCounters(self.metrics) if self.metrics is not None else None

    def watch_upstream(self, client: MagentoClient) -> None:
        """The in-flight and breaker gauges read ``client`` when scraped (nothing per call)."""
        if self.metrics is not None:
            self.metrics.upstream_inflight.set_function(lambda: client.inflight)
            self.metrics.upstream_breaker_state.set_function(lambda: int(client.breaker_state))

    def upstream_tracer(self) -> UpstreamTracer | None:
        return self.tracing

    def event_counters(self) -> EventCounters | None:
        """The outbox publisher's observer: ``bff_events_published_total``."""
        return EventCounters(self.metrics) if self.metrics is not None else None

    def redis_observer(self) -> RedisCommandTimings | None:
        """Times every Redis command (``bff.sessions.redis_connection``'s ``CommandObserver``)."""
        return RedisCommandTimings(self.metrics) if self.metrics is not None else None

    def idempotency_observer(self) -> IdempotencyCounters | None:
        return IdempotencyCounters(self.metrics) if self.metrics is not None else None

    def hook_counter(self) -> Callable[[str, str], None] | None:
        """Counts each ``/hooks/magento/{event}`` answer by event and outcome (both bounded)."""
        if self.metrics is None:
            return None
        counter = self.metrics.hook_events
        return lambda event, outcome: counter.labels(event, outcome).inc()

    def purge_counter(self) -> Callable[[int], None] | None:
        """Counts each response-cache purge and the entries it removed."""
        if self.metrics is None:
            return None
        purges, purged = self.metrics.cache_purges, self.metrics.cache_purged_entries

        def count(removed: int) -> None:
            purges.inc()
            purged.inc(removed)

        return count

    def session_store(self, store: SessionStore) -> SessionStore:
        return CountingSessionStore(store, self.metrics.session_store_errors) if self.metrics is not None else store

    def idempotency_store(self, store: IdempotencyStore) -> IdempotencyStore:
        if self.metrics is None:
            return store
        return CountingIdempotencyStore(
            store, self.metrics.session_store_errors, EventCounters(self.metrics).on_published
        )

    def schema_observers(self) -> list[Callable[[], SchemaExtension]]:
        """Extensions for ``build_schema`` to run last: the resolver spans when tracing is on."""
        return [self.tracing.resolver_extension()] if self.tracing is not None else []

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """For the app's lifespan: the separate metrics listener, and the tracer provider's flush."""
        if self._server is not None:
            self._server.start()
        try:
            yield
        finally:
            if self._server is not None:
                await asyncio.to_thread(self._server.stop)
            if self.tracing is not None:
                await asyncio.to_thread(self.tracing.shutdown)
