"""The request flow is assembled in one place, outermost first: bff.app.middleware_chain."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider

from bff.app import middleware_chain
from bff.observability.instrumentation import Instrumentation
from bff.sessions.memory import MemorySessionStore
from bff.settings import Settings, TracingSettings
from tests.fake_clock import FakeClock


def layer_names(settings: Settings, tracer_provider: TracerProvider | None = None) -> list[str]:
    clock = FakeClock()
    obs = Instrumentation(settings, tracer_provider=tracer_provider)
    chain = middleware_chain(settings, obs, MemorySessionStore(clock, idle_ttl_seconds=60), clock)
    return [getattr(m.cls, "__name__", "?") for m in chain]


def test_the_chain_reads_as_the_request_flow() -> None:
    assert layer_names(Settings(environment="test")) == [
        "RequestIdMiddleware",
        "AccessLogMiddleware",
        "CORSMiddleware",
        "SessionMiddleware",
    ]


def test_the_server_span_opens_right_after_the_request_id_when_tracing_is_on() -> None:
    settings = Settings(environment="test", tracing=TracingSettings(enabled=True))
    assert layer_names(settings, TracerProvider()) == [
        "RequestIdMiddleware",
        "TracingMiddleware",
        "AccessLogMiddleware",
        "CORSMiddleware",
        "SessionMiddleware",
    ]
