"""OpenTelemetry tracing (off unless ``BFF_TRACING__ENABLED=true``).

Three kinds of span, nested ``request → resolver → upstream``:

* ``TracingMiddleware``: the SERVER span of each HTTP request; continues an incoming W3C
  ``traceparent``; carries the GraphQL operation name/type and the outcome code.
* ``ResolverSpans``: a Strawberry extension that opens one span per root field (``Query.cart``,
  ``Mutation.placeOrder``): the resolvers that call Magento. Nested fields are not traced (cheap).
* ``Tracing.upstream_span``: the CLIENT span of each Magento call attempt (operation name, HTTP
  status, outcome); ``traceparent`` is injected into the Magento request's headers.

Spans never record exception messages (they may carry Magento's text, which can hold shopper
data): only the exception type. ``create_app(..., tracer_provider=...)`` takes a provider (tests
pass one with an ``InMemorySpanExporter``); otherwise one is built from settings, exporting over
OTLP/HTTP when ``BFF_TRACING__OTLP_ENDPOINT`` is set and the ``otlp`` extra is installed. The
global OpenTelemetry provider is never read or set.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer, TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from bff.observability.operation import describe
from bff.request_state import UpstreamCall, request_state
from bff.settings import TracingSettings

log = logging.getLogger("bff.tracing")
ResolveInfo = GraphQLResolveInfo[Any]

OTLP_EXPORTER_MODULE = "opentelemetry.exporter.otlp.proto.http.trace_exporter"


def provider_from_settings(settings: TracingSettings) -> SdkTracerProvider:
    provider = SdkTracerProvider(
        resource=Resource.create({"service.name": settings.service_name}),
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    exporter = _otlp_exporter(settings.otlp_endpoint) if settings.otlp_endpoint else None
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    else:
        log.info("tracing is on without an exporter: trace ids are propagated and logged only")
    return provider


def _otlp_exporter(endpoint: str) -> SpanExporter | None:
    try:
        module = importlib.import_module(OTLP_EXPORTER_MODULE)
    except ImportError:
        log.warning("BFF_TRACING__OTLP_ENDPOINT is set but the exporter is missing: pip install 'bff[otlp]'")
        return None
    exporter: SpanExporter = module.OTLPSpanExporter(endpoint=endpoint)
    return exporter


def _failed(span: Span, exc: BaseException) -> None:
    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


class Tracing:
    def __init__(self, provider: TracerProvider, *, owned: bool = False) -> None:
        self.provider = provider
        self.tracer = provider.get_tracer("bff")
        self.propagator = TraceContextTextMapPropagator()
        self._owned = owned

    @classmethod
    def from_settings(cls, settings: TracingSettings, provider: TracerProvider | None = None) -> Tracing:
        if provider is not None:
            return cls(provider)
        return cls(provider_from_settings(settings), owned=True)

    def shutdown(self) -> None:
        """Flush and stop a provider built here (a provider passed in belongs to the caller)."""
        if self._owned and isinstance(self.provider, SdkTracerProvider):
            self.provider.shutdown()

    @contextmanager
    def upstream_span(
        self, operation: str, headers: dict[str, str], method: str = "POST"
    ) -> Iterator[Callable[[UpstreamCall], None]]:
        """The ``MagentoClient`` hook: a CLIENT span around one attempt, ``traceparent`` in ``headers``."""
        attributes = {"bff.upstream.operation": operation, "http.request.method": method}
        with self.tracer.start_as_current_span(
            f"magento {operation}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            self.propagator.inject(headers)

            def finish(call: UpstreamCall) -> None:
                span.set_attribute("bff.upstream.outcome", call.outcome)
                span.set_attribute("bff.upstream.attempt", call.attempt)
                if call.status is not None:
                    span.set_attribute("http.response.status_code", call.status)
                if call.outcome != "ok":
                    span.set_status(Status(StatusCode.ERROR, call.outcome))

            yield finish

    def resolver_extension(self) -> Callable[[], SchemaExtension]:
        """A factory for ``strawberry.Schema(extensions=[...])`` (one extension per request)."""
        return lambda: ResolverSpans(tracer=self.tracer)


class ResolverSpans(SchemaExtension):
    def __init__(self, *, tracer: Tracer, execution_context: ExecutionContext | None = None) -> None:
        super().__init__(execution_context=execution_context)
        self.tracer = tracer

    def resolve(self, _next: Callable[..., Any], root: Any, info: ResolveInfo, *args: str, **kwargs: Any) -> Any:
        if info.path.prev is not None or info.field_name.startswith("__"):
            return _next(root, info, *args, **kwargs)
        return self._traced(_next, root, info, *args, **kwargs)

    async def _traced(self, _next: Callable[..., Any], root: Any, info: ResolveInfo, *args: Any, **kwargs: Any) -> Any:
        name = f"{info.parent_type.name}.{info.field_name}"
        attributes = {"graphql.field.name": info.field_name, "graphql.operation.type": info.operation.operation.value}
        with self.tracer.start_as_current_span(
            name, attributes=attributes, record_exception=False, set_status_on_exception=False
        ) as span:
            try:
                result = _next(root, info, *args, **kwargs)
                if isawaitable(result):
                    result = await result
            except Exception as exc:
                _failed(span, exc)
                raise
            return result


class TracingMiddleware:
    """Pure ASGI: the SERVER span of each HTTP request."""

    def __init__(self, app: ASGIApp, *, tracing: Tracing) -> None:
        self.app = app
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        parent = self.tracing.propagator.extract(carrier)
        method = scope["method"]
        with self.tracing.tracer.start_as_current_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:

            async def send_traced(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await self.app(scope, receive, send_traced)
            except Exception as exc:
                _failed(span, exc)
                raise
            finally:
                _describe_request(span, scope, method)


def _describe_request(span: Span, scope: Scope, method: str) -> None:
    state = request_state(scope)
    if state.request_id:
        span.set_attribute("bff.request_id", state.request_id)
    record = state.graphql
    if record is None:
        return
    span.update_name(f"{method} {scope['path']}")  # the GraphQL route: a fixed path
    info = describe(record.document, record.operation_name)
    if info.type is not None:
        span.set_attribute("graphql.operation.type", info.type)
    if info.name is not None:
        span.set_attribute("graphql.operation.name", info.name)
    if record.outcome is not None:
        span.set_attribute("bff.outcome", record.outcome)
