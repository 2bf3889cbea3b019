"""Sandbox fixtures: a freshly seeded sandbox per test, reached over ASGI or real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.sandbox import FakeClock, FaultPlan, SandboxConfig, SandboxState, create_sandbox_app
from bff.sandbox.seed import seeded_state
from tests.servers import uvicorn_server

Gql = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> SandboxState:
    return seeded_state(SandboxConfig(), clock)


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def sandbox_app(state: SandboxState, faults: FaultPlan) -> Starlette:
    return create_sandbox_app(state, faults)


@pytest.fixture
async def http(sandbox_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the sandbox over ASGI."""
    transport = httpx.ASGITransport(app=sandbox_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://magento.test") as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> Gql:
    """``await gql(query, variables=None, headers=None)`` -> the JSON body of a POST /graphql."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
        )
        body: dict[str, Any] = response.json()
        return body

    return run


@pytest.fixture
def live_sandbox(sandbox_app: Starlette) -> Iterator[str]:
    """The sandbox served by uvicorn on a free 127.0.0.1 port; yields the base URL."""
    with uvicorn_server(sandbox_app) as url:
        yield url
