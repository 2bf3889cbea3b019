"""Prometheus metrics: one registry per app, bounded labels, requests, upstream calls, idempotency, stores."""

from __future__ import annotations

import logging
import socket

import httpx
import pytest
from prometheus_client import Counter
from starlette.applications import Starlette

from bff.app import create_app
from bff.observability.metrics import Metrics, MetricsServer
from bff.observability.stores import CountingIdempotencyStore, CountingSessionStore
from bff.sandbox import Fault, FaultPlan
from bff.sessions.memory import MemoryIdempotencyStore, MemorySessionStore
from bff.sessions.models import Session
from bff.settings import CacheSettings, MetricsSettings, ServerSettings, SessionSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport
from tests.servers import free_port, uvicorn_server
from tests.storefront import checkout_input
from tests.storefront_fixtures import Gql

ADD = "mutation AddToCart($sku: String!) { addToCart(items: [{sku: $sku, quantity: 1}]) { userErrors { code } } }"
PRODUCTS = '{ products(search: "bag") { totalCount } }'
CHECKOUT = """mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) { order { number } userErrors { code } } }"""


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_metrics_are_exposed_on_the_main_app(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": PRODUCTS})
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'bff_requests_total{operation="products",outcome="OK"} 1.0' in response.text


async def test_every_metric_is_declared_in_the_exposition(client: httpx.AsyncClient) -> None:
    text = (await client.get("/metrics")).text
    declared = {
        line.split()[2]: line.split()[3]
        for line in text.splitlines()
        if line.startswith("# TYPE bff_") and not line.split()[2].endswith("_created")
    }
    assert declared == {
        "bff_requests_total": "counter",
        "bff_request_duration_seconds": "histogram",
        "bff_inflight_requests": "gauge",
        "bff_upstream_requests_total": "counter",
        "bff_response_cache_total": "counter",
        "bff_upstream_duration_seconds": "histogram",
        "bff_idempotency_replays_total": "counter",
        "bff_idempotency_conflicts_total": "counter",
        "bff_session_store_errors_total": "counter",
        "bff_hook_events_total": "counter",
        "bff_query_cost": "histogram",
        "bff_upstream_retries_total": "counter",
        "bff_upstream_retry_budget_exhausted_total": "counter",
        "bff_upstream_rejected_total": "counter",
        "bff_upstream_breaker_state": "gauge",
        "bff_upstream_breaker_transitions_total": "counter",
        "bff_upstream_inflight": "gauge",
        "bff_events_published_total": "counter",
        "bff_events_delivered_total": "counter",
        "bff_events_retried_total": "counter",
        "bff_events_dead_total": "counter",
        "bff_events_lag": "gauge",
        "bff_redis_command_duration_seconds": "histogram",
        "bff_redis_command_errors_total": "counter",
        "bff_response_cache_purges_total": "counter",
        "bff_response_cache_purged_entries_total": "counter",
    }


async def test_requests_are_counted_by_operation_name_and_outcome(gql: Gql, metrics: Metrics) -> None:
    await gql(ADD, {"sku": "BAG-001"})
    await gql(ADD, {"sku": "NO-SUCH-SKU"})
    await gql(ADD, {"sku": "NO-SUCH-SKU"})
    assert value(metrics, "bff_requests_total", operation="AddToCart", outcome="OK") == 1
    assert value(metrics, "bff_requests_total", operation="AddToCart", outcome="PRODUCT_NOT_FOUND") == 2
    assert value(metrics, "bff_request_duration_seconds_count", operation="AddToCart", outcome="OK") == 1


async def test_an_anonymous_operation_is_labelled_by_its_root_field(gql: Gql, metrics: Metrics) -> None:
    await gql(PRODUCTS)
    await gql('{ products(search: "bag") { totalCount } cart { totalQuantity } }')
    assert value(metrics, "bff_requests_total", operation="products", outcome="OK") == 1
    assert value(metrics, "bff_requests_total", operation="anonymous", outcome="OK") == 1


async def test_unparseable_documents_are_labelled_other(gql: Gql, metrics: Metrics) -> None:
    await gql("{ this is not graphql")
    assert value(metrics, "bff_requests_total", operation="other", outcome="BAD_USER_INPUT") == 1


async def test_operation_names_are_capped_per_app(gql: Gql, metrics: Metrics) -> None:
    metrics.operations.cap = 2
    for name in ("First", "Second", "Third", "Fourth", "First"):
        await gql(f"query {name} {{ cart {{ totalQuantity }} }}")
    counted = {
        s.labels["operation"]: s.value
        for m in metrics.registry.collect()
        if m.name == "bff_requests"
        for s in m.samples
        if s.name == "bff_requests_total"
    }
    assert counted == {"First": 2, "Second": 1, "other": 2}


async def test_health_and_metrics_requests_are_not_counted_as_graphql_requests(
    client: httpx.AsyncClient, metrics: Metrics
) -> None:
    await client.get("/healthz")
    await client.get("/metrics")
    assert "bff_requests_total{" not in metrics.exposition().decode()


async def test_no_request_is_in_flight_after_the_answers(client: httpx.AsyncClient, metrics: Metrics) -> None:
    await client.post("/graphql", json={"query": PRODUCTS})
    await client.get("/healthz")
    assert value(metrics, "bff_inflight_requests") == 0


@pytest.fixture
def settings() -> Settings:
    """The response cache off: these tests count every request and what reaches Magento."""
    return Settings(
        environment="test", session=SessionSettings(cookie_secure=False), cache=CacheSettings(enabled=False)
    )


async def test_upstream_calls_are_counted_by_operation_and_outcome(
    gql: Gql, metrics: Metrics, faults: FaultPlan
) -> None:
    await gql(PRODUCTS)
    faults.set("products", Fault(error_rate=1.0, error="http503"))
    await gql(PRODUCTS)
    assert value(metrics, "bff_upstream_requests_total", operation="ProductListing", outcome="ok") == 1
    assert value(metrics, "bff_upstream_requests_total", operation="ProductListing", outcome="http_503") == 2
    assert value(metrics, "bff_upstream_duration_seconds_count", operation="ProductListing") == 3
    assert value(metrics, "bff_requests_total", operation="products", outcome="UPSTREAM_UNAVAILABLE") == 1


async def test_idempotent_replays_are_counted(gql: Gql, metrics: Metrics) -> None:
    await gql(ADD, {"sku": "BAG-001"})
    first = await gql(CHECKOUT, {"input": checkout_input("metrics-key-0001")})
    again = await gql(CHECKOUT, {"input": checkout_input("metrics-key-0001")})
    assert again == first
    assert value(metrics, "bff_idempotency_replays_total") == 1
    assert value(metrics, "bff_idempotency_conflicts_total") == 0


async def test_idempotency_conflicts_are_counted(gql: Gql, metrics: Metrics) -> None:
    await gql(ADD, {"sku": "BAG-001"})
    await gql(CHECKOUT, {"input": checkout_input("metrics-key-0002")})
    other = await gql(CHECKOUT, {"input": checkout_input("metrics-key-0002", email="other@example.com")})
    assert [e["code"] for e in other["data"]["checkout"]["userErrors"]] == ["IDEMPOTENCY_CONFLICT"]
    assert value(metrics, "bff_idempotency_conflicts_total") == 1
    assert value(metrics, "bff_requests_total", operation="Checkout", outcome="IDEMPOTENCY_CONFLICT") == 1


class BrokenSessionStore(MemorySessionStore):
    async def load(self, session_id: str) -> Session | None:
        raise ConnectionError("store down")


async def test_session_store_errors_are_counted_and_re_raised(clock: FakeClock) -> None:
    errors = Metrics().session_store_errors
    store = CountingSessionStore(BrokenSessionStore(clock, idle_ttl_seconds=60), errors)
    with pytest.raises(ConnectionError):
        await store.load("some-id")
    assert await store.ping() is True
    assert errors.labels("session.load")._value.get() == 1
    assert errors.labels("session.ping")._value.get() == 0


async def test_idempotency_store_calls_pass_through_the_counting_store(clock: FakeClock) -> None:
    errors: Counter = Metrics().session_store_errors
    store = CountingIdempotencyStore(MemoryIdempotencyStore(clock, ttl_seconds=60), errors)
    claim = await store.claim("scope", "key-00000001", "fp", 30)
    await store.record_step("scope", "key-00000001", "step", True)
    await store.complete("scope", "key-00000001", {"order": 1})
    record = await store.get("scope", "key-00000001")
    assert (claim.outcome, record is not None and record.result) == ("claimed", {"order": 1})


async def test_the_app_counts_store_errors_by_operation(
    bff_app: Starlette, client: httpx.AsyncClient, metrics: Metrics
) -> None:
    async def broken(session_id: str) -> Session | None:
        raise ConnectionError("store down")

    bff_app.state.sessions.inner.load = broken
    token = "A" * 43
    with pytest.raises(ConnectionError):
        await client.post("/graphql", json={"query": PRODUCTS}, headers={"Authorization": f"Bearer {token}"})
    assert value(metrics, "bff_session_store_errors_total", operation="session.load") == 1


async def test_each_app_has_a_registry_of_its_own(settings: Settings, upstream: RecordingTransport) -> None:
    apps = [create_app(settings, magento_transport=upstream) for _ in range(2)]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url="http://bff.test") as c:
        await c.post("/graphql", json={"query": PRODUCTS})
    counts = [value(app.state.metrics, "bff_requests_total", operation="products", outcome="OK") for app in apps]
    assert counts == [1, 0]


async def test_metrics_can_be_turned_off(upstream: RecordingTransport) -> None:
    settings = Settings(environment="test", metrics=MetricsSettings(enabled=False))
    app = create_app(settings, magento_transport=upstream)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        assert (await c.post("/graphql", json={"query": PRODUCTS})).status_code == 200
        assert (await c.get("/metrics")).status_code == 404
    assert app.state.metrics is None


def test_a_separate_metrics_port_serves_metrics_and_closes_on_shutdown(upstream: RecordingTransport) -> None:
    port = free_port()
    settings = Settings(
        environment="test",
        session=SessionSettings(cookie_secure=False),
        server=ServerSettings(host="127.0.0.1"),
        metrics=MetricsSettings(port=port),
    )
    with uvicorn_server(create_app(settings, magento_transport=upstream)) as base_url:
        assert httpx.post(f"{base_url}/graphql", json={"query": PRODUCTS}).status_code == 200
        assert httpx.get(f"{base_url}/metrics").status_code == 404
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics")
        assert 'bff_requests_total{operation="products",outcome="OK"} 1.0' in scraped.text
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics")


def test_a_busy_metrics_port_is_reported_without_stopping_the_app(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = MetricsServer(Metrics(), "127.0.0.1", taken.getsockname()[1])
        with caplog.at_level(logging.ERROR, logger="bff.metrics"):
            server.start()
        server.stop()
    assert "unavailable" in caplog.text


async def test_the_requested_cost_is_observed_per_outcome(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "{ storeConfig { storeCode } }"})
    text = (await client.get("/metrics")).text
    assert 'bff_query_cost_sum{outcome="OK"} 2.0' in text
    assert 'bff_query_cost_count{outcome="OK"} 1.0' in text
