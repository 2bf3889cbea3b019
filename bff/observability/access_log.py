"""Pure ASGI: one log line per HTTP request (``event="request"``) and the request metrics.

The line is written after the response has been sent, from the request's ``RequestState``: the
request id (``RequestIdMiddleware``), the GraphQL document and outcome code (the view's
``GraphQLRecord``) and the Magento calls made. Probe and scrape requests (``/healthz``,
``/readyz``, ``/metrics``) are logged at DEBUG.

``sample_ok`` (``BFF_LOG__SAMPLE_OK``, default 1: every line) keeps only that share of the lines
of successful requests (status below 400, outcome ``OK`` or none); every refusal, error and
failure is logged, and the metrics always count every request.

``EdgeHitLog`` is the same for the response-cache hits ``bff.cache.edge`` answers before this
middleware: each is counted (``bff_response_cache_total{outcome="hit"}``) and ``sample_hits``
(``BFF_LOG__SAMPLE_HITS``, default 0.01) of them get a line, with ``cache: "hit"`` — at several
thousand hits a second a line each would cost more than answering them.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bff.cache.edge import EdgeHit
from bff.observability.metrics import Metrics
from bff.observability.operation import OperationInfo, describe, metric_label
from bff.request_state import UpstreamCall, request_state

QUIET_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})
MAX_PATH_CHARS: Final = 200

log = logging.getLogger("bff.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None = None, sample_ok: float = 1.0) -> None:
        self.app = app
        self.metrics = metrics
        self.sample_ok = sample_ok

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        if self.metrics is not None:
            self.metrics.inflight.inc()
        failed = False
        try:
            await self.app(scope, receive, send_observed)
        except BaseException:
            failed = True
            raise
        finally:
            duration_s = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.inflight.dec()
            self._finish(scope, status, duration_s, failed)

    def _sampled_out(self, status: int, outcome: str | None, failed: bool) -> bool:
        if self.sample_ok >= 1 or failed or status >= 400 or outcome not in (None, "OK"):
            return False
        return random.random() >= self.sample_ok  # noqa: S311 (sampling, not security)

    def _finish(self, scope: Scope, status: int, duration_s: float, failed: bool) -> None:
        state = request_state(scope)
        record = state.graphql
        info: OperationInfo | None = None
        outcome: str | None = None
        if record is not None:
            info = describe(record.document, record.operation_name)
            outcome = record.outcome or ("INTERNAL" if failed or status >= 500 else None)
            if self.metrics is not None and outcome is not None:
                self.metrics.observe_request(metric_label(info), outcome, duration_s)
                if state.cost is not None:
                    self.metrics.observe_cost(outcome, state.cost.requested)
        if self.metrics is not None and state.cache is not None:
            self.metrics.response_cache.labels(state.cache).inc()
        path = str(scope.get("path", ""))[:MAX_PATH_CHARS]
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
        if not log.isEnabledFor(level):
            return
        if self._sampled_out(status, outcome, failed):
            return
        fields: dict[str, Any] = {
            "request_id": state.request_id,
            "method": scope.get("method"),
            "path": path,
            "status": status,
            "duration_ms": round(duration_s * 1000, 2),
        }
        if info is not None:
            fields.update(
                operation=info.name, operation_type=info.type, root_fields=list(info.root_fields), outcome=outcome
            )
        if state.cache is not None:
            fields["cache"] = state.cache
        if state.cost is not None:
            fields["cost"] = {"requested": state.cost.requested, "actual": state.cost.actual}
        calls = state.calls
        if calls:
            fields["upstream"] = [_call(c) for c in calls]
            fields["upstream_ms"] = round(sum(c.duration_s for c in calls) * 1000, 2)
        log.log(level, "request", extra=fields)


def _call(call: UpstreamCall) -> dict[str, Any]:
    entry: dict[str, Any] = {"operation": call.operation, "ms": round(call.duration_s * 1000, 2)}
    entry["outcome"] = call.outcome
    if call.attempt > 1:
        entry["attempt"] = call.attempt
    if call.shared:
        entry["shared"] = True  # answered by another request's call (single-flight): Magento did no work for it
    return entry


class EdgeHitLog:
    """``on_hit`` of ``bff.cache.edge.EdgeHits``: the metrics and a sampled access line of a hit."""

    def __init__(self, metrics: Metrics | None, *, sample_hits: float) -> None:
        self.hits = metrics.response_cache.labels("hit") if metrics is not None else None
        self.sample_hits = sample_hits

    def __call__(self, hit: EdgeHit) -> None:
        if self.hits is not None:
            self.hits.inc()
        if self.sample_hits <= 0 or (self.sample_hits < 1 and random.random() >= self.sample_hits):  # noqa: S311
            return
        if log.isEnabledFor(logging.INFO):
            fields: dict[str, Any] = {
                "request_id": hit.request_id,
                "method": hit.method,
                "path": hit.path,
                "status": hit.status,
                "duration_ms": round(hit.duration_s * 1000, 2),
                "operation": hit.operation_name,
                "outcome": "OK",
                "cache": "hit",
            }
            log.info("request", extra=fields)
