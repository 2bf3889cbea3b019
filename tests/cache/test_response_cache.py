"""The response cache: public catalog reads answered before sessions and GraphQL, per locale."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.cache.responses import ResponseCache
from bff.persisted.hashes import document_hash
from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.cache.conftest import operations
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport
from tests.storefront_fixtures import without_cost

PRODUCT = 'query Product { product(sku: "BAG-001") { sku name price { final { value currency } } } }'
STORE = "query Store { storeConfig { storeCode } }"
CART = "query Cart { cart { totalQuantity } }"
ADD = 'mutation Add { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } } }'
SIGN_IN = 'mutation { signIn(email: "roni_cost@example.com", password: "Roni-Cost-3") { viewer { signedIn } } }'


async def post(client: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query}, headers=headers)


def price(response: httpx.Response) -> dict[str, Any]:
    final: dict[str, Any] = response.json()["data"]["product"]["price"]["final"]
    return final


async def test_a_repeated_catalog_read_is_answered_from_the_cache(
    client: httpx.AsyncClient, magento: RecordingTransport
) -> None:
    first = await post(client, PRODUCT)
    again = await post(client, PRODUCT)
    assert (first.headers["x-cache"], again.headers["x-cache"]) == ("MISS", "HIT")
    assert without_cost(again.json()) == without_cost(first.json())
    assert operations(magento) == ["ProductsBySkus"]


async def test_the_same_document_written_differently_shares_the_entry(client: httpx.AsyncClient) -> None:
    await post(client, PRODUCT)
    reformatted = await post(client, "  # the product page\n" + PRODUCT.replace(" { ", "{\n  "))
    assert reformatted.headers["x-cache"] == "HIT"


async def test_other_variables_are_another_entry(client: httpx.AsyncClient) -> None:
    query = "query P($sku: String) { product(sku: $sku) { sku } }"
    await client.post("/graphql", json={"query": query, "variables": {"sku": "BAG-001"}})
    other = await client.post("/graphql", json={"query": query, "variables": {"sku": "BAG-002"}})
    assert (other.headers["x-cache"], other.json()["data"]) == ("MISS", {"product": {"sku": "BAG-002"}})


async def test_each_store_view_has_its_own_entry(client: httpx.AsyncClient) -> None:
    await post(client, STORE)
    german = await post(client, STORE, Store="de")
    german_again = await post(client, STORE, Store="de")
    assert german.headers["x-cache"] == "MISS"
    assert (german_again.headers["x-cache"], german_again.json()["data"]) == (
        "HIT",
        {"storeConfig": {"storeCode": "de"}},
    )


async def test_each_currency_has_its_own_entry(client: httpx.AsyncClient) -> None:
    dollars = await post(client, PRODUCT)
    euros = await post(client, PRODUCT, **{"Content-Currency": "EUR"})
    euros_again = await post(client, PRODUCT, **{"Content-Currency": "EUR"})
    assert (dollars.headers["x-cache"], euros.headers["x-cache"], euros_again.headers["x-cache"]) == (
        "MISS", "MISS", "HIT",
    )  # fmt: skip
    assert (price(dollars)["currency"], price(euros_again)["currency"]) == ("USD", "EUR")


async def test_each_response_media_type_has_its_own_entry(client: httpx.AsyncClient) -> None:
    await post(client, STORE)
    other = await post(client, STORE, Accept="application/graphql-response+json")
    assert other.headers["x-cache"] == "MISS"
    assert other.headers["content-type"].startswith("application/graphql-response+json")


async def test_a_signed_in_shopper_shares_the_guest_entry(bff_app: Starlette, client: httpx.AsyncClient) -> None:
    guest = await post(client, PRODUCT)
    transport = httpx.ASGITransport(app=bff_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as shopper:
        assert (await post(shopper, SIGN_IN)).json()["data"]["signIn"]["viewer"]["signedIn"] is True
        signed_in = await post(shopper, PRODUCT)
    assert (signed_in.headers["x-cache"], signed_in.json()["data"]) == ("HIT", guest.json()["data"])


async def test_a_hit_reads_no_session(
    bff_app: Starlette, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (await post(client, ADD)).status_code == 200  # the client has a session now
    await post(client, PRODUCT)
    loads: list[str] = []
    original = bff_app.state.sessions.load

    async def counting_load(session_id: str) -> object:
        loads.append(session_id)
        return await original(session_id)

    monkeypatch.setattr(bff_app.state.sessions, "load", counting_load)
    hit = await post(client, PRODUCT)
    assert (hit.headers["x-cache"], loads) == ("HIT", [])


async def test_remembering_a_store_view_sets_the_locale_cookie(client: httpx.AsyncClient) -> None:
    response = await post(client, ADD, Store="de", **{"Content-Currency": "EUR"})
    assert "bff_locale=de.EUR" in response.headers.get_list("set-cookie")[0] + response.headers["set-cookie"]
    assert client.cookies["bff_locale"] == "de.EUR"


async def test_the_locale_cookie_selects_the_entry_of_the_remembered_store_view(client: httpx.AsyncClient) -> None:
    await post(client, ADD, Store="de")  # the session remembers the German store view; the cookie says so
    first = await post(client, STORE)
    again = await post(client, STORE)
    assert first.json()["data"] == again.json()["data"] == {"storeConfig": {"storeCode": "de"}}
    assert again.headers["x-cache"] == "HIT"


async def test_the_locale_cookie_alone_selects_the_entry_a_store_header_filled(bff_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=bff_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as c:
        await post(c, STORE, Store="de")
        by_cookie = await c.post("/graphql", json={"query": STORE}, headers={"Cookie": "bff_locale=de."})
    assert (by_cookie.headers["x-cache"], by_cookie.json()["data"]) == ("HIT", {"storeConfig": {"storeCode": "de"}})


async def test_a_cart_read_is_never_answered_from_the_cache(
    client: httpx.AsyncClient, magento: RecordingTransport
) -> None:
    await post(client, ADD)
    first = await post(client, CART)
    await post(client, ADD)
    second = await post(client, CART)
    assert [r.json()["data"]["cart"]["totalQuantity"] for r in (first, second)] == [1, 2]
    assert ("x-cache" in first.headers, "x-cache" in second.headers) == (False, False)


async def test_a_document_mixing_public_and_private_fields_is_not_cached(client: httpx.AsyncClient) -> None:
    mixed = "query { storeConfig { storeCode } cart { totalQuantity } }"
    await post(client, mixed)
    assert "x-cache" not in (await post(client, mixed)).headers


async def test_an_answer_with_errors_is_not_stored(client: httpx.AsyncClient, faults: FaultPlan) -> None:
    faults.set("ProductsBySkus", Fault(error_rate=1.0, error="graphql"))
    failed = await post(client, PRODUCT)
    faults.clear()
    after = await post(client, PRODUCT)
    assert "errors" in failed.json()
    assert (after.headers["x-cache"], "errors" in after.json()) == ("MISS", False)


async def test_the_answer_that_started_a_session_is_not_stored(client: httpx.AsyncClient) -> None:
    both = "query { storeConfig { storeCode } }"
    started = await client.post("/graphql", json={"query": both}, headers={"Store": "de"})
    assert "set-cookie" not in started.headers  # a public read starts no session: nothing to withhold
    assert (await client.post("/graphql", json={"query": both}, headers={"Store": "de"})).headers["x-cache"] == "HIT"


async def test_a_stale_entry_is_served_once_while_it_is_refreshed_then_the_fresh_answer(
    client: httpx.AsyncClient, clock: FakeClock, sandbox_state: SandboxState, cache: ResponseCache
) -> None:
    await post(client, PRODUCT)
    sandbox_state.products["BAG-001"].price = sandbox_state.products["BAG-001"].price + 10
    clock.advance(301)  # ProductsBySkus's TTL is 300 s; the stale window 60 s
    stale = await post(client, PRODUCT)
    await cache.settled()
    fresh = await post(client, PRODUCT)
    assert (stale.headers["x-cache"], price(stale)["value"]) == ("STALE", "45.00")
    assert (fresh.headers["x-cache"], price(fresh)["value"]) == ("HIT", "55.00")


async def test_an_entry_past_its_stale_window_is_a_miss(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await post(client, PRODUCT)
    clock.advance(300 + 60)
    assert (await post(client, PRODUCT)).headers["x-cache"] == "MISS"


async def test_the_ttl_is_the_shortest_of_the_operations_called(client: httpx.AsyncClient, clock: FakeClock) -> None:
    both = 'query { storeConfig { storeCode } product(sku: "BAG-001") { sku } }'  # 600 s and 300 s
    await post(client, both)
    clock.advance(301)
    assert (await post(client, both)).headers["x-cache"] == "STALE"


async def test_an_entry_carries_its_magento_tags_for_a_cdn(client: httpx.AsyncClient) -> None:
    await post(client, PRODUCT)
    hit = await post(client, PRODUCT)
    tags = hit.headers["surrogate-key"].split(" ")
    assert {"cat_p"} <= set(tags)
    assert any(t.startswith("cat_p_") for t in tags)
    assert hit.headers["cache-tag"] == ",".join(tags)
    assert hit.headers["vary"].startswith("Store, Content-Currency, Accept")


async def test_a_post_hit_carries_no_public_cache_header(client: httpx.AsyncClient) -> None:
    await post(client, PRODUCT)
    hit = await post(client, PRODUCT)
    assert (hit.headers["x-cache"], "cache-control" in hit.headers) == ("HIT", False)


def by_hash(document: str) -> dict[str, str]:
    return {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": document_hash(document)}})}


async def test_a_persisted_get_hit_is_public_with_its_remaining_age(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await client.post("/graphql", json={"query": PRODUCT, "extensions": json.loads(by_hash(PRODUCT)["extensions"])})
    assert (await client.get("/graphql", params=by_hash(PRODUCT))).headers["x-cache"] == "MISS"
    clock.advance(100)
    hit = await client.get("/graphql", params=by_hash(PRODUCT))
    assert (hit.headers["x-cache"], hit.headers["age"]) == ("HIT", "100")
    assert hit.headers["cache-control"] == "public, max-age=200, stale-while-revalidate=60"


async def test_a_persisted_get_with_a_matching_etag_is_not_modified(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": PRODUCT, "extensions": json.loads(by_hash(PRODUCT)["extensions"])})
    await client.get("/graphql", params=by_hash(PRODUCT))  # the miss carries the client's throttle status
    first = await client.get("/graphql", params=by_hash(PRODUCT))
    etag = first.headers["etag"]
    again = await client.get("/graphql", params=by_hash(PRODUCT), headers={"If-None-Match": etag})
    changed = await client.get("/graphql", params=by_hash(PRODUCT), headers={"If-None-Match": '"something-else"'})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    assert (changed.status_code, changed.json()["data"]) == (200, first.json()["data"])


async def test_a_get_with_the_locale_from_the_cookie_is_private(bff_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=bff_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as c:
        await c.post("/graphql", json={"query": STORE, "extensions": json.loads(by_hash(STORE)["extensions"])})
        cookie = {"Cookie": "bff_locale=de."}
        miss = await c.get("/graphql", params=by_hash(STORE), headers=cookie)
        hit = await c.get("/graphql", params=by_hash(STORE), headers=cookie)
    assert [r.headers["x-cache"] for r in (miss, hit)] == ["MISS", "HIT"]
    assert [r.headers["cache-control"] for r in (miss, hit)] == ["private, no-store"] * 2
    assert hit.json()["data"] == {"storeConfig": {"storeCode": "de"}}


async def test_hits_are_counted_in_the_metrics(client: httpx.AsyncClient) -> None:
    await post(client, PRODUCT)
    await post(client, PRODUCT)
    metrics = (await client.get("/metrics")).text
    assert 'bff_response_cache_total{outcome="hit"} 1.0' in metrics
    assert 'bff_response_cache_total{outcome="miss"} 1.0' in metrics


async def test_a_hit_carries_the_request_id(client: httpx.AsyncClient) -> None:
    await post(client, PRODUCT)
    hit = await client.post("/graphql", json={"query": PRODUCT}, headers={"X-Request-ID": "req-cache-1"})
    assert (hit.headers["x-cache"], hit.headers["x-request-id"]) == ("HIT", "req-cache-1")


async def test_the_cached_body_is_the_answer_without_the_clients_throttle_status(client: httpx.AsyncClient) -> None:
    first = await post(client, PRODUCT)
    hit = await post(client, PRODUCT)
    assert without_cost(hit.json()) == without_cost(first.json())
    assert "throttleStatus" not in hit.json().get("extensions", {}).get("cost", {})


async def test_an_apq_registration_is_never_answered_from_the_cache(client: httpx.AsyncClient) -> None:
    """Else a cached plain query would swallow the registration and the hash would stay unknown."""
    await post(client, PRODUCT)
    registration = await client.post(
        "/graphql", json={"query": PRODUCT, "extensions": json.loads(by_hash(PRODUCT)["extensions"])}
    )
    by_get = await client.get("/graphql", params=by_hash(PRODUCT))
    assert "x-cache" not in registration.headers
    assert by_get.json()["data"]["product"]["sku"] == "BAG-001"
