"""``MagentoClient`` against the sandbox over ASGI: how it sends public reads, what it records,
and how identical public reads in flight together share one call."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.errors import BffError
from bff.magento.client import CallContext, MagentoClient
from bff.magento.errors import MagentoUnavailable
from bff.sandbox import Fault, FaultPlan
from bff.settings import MagentoSettings, Settings
from tests.recording import GatedTransport, RecordingTransport, settle

MAGENTO_URL = "http://magento.test/graphql"
BAG = {"sku": "BAG-001"}


@pytest.fixture
def gate(sandbox_app: Starlette) -> GatedTransport:
    return GatedTransport(httpx.ASGITransport(app=sandbox_app))


@pytest.fixture
def upstream(gate: GatedTransport) -> RecordingTransport:
    return RecordingTransport(gate)


@pytest.fixture
async def client(settings: Settings, upstream: RecordingTransport) -> AsyncIterator[MagentoClient]:
    async with httpx.AsyncClient(transport=upstream) as http:
        yield MagentoClient(http, settings.magento, MAGENTO_URL)


@pytest.fixture
def opened(gate: GatedTransport) -> GatedTransport:
    """The gate open: calls are answered at once."""
    gate.open()
    return gate


async def in_flight(*calls: Coroutine[Any, Any, dict[str, Any]]) -> list[asyncio.Task[dict[str, Any]]]:
    """The calls started and waiting for Magento (held at the gate)."""
    tasks = [asyncio.create_task(c) for c in calls]
    await settle()
    return tasks


@pytest.mark.usefixtures("opened")
async def test_the_cache_tags_of_a_public_read_are_recorded_without_fpc(client: MagentoClient) -> None:
    ctx = CallContext()
    await client.execute("ProductBySku", BAG, ctx)
    [call] = ctx.calls
    assert ("cat_p" in call.tags, "FPC" in call.tags) == (True, False)


@pytest.mark.usefixtures("opened")
async def test_a_private_read_records_no_cache_tags(client: MagentoClient) -> None:
    ctx = CallContext()
    created = await client.execute("CreateGuestCart", {}, ctx)
    await client.execute("GetCart", {"cartId": created["createGuestCart"]["cart"]["id"]}, ctx)
    assert [c.tags for c in ctx.calls] == [(), ()]


@pytest.mark.usefixtures("opened")
async def test_a_public_read_too_long_for_a_url_is_sent_as_post(
    client: MagentoClient, upstream: RecordingTransport
) -> None:
    skus = [f"NO-SUCH-SKU-{n:05d}" for n in range(600)]
    data = await client.execute("ProductsBySkus", {"skus": skus, "pageSize": 20})
    assert (upstream.requests[-1].method, data["products"]["items"]) == ("POST", [])


@pytest.mark.usefixtures("opened")
async def test_the_first_read_carries_no_cache_id_and_the_next_the_one_received(
    client: MagentoClient, upstream: RecordingTransport
) -> None:
    await client.execute("ProductBySku", BAG, CallContext(store="de"))
    await client.execute("ProductBySku", {"sku": "BAG-002"}, CallContext(store="de"))
    sent = [r.headers.get("X-Magento-Cache-Id") for r in upstream.requests]
    assert sent == [None, upstream.responses[0].headers["X-Magento-Cache-Id"]]


@pytest.mark.usefixtures("opened")
async def test_a_public_read_with_a_customer_token_is_sent_as_post(
    client: MagentoClient, upstream: RecordingTransport
) -> None:
    await client.execute("ProductBySku", BAG, CallContext(customer_token="not-a-real-token"))
    assert upstream.requests[-1].method == "POST"


async def test_followers_record_one_shared_call_with_the_leaders_outcome(
    client: MagentoClient, gate: GatedTransport
) -> None:
    leader, follower = CallContext(), CallContext()
    tasks = await in_flight(client.execute("ProductBySku", BAG, leader), client.execute("ProductBySku", BAG, follower))
    gate.open()
    await asyncio.gather(*tasks)
    assert [(c.outcome, c.shared) for c in leader.calls + follower.calls] == [("ok", False), ("ok", True)]


async def test_a_follower_gets_its_own_copy_of_the_answer(client: MagentoClient, gate: GatedTransport) -> None:
    tasks = await in_flight(client.execute("ProductBySku", BAG), client.execute("ProductBySku", BAG))
    gate.open()
    first, second = await asyncio.gather(*tasks)
    first["products"]["items"].clear()
    assert second["products"]["items"] != []


async def test_followers_get_the_leaders_error(client: MagentoClient, gate: GatedTransport, faults: FaultPlan) -> None:
    faults.set("ProductBySku", Fault(error_rate=1.0, error="graphql"))
    tasks = await in_flight(*(client.execute("ProductBySku", BAG) for _ in range(3)))
    gate.open()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    first = results[0]
    assert (isinstance(first, BffError), [r is first for r in results]) == (True, [True, True, True])


async def test_a_cancelled_leader_does_not_fail_its_followers(client: MagentoClient, gate: GatedTransport) -> None:
    leader, follower = await in_flight(client.execute("ProductBySku", BAG), client.execute("ProductBySku", BAG))
    leader.cancel()
    await settle()
    gate.open()
    data = await follower
    assert (leader.cancelled(), data["products"]["items"][0]["sku"]) == (True, "BAG-001")


async def test_reads_with_a_customer_token_are_never_collapsed(
    client: MagentoClient, gate: GatedTransport, upstream: RecordingTransport
) -> None:
    ctx = CallContext(customer_token="not-a-real-token")
    tasks = await in_flight(*(client.execute("ProductBySku", BAG, ctx) for _ in range(3)))
    gate.open()
    await asyncio.gather(*tasks)
    assert len(upstream.requests) == 3


# --- the request's deadline (CallContext.deadline) ---------------------------------------------


@pytest.mark.usefixtures("opened")
async def test_no_call_is_sent_once_the_request_deadline_has_passed(
    client: MagentoClient, upstream: RecordingTransport
) -> None:
    ctx = CallContext(deadline=time.monotonic() - 0.01)
    with pytest.raises(MagentoUnavailable) as refused:
        await client.execute("CreateGuestCart", {}, ctx)
    assert (refused.value.maybe_executed, upstream.requests) == (False, [])


@pytest.mark.usefixtures("opened")
async def test_a_refused_call_shows_in_the_request_log_as_refused(client: MagentoClient) -> None:
    ctx = CallContext(deadline=time.monotonic() - 0.01)
    with pytest.raises(MagentoUnavailable):
        await client.execute("GetCart", {"cartId": "x"}, ctx)
    assert [(c.operation, c.outcome) for c in ctx.calls] == [("GetCart", "refused_deadline")]


@pytest.mark.usefixtures("opened")
async def test_a_write_is_not_cut_short_by_the_request_deadline(client: MagentoClient, faults: FaultPlan) -> None:
    faults.set("CreateGuestCart", Fault(latency_ms=300))
    ctx = CallContext(deadline=time.monotonic() + 0.1)
    created = await client.execute("CreateGuestCart", {}, ctx)
    assert created["createGuestCart"]["cart"]["id"]


@pytest.mark.usefixtures("opened")
async def test_a_read_is_cut_to_the_request_deadline(client: MagentoClient, faults: FaultPlan) -> None:
    faults.set("ProductBySku", Fault(latency_ms=3_000))
    ctx = CallContext(deadline=time.monotonic() + 0.1)
    with pytest.raises(MagentoUnavailable):
        await client.execute("ProductBySku", BAG, ctx)
    assert [c.outcome for c in ctx.calls] == ["timeout"]


async def test_a_fast_failure_is_not_retried_without_enough_of_the_deadline_left(
    upstream: RecordingTransport, opened: GatedTransport, faults: FaultPlan
) -> None:
    faults.set("ProductBySku", Fault(error_rate=1.0, error="http503"))
    settings = MagentoSettings(query_retries=2, retry_min_left_s=0.5, single_flight=False)
    async with httpx.AsyncClient(transport=upstream) as http:
        client = MagentoClient(http, settings, MAGENTO_URL)
        with pytest.raises(MagentoUnavailable):
            await client.execute("ProductBySku", BAG, CallContext(deadline=time.monotonic() + 0.3))
    assert len(upstream.requests) == 1


async def test_a_fast_failure_is_retried_with_the_deadline_to_spare(
    upstream: RecordingTransport, opened: GatedTransport, faults: FaultPlan
) -> None:
    faults.set("ProductBySku", Fault(error_rate=1.0, error="http503", times=2))
    settings = MagentoSettings(query_retries=2, retry_min_left_s=0.5, single_flight=False)
    async with httpx.AsyncClient(transport=upstream) as http:
        client = MagentoClient(http, settings, MAGENTO_URL)
        data = await client.execute("ProductBySku", BAG, CallContext(deadline=time.monotonic() + 5))
    assert (len(upstream.requests), data["products"]["items"][0]["sku"]) == (3, "BAG-001")
