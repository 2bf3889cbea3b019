"""Automatic persisted queries (Apollo's protocol) and the cache headers of persisted GETs."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.persisted.hashes import document_hash
from bff.sandbox import Fault, FaultPlan, SandboxState
from bff.settings import PersistedQuerySettings, SessionSettings, Settings
from tests.fake_clock import FakeClock
from tests.servers import free_port
from tests.storefront_fixtures import without_cost

PRODUCT = 'query Product { product(sku: "BAG-001") { sku name } }'
PRODUCT_DATA = {"data": {"product": {"sku": "BAG-001", "name": "Joust Duffle Bag"}}}
CATALOG = """query Home { storeConfig { storeCode } ...Menu }
fragment Menu on Query { categoryTree(depth: 1) { name } countries { code } }"""
CART = "query Cart { cart { totalQuantity } }"
ADD = 'mutation Add { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } } }'
UNKNOWN_FIELD = 'query Broken { product(sku: "BAG-001") { maskedCartId } }'

NOT_FOUND = {"errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}
PUBLIC = "public, max-age=300"
PRIVATE = "private, no-store"


def persisted(document: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": document_hash(document)}}


async def get_by_hash(client: httpx.AsyncClient, document: str, **headers: str) -> httpx.Response:
    """What Apollo Client's link sends first (useGETForHashedQueries): the hash, no query."""
    return await client.get("/graphql", params={"extensions": json.dumps(persisted(document))}, headers=headers)


async def register(client: httpx.AsyncClient, document: str) -> httpx.Response:
    """What the link sends after PersistedQueryNotFound: POST with the query and its hash."""
    return await client.post("/graphql", json={"query": document, "extensions": persisted(document)})


def error(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


# The protocol


async def test_an_unknown_hash_is_persisted_query_not_found_with_status_200(client: httpx.AsyncClient) -> None:
    response = await get_by_hash(client, PRODUCT)
    assert (response.status_code, without_cost(response.json())) == (200, NOT_FOUND)


async def test_the_not_found_answer_is_never_cached(client: httpx.AsyncClient) -> None:
    response = await get_by_hash(client, PRODUCT)
    assert response.headers.get_list("cache-control") == [PRIVATE]


async def test_the_query_with_its_hash_runs(client: httpx.AsyncClient) -> None:
    response = await register(client, PRODUCT)
    assert (response.status_code, without_cost(response.json())) == (200, PRODUCT_DATA)


async def test_a_registered_hash_runs_by_get_without_the_query(client: httpx.AsyncClient) -> None:
    await register(client, PRODUCT)
    response = await get_by_hash(client, PRODUCT)
    assert (response.status_code, without_cost(response.json())) == (200, PRODUCT_DATA)


async def test_a_registered_hash_runs_by_post_without_the_query(client: httpx.AsyncClient) -> None:
    await register(client, PRODUCT)
    response = await client.post("/graphql", json={"extensions": persisted(PRODUCT)})
    assert without_cost(response.json()) == PRODUCT_DATA


async def test_a_hash_that_is_not_the_sha256_of_the_query_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": CART, "extensions": persisted(PRODUCT)})
    assert (response.status_code, without_cost(response.json())) == (
        400,
        error("extensions.persistedQuery.sha256Hash is not the SHA-256 of the query.", "BAD_USER_INPUT"),
    )


async def test_a_refused_hash_is_not_stored(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": CART, "extensions": persisted(PRODUCT)})
    assert without_cost((await get_by_hash(client, PRODUCT)).json()) == NOT_FOUND


async def test_a_document_that_does_not_validate_is_not_stored(client: httpx.AsyncClient) -> None:
    answer = without_cost((await register(client, UNKNOWN_FIELD)).json())
    assert answer["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert without_cost((await get_by_hash(client, UNKNOWN_FIELD)).json()) == NOT_FOUND


async def test_a_document_is_stored_once_for_every_client(bff_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=bff_app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://bff.test") as first,
        httpx.AsyncClient(transport=transport, base_url="http://bff.test") as second,
    ):
        await register(first, PRODUCT)
        assert without_cost((await get_by_hash(second, PRODUCT)).json()) == PRODUCT_DATA


async def test_another_persisted_query_version_is_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": PRODUCT, "extensions": persisted(PRODUCT, version=2)})
    assert (response.status_code, without_cost(response.json())) == (
        400,
        error("Unsupported persisted query version: only version 1 exists.", "BAD_USER_INPUT"),
    )


@pytest.mark.parametrize(
    "extension",
    [{"version": 1}, {"version": 1, "sha256Hash": 42}, {"version": 1, "sha256Hash": "a" * 129}, "abc"],
    ids=["no hash", "a number", "too long", "not an object"],
)
async def test_a_malformed_persisted_query_extension_is_bad_user_input(
    client: httpx.AsyncClient, extension: object
) -> None:
    response = await client.post("/graphql", json={"extensions": {"persistedQuery": extension}})
    assert (response.status_code, without_cost(response.json())) == (
        400,
        error(
            'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex SHA-256 of the query>"}.',
            "BAD_USER_INPUT",
        ),
    )


async def test_extensions_that_are_not_json_are_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"extensions": "{persistedQuery"})
    assert (response.status_code, without_cost(response.json())) == (
        400,
        error(
            "The request must be JSON: UTF-8 text without lone surrogates, numbers a double can hold,"
            " nested at most 1,024 deep.",
            "BAD_USER_INPUT",
        ),
    )


async def test_a_hash_over_get_is_answered_with_json_not_graphiql(client: httpx.AsyncClient) -> None:
    await register(client, PRODUCT)
    response = await get_by_hash(client, PRODUCT, accept="text/html,*/*")
    assert without_cost(response.json()) == PRODUCT_DATA


async def test_a_registered_mutation_is_refused_over_get(
    client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    await register(client, ADD)
    carts_before = dict(sandbox_state.carts)
    response = await get_by_hash(client, ADD)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert sandbox_state.carts == carts_before


async def test_a_registered_document_is_forgotten_after_the_ttl(client: httpx.AsyncClient, clock: FakeClock) -> None:
    await register(client, PRODUCT)
    clock.advance(PersistedQuerySettings().apq_ttl_s)
    assert without_cost((await get_by_hash(client, PRODUCT)).json()) == NOT_FOUND


class TestWithApqOff:
    @pytest.fixture
    def settings(self) -> Settings:
        return Settings(
            environment="test",
            session=SessionSettings(cookie_secure=False),
            persisted_queries=PersistedQuerySettings(apq=False),
        )

    async def test_a_hash_is_persisted_query_not_supported(self, client: httpx.AsyncClient) -> None:
        response = await get_by_hash(client, PRODUCT)
        assert (response.status_code, without_cost(response.json())) == (
            200,
            error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED"),
        )

    async def test_a_query_with_its_hash_is_persisted_query_not_supported(self, client: httpx.AsyncClient) -> None:
        response = await register(client, PRODUCT)
        assert without_cost(response.json()) == error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED")

    async def test_a_plain_query_runs(self, client: httpx.AsyncClient) -> None:
        assert without_cost((await client.post("/graphql", json={"query": PRODUCT})).json()) == PRODUCT_DATA


# Cache headers


async def test_a_persisted_get_of_catalog_reads_is_publicly_cacheable_per_store_currency_and_accept(
    client: httpx.AsyncClient,
) -> None:
    await register(client, CATALOG)
    response = await get_by_hash(client, CATALOG)
    assert response.json()["data"]["storeConfig"] == {"storeCode": "default"}
    assert (response.headers.get_list("cache-control"), response.headers["vary"]) == (
        [PUBLIC],
        "Store, Content-Currency, Accept, Origin",
    )


async def test_a_persisted_get_with_locale_headers_is_public_also_for_a_shopper_with_a_session(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/graphql", json={"query": ADD}, headers={"Store": "de"})  # the session remembers "de"
    await register(client, PRODUCT)
    response = await get_by_hash(client, PRODUCT, store="de", **{"content-currency": "EUR"})
    assert response.headers.get_list("cache-control") == [PUBLIC]


async def test_a_persisted_get_whose_store_view_comes_from_the_session_is_private(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": ADD}, headers={"Store": "de"})
    await register(client, PRODUCT)
    response = await get_by_hash(client, PRODUCT, **{"content-currency": "EUR"})
    assert (response.headers.get_list("cache-control"), response.headers["vary"]) == ([PRIVATE], "Origin")


async def test_a_persisted_get_with_a_session_that_remembers_no_locale_is_public(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": ADD})
    await register(client, PRODUCT)
    response = await get_by_hash(client, PRODUCT)
    assert response.headers.get_list("cache-control") == [PUBLIC]


async def test_a_persisted_get_of_the_cart_is_private(client: httpx.AsyncClient) -> None:
    await register(client, CART)
    response = await get_by_hash(client, CART)
    assert without_cost(response.json()) == {"data": {"cart": {"totalQuantity": 0}}}
    assert response.headers.get_list("cache-control") == [PRIVATE]


async def test_a_get_with_the_query_text_is_private(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": PRODUCT})
    assert response.headers.get_list("cache-control") == [PRIVATE]


async def test_a_persisted_get_that_failed_is_private(client: httpx.AsyncClient, faults: FaultPlan) -> None:
    await register(client, PRODUCT)
    faults.set("*", Fault(error_rate=1.0, error="http503"))
    response = await get_by_hash(client, PRODUCT)
    assert response.json()["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE"}
    assert response.headers.get_list("cache-control") == [PRIVATE]


async def test_post_answers_carry_no_cache_header(client: httpx.AsyncClient) -> None:
    await register(client, PRODUCT)
    response = await client.post("/graphql", json={"extensions": persisted(PRODUCT)})
    assert "cache-control" not in response.headers


async def test_a_hash_while_redis_is_down_is_upstream_unavailable(sandbox_app: Starlette) -> None:
    settings = Settings(
        environment="test",
        redis_url=SecretStr(f"redis://127.0.0.1:{free_port()}/0"),  # nothing listens there
        session=SessionSettings(cookie_secure=False),
    )
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as client:
        response = await get_by_hash(client, PRODUCT)
    assert (response.status_code, without_cost(response.json())) == (
        503,
        error("Persisted queries are temporarily unavailable. Please try again.", "UPSTREAM_UNAVAILABLE"),
    )
