"""Pure ASGI: one log line per HTTP request (``event="request"``) and the request metrics.

The line is written after the response has been sent, from what the request left in its scope:
the request id (``RequestIdMiddleware``), the GraphQL document and outcome code (the view, under
``bff.graphql``) and the Magento calls made (``RequestMeta.calls``, under ``bff.meta``). Probe and
scrape requests (``/healthz``, ``/readyz``, ``/metrics``) are logged at DEBUG.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bff.magento.client import UpstreamCall
from bff.observability.metrics import Metrics
from bff.observability.operation import GRAPHQL_SCOPE_KEY, OperationInfo, describe, metric_label
from bff.observability.request_id import SCOPE_KEY as REQUEST_ID_KEY

META_SCOPE_KEY: Final = "bff.meta"  # the view's RequestMeta; its `calls` lists the Magento calls
QUIET_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})
MAX_PATH_CHARS: Final = 200

log = logging.getLogger("bff.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

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

    def _finish(self, scope: Scope, status: int, duration_s: float, failed: bool) -> None:
        record = scope.get(GRAPHQL_SCOPE_KEY)
        info: OperationInfo | None = None
        outcome: str | None = None
        if isinstance(record, dict):
            info = describe(record.get("query"), record.get("operation_name"))
            recorded = record.get("outcome")
            outcome = recorded if isinstance(recorded, str) else ("INTERNAL" if failed or status >= 500 else None)
            if self.metrics is not None and outcome is not None:
                self.metrics.observe_request(metric_label(info), outcome, duration_s)
        path = str(scope.get("path", ""))[:MAX_PATH_CHARS]
        level = logging.DEBUG if path in QUIET_PATHS else logging.INFO
        if not log.isEnabledFor(level):
            return
        fields: dict[str, Any] = {
            "request_id": scope.get(REQUEST_ID_KEY),
            "method": scope.get("method"),
            "path": path,
            "status": status,
            "duration_ms": round(duration_s * 1000, 2),
        }
        if info is not None:
            fields.update(
                operation=info.name, operation_type=info.type, root_fields=list(info.root_fields), outcome=outcome
            )
        calls = getattr(scope.get(META_SCOPE_KEY), "calls", None)
        if calls:
            fields["upstream"] = [_call(c) for c in calls if isinstance(c, UpstreamCall)]
            fields["upstream_ms"] = round(sum(c.duration_s for c in calls if isinstance(c, UpstreamCall)) * 1000, 2)
        log.log(level, "request", extra=fields)


def _call(call: UpstreamCall) -> dict[str, Any]:
    entry: dict[str, Any] = {"operation": call.operation, "ms": round(call.duration_s * 1000, 2)}
    entry["outcome"] = call.outcome
    if call.attempt > 1:
        entry["attempt"] = call.attempt
    return entry
