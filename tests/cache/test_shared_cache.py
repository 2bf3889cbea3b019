"""Replicas share the cache through one real Redis; a purge on one reaches every in-process tier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from functools import partial

import httpx
import orjson
import pytest
import redis.asyncio
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.cache.purge import sign
from bff.cache.redis import RedisEntries
from bff.cache.responses import ResponseCache
from bff.settings import CacheSettings, Settings
from tests.cache.conftest import SECRET
from tests.fake_clock import FakeClock
from tests.servers import free_port
from tests.waiting import eventually

PRODUCT = 'query { product(sku: "BAG-001") { sku } }'


async def _forget_cached_responses(url: str) -> None:
    """Entries of earlier tests share this Redis: start from none."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(match="bff:v1:resp*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def replicas(
    redis_url: str, sandbox_app: Starlette, clock: FakeClock
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Starlette, Starlette]]:
    """Two app instances on one Redis, lifespans running (so each subscribes to purges)."""
    await _forget_cached_responses(redis_url)
    cache = CacheSettings(hook_enabled=True, webhook_secret=SecretStr(SECRET))
    settings = Settings(environment="test", redis_url=SecretStr(redis_url), cache=cache)
    apps = [create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock) for _ in "ab"]
    async with AsyncExitStack() as stack:
        clients = []
        for app in apps:
            await stack.enter_async_context(app.router.lifespan_context(app))
            back = app.state.response_cache.tiers.back
            assert isinstance(back, RedisEntries)
            await eventually(partial(_is_set, back), what="the purge subscription listens")
            transport = httpx.ASGITransport(app=app)
            clients.append(
                await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://bff.test"))
            )
        yield clients[0], clients[1], apps[0], apps[1]


async def _true(value: bool) -> bool:
    return value


async def _is_set(back: RedisEntries) -> bool:
    return back.subscribed.is_set()


async def post(client: httpx.AsyncClient) -> str:
    response = await client.post("/graphql", json={"query": PRODUCT})
    assert response.json()["data"] == {"product": {"sku": "BAG-001"}}
    return response.headers["x-cache"]


async def test_an_entry_stored_by_one_replica_is_a_hit_on_another(
    replicas: tuple[httpx.AsyncClient, httpx.AsyncClient, Starlette, Starlette],
) -> None:
    a, b, _, _ = replicas
    assert [await post(a), await post(b)] == ["MISS", "HIT"]


async def test_a_purge_on_one_replica_drops_the_entry_from_every_replicas_tier(
    replicas: tuple[httpx.AsyncClient, httpx.AsyncClient, Starlette, Starlette], clock: FakeClock
) -> None:
    a, b, _, app_b = replicas
    assert [await post(a), await post(a), await post(b), await post(b)] == ["MISS", "HIT", "HIT", "HIT"]
    front_b = app_b.state.response_cache.tiers.front
    assert len(front_b) == 1  # replica B answers from its in-process tier now
    body = orjson.dumps({"tags": ["cat_p"]})
    timestamp = int(clock.now())
    headers = {"X-Bff-Timestamp": str(timestamp), "X-Bff-Signature": sign(SECRET, timestamp, body)}
    purged = await a.post("/hooks/magento/cache", content=body, headers=headers)
    assert purged.json() == {"purged": 1}
    await eventually(lambda: _true(len(front_b) == 0), what="replica B dropped the purged entry")
    assert await post(b) == "MISS"


async def test_a_replayed_purge_is_refused_by_another_replica(
    replicas: tuple[httpx.AsyncClient, httpx.AsyncClient, Starlette, Starlette], clock: FakeClock
) -> None:
    a, b, _, _ = replicas
    body = orjson.dumps({"tags": ["cat_p_424242"]})
    timestamp = int(clock.now())
    headers = {"X-Bff-Timestamp": str(timestamp), "X-Bff-Signature": sign(SECRET, timestamp, body)}
    first = await a.post("/hooks/magento/cache", content=body, headers=headers)
    replayed = await b.post("/hooks/magento/cache", content=body, headers=headers)
    assert (first.status_code, replayed.status_code) == (200, 401)
    assert replayed.json()["errors"][0]["extensions"]["code"] == "HOOK_REPLAYED"


async def test_with_redis_down_catalog_reads_are_served_uncached(sandbox_app: Starlette, clock: FakeClock) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings = Settings(environment="test", redis_url=SecretStr(nobody), redis_pool_timeout_s=0.2)
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        answers = [await c.post("/graphql", json={"query": PRODUCT}) for _ in range(2)]
        metrics = (await c.get("/metrics")).text
    assert [(r.status_code, r.json()["data"], "x-cache" in r.headers) for r in answers] == [
        (200, {"product": {"sku": "BAG-001"}}, False)
    ] * 2
    assert 'bff_response_cache_total{outcome="unavailable"} 2.0' in metrics
    assert isinstance(app.state.response_cache, ResponseCache)
