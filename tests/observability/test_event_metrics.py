"""The outbox's metrics: events counted by type through ``EventCounters``, the lag read on each scrape."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import redis

from bff.events.admin_redis import OutboxAdmin, connect
from bff.events.catalogue import EVENT_TYPES, cart_merged
from bff.events.streams import GROUP, OUTBOX
from bff.observability.metrics import EventCounters, Metrics
from bff.settings import CacheSettings, EventsSettings, SessionSettings, Settings
from tests.storefront import checkout_input
from tests.storefront_fixtures import Gql

README = Path(__file__).resolve().parents[2] / "README.md"


ADD = "mutation AddToCart($sku: String!) { addToCart(items: [{sku: $sku, quantity: 1}]) { userErrors { code } } }"
CHECKOUT = """mutation Checkout($input: CheckoutInput!) {
  checkout(input: $input) { order { number } userErrors { code } } }"""


@pytest.fixture
def settings() -> Settings:
    """Events on (the in-process outbox: no Redis), the response cache off."""
    return Settings(
        environment="test",
        session=SessionSettings(cookie_secure=False),
        cache=CacheSettings(enabled=False),
        events=EventsSettings(enabled=True),
    )


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_each_outcome_is_counted_by_event_type() -> None:
    metrics = Metrics()
    counters = EventCounters(metrics)
    counters.on_published("order.placed")
    counters.on_published("order.placed")
    counters.on_retried("order.placed")
    counters.on_delivered("order.placed")
    counters.on_dead("cart.merged")
    assert value(metrics, "bff_events_published_total", type="order.placed") == 2
    assert value(metrics, "bff_events_retried_total", type="order.placed") == 1
    assert value(metrics, "bff_events_delivered_total", type="order.placed") == 1
    assert value(metrics, "bff_events_dead_total", type="cart.merged") == 1
    assert value(metrics, "bff_events_dead_total", type="order.placed") == 0


def test_every_catalogue_type_is_exposed_at_zero_before_any_event() -> None:
    metrics = Metrics()
    assert [value(metrics, "bff_events_published_total", type=t) for t in EVENT_TYPES] == [0.0] * len(EVENT_TYPES)


def test_a_type_outside_the_catalogue_is_counted_as_other() -> None:
    metrics = Metrics()
    EventCounters(metrics).on_published("something.new")
    assert value(metrics, "bff_events_published_total", type="other") == 1
    assert value(metrics, "bff_events_published_total", type="something.new") is None


def test_the_lag_is_read_from_the_outbox_on_each_scrape(flushed_redis: redis.Redis, redis_url: str) -> None:
    metrics = Metrics()
    metrics.events_lag.reader = OutboxAdmin(connect(redis_url)).pending_count
    for items in (1, 2, 3):
        flushed_redis.xadd(OUTBOX, cart_merged(items).fields())  # type: ignore[arg-type]
    flushed_redis.xgroup_create(OUTBOX, GROUP, id="0")
    flushed_redis.xreadgroup(GROUP, "worker-1", {OUTBOX: ">"}, count=2)
    assert value(metrics, "bff_events_lag") == 3
    flushed_redis.xack(OUTBOX, GROUP, str(flushed_redis.xrange(OUTBOX, count=1)[0][0]))  # type: ignore[index]
    assert value(metrics, "bff_events_lag") == 2


def test_without_a_reader_the_lag_is_declared_without_a_sample() -> None:
    metrics = Metrics()
    assert "# TYPE bff_events_lag gauge" in metrics.exposition().decode()
    assert value(metrics, "bff_events_lag") is None


def test_a_lag_reader_that_fails_leaves_the_scrape_working_without_a_sample(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def down() -> int:
        raise ConnectionError("redis down")

    metrics = Metrics()
    metrics.events_lag.reader = down
    text = metrics.exposition().decode()
    assert "# TYPE bff_events_lag gauge" in text
    assert "\nbff_events_lag " not in text
    assert "bff_events_lag not read: ConnectionError" in caplog.text


async def test_the_main_port_serves_the_lag_its_reader_gives(client: httpx.AsyncClient, metrics: Metrics) -> None:
    metrics.events_lag.reader = lambda: 7
    assert "\nbff_events_lag 7.0\n" in (await client.get("/metrics")).text


async def test_every_exposed_bff_metric_is_in_the_readme_metrics_table(client: httpx.AsyncClient) -> None:
    text = (await client.get("/metrics")).text
    types = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE bff_")]
    exposed = {name for name in types if not name.endswith("_created")}
    documented = set(re.findall(r"^\| `(bff_[a-z_]+)` \|", README.read_text(encoding="utf-8"), re.M))
    assert exposed - documented == set()


async def test_a_placed_order_counts_one_published_order_placed_event_and_a_replay_none(
    gql: Gql, metrics: Metrics
) -> None:
    await gql(ADD, {"sku": "BAG-001"})
    first = await gql(CHECKOUT, {"input": checkout_input("event-metrics-0001")})
    assert first["data"]["checkout"]["order"]["number"]
    await gql(CHECKOUT, {"input": checkout_input("event-metrics-0001")})
    assert value(metrics, "bff_events_published_total", type="order.placed") == 1
