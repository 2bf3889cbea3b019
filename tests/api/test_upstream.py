"""What the BFF sends to Magento: headers, shopper IP, request id, and nothing of the session;
public reads as GET (cacheable in front of Magento), everything else as POST."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import Fault, FaultPlan
from bff.settings import CacheSettings, SessionSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport
from tests.storefront_fixtures import Gql

PRODUCTS = '{ products(search: "bag") { totalCount } }'
ADD_TO_CART = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'
SIGN_IN = 'mutation { signIn(email: "roni_cost@example.com", password: "Roni-Cost-3") { viewer { signedIn } } }'


@pytest.fixture
def settings() -> Settings:
    """The response cache off: these tests count what reaches Magento for repeated reads."""
    return Settings(
        environment="test", session=SessionSettings(cookie_secure=False), cache=CacheSettings(enabled=False)
    )


@pytest.fixture
def upstream(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


async def _client(app: Starlette, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as c:
        yield c


@pytest.fixture
async def via_proxy(
    settings: Settings, upstream: RecordingTransport, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests arrive from a trusted proxy (127.0.0.1)."""
    async for c in _client(create_app(settings, magento_transport=upstream, clock=clock), "127.0.0.1"):
        yield c


@pytest.fixture
async def direct(
    settings: Settings, upstream: RecordingTransport, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    """A client connecting from the internet directly (an untrusted peer)."""
    async for c in _client(create_app(settings, magento_transport=upstream, clock=clock), "203.0.113.5"):
        yield c


async def test_store_and_currency_headers_are_forwarded(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": PRODUCTS}, headers={"Store": "de", "Content-Currency": "USD"})
    sent = upstream.requests[-1].headers
    assert (sent["Store"], sent["Content-Currency"]) == ("de", "USD")


async def test_the_shopper_ip_from_a_trusted_proxy_is_forwarded(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": PRODUCTS}, headers={"X-Forwarded-For": "198.51.100.7"})
    assert upstream.requests[-1].headers["X-Forwarded-For"] == "198.51.100.7"


async def test_a_spoofed_forwarded_for_from_the_internet_is_ignored(
    direct: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await direct.post("/graphql", json={"query": PRODUCTS}, headers={"X-Forwarded-For": "198.51.100.7"})
    assert upstream.requests[-1].headers["X-Forwarded-For"] == "203.0.113.5"


async def test_the_request_id_is_forwarded(via_proxy: httpx.AsyncClient, upstream: RecordingTransport) -> None:
    await via_proxy.post("/graphql", json={"query": PRODUCTS}, headers={"X-Request-ID": "req-12345"})
    assert upstream.requests[-1].headers["X-Request-ID"] == "req-12345"


async def test_catalog_reads_never_carry_the_customer_token(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": SIGN_IN})
    await via_proxy.post("/graphql", json={"query": PRODUCTS})
    assert "Authorization" not in upstream.requests[-1].headers


async def test_customer_calls_carry_the_customer_token_and_not_the_session_token(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": SIGN_IN})
    session_token = via_proxy.cookies["bff_session"]
    await via_proxy.post("/graphql", json={"query": "{ viewer { customer { email } } }"})
    sent = upstream.requests[-1].headers["Authorization"]
    assert sent.startswith("Bearer ")
    assert session_token not in sent


async def test_every_upstream_document_is_a_named_operation(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": SIGN_IN})
    await via_proxy.post("/graphql", json={"query": PRODUCTS})
    names = [sent_operation(r)["operationName"] for r in upstream.requests]
    assert all(names)


def sent_operation(request: httpx.Request) -> dict[str, object]:
    """``query``, ``operationName`` and ``variables`` of one request to Magento (GET or POST)."""
    if request.method == "GET":
        params = request.url.params
        return {"query": params["query"], "operationName": params["operationName"],
                "variables": json.loads(params["variables"])}  # fmt: skip
    sent: dict[str, object] = json.loads(request.content)
    return sent


async def test_catalog_reads_are_sent_as_get_with_the_operation_in_the_query_string(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": PRODUCTS}, headers={"Store": "de", "Content-Currency": "USD"})
    sent = upstream.requests[-1]
    assert (sent.method, sent_operation(sent)["operationName"]) == ("GET", "ProductListing")


async def test_equal_variables_give_the_same_get_url(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": PRODUCTS})
    await via_proxy.post("/graphql", json={"query": PRODUCTS})
    first, second = upstream.requests[-2:]
    assert first.url == second.url


async def test_cart_reads_and_writes_are_sent_as_post(
    via_proxy: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await via_proxy.post("/graphql", json={"query": ADD_TO_CART})
    await via_proxy.post("/graphql", json={"query": "{ cart { totalQuantity } }"})
    sent = {sent_operation(r)["operationName"]: r.method for r in upstream.requests}
    assert sent == {"CreateGuestCart": "POST", "AddProductsToCart": "POST", "CartSummary": "POST"}


async def test_customer_reads_are_sent_as_post(via_proxy: httpx.AsyncClient, upstream: RecordingTransport) -> None:
    await via_proxy.post("/graphql", json={"query": SIGN_IN})
    await via_proxy.post("/graphql", json={"query": "{ viewer { customer { email } } }"})
    assert upstream.requests[-1].method == "POST"


async def test_a_magento_error_page_without_a_graphql_answer_is_upstream_unavailable(
    gql: Gql, faults: FaultPlan
) -> None:
    faults.set("ProductListing", Fault(error_rate=1.0, error="html500"))
    body = await gql('{ products(search: "bag") { totalCount } }')
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UPSTREAM_UNAVAILABLE"]
