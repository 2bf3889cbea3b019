"""The sandbox's HTTP behaviour matches Magento's: methods, content types, headers, status codes."""

from __future__ import annotations

import json

import httpx

from tests.sandbox.conftest import Gql

STORE_CONFIG = "query StoreCode { storeConfig { store_code default_display_currency_code } }"
CREATE_CART = "mutation Create { createGuestCart { cart { id } } }"


async def test_get_runs_a_query_with_variables_from_the_query_string(http: httpx.AsyncClient) -> None:
    query = "query C($id: String) { country(id: $id) { two_letter_abbreviation } }"
    response = await http.get("/graphql", params={"query": query, "variables": json.dumps({"id": "DE"})})
    assert response.status_code == 200
    assert response.json() == {"data": {"country": {"two_letter_abbreviation": "DE"}}}


async def test_mutation_over_get_is_refused_with_http_500(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": CREATE_CART})
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Mutation requests allowed only for POST requests"


async def test_post_without_json_content_type_is_refused_with_http_500(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", content=STORE_CONFIG, headers={"content-type": "application/graphql"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Request content type must be application/json"


async def test_syntax_errors_are_pre_execution_errors(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ storeConfig { "})
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"].startswith("Syntax Error")


async def test_unknown_fields_are_validation_errors_with_http_200(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ storeConfig { no_such_field } }"})
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert "no_such_field" in error["message"]
    assert error["extensions"]["category"] == "graphql"


async def test_unknown_store_header_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": STORE_CONFIG}, headers={"Store": "nope"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Requested store is not found (nope)"


async def test_currency_not_allowed_for_the_store_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": STORE_CONFIG}, headers={"Content-Currency": "JPY"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Please correct the target currency"


async def test_store_header_selects_the_store_view(gql: Gql) -> None:
    default = await gql(STORE_CONFIG)
    german = await gql(STORE_CONFIG, headers={"Store": "de"})
    assert default["data"]["storeConfig"] == {"store_code": "default", "default_display_currency_code": "USD"}
    assert german["data"]["storeConfig"] == {"store_code": "de", "default_display_currency_code": "EUR"}


async def test_queries_carry_a_cache_id_that_depends_on_store_and_currency(http: httpx.AsyncClient) -> None:
    usd = await http.post("/graphql", json={"query": STORE_CONFIG})
    eur = await http.post("/graphql", json={"query": STORE_CONFIG}, headers={"Content-Currency": "EUR"})
    again = await http.post("/graphql", json={"query": STORE_CONFIG})
    assert usd.headers["X-Magento-Cache-Id"] == again.headers["X-Magento-Cache-Id"]
    assert usd.headers["X-Magento-Cache-Id"] != eur.headers["X-Magento-Cache-Id"]


async def test_mutations_carry_no_cache_id_and_no_cache_headers(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": CREATE_CART})
    assert "X-Magento-Cache-Id" not in response.headers
    assert "no-cache" in response.headers["Cache-Control"]


async def test_cacheable_get_responses_carry_magento_tags(http: httpx.AsyncClient) -> None:
    query = '{ products(filter: {sku: {eq: "BAG-001"}}) { items { sku } } }'
    response = await http.get("/graphql", params={"query": query})
    tags = response.headers["X-Magento-Tags"].split(",")
    assert "cat_p" in tags
    assert "public" in response.headers["Cache-Control"]


async def test_cart_reads_are_never_tagged_cacheable(http: httpx.AsyncClient) -> None:
    cart_id = (await http.post("/graphql", json={"query": CREATE_CART})).json()["data"]["createGuestCart"]["cart"]["id"]
    response = await http.get("/graphql", params={"query": f'{{ cart(cart_id: "{cart_id}") {{ id }} }}'})
    assert response.status_code == 200
    assert "X-Magento-Tags" not in response.headers


async def test_post_queries_are_not_tagged_cacheable(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": STORE_CONFIG})
    assert "X-Magento-Tags" not in response.headers


async def test_documents_deeper_than_magentos_limit_are_refused(gql: Gql) -> None:
    nested = "{ categories { items { " + "children { " * 21 + "uid" + " }" * 21 + " } } }"
    body = await gql(nested)
    assert body["errors"][0]["message"] == "Max query depth should be 20 but got 22."


async def test_documents_with_too_many_fields_are_refused_with_http_500(http: httpx.AsyncClient) -> None:
    fields = " ".join(["store_code"] * 301)
    response = await http.post("/graphql", json={"query": f"{{ storeConfig {{ {fields} }} }}"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Max query complexity should be 300 but got 302."


async def test_documents_with_too_many_aliases_are_refused(http: httpx.AsyncClient) -> None:
    aliases = " ".join(f"a{i}: store_code" for i in range(11))
    response = await http.post("/graphql", json={"query": f"{{ storeConfig {{ {aliases} }} }}"})
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Max Aliases in query should be 10 but got 11."
