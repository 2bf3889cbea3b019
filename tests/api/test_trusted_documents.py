"""Trusted documents: manifests of the documents client apps may run, in allow and enforce mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from bff.app import create_app
from bff.persisted.hashes import document_hash
from bff.persisted.manifests import ManifestError
from bff.sandbox import SandboxState
from bff.settings import PersistedQuerySettings, SessionSettings, Settings
from tests.storefront_fixtures import without_cost

PRODUCT = 'query Product { product(sku: "BAG-001") { sku name } }'
PRODUCT_DATA = {"data": {"product": {"sku": "BAG-001", "name": "Joust Duffle Bag"}}}
STORE = "query Store { storeConfig { storeCode } }"  # in the Relay manifest, under the id "store-v1"
AD_HOC = '{ product(sku: "BAG-002") { sku } }'
ADD = 'mutation Add { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } } }'

NOT_IN_LIST = {
    "errors": [
        {
            "message": "Only trusted documents run here, and this one is in no manifest.",
            "extensions": {"code": "PERSISTED_QUERY_NOT_IN_LIST"},
        }
    ]
}


def by_id(document_id: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": document_id}}


@pytest.fixture
def manifests(tmp_path: Path) -> list[str]:
    apollo = tmp_path / "web-2.4.0.json"
    apollo.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": document_hash(PRODUCT), "name": "Product", "type": "query", "body": PRODUCT}],
            }
        )
    )
    relay = tmp_path / "ios-7.1.json"
    relay.write_text(json.dumps({"store-v1": STORE}))
    return [str(apollo), str(relay)]


@pytest.fixture(params=["enforce"])
def settings(request: pytest.FixtureRequest, manifests: list[str]) -> Settings:
    mode = request.param
    return Settings(
        environment="test",
        session=SessionSettings(cookie_secure=False),
        persisted_queries=PersistedQuerySettings(trusted_documents=mode, manifests=manifests),
    )


def mode(name: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("settings", [name], indirect=True)


# enforce


async def test_enforce_refuses_an_ad_hoc_query(client: httpx.AsyncClient, sandbox_state: SandboxState) -> None:
    response = await client.post("/graphql", json={"query": AD_HOC})
    assert (response.status_code, without_cost(response.json())) == (403, NOT_IN_LIST)


async def test_enforce_refuses_an_ad_hoc_mutation_before_it_reaches_magento(
    client: httpx.AsyncClient, sandbox_state: SandboxState
) -> None:
    response = await client.post("/graphql", json={"query": ADD})
    assert (response.status_code, without_cost(response.json()), sandbox_state.carts) == (403, NOT_IN_LIST, {})


async def test_enforce_refuses_to_register_a_document_that_is_in_no_manifest(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": AD_HOC, "extensions": by_id(document_hash(AD_HOC))})
    assert (response.status_code, without_cost(response.json())) == (403, NOT_IN_LIST)


async def test_enforce_answers_an_unknown_hash_with_not_in_list_so_clients_do_not_retry(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/graphql", params={"extensions": json.dumps(by_id(document_hash(AD_HOC)))})
    assert (response.status_code, without_cost(response.json())) == (403, NOT_IN_LIST)


async def test_enforce_runs_an_apollo_manifest_document_by_id_over_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"extensions": json.dumps(by_id(document_hash(PRODUCT)))})
    assert (without_cost(response.json()), response.headers["cache-control"]) == (PRODUCT_DATA, "public, max-age=300")


async def test_enforce_runs_a_relay_manifest_document_by_its_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"extensions": by_id("store-v1")})
    assert without_cost(response.json()) == {"data": {"storeConfig": {"storeCode": "default"}}}


async def test_enforce_runs_a_manifest_document_sent_as_its_exact_text(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": PRODUCT})
    assert without_cost(response.json()) == PRODUCT_DATA


async def test_enforce_runs_a_manifest_document_sent_with_its_hash(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": PRODUCT, "extensions": by_id(document_hash(PRODUCT))})
    assert without_cost(response.json()) == PRODUCT_DATA


# allow


@mode("allow")
async def test_allow_runs_a_manifest_document_by_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"extensions": by_id(document_hash(PRODUCT))})
    assert without_cost(response.json()) == PRODUCT_DATA


@mode("allow")
async def test_allow_runs_an_ad_hoc_query(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": AD_HOC})
    assert without_cost(response.json()) == {"data": {"product": {"sku": "BAG-002"}}}


@mode("allow")
async def test_allow_keeps_automatic_persisted_queries(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": AD_HOC, "extensions": by_id(document_hash(AD_HOC))})
    response = await client.post("/graphql", json={"extensions": by_id(document_hash(AD_HOC))})
    assert without_cost(response.json()) == {"data": {"product": {"sku": "BAG-002"}}}


# off


@mode("off")
async def test_off_ignores_the_manifests(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"extensions": by_id("store-v1")})
    assert without_cost(response.json()) == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }


def test_the_app_does_not_start_with_a_bad_manifest_and_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "web-2.5.0.json"
    bad.write_text(json.dumps({"p1": 42}))
    settings = Settings(
        environment="test", persisted_queries=PersistedQuerySettings(trusted_documents="allow", manifests=[str(bad)])
    )
    with pytest.raises(ManifestError, match=f"^trusted-document manifest {bad}: "):
        create_app(settings)
