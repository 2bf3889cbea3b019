"""Query limits and cost, end to end: refused before any Magento call, and reported on every answer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import LimitsSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport

ALIASES_10K = "{ " + " ".join(f"s{i}: storeConfig {{ storeCode }}" for i in range(10_000)) + " }"
ALIASES_TIMES_PAGE_SIZE = (
    "{ " + " ".join(f"p{i}: products(pageSize: 100) {{ items {{ sku }} }}" for i in range(10)) + " }"
)
ALIAS_BOMB = "{ storeConfig { ...F4 } } fragment F0 on StoreConfig { a: storeCode } " + " ".join(
    f"fragment F{i} on StoreConfig {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 5)
)


@pytest.fixture
def upstream(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


def app_client(settings: Settings, upstream: RecordingTransport, clock: FakeClock) -> httpx.AsyncClient:
    app = create_app(settings, magento_transport=upstream, clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test")


@pytest.fixture
async def bff(settings: Settings, upstream: RecordingTransport, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(settings, upstream, clock) as c:
        yield c


async def post(client: httpx.AsyncClient, query: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": query})


def code_of(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_every_answer_carries_its_requested_and_actual_cost(bff: httpx.AsyncClient) -> None:
    response = await post(bff, "{ storeConfig { storeCode } }")
    assert response.json()["extensions"]["cost"] == {
        "requestedQueryCost": 2,
        "actualQueryCost": 2,
        "throttleStatus": {"maximumAvailable": 2000, "currentlyAvailable": 1998, "restoreRate": 100.0},
    }


async def test_the_actual_cost_counts_what_was_returned_and_called(bff: httpx.AsyncClient) -> None:
    response = await post(bff, "{ cart { items { uid } } }")  # no cart yet: no Magento call, one object
    cost = response.json()["extensions"]["cost"]
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (2 + 1 + 10, 1)
    assert cost["throttleStatus"]["currentlyAvailable"] == 2000 - 1  # the unspent 12 points were given back


async def test_ten_thousand_aliases_make_no_magento_call(bff: httpx.AsyncClient, upstream: RecordingTransport) -> None:
    response = await post(bff, ALIASES_10K)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "limit": 65_536}
    assert upstream.requests == []


async def test_ten_thousand_aliases_within_the_body_limit_are_too_complex(
    upstream: RecordingTransport, clock: FakeClock
) -> None:
    limits = LimitsSettings(max_body_bytes=1_000_000, max_document_bytes=1_000_000, max_tokens=100_000)
    async with app_client(Settings(environment="test", limits=limits), upstream, clock) as bff:
        response = await post(bff, ALIASES_10K)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "measure": "aliases", "value": 10_000, "limit": 15,
    }  # fmt: skip
    assert upstream.requests == []


async def test_a_shallow_but_expensive_query_is_refused_by_its_cost(
    bff: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    response = await post(bff, ALIASES_TIMES_PAGE_SIZE)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{
            "message": "The query is too complex: the requested cost (1110) is over the limit (1000).",
            "extensions": {"code": "QUERY_TOO_COMPLEX", "measure": "cost", "value": 1110, "limit": 1000},
        }],
        "extensions": {"cost": {"requestedQueryCost": 1110, "actualQueryCost": None}},
    }  # fmt: skip
    assert upstream.requests == []


async def test_a_fragment_spread_alias_bomb_is_refused_before_magento(
    bff: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    response = await post(bff, ALIAS_BOMB)
    assert response.json()["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "measure": "aliases", "value": 16, "limit": 15,
    }  # fmt: skip
    assert upstream.requests == []


async def test_a_depth_bomb_is_refused_before_magento(bff: httpx.AsyncClient, upstream: RecordingTransport) -> None:
    deep = "{ categoryTree(depth: 5) { " + "children { " * 12 + "name" + " }" * 12 + " } }"
    response = await post(bff, deep)
    assert response.json()["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "measure": "depth", "value": 14, "limit": 12,
    }  # fmt: skip
    assert upstream.requests == []


async def test_too_many_root_fields_are_refused(bff: httpx.AsyncClient) -> None:
    query = "{ " + " ".join(f"c{i}: countries {{ code }}" for i in range(11)) + " }"
    assert (await post(bff, query)).json()["errors"][0]["extensions"]["measure"] in {"aliases", "rootFields"}


async def test_introspection_is_cost_limited_too(upstream: RecordingTransport, clock: FakeClock) -> None:
    query = "{ " + " ".join(f"s{i}: __schema {{ queryType {{ name }} }}" for i in range(3)) + " }"
    async with app_client(Settings(environment="test", limits=LimitsSettings(max_cost=250)), upstream, clock) as bff:
        response = await post(bff, query)
    assert response.json()["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COMPLEX", "measure": "cost", "value": 300, "limit": 250,
    }  # fmt: skip


async def test_a_body_over_the_limit_is_refused_before_it_is_read(bff: httpx.AsyncClient) -> None:
    response = await bff.post(
        "/graphql", content=b"{" + b" " * 70_000 + b"}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"message": "The request body is larger than 65536 bytes.",
                    "extensions": {"code": "BAD_USER_INPUT", "limit": 65_536}}]
    }  # fmt: skip


async def test_a_chunked_body_over_the_limit_is_refused(bff: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "'
        for _ in range(100):
            yield b" " * 1000
        yield b'"}'

    response = await bff.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert code_of(response) == "BAD_USER_INPUT"


async def test_refusals_never_echo_the_document(bff: httpx.AsyncClient) -> None:
    response = await post(bff, ALIASES_TIMES_PAGE_SIZE.replace("p0:", "secretAlias0:"))
    assert "secretAlias0" not in response.text
    assert "products" not in response.text


async def test_validation_errors_make_no_suggestions_outside_development(bff: httpx.AsyncClient) -> None:
    response = await post(bff, "{ storeConfg { storeCode } }")
    assert [e["message"] for e in response.json()["errors"]] == ["Cannot query field 'storeConfg' on type 'Query'."]


async def test_development_suggests_field_names(upstream: RecordingTransport, clock: FakeClock) -> None:
    async with app_client(Settings(environment="development"), upstream, clock) as bff:
        response = await post(bff, "{ storeConfg { storeCode } }")
    assert "Did you mean 'storeConfig'?" in response.json()["errors"][0]["message"]
