"""End-to-end fixtures: the BFF app in front of a fresh Magento sandbox, both over ASGI.

Every response the BFF gives in these tests (any httpx client whose base URL is
``http://bff.test``) is recorded; after each test, a scan asserts that no body or header contains
a Magento masked cart id or customer token that exists in the sandbox.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import FaultPlan, SandboxConfig, SandboxState, create_sandbox_app
from bff.sandbox.seed import seeded_state
from bff.settings import SessionSettings, Settings
from tests.fake_clock import FakeClock

Gql = Callable[..., Awaitable[dict[str, Any]]]


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
def bff_app(settings: Settings, sandbox_app: Starlette, clock: FakeClock) -> Starlette:
    return create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)


@pytest.fixture
def responses() -> list[httpx.Response]:
    return []


@pytest.fixture
async def client(
    bff_app: Starlette, responses: list[httpx.Response], sandbox_state: SandboxState
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client (keeps the session cookie) talking to the BFF over ASGI."""

    async def record(response: httpx.Response) -> None:
        await response.aread()
        responses.append(response)

    transport = httpx.ASGITransport(app=bff_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://bff.test", event_hooks={"response": [record]}
    ) as c:
        yield c
    assert_no_magento_secrets(responses, sandbox_state)


def assert_no_magento_secrets(responses: list[httpx.Response], state: SandboxState) -> None:
    secrets = set(state.carts) | set(state.tokens)
    for response in responses:
        text = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        leaked = [s for s in secrets if s in text]
        assert leaked == [], f"{response.request.url} leaked Magento ids/tokens"


@pytest.fixture
def gql(client: httpx.AsyncClient) -> Gql:
    """``await gql(query, variables=None, headers=None)`` -> JSON body of POST /graphql."""

    async def run(
        query: str, variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
        )
        body: dict[str, Any] = response.json()
        return body

    return run
