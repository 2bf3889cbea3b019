"""Redis does not answer: every answer is coded (never a plain-text 500), catalog reads keep working."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import Settings
from tests.fake_clock import FakeClock
from tests.servers import free_port

CATALOG = "{ storeConfig { storeCode } }"
CART = "{ cart { totalQuantity } }"
ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } } }'
A_TOKEN = "t" * 43  # shaped like a session token, so the middleware looks it up


@pytest.fixture
async def bff(sandbox_app: Starlette, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    settings = Settings(environment="test", redis_url=SecretStr(nobody), redis_pool_timeout_s=0.2)
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as client:
        yield client


async def test_catalog_reads_without_a_session_keep_working(bff: httpx.AsyncClient) -> None:
    response = await bff.post("/graphql", json={"query": CATALOG})
    assert (response.status_code, response.json()["data"]) == (200, {"storeConfig": {"storeCode": "default"}})


async def test_a_catalog_read_with_a_session_goes_on_without_it(bff: httpx.AsyncClient) -> None:
    response = await bff.post("/graphql", json={"query": CATALOG}, headers={"Authorization": f"Bearer {A_TOKEN}"})
    assert (response.status_code, response.json()["data"]) == (200, {"storeConfig": {"storeCode": "default"}})
    assert "x-session-token" not in response.headers


async def test_a_session_read_with_a_session_is_upstream_unavailable(bff: httpx.AsyncClient) -> None:
    response = await bff.post("/graphql", json={"query": CART}, headers={"Authorization": f"Bearer {A_TOKEN}"})
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE"}
    assert response.headers["Retry-After"] == "1"


async def test_a_read_mixing_catalog_and_cart_with_a_session_is_upstream_unavailable(bff: httpx.AsyncClient) -> None:
    query = "{ storeConfig { storeCode } cart { totalQuantity } }"
    response = await bff.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {A_TOKEN}"})
    assert response.status_code == 503


async def test_starting_a_session_is_upstream_unavailable_not_internal(bff: httpx.AsyncClient) -> None:
    body = (await bff.post("/graphql", json={"query": ADD})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UPSTREAM_UNAVAILABLE"]
