"""Errors carry a stable extensions.code and a message for developers; nothing internal leaks."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.storefront_fixtures import Gql

PRODUCTS = '{ products(search: "bag") { totalCount } }'
ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } userErrors { code } } }'
LEAKS = ("Traceback", "Service Unavailable", "Internal server error", "magento", "Magento", "category")


def _assert_clean(body: dict[str, object]) -> None:
    text = str(body)
    assert [w for w in LEAKS if w in text] == []


async def test_magento_down_is_upstream_unavailable(gql: Gql, faults: FaultPlan) -> None:
    faults.set("*", Fault(error_rate=1.0, error="http503"))
    body = await gql(PRODUCTS)
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE"}
    _assert_clean(body)


async def test_a_magento_internal_error_is_internal_with_a_generic_message(gql: Gql, faults: FaultPlan) -> None:
    faults.set("*", Fault(error_rate=1.0, error="graphql"))
    body = await gql(PRODUCTS)
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert body["errors"][0]["message"] == "Something went wrong. Please try again."
    _assert_clean(body)


async def test_an_unexpected_exception_is_internal_without_a_stack_trace(
    gql: Gql, bff_app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_: object) -> object:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(bff_app.state.services.catalog, "products", explode)
    body = await gql(PRODUCTS)
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert "hunter2" not in str(body)
    assert "RuntimeError" not in str(body)


async def test_syntax_errors_are_bad_user_input(gql: Gql) -> None:
    body = await gql("{ products(search: ")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unknown_fields_are_bad_user_input(gql: Gql) -> None:
    body = await gql("{ cart { maskedId } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "maskedId" in body["errors"][0]["message"]


async def test_mutations_are_refused_over_get(client: httpx.AsyncClient, sandbox_state: SandboxState) -> None:
    response = await client.get("/graphql", params={"query": ADD})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert sandbox_state.carts == {}


async def test_a_body_that_is_not_json_is_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_queries_work_over_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": PRODUCTS})
    assert response.json()["data"]["products"]["totalCount"] > 0


async def test_a_failed_mutation_is_never_retried_blindly(gql: Gql, faults: FaultPlan) -> None:
    await gql(ADD)  # opens the cart
    faults.set("addProductsToCart", Fault(drop=True, times=1))
    body = await gql(ADD)
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    cart = await gql("{ cart { totalQuantity } }")
    assert cart["data"]["cart"]["totalQuantity"] == 1


async def test_a_query_is_retried_once_after_a_dropped_connection(gql: Gql, faults: FaultPlan) -> None:
    faults.set("products", Fault(drop=True, times=1))
    body = await gql(PRODUCTS)
    assert "errors" not in body
    assert body["data"]["products"]["totalCount"] > 0


@pytest.mark.parametrize("body", [b'"hello"', b"42", b"null", b"[1, 2]", b"true"])
async def test_a_json_body_that_is_not_an_object_is_bad_user_input(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


DEEP = 2000  # past the JSON decoder's limit (1,024)


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ __typename }\xff\xfe"}',  # not UTF-8
        b'{"query": "query ($n: Int!) { products(pageSize: $n) { totalCount } }", "variables": {"n": '
        + b"9" * 5000
        + b"}}",  # an integer longer than Python converts
        b'{"query": "query ($x: String) { __typename }", "variables": '
        + b'{"a": ' * DEEP
        + b"1"
        + b"}" * DEEP
        + b"}",  # variables nested 2,000 deep
        b'{"query": "query ($s: String) { products(search: $s) { totalCount } }", "variables": {"s": "\\ud800"}}',
        b'{"query": "{ products(search: \\"\\udfff\\") { totalCount } }"}',  # a lone surrogate in the document
        b'{"query": "{ __typename }", "extensions": ' + b"[" * 2000 + b"]" * 2000 + b"}",
    ],
    ids=[
        "invalid-utf8",
        "5000-digit-integer",
        "deeply-nested-variables",
        "lone-surrogate-in-a-variable",
        "lone-surrogate-in-the-query",
        "extensions-nested-2000-deep",
    ],
)
async def test_an_unreadable_json_body_is_a_coded_bad_user_input(client: httpx.AsyncClient, body: bytes) -> None:
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_variables_nested_1000_deep_are_read_and_answered(client: httpx.AsyncClient) -> None:
    """Within the decoder's limit, but past orjson's encoding depth (255) and near Python's recursion limit."""
    nested = b'{"a": ' * 1000 + b"1" + b"}" * 1000
    body = b'{"query": "{ __typename }", "variables": {"unused": ' + nested + b"}}"
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["data"]) == (200, {"__typename": "Query"})


async def test_a_lone_surrogate_in_get_variables_is_a_coded_bad_user_input(client: httpx.AsyncClient) -> None:
    query = "query ($s: String) { products(search: $s) { totalCount } }"
    response = await client.get("/graphql", params={"query": query, "variables": '{"s": "\\ud800"}'})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_a_content_length_of_non_ascii_digits_is_not_a_server_error(client: httpx.AsyncClient) -> None:
    # "²" (byte 0xB2 read as latin-1) is a digit to str.isdigit(), not to int(); the body is read as sent.
    headers = {b"content-type": b"application/json", b"content-length": b"\xb2"}
    response = await client.post("/graphql", content=b'{"query": "{ __typename }"}', headers=headers)
    assert (response.status_code, response.json()["data"]) == (200, {"__typename": "Query"})


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"])
async def test_other_http_methods_get_a_coded_405_naming_get_and_post(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql", json={"query": "{ __typename }"})
    assert (response.status_code, response.headers["allow"]) == (405, "GET, POST")
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
