"""Prometheus metrics: every definition lives in ``Metrics``; adding one is one line there.

Each app gets its own ``CollectorRegistry`` (never prometheus_client's global one), so tests can
build many apps. Label values are bounded: operation names come from the parsed document and are
capped per app (``CappedLabels``: past the cap, ``other``), outcomes are contract codes, upstream
operations are our own operation files' names. Nothing here is ever raw request input.

Exposed at ``/metrics`` on the main port, or by a separate listener when ``BFF_METRICS__PORT`` is
set (``MetricsServer``, started and stopped by the app's lifespan).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Final, get_args
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.events.catalogue import EVENT_TYPES
from bff.magento.breaker import BreakerState
from bff.magento.upstream_events import Rejection
from bff.request_state import UpstreamCall

log = logging.getLogger("bff.metrics")

OPERATION_LABEL_CAP: Final = 200  # distinct GraphQL operation names per app before "other"
OUTCOME_LABEL_CAP: Final = 100
OTHER: Final = "other"
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


COST_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000)
REDIS_BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
REDIS_COMMAND_LABEL_CAP: Final = 50  # the stores send a few dozen distinct commands


class Metrics:
    """The BFF's metrics, registered in a registry of their own. One line per metric."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        counter, histogram, gauge = self._counter, self._histogram, self._gauge
        self.requests = counter("bff_requests_total", "GraphQL requests answered.", "operation", "outcome")
        self.request_duration = histogram("bff_request_duration_seconds", "Time to answer.", "operation", "outcome")
        self.inflight = gauge("bff_inflight_requests", "HTTP requests being served now.")
        self.upstream_requests = counter("bff_upstream_requests_total", "Magento calls.", "operation", "outcome")
        self.upstream_duration = histogram("bff_upstream_duration_seconds", "One Magento call.", "operation")
        self.upstream_retries = counter("bff_upstream_retries_total", "Magento reads sent again.", "operation")
        self.upstream_retry_budget_exhausted = counter(
            "bff_upstream_retry_budget_exhausted_total", "Retries not sent: the retry budget was spent.", "operation"
        )
        self.upstream_rejected = counter(
            "bff_upstream_rejected_total", "Magento calls refused before sending.", "reason"
        )
        self.upstream_breaker_state = gauge("bff_upstream_breaker_state", "Breaker: 0 closed, 1 open, 2 half-open.")
        self.upstream_breaker_transitions = counter(
            "bff_upstream_breaker_transitions_total", "Circuit breaker state changes, by new state.", "state"
        )
        self.upstream_inflight = gauge("bff_upstream_inflight", "Magento calls being sent now.")
        for reason in get_args(Rejection):
            self.upstream_rejected.labels(reason)
        self.idempotency_replays = counter("bff_idempotency_replays_total", "Stored orders replayed.")
        self.idempotency_conflicts = counter("bff_idempotency_conflicts_total", "Keys reused with other input.")
        self.response_cache = counter("bff_response_cache_total", "Response cache lookups.", "outcome")
        self.cache_purges = counter("bff_response_cache_purges_total", "Response cache purges (invalidation hooks).")
        self.cache_purged_entries = counter("bff_response_cache_purged_entries_total", "Entries the purges removed.")
        self.hook_events = counter("bff_hook_events_total", "Magento webhook events answered.", "event", "outcome")
        self.session_store_errors = counter("bff_session_store_errors_total", "Store calls that raised.", "operation")
        self.query_cost = Histogram(
            "bff_query_cost",
            "Requested cost of GraphQL operations (refused ones included).",
            ["outcome"],
            buckets=COST_BUCKETS,
            registry=self.registry,
        )
        self.events_published = counter("bff_events_published_total", "Events written to the outbox.", "type")
        self.events_delivered = counter("bff_events_delivered_total", "Events an endpoint accepted.", "type")
        self.events_retried = counter("bff_events_retried_total", "Deliveries failed, to be tried again.", "type")
        self.events_dead = counter("bff_events_dead_total", "Events moved to the dead letters.", "type")
        for event_type in EVENT_TYPES:
            for events in (self.events_published, self.events_delivered, self.events_retried, self.events_dead):
                events.labels(event_type)
        self.redis_duration = Histogram(
            "bff_redis_command_duration_seconds",
            "One Redis command, from call to reply (waiting for a pooled connection included).",
            ["command"],
            buckets=REDIS_BUCKETS,
            registry=self.registry,
        )
        self.redis_errors = counter("bff_redis_command_errors_total", "Redis commands failed.", "command", "failure")
        self.redis_commands = CappedLabels(REDIS_COMMAND_LABEL_CAP)
        self.events_lag = EventLag()
        self.registry.register(self.events_lag)
        self.operations = CappedLabels(OPERATION_LABEL_CAP)
        self.outcomes = CappedLabels(OUTCOME_LABEL_CAP)

    def _counter(self, name: str, documentation: str, *labels: str) -> Counter:
        return Counter(name, documentation, labels, registry=self.registry)

    def _histogram(self, name: str, documentation: str, *labels: str) -> Histogram:
        return Histogram(name, documentation, labels, buckets=LATENCY_BUCKETS, registry=self.registry)

    def _gauge(self, name: str, documentation: str, *labels: str) -> Gauge:
        return Gauge(name, documentation, labels, registry=self.registry)

    def observe_request(self, operation: str, outcome: str, duration_s: float) -> None:
        labels = (self.operations.label(operation), self.outcomes.label(outcome))
        self.requests.labels(*labels).inc()
        self.request_duration.labels(*labels).observe(duration_s)

    def observe_cost(self, outcome: str, requested: int) -> None:
        self.query_cost.labels(self.outcomes.label(outcome)).observe(requested)

    def observe_upstream(self, call: UpstreamCall) -> None:
        """A ``MagentoClient`` observer."""
        self.upstream_requests.labels(call.operation, call.outcome).inc()
        self.upstream_duration.labels(call.operation).observe(call.duration_s)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class CappedLabels:
    """Admits the first ``cap`` distinct values of a label; later new values become ``other``."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, value: str) -> str:
        if value in self._seen:
            return value
        with self._lock:
            if len(self._seen) >= self.cap:
                return OTHER
            self._seen.add(value)
        return value


class RedisCommandTimings:
    """The Redis client's ``CommandObserver``: each command's round trip, and its failures."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def __call__(self, command: str, duration_s: float, failure: str | None) -> None:
        label = self._metrics.redis_commands.label(command)
        self._metrics.redis_duration.labels(label).observe(duration_s)
        if failure is not None:
            self._metrics.redis_errors.labels(label, failure).inc()


class IdempotencyCounters:
    """The checkout's ``IdempotencyObserver``: replays and conflicts, counted."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def on_replay(self) -> None:
        self._metrics.idempotency_replays.inc()

    def on_conflict(self) -> None:
        self._metrics.idempotency_conflicts.inc()


class UpstreamEventCounters:
    """The Magento client's ``UpstreamEvents``: retries, spent budgets, refusals, breaker moves."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def on_retry(self, operation: str) -> None:
        self._metrics.upstream_retries.labels(operation).inc()

    def on_retry_budget_exhausted(self, operation: str) -> None:
        self._metrics.upstream_retry_budget_exhausted.labels(operation).inc()

    def on_rejected(self, reason: Rejection) -> None:
        self._metrics.upstream_rejected.labels(reason).inc()

    def on_breaker_transition(self, state: BreakerState) -> None:
        self._metrics.upstream_breaker_transitions.labels(state.name.lower()).inc()


def event_type_label(event_type: str) -> str:
    """Event types are the catalogue's; anything else (a bug, a future type) is ``other``."""
    return event_type if event_type in EVENT_TYPES else OTHER


class EventCounters:
    """The outbox's observers (the publisher's and ``bff worker``'s): events counted by type."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def on_published(self, event_type: str) -> None:
        self._metrics.events_published.labels(event_type_label(event_type)).inc()

    def on_delivered(self, event_type: str) -> None:
        self._metrics.events_delivered.labels(event_type_label(event_type)).inc()

    def on_retried(self, event_type: str) -> None:
        self._metrics.events_retried.labels(event_type_label(event_type)).inc()

    def on_dead(self, event_type: str) -> None:
        self._metrics.events_dead.labels(event_type_label(event_type)).inc()


class EventLag(Collector):
    """``bff_events_lag``: events not delivered yet, read from the outbox on each scrape (blocking: the
    main port's route scrapes in a thread). Without a reader, or when it fails, the gauge has no sample."""

    def __init__(self) -> None:
        self.reader: Callable[[], int] | None = None

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "bff_events_lag", "Outbox entries not delivered yet (unacknowledged or unread by the workers)."
        )
        if self.reader is not None:
            try:
                family.add_metric([], float(self.reader()))
            except Exception as exc:  # a scrape never fails for the outbox
                log.warning("bff_events_lag not read: %s", type(exc).__name__)
        yield family


def metrics_route(metrics: Metrics, path: str = "/metrics") -> Route:
    async def endpoint(_: Request) -> Response:
        exposition = await run_in_threadpool(metrics.exposition)  # collectors may read Redis (bff_events_lag)
        return Response(exposition, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return Route(path, endpoint, methods=["GET"])


class MetricsServer:
    """``/metrics`` on a port of its own (prometheus_client's threaded HTTP server)."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics = metrics
        self.host = host
        self.port = port
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            self._server, self._thread = start_http_server(self.port, addr=self.host, registry=self.metrics.registry)
        except OSError as exc:  # e.g. BFF_SERVER__WORKERS > 1: the first worker has the port
            log.error("metrics port %s:%d unavailable (%s): not serving metrics", self.host, self.port, exc.strerror)
            return
        log.info("metrics on http://%s:%d/metrics", self.host, self.port)

    def stop(self) -> None:
        """Blocks up to the server's poll interval (0.5 s): run it in a thread from async code."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None
