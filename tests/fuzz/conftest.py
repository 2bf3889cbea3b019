"""The app under fuzz: the BFF in front of a fresh sandbox over ASGI (as in tests/api), with rate
limits and the cost budget measuring only, so thousands of examples from one client all run."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
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


@pytest.fixture
def bff_app(settings: Settings, sandbox_app: Starlette, clock: FakeClock) -> Starlette:
    return create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)


Secrets = Callable[[], set[str]]


@pytest.fixture
def secrets(sandbox_state: SandboxState) -> Secrets:
    """Every Magento cart id and customer token in the sandbox now (the set grows as examples run)."""
    return lambda: set(sandbox_state.carts) | set(sandbox_state.tokens)
