"""GraphQL over HTTP: the response media type follows the client's ``Accept``, and with
``application/graphql-response+json`` the status codes follow the spec (request errors are 400).
``application/json`` (also no ``Accept``, or ``*/*``) answers as the BFF always has."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.persisted.hashes import document_hash
from bff.sandbox import SandboxState
from bff.settings import (
    CacheSettings,
    LimitsSettings,
    PersistedQuerySettings,
    RateLimitSettings,
    SessionSettings,
    Settings,
)
from tests.storefront_fixtures import without_cost

NEW = "application/graphql-response+json"
NEW_CONTENT_TYPE = "application/graphql-response+json; charset=utf-8"
APOLLO_ACCEPT = "application/graphql-response+json,application/json;q=0.9"  # what Apollo Client 4 sends
STORE = "{ storeConfig { storeCode } }"
STORE_DATA = {"data": {"storeConfig": {"storeCode": "default"}}}
UNKNOWN_FIELD = "{ storeConfig { maskedCartId } }"
UNKNOWN_FIELD_ERROR = {
    "message": "Cannot query field 'maskedCartId' on type 'StoreConfig'.",
    "locations": [{"line": 1, "column": 17}],
    "extensions": {"code": "BAD_USER_INPUT"},
}
ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } } }'
NOT_ACCEPTABLE = {
    "errors": [
        {
            "message": "The Accept header allows neither application/graphql-response+json nor application/json.",
            "extensions": {"code": "BAD_USER_INPUT"},
        }
    ]
}


async def post(client: httpx.AsyncClient, body: object, accept: str | None = NEW, **headers: str) -> httpx.Response:
    """POST a JSON body; ``accept=None`` sends no Accept header at all (httpx sends ``*/*`` by default)."""
    request = client.build_request("POST", "/graphql", content=json.dumps(body), headers=headers)
    request.headers["content-type"] = headers.get("content_type", "application/json")
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    return await client.send(request)


def by_hash(document: str) -> dict[str, str]:
    return {"extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": document_hash(document)}})}


def app_client(settings: Settings, sandbox_app: Starlette) -> httpx.AsyncClient:
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test")


# Choosing the media type


async def test_a_client_preferring_graphql_response_json_gets_it_with_http_200(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": STORE}, accept=APOLLO_ACCEPT)
    assert (response.status_code, response.headers["content-type"]) == (200, NEW_CONTENT_TYPE)
    assert without_cost(response.json()) == STORE_DATA


async def test_a_client_accepting_application_json_gets_application_json(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": STORE}, accept="application/json")
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")


async def test_a_request_without_accept_gets_application_json(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": STORE}, accept=None)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")


async def test_a_request_accepting_anything_gets_application_json(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": STORE}, accept="*/*")
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")


async def test_an_accept_allowing_neither_media_type_is_refused_with_406_and_a_coded_error(
    client: httpx.AsyncClient,
) -> None:
    response = await post(client, {"query": STORE}, accept="text/html, application/xml;q=0.9")
    assert (response.status_code, response.headers["content-type"]) == (406, "application/json")
    assert response.json() == NOT_ACCEPTABLE


async def test_a_browser_asking_only_for_html_still_gets_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert (response.status_code, response.headers["content-type"]) == (200, "text/html; charset=utf-8")


# Status codes with application/graphql-response+json


async def test_a_validation_failure_is_http_400_without_data(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": UNKNOWN_FIELD})
    assert (response.status_code, response.headers["content-type"]) == (400, NEW_CONTENT_TYPE)
    assert without_cost(response.json()) == {"errors": [UNKNOWN_FIELD_ERROR]}


async def test_a_syntax_error_is_http_400_without_data(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "{ storeConfig { "})
    assert response.status_code == 400
    assert "data" not in response.json()
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_variables_that_cannot_be_coerced_are_http_400_without_data(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": "query P($sku: String!) { product(sku: $sku) { sku } }", "variables": {}})
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_a_field_error_after_execution_is_http_200_with_its_data(
    client: httpx.AsyncClient, bff_app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr(bff_app.state.services.catalog, "products", explode)
    response = await post(client, {"query": '{ products(search: "bag") { totalCount } }'})
    assert response.status_code == 200
    body = response.json()
    assert (body["data"], body["errors"][0]["path"], body["errors"][0]["extensions"]) == (
        None,
        ["products"],
        {"code": "INTERNAL"},
    )


async def test_a_mutation_over_get_is_http_405_and_runs_nothing(
    client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    response = await client.get("/graphql", params={"query": ADD}, headers={"Accept": NEW})
    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert sandbox_state.carts == {}


# Status codes with application/json: as before


async def test_a_validation_failure_stays_http_200_with_null_data_for_application_json(
    client: httpx.AsyncClient,
) -> None:
    response = await post(client, {"query": UNKNOWN_FIELD}, accept="application/json")
    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": None, "errors": [UNKNOWN_FIELD_ERROR]}


# Requests


async def test_a_json_body_with_a_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": STORE}, content_type="application/json; charset=utf-8")
    assert without_cost(response.json()) == STORE_DATA


async def test_a_text_plain_body_never_runs_also_when_graphql_response_json_is_accepted(
    client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    response = await post(client, {"query": ADD}, content_type="text/plain")
    assert (response.status_code, response.headers["content-type"]) == (400, NEW_CONTENT_TYPE)
    assert response.json() == {
        "errors": [{"message": "Unsupported content type", "extensions": {"code": "BAD_USER_INPUT"}}]
    }
    assert sandbox_state.carts == {}


async def test_an_operation_name_that_is_not_a_string_is_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": STORE, "operationName": 0})
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "The GraphQL operation's `operationName` must be a string or null, if provided.",
                "extensions": {"code": "BAD_USER_INPUT"},
            }
        ]
    }


# Refusals and persisted queries carry the negotiated media type and keep their status


async def test_a_too_large_body_is_http_413_with_the_negotiated_media_type(client: httpx.AsyncClient) -> None:
    response = await post(client, {"query": STORE, "variables": {"pad": "x" * 70_000}})
    assert (response.status_code, response.headers["content-type"]) == (413, NEW_CONTENT_TYPE)
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "limit": 65_536}


async def test_a_too_complex_query_is_http_400_with_the_negotiated_media_type(sandbox_app: Starlette) -> None:
    settings = Settings(environment="test", limits=LimitsSettings(max_depth=2))
    async with app_client(settings, sandbox_app) as c:
        response = await post(c, {"query": "{ cart { items { product { sku } } } }"})
    assert (response.status_code, response.headers["content-type"]) == (400, NEW_CONTENT_TYPE)
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_a_rate_limited_request_is_http_429_with_the_negotiated_media_type(sandbox_app: Starlette) -> None:
    settings = Settings(  # the cache off: a hit is never rate limited
        environment="test", rate_limits=RateLimitSettings(per_ip="1/minute"), cache=CacheSettings(enabled=False)
    )
    async with app_client(settings, sandbox_app) as c:
        await post(c, {"query": STORE})
        response = await post(c, {"query": STORE})
    assert (response.status_code, response.headers["content-type"]) == (429, NEW_CONTENT_TYPE)
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_an_unknown_persisted_query_is_http_200_with_the_negotiated_media_type(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/graphql", params=by_hash(STORE), headers={"Accept": NEW})
    assert (response.status_code, response.headers["content-type"]) == (200, NEW_CONTENT_TYPE)
    assert without_cost(response.json()) == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }


async def test_a_persisted_query_by_hash_over_get_answers_with_the_negotiated_media_type(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/graphql", json={"query": STORE, **{k: json.loads(v) for k, v in by_hash(STORE).items()}})
    response = await client.get("/graphql", params=by_hash(STORE), headers={"Accept": NEW})
    assert (response.status_code, response.headers["content-type"]) == (200, NEW_CONTENT_TYPE)
    assert without_cost(response.json()) == STORE_DATA


async def test_a_document_in_no_manifest_is_http_403_with_the_negotiated_media_type(
    sandbox_app: Starlette, tmp_path: Path
) -> None:
    manifest = tmp_path / "ios-7.1.json"
    manifest.write_text(json.dumps({"store-v1": STORE}))
    persisted = PersistedQuerySettings(trusted_documents="enforce", manifests=[str(manifest)])
    settings = Settings(environment="test", session=SessionSettings(cookie_secure=False), persisted_queries=persisted)
    async with app_client(settings, sandbox_app) as c:
        response = await post(c, {"query": "{ countries { code } }"})
    assert (response.status_code, response.headers["content-type"]) == (403, NEW_CONTENT_TYPE)
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
