"""``MagentoClient`` against the sandbox over ASGI: how it sends public reads and what it records."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bff.magento.client import CallContext, MagentoClient
from bff.settings import Settings
from tests.recording import RecordingTransport

MAGENTO_URL = "http://magento.test/graphql"


@pytest.fixture
def upstream(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


@pytest.fixture
async def client(settings: Settings, upstream: RecordingTransport) -> AsyncIterator[MagentoClient]:
    async with httpx.AsyncClient(transport=upstream) as http:
        yield MagentoClient(http, settings.magento, MAGENTO_URL)


async def test_the_cache_tags_of_a_public_read_are_recorded_without_fpc(client: MagentoClient) -> None:
    ctx = CallContext()
    await client.execute("ProductBySku", {"sku": "BAG-001"}, ctx)
    [call] = ctx.calls
    assert ("cat_p" in call.tags, "FPC" in call.tags) == (True, False)


async def test_a_private_read_records_no_cache_tags(client: MagentoClient) -> None:
    ctx = CallContext()
    created = await client.execute("CreateGuestCart", {}, ctx)
    await client.execute("GetCart", {"cartId": created["createGuestCart"]["cart"]["id"]}, ctx)
    assert [c.tags for c in ctx.calls] == [(), ()]


async def test_a_public_read_too_long_for_a_url_is_sent_as_post(
    client: MagentoClient, upstream: RecordingTransport
) -> None:
    skus = [f"NO-SUCH-SKU-{n:05d}" for n in range(600)]
    data = await client.execute("ProductsBySkus", {"skus": skus, "pageSize": 20})
    assert (upstream.requests[-1].method, data["products"]["items"]) == ("POST", [])
