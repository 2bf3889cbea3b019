"""Fixtures shared by the end-to-end packages (tests/api, tests/observability): a fresh Magento
sandbox per test, the clock both sides read, and an HTTP client for the BFF app under test.

Registered for the whole suite in tests/conftest.py; a package provides its own ``bff_app``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.sandbox import FaultPlan, SandboxConfig, SandboxState, create_sandbox_app
from bff.sandbox.seed import seeded_state
from bff.settings import SessionSettings, Settings
from tests.fake_clock import FakeClock

Gql = Callable[..., Awaitable[dict[str, Any]]]


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` without ``extensions.cost`` (and without ``extensions`` when nothing else is in it)."""
    extensions = {k: v for k, v in (body.get("extensions") or {}).items() if k != "cost"}
    rest = {k: v for k, v in body.items() if k != "extensions"}
    return {**rest, "extensions": extensions} if extensions else rest


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox_state(clock: FakeClock) -> SandboxState:
    return seeded_state(SandboxConfig(), clock)


@pytest.fixture
def faults() -> FaultPlan:
    return FaultPlan()


@pytest.fixture
def sandbox_app(sandbox_state: SandboxState, faults: FaultPlan) -> Starlette:
    return create_sandbox_app(sandbox_state, faults)


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", session=SessionSettings(cookie_secure=False))


@pytest.fixture
async def client(bff_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client (keeps the session cookie) talking to the BFF over ASGI."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bff_app), base_url="http://bff.test") as c:
        yield c


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Gql:
    """``await gql(query, variables=None, headers=None)`` -> JSON body of POST /graphql, without the
    ``extensions.cost`` every answer carries (tests/api/test_query_cost.py asserts it)."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        body: dict[str, Any] = response.json()
        return without_cost(body)

    return run
