"""Logs, metrics, traces and request ids. Wired in by ``bff.app`` only (``Instrumentation``).

* ``request_id.py``: pure ASGI, ``X-Request-ID`` in and out, bound to every log line.
* ``logging.py`` + ``redaction.py``: structlog JSON (console for ``bff dev``), the stdlib routed
  through the same redacting processors.
* ``access_log.py``: one ``event="request"`` line per request, and the request metrics.
* ``metrics.py``: every Prometheus metric, one registry per app; ``stores.py`` counts store errors.
* ``tracing.py``: OpenTelemetry request, resolver and Magento-call spans; ``traceparent`` upstream.
* ``operation.py``: what a GraphQL request asked for (name, type, root fields), parsed after the answer.
"""
