"""OpenTelemetry: request → resolver → upstream spans, traceparent to Magento, incoming traces continued."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette

from bff.app import create_app
from bff.observability import tracing
from bff.observability.tracing import provider_from_settings
from bff.sandbox import Fault, FaultPlan
from bff.settings import SessionSettings, Settings, TracingSettings
from tests.fake_clock import FakeClock
from tests.observability.conftest import LogCapture, spans_named
from tests.recording import RecordingTransport

ADD = "mutation AddToCart($sku: String!) { addToCart(items: [{sku: $sku, quantity: 1}]) { userErrors { code } } }"
PRODUCTS = '{ products(search: "bag") { totalCount } }'
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"


@pytest.fixture
def traced_app(upstream: RecordingTransport, clock: FakeClock, tracer_provider: TracerProvider) -> Starlette:
    settings = Settings(
        environment="test", session=SessionSettings(cookie_secure=False), tracing=TracingSettings(enabled=True)
    )
    return create_app(settings, magento_transport=upstream, clock=clock, tracer_provider=tracer_provider)


@pytest.fixture
async def traced(traced_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=traced_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as c:
        yield c


async def test_tracing_is_off_by_default(
    client: httpx.AsyncClient, upstream: RecordingTransport, exporter: InMemorySpanExporter
) -> None:
    await client.post("/graphql", json={"query": ADD, "variables": {"sku": "BAG-001"}})
    assert exporter.get_finished_spans() == ()
    assert [r.headers.get("traceparent") for r in upstream.requests] == [None, None]


async def test_a_request_gets_a_server_span_with_the_operation(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await traced.post("/graphql", json={"query": ADD, "variables": {"sku": "BAG-001"}}, headers={"X-Request-ID": "r-7"})
    [server] = spans_named(exporter, "POST /graphql")
    assert server.kind == SpanKind.SERVER
    assert dict(server.attributes or {}) == {
        "http.request.method": "POST",
        "http.response.status_code": 200,
        "bff.request_id": "r-7",
        "graphql.operation.type": "mutation",
        "graphql.operation.name": "AddToCart",
        "bff.outcome": "OK",
    }


async def test_resolver_spans_nest_in_the_request_and_upstream_spans_in_the_resolver(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await traced.post("/graphql", json={"query": ADD, "variables": {"sku": "BAG-001"}})
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) == {"POST /graphql", "Mutation.addToCart", "magento CreateGuestCart", "magento AddProductsToCart"}
    server, resolver = spans["POST /graphql"], spans["Mutation.addToCart"]
    assert resolver.parent is not None
    assert resolver.parent.span_id == server.context.span_id
    for name in ("magento CreateGuestCart", "magento AddProductsToCart"):
        parent = spans[name].parent
        assert parent is not None
        assert parent.span_id == resolver.context.span_id
    assert {s.context.trace_id for s in spans.values()} == {server.context.trace_id}


async def test_an_upstream_span_has_the_operation_and_http_status(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await traced.post("/graphql", json={"query": PRODUCTS})
    [call] = spans_named(exporter, "magento ProductListing")
    assert call.kind == SpanKind.CLIENT
    assert dict(call.attributes or {}) == {
        "bff.upstream.operation": "ProductListing",
        "http.request.method": "GET",
        "bff.upstream.outcome": "ok",
        "bff.upstream.attempt": 1,
        "http.response.status_code": 200,
    }


async def test_a_failed_upstream_call_marks_its_span_as_an_error(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter, faults: FaultPlan
) -> None:
    faults.set("products", Fault(error_rate=1.0, error="http503"))
    await traced.post("/graphql", json={"query": PRODUCTS})
    calls = spans_named(exporter, "magento ProductListing")
    assert [(c.attributes or {}).get("http.response.status_code") for c in calls] == [503, 503]
    assert {c.status.status_code for c in calls} == {StatusCode.ERROR}
    [resolver] = spans_named(exporter, "Query.products")
    assert (resolver.status.status_code, resolver.status.description) == (StatusCode.ERROR, "MagentoUnavailable")
    assert all(not s.events for s in exporter.get_finished_spans())  # no exception text is exported


async def test_traceparent_is_sent_to_magento_from_the_upstream_span(
    traced: httpx.AsyncClient, upstream: RecordingTransport, exporter: InMemorySpanExporter
) -> None:
    await traced.post("/graphql", json={"query": PRODUCTS})
    [call] = spans_named(exporter, "magento ProductListing")
    expected = f"00-{call.context.trace_id:032x}-{call.context.span_id:016x}-{call.context.trace_flags:02x}"
    assert [r.headers.get("traceparent") for r in upstream.requests] == [expected]


async def test_an_incoming_traceparent_is_continued(
    traced: httpx.AsyncClient, upstream: RecordingTransport, exporter: InMemorySpanExporter
) -> None:
    await traced.post("/graphql", json={"query": PRODUCTS}, headers={"traceparent": f"00-{TRACE_ID}-{PARENT_ID}-01"})
    [server] = spans_named(exporter, "POST /graphql")
    assert f"{server.context.trace_id:032x}" == TRACE_ID
    assert server.parent is not None
    assert f"{server.parent.span_id:016x}" == PARENT_ID
    assert upstream.requests[0].headers["traceparent"].startswith(f"00-{TRACE_ID}-")


async def test_log_lines_carry_the_trace_id(
    traced: httpx.AsyncClient, logs: LogCapture, exporter: InMemorySpanExporter
) -> None:
    await traced.post("/graphql", json={"query": PRODUCTS})
    [server] = spans_named(exporter, "POST /graphql")
    [line] = logs.requests()
    assert (line["trace_id"], line["span_id"]) == (f"{server.context.trace_id:032x}", f"{server.context.span_id:016x}")


async def test_requests_outside_graphql_get_a_span_named_by_method(
    traced: httpx.AsyncClient, exporter: InMemorySpanExporter
) -> None:
    await traced.get("/healthz")
    assert [s.name for s in exporter.get_finished_spans()] == ["GET"]


def test_a_configured_otlp_endpoint_without_the_exporter_installed_logs_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(tracing, "OTLP_EXPORTER_MODULE", "bff_no_such_exporter_module")
    with caplog.at_level(logging.WARNING, logger="bff.tracing"):
        provider = provider_from_settings(
            TracingSettings(enabled=True, otlp_endpoint="http://collector:4318/v1/traces")
        )
    provider.shutdown()
    assert "pip install 'bff[otlp]'" in caplog.text


def test_a_provider_built_from_settings_samples_by_the_configured_ratio() -> None:
    provider = provider_from_settings(TracingSettings(enabled=True, sample_ratio=0.0))
    with provider.get_tracer("t").start_as_current_span("root") as span:
        sampled = span.get_span_context().trace_flags.sampled
    provider.shutdown()
    assert sampled is False
