"""Fixtures for observability: the BFF in front of a fresh sandbox, with every Magento request
recorded, all log output captured from the root logger, and an in-memory span exporter."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from io import StringIO
from typing import Any

import httpx
import pytest
import structlog
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette

from bff.app import create_app
from bff.observability.logging import QUIET_LOGGERS, SILENCED_LOGGERS, configure_logging
from bff.observability.metrics import Metrics
from bff.sandbox import FaultPlan, SandboxState, create_sandbox_app
from bff.settings import LogSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport


class LogCapture:
    """Everything logged at the root (structlog and stdlib), as rendered text."""

    def __init__(self) -> None:
        self.stream = StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line.get("event") == "request"]


def capture_logs(settings: LogSettings) -> Iterator[LogCapture]:
    capture = LogCapture()
    loggers = [logging.getLogger(name) for name in ("", *QUIET_LOGGERS, *SILENCED_LOGGERS)]
    levels = [logger.level for logger in loggers]
    handler = configure_logging(settings, stream=capture.stream)
    try:
        yield capture
    finally:
        logging.getLogger().removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        structlog.reset_defaults()


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    """JSON log lines at DEBUG, captured at the root logger for this test."""
    yield from capture_logs(LogSettings(level="DEBUG"))


@pytest.fixture
def upstream(sandbox_state: SandboxState, faults: FaultPlan) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=create_sandbox_app(sandbox_state, faults)))


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer_provider(exporter: InMemorySpanExporter) -> TracerProvider:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


@pytest.fixture
def bff_app(
    settings: Settings, upstream: RecordingTransport, clock: FakeClock, tracer_provider: TracerProvider
) -> Starlette:
    return create_app(settings, magento_transport=upstream, clock=clock, tracer_provider=tracer_provider)


@pytest.fixture
def metrics(bff_app: Starlette) -> Metrics:
    found = bff_app.state.metrics
    assert isinstance(found, Metrics)
    return found


def spans_named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.name == name]
