"""The app under fuzz: the BFF in front of a fresh sandbox over ASGI (as in tests/api), with rate
limits off and the cost budget measuring only, so thousands of examples from one client all run;
each test runs twice, with its stores (sessions, idempotency, APQ, response cache) in process and
in a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import SandboxState
from bff.settings import RateLimitSettings, SessionSettings, Settings, ThrottleSettings
from tests.fake_clock import FakeClock


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test",
        session=SessionSettings(cookie_secure=False),
        rate_limits=RateLimitSettings(enabled=False),
        throttle=ThrottleSettings(mode="measure"),
    )


@pytest.fixture(params=["memory", "redis"])
async def bff_app(
    request: pytest.FixtureRequest, settings: Settings, sandbox_app: Starlette, clock: FakeClock
) -> AsyncIterator[Starlette]:
    if request.param == "redis":
        url: str = request.getfixturevalue("redis_url")
        client = Redis.from_url(url)
        await client.flushdb()
        await client.aclose()
        settings = settings.model_copy(update={"redis_url": SecretStr(url)})
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    yield app
    if app.state.redis is not None:
        await app.state.redis.aclose()


Secrets = Callable[[], set[str]]


@pytest.fixture
def secrets(sandbox_state: SandboxState) -> Secrets:
    """Every Magento cart id and customer token in the sandbox now (the set grows as examples run)."""
    return lambda: set(sandbox_state.carts) | set(sandbox_state.tokens)
