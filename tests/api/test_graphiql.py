"""GraphiQL for `bff dev`: served with its assets (the dev extra) from this server, so it works offline."""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import Settings
from tests.fuzz.asgi import RawRequest, call
from tests.storefront_fixtures import without_cost


async def test_browsers_get_graphiql_at_the_endpoint(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "GraphiQL" in response.text


async def test_a_query_string_that_is_not_utf8_still_gets_graphiql(bff_app: Starlette) -> None:
    # A raw byte no client library would send unescaped (httpx percent-encodes it): over raw ASGI.
    request = RawRequest("GET", query_string=b"x\x80", headers=((b"accept", b"text/html"),))
    response = await call(bff_app, request)
    assert response.status == 200
    assert b"GraphiQL" in response.body


async def test_graphiql_loads_no_asset_from_another_host(client: httpx.AsyncClient) -> None:
    page = (await client.get("/graphql", headers={"Accept": "text/html"})).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    assert [a for a in assets if not a.startswith("/")] == []
    for asset in assets:
        assert (await client.get(asset)).status_code == 200, asset


async def test_graphiql_can_be_switched_off(sandbox_app: Starlette) -> None:
    app = create_app(
        Settings(environment="test", graphiql=False), magento_transport=httpx.ASGITransport(app=sandbox_app)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        response = await c.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"errors": [{"message": "Not Found", "extensions": {"code": "BAD_USER_INPUT"}}]}


def test_the_example_query_in_graphiql_is_valid() -> None:
    from graphql import parse, validate

    from bff.graphql.graphiql import WELCOME
    from bff.graphql.schema import build_schema

    assert validate(build_schema()._schema, parse(WELCOME)) == []


@pytest.fixture
def no_graphiql_assets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The dev extra is not installed: its package cannot be imported."""
    monkeypatch.setitem(sys.modules, "graphene_django_graphiql_static", None)


@pytest.fixture
async def client_without_assets(no_graphiql_assets: None, sandbox_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(environment="test"), magento_transport=httpx.ASGITransport(app=sandbox_app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        yield c


async def test_without_the_dev_extra_browsers_are_told_how_to_install_graphiql(
    client_without_assets: httpx.AsyncClient,
) -> None:
    response = await client_without_assets.get("/graphql", headers={"Accept": "text/html"})
    assert "GraphiQL is not installed" in response.text
    assert "pip install -e '.[dev]'" in response.text
    assert "<script" not in response.text


async def test_without_the_dev_extra_the_api_still_answers(client_without_assets: httpx.AsyncClient) -> None:
    response = await client_without_assets.post("/graphql", json={"query": "{ storeConfig { storeCode } }"})
    assert without_cost(response.json()) == {"data": {"storeConfig": {"storeCode": "default"}}}
