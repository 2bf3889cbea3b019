"""Logging: one JSON object per line (``bff serve``) or a readable console (``bff dev``).

structlog renders everything. The stdlib is routed through the same processors (a
``ProcessorFormatter`` on the root handler), so lines from uvicorn, Strawberry and our own
``logging.getLogger(...)`` calls are JSON, carry the request id, and are redacted like the rest.
Business code logs with ``structlog.get_logger()`` or ``logging.getLogger(__name__)``; values go in
keys (``log.info("cart recreated", operation=...)``), never interpolated shopper input.

Only the entry points (``bff.app.app_from_env`` and ``bff.cli``) call ``configure_logging``; an app
built by ``create_app`` never touches global logging state.

**Off the event loop, if asked** (``BFF_LOG__BACKGROUND=true``; off by default): a line is still
rendered where it is logged (the request id and trace ids live in that context), but written and
flushed by a ``QueueListener`` thread, so a stdout that blocks (a stalled pipe) cannot stall the
event loop; the queue is drained at exit. Measured here it costs CPU rather than saving it (about
30 µs per access line inline, 35-42 µs with the thread: the hand-over of each line between the
threads costs more than a write to a pipe or file), hence the default.
"""

from __future__ import annotations

import atexit
import json
import logging
import sys
from logging.handlers import QueueHandler, QueueListener
from queue import SimpleQueue
from typing import TextIO

import orjson
import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from bff.observability.redaction import redact
from bff.settings import LogSettings

HANDLER_NAME = "bff"
# Set to WARNING: one INFO line per Magento call (with its URL); the access log lists the calls.
QUIET_LOGGERS = ("httpx", "httpcore")
# Set to CRITICAL: Strawberry logs every GraphQL error with the document and the variable values
# (shopper input: names, addresses). bff.graphql.errors logs unexpected errors and upstream details.
SILENCED_LOGGERS = ("strawberry.execution",)


def add_trace_ids(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """``trace_id``/``span_id`` of the current span, when tracing is on (joins logs to traces)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def drop_message_copies(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Remove the stdlib record's copies of ``event``: ``message``, and uvicorn's ANSI ``color_message``."""
    event_dict.pop("message", None)
    event_dict.pop("color_message", None)
    return event_dict


def summarize_request(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Console only: the access log line as ``POST /graphql AddToCart → OK 200 12.3ms`` + upstream calls."""
    if event_dict.get("logger") != "bff.access" or event_dict.get("event") != "request":
        return event_dict
    fields = {key: event_dict.pop(key, None) for key in _ACCESS_FIELDS}
    operation = fields["operation"] or ",".join(fields["root_fields"] or ())
    outcome = f" → {fields['outcome']}" if fields["outcome"] else ""
    event_dict["event"] = (
        f"{fields['method']} {fields['path']} {operation}{outcome} {fields['status']} {fields['duration_ms']}ms"
    )
    calls = fields["upstream"] or []
    if calls:
        event_dict["upstream"] = ", ".join(
            f"{c.get('operation')} {c.get('ms')}ms" + ("" if c.get("outcome") == "ok" else f" {c.get('outcome')}")
            for c in calls
            if isinstance(c, dict)
        )
    return event_dict


_ACCESS_FIELDS = (
    "method", "path", "operation", "operation_type", "root_fields", "outcome", "status", "duration_ms", "upstream",
    "upstream_ms",
)  # fmt: skip


def _shared(*, trace_ids: bool = True) -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        *([add_trace_ids] if trace_ids else []),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def json_line(event_dict: EventDict, **_: object) -> str:
    """The JSON renderer's serializer: orjson, several times faster than the stdlib. Lines stay
    ASCII, as they always were: one holding other characters is rendered by the stdlib, escaped."""
    try:
        line = orjson.dumps(event_dict, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # e.g. an integer past 64 bits
        line = ""
    return line if line and line.isascii() else json.dumps(event_dict, default=str)


def formatter(
    settings: LogSettings, *, colors: bool = False, trace_ids: bool = True
) -> structlog.stdlib.ProcessorFormatter:
    """The root handler's formatter: exceptions to text, then redaction, then the renderer."""
    rendering: list[Processor] = (
        [structlog.processors.JSONRenderer(serializer=json_line)]
        if settings.json_output
        else [
            summarize_request,
            structlog.dev.ConsoleRenderer(colors=colors, exception_formatter=structlog.dev.plain_traceback),
        ]
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared(trace_ids=trace_ids), structlog.stdlib.ExtraAdder(), drop_message_copies],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            *rendering,
        ],
    )


def configure_logging(
    settings: LogSettings, *, stream: TextIO | None = None, trace_ids: bool = True
) -> logging.Handler:
    """Route structlog and the stdlib to one redacting handler on ``stream`` (stdout by default).

    ``trace_ids``: whether lines look up the current span's ids; the entry points pass whether
    tracing is on, so a process without tracing never asks OpenTelemetry on each line.
    Idempotent: a handler installed by an earlier call is replaced. Returns the handler (tests
    remove it again).
    """
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared(trace_ids=trace_ids),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,  # a logger used before this call must not keep the old setup
    )
    out = stream or sys.stdout
    writer = logging.StreamHandler(out)
    handler: logging.Handler = writer
    if settings.background:
        writer.setFormatter(_Rendered())
        handler = _RenderingQueueHandler(SimpleQueue())
        _start_writer(handler, writer)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter(settings, colors=not settings.json_output and out.isatty(), trace_ids=trace_ids))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
        stop_writer(old)
    root.addHandler(handler)
    root.setLevel(settings.level)
    quiet = max(logging.WARNING, logging.getLevelName(settings.level))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    for name in SILENCED_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return handler


class _RenderingQueueHandler(QueueHandler):
    """Renders the line here (``prepare`` formats it), hands the text to the writer thread."""


class _Rendered(logging.Formatter):
    """The writer thread's formatter: the line as ``prepare`` rendered it, nothing added."""

    def format(self, record: logging.LogRecord) -> str:
        return str(record.msg)


_listeners: dict[int, QueueListener] = {}  # id(queue handler) → its writer thread


def _start_writer(handler: QueueHandler, writer: logging.Handler) -> None:
    listener = QueueListener(handler.queue, writer)
    listener.start()
    _listeners[id(handler)] = listener
    atexit.register(stop_writer, handler)


def stop_writer(handler: logging.Handler) -> None:
    """Write what is still queued, then stop the thread (at exit, or when a handler is replaced)."""
    listener = _listeners.pop(id(handler), None)
    if listener is not None:
        listener.stop()
