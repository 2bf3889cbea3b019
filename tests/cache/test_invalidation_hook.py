"""POST /hooks/magento/cache: signed, timestamped, used once; purges the tagged entries."""

from __future__ import annotations

import time

import httpx
import orjson
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.cache.purge import sign
from bff.sandbox import SandboxState, create_sandbox_app
from bff.sandbox.catalog_admin import CacheHook
from bff.settings import CacheSettings, SessionSettings, Settings
from tests.cache.conftest import SECRET
from tests.fake_clock import FakeClock

PRODUCT = 'query { product(sku: "BAG-001") { sku price { final { value } } } }'
STORE = "query { storeConfig { storeCode } }"
HOOK = "/hooks/magento/cache"


@pytest.fixture
def settings() -> Settings:
    cache = CacheSettings(hook_enabled=True, webhook_secret=SecretStr(SECRET))
    return Settings(environment="test", session=SessionSettings(cookie_secure=False), cache=cache)


async def post(client: httpx.AsyncClient, query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query})


async def hook(
    client: httpx.AsyncClient, payload: object, clock: FakeClock, *, secret: str = SECRET, age_s: int = 0
) -> httpx.Response:
    body = orjson.dumps(payload)
    timestamp = int(clock.now()) - age_s
    headers = {"X-Bff-Timestamp": str(timestamp), "X-Bff-Signature": sign(secret, timestamp, body)}
    return await client.post(HOOK, content=body, headers=headers)


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["extensions"]["code"]


async def test_a_signed_purge_of_a_product_tag_drops_its_entries(
    client: httpx.AsyncClient, clock: FakeClock, sandbox_state: SandboxState
) -> None:
    await post(client, PRODUCT)
    product_id = sandbox_state.products["BAG-001"].id
    purged = await hook(client, {"tags": [f"cat_p_{product_id}"]}, clock)
    assert (purged.status_code, purged.json()) == (200, {"purged": 1})
    assert (await post(client, PRODUCT)).headers["x-cache"] == "MISS"


async def test_each_purge_and_the_entries_it_removed_are_counted(
    client: httpx.AsyncClient, clock: FakeClock, sandbox_state: SandboxState, bff_app: Starlette
) -> None:
    await post(client, PRODUCT)
    product_id = sandbox_state.products["BAG-001"].id
    await hook(client, {"tags": [f"cat_p_{product_id}"]}, clock)
    await hook(client, {"tags": ["cat_p_999999"]}, clock)
    sample = bff_app.state.metrics.registry.get_sample_value
    assert sample("bff_response_cache_purges_total", {}) == 2
    assert sample("bff_response_cache_purged_entries_total", {}) == 1


async def test_a_purge_by_product_id_maps_to_its_tag(
    client: httpx.AsyncClient, clock: FakeClock, sandbox_state: SandboxState
) -> None:
    await post(client, PRODUCT)
    await hook(client, {"products": [sandbox_state.products["BAG-001"].id]}, clock)
    assert (await post(client, PRODUCT)).headers["x-cache"] == "MISS"


async def test_a_bare_prefix_purges_every_entry_carrying_it(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await post(client, PRODUCT)
    await post(client, STORE)
    purged = await hook(client, {"tags": ["cat_p"]}, clock)
    assert purged.json() == {"purged": 1}
    assert [(await post(client, q)).headers["x-cache"] for q in (PRODUCT, STORE)] == ["MISS", "HIT"]


async def test_a_purge_of_another_tag_keeps_the_entry(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await post(client, PRODUCT)
    assert (await hook(client, {"tags": ["cat_p_999999"], "categories": [3]}, clock)).json() == {"purged": 0}
    assert (await post(client, PRODUCT)).headers["x-cache"] == "HIT"


async def test_an_unsigned_purge_is_refused_and_purges_nothing(client: httpx.AsyncClient) -> None:
    await post(client, PRODUCT)
    refused = await client.post(HOOK, json={"tags": ["cat_p"]})
    assert code(refused) == (401, "HOOK_SIGNATURE_INVALID")
    assert (await post(client, PRODUCT)).headers["x-cache"] == "HIT"


async def test_a_timestamp_of_non_ascii_digits_is_refused_as_unsigned(client: httpx.AsyncClient) -> None:
    headers = {b"x-bff-timestamp": b"\xb2", b"x-bff-signature": b"x"}  # "²": a digit to str.isdigit, not to int()
    refused = await client.post(HOOK, content=b'{"tags": ["cat_p"]}', headers=headers)
    assert code(refused) == (401, "HOOK_SIGNATURE_INVALID")


async def test_a_purge_signed_with_another_secret_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await post(client, PRODUCT)
    assert code(await hook(client, {"tags": ["cat_p"]}, clock, secret="not-the-secret")) == (
        401,
        "HOOK_SIGNATURE_INVALID",
    )
    assert (await post(client, PRODUCT)).headers["x-cache"] == "HIT"


async def test_a_signed_body_changed_on_the_way_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    timestamp = int(clock.now())
    headers = {"X-Bff-Timestamp": str(timestamp), "X-Bff-Signature": sign(SECRET, timestamp, b'{"tags":["x"]}')}
    assert code(await client.post(HOOK, content=b'{"tags":["cat_p"]}', headers=headers)) == (
        401, "HOOK_SIGNATURE_INVALID",
    )  # fmt: skip


async def test_a_purge_outside_the_replay_window_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await post(client, PRODUCT)
    assert code(await hook(client, {"tags": ["cat_p"]}, clock, age_s=301)) == (401, "HOOK_TIMESTAMP_EXPIRED")
    assert (await post(client, PRODUCT)).headers["x-cache"] == "HIT"


async def test_a_replayed_purge_is_refused(client: httpx.AsyncClient, clock: FakeClock) -> None:
    body = orjson.dumps({"tags": ["cat_p"]})
    timestamp = int(clock.now())
    headers = {"X-Bff-Timestamp": str(timestamp), "X-Bff-Signature": sign(SECRET, timestamp, body)}
    first = await client.post(HOOK, content=body, headers=headers)
    await post(client, PRODUCT)
    clock.advance(10)
    replayed = await client.post(HOOK, content=body, headers=headers)
    assert (first.status_code, code(replayed)) == (200, (401, "HOOK_REPLAYED"))
    assert (await post(client, PRODUCT)).headers["x-cache"] == "HIT"


@pytest.mark.parametrize("body", [b"not json", b'{"tags": "cat_p"}', b'{"products": ["12"]}', b"{}", b'{"x": [1]}'])
async def test_a_signed_body_that_is_not_a_purge_is_bad_user_input(
    client: httpx.AsyncClient, clock: FakeClock, body: bytes
) -> None:
    timestamp = int(clock.now())
    headers = {"X-Bff-Timestamp": str(timestamp), "X-Bff-Signature": sign(SECRET, timestamp, body)}
    assert code(await client.post(HOOK, content=body, headers=headers)) == (400, "BAD_USER_INPUT")


async def test_the_hook_does_not_exist_unless_enabled(sandbox_app: Starlette, clock: FakeClock) -> None:
    app = create_app(Settings(environment="test"), magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        assert (await hook(c, {"tags": ["cat_p"]}, clock)).status_code == 404


def test_production_refuses_an_enabled_hook_without_a_long_secret() -> None:
    with pytest.raises(ValueError, match="BFF_CACHE__WEBHOOK_SECRET"):
        Settings(environment="production", cache=CacheSettings(hook_enabled=True, webhook_secret=SecretStr("short")))


async def test_a_price_change_in_the_sandbox_purges_the_products_entries(
    settings: Settings, sandbox_state: SandboxState, clock: FakeClock
) -> None:
    """The sandbox's admin endpoint changes the price and sends the signed hook to the BFF."""
    bff: Starlette | None = None

    class ToTheBff(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            assert bff is not None
            return await httpx.ASGITransport(app=bff).handle_async_request(request)

    sandbox = create_sandbox_app(sandbox_state, cache_hook=CacheHook(f"http://bff.test{HOOK}", SECRET, ToTheBff()))
    bff = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox), clock=clock)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=bff), base_url="http://bff.test") as shopper,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url="http://magento.test") as admin,
    ):
        before = await post(shopper, PRODUCT)
        await post(shopper, PRODUCT)
        changed = await admin.post("/__sandbox/catalog/products/BAG-001", json={"price": "39.00"})
        after = await post(shopper, PRODUCT)
    assert changed.json() == {"tags": [f"cat_p_{sandbox_state.products['BAG-001'].id}"], "hook_status": 200}
    assert before.json()["data"]["product"]["price"]["final"]["value"] == "45.00"
    assert (after.headers["x-cache"], after.json()["data"]["product"]["price"]["final"]["value"]) == ("MISS", "39.00")


def test_the_signature_is_the_documented_hmac() -> None:
    """The README's signing example: hex HMAC-SHA256 of "<timestamp>.<body>"."""
    import hashlib
    import hmac

    body, timestamp = b'{"tags":["cat_p_12"]}', int(time.time())
    expected = hmac.new(b"k", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert sign("k", timestamp, body) == f"sha256={expected}"
