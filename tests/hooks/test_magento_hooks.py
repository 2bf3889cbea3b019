"""POST /hooks/magento/{event}: signed, fresh, used once, idempotent by event id, routed by event."""

from __future__ import annotations

import httpx
import orjson
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from bff.sandbox import SandboxState
from tests.fake_clock import FakeClock
from tests.hooks.conftest import code, send, signed

PRODUCT = 'query { product(sku: "BAG-001") { sku } }'


def counted(app: Starlette, event: str, outcome: str) -> float:
    registry: CollectorRegistry = app.state.metrics.registry
    value = registry.get_sample_value("bff_hook_events_total", {"event": event, "outcome": outcome})
    return value or 0.0


async def test_a_catalog_event_purges_the_cached_entries_of_its_product(
    client: httpx.AsyncClient, clock: FakeClock, sandbox_state: SandboxState
) -> None:
    await client.post("/graphql", json={"query": PRODUCT})
    product_id = sandbox_state.products["BAG-001"].id
    answer = await send(client, "catalog", {"id": "evt-1", "data": {"products": [product_id]}}, clock)
    assert (answer.status_code, answer.json()) == (
        200,
        {"event": "catalog", "id": "evt-1", "outcome": "handled", "purged": 1},
    )
    assert (await client.post("/graphql", json={"query": PRODUCT})).headers["x-cache"] == "MISS"


async def test_a_wrong_signature_is_refused_and_nothing_is_purged(
    client: httpx.AsyncClient, clock: FakeClock, sandbox_state: SandboxState
) -> None:
    await client.post("/graphql", json={"query": PRODUCT})
    product_id = sandbox_state.products["BAG-001"].id
    refused = await send(client, "catalog", {"id": "evt-1", "data": {"products": [product_id]}}, clock, secret="x" * 40)
    assert code(refused) == (401, "HOOK_SIGNATURE_INVALID")
    assert (await client.post("/graphql", json={"query": PRODUCT})).headers["x-cache"] == "HIT"


async def test_an_unsigned_event_is_refused(client: httpx.AsyncClient) -> None:
    refused = await client.post("/hooks/magento/order", json={"id": "evt-1", "data": {}})
    assert code(refused) == (401, "HOOK_SIGNATURE_INVALID")


async def test_a_body_changed_after_signing_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    body = orjson.dumps({"id": "evt-1", "data": {"number": "000000001", "status": "complete"}})
    headers = signed(body, int(clock.now()))
    tampered = body.replace(b"complete", b"canceled")
    assert code(await client.post("/hooks/magento/order", content=tampered, headers=headers)) == (
        401,
        "HOOK_SIGNATURE_INVALID",
    )


async def test_a_timestamp_older_than_the_replay_window_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    event = {"id": "evt-1", "data": {"number": "1", "status": "complete"}}
    stale = await send(client, "order", event, clock, age_s=301)
    assert code(stale) == (401, "HOOK_TIMESTAMP_EXPIRED")


async def test_a_replayed_request_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    body = orjson.dumps({"id": "evt-1", "data": {"number": "000000001", "status": "complete"}})
    headers = signed(body, int(clock.now()))
    first = await client.post("/hooks/magento/order", content=body, headers=headers)
    replayed = await client.post("/hooks/magento/order", content=body, headers=headers)
    assert first.json()["outcome"] == "handled"
    assert code(replayed) == (401, "HOOK_REPLAYED")


async def test_an_event_sent_again_with_a_fresh_signature_is_not_handled_twice(
    client: httpx.AsyncClient, clock: FakeClock, sandbox_state: SandboxState
) -> None:
    product_id = sandbox_state.products["BAG-001"].id
    event = {"id": "evt-7", "data": {"products": [product_id]}}
    await send(client, "catalog", event, clock)
    await client.post("/graphql", json={"query": PRODUCT})
    clock.advance(1)
    again = await send(client, "catalog", event, clock)
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    assert (await client.post("/graphql", json={"query": PRODUCT})).headers["x-cache"] == "HIT"


async def test_an_unknown_event_is_accepted_and_counted(
    client: httpx.AsyncClient, clock: FakeClock, bff_app: Starlette
) -> None:
    answer = await send(client, "newsletter_subscriber_save_after", {"id": "evt-9", "data": {"x": 1}}, clock)
    assert (answer.status_code, answer.json()["outcome"]) == (200, "unknown")
    assert counted(bff_app, "unknown", "unknown") == 1


async def test_an_order_status_event_is_handled(
    client: httpx.AsyncClient, clock: FakeClock, bff_app: Starlette
) -> None:
    answer = await send(client, "order", {"id": "evt-3", "data": {"number": "000000042", "status": "complete"}}, clock)
    handled = {"event": "order", "id": "evt-3", "outcome": "handled", "status": "complete", "recorded": True}
    assert answer.json() == handled
    assert counted(bff_app, "order", "handled") == 1


async def test_an_envelope_without_an_event_id_is_bad_input(client: httpx.AsyncClient, clock: FakeClock) -> None:
    assert code(await send(client, "order", {"data": {}}, clock)) == (400, "BAD_USER_INPUT")


async def test_data_its_handler_cannot_read_is_bad_input_and_can_be_sent_again_fixed(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    bad = await send(client, "order", {"id": "evt-4", "data": {"number": "000000042"}}, clock)
    clock.advance(1)
    fixed = await send(client, "order", {"id": "evt-4", "data": {"number": "000000042", "status": "closed"}}, clock)
    assert code(bad) == (400, "BAD_USER_INPUT")
    assert fixed.json()["outcome"] == "handled"
