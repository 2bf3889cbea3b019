"""Service fixtures: each service method run directly, through the real ``MagentoClient``, against
a freshly seeded sandbox over ASGI (no BFF HTTP, no GraphQL).

A ``Shopper`` here stands for one request: ``shopper`` is the first request of a new visitor (no
session yet); ``next_request(shopper)`` is the same visitor's next request, its session loaded
from the store by the id the handle holds, so a test sees only what the session store kept.
The Magento calls a shopper made are in ``shopper.calls`` (one entry per attempt).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from bff.magento.client import MagentoClient
from bff.request_state import RequestMeta
from bff.services import Services, build_services
from bff.sessions.handle import SessionHandle
from bff.sessions.memory import MemoryIdempotencyStore, MemorySessionStore
from bff.settings import Settings
from bff.shopper import Shopper
from tests.fake_clock import FakeClock
from tests.services.support import NewShopper, NextRequest

MAGENTO_URL = "http://magento.test/graphql"


@pytest.fixture
def session_store(settings: Settings, clock: FakeClock) -> MemorySessionStore:
    return MemorySessionStore(clock, idle_ttl_seconds=settings.session.idle_ttl_s)


@pytest.fixture
def idempotency_store(settings: Settings, clock: FakeClock) -> MemoryIdempotencyStore:
    return MemoryIdempotencyStore(clock, ttl_seconds=settings.checkout.idempotency_ttl_s)


@pytest.fixture
async def magento(settings: Settings, sandbox_app: Starlette) -> AsyncIterator[MagentoClient]:
    """The real client, its transport the sandbox app in-process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app)) as http:
        yield MagentoClient(http, settings.magento, MAGENTO_URL)


@pytest.fixture
def services(settings: Settings, idempotency_store: MemoryIdempotencyStore, clock: FakeClock) -> Services:
    """Built exactly as ``bff.app`` builds them (the idempotency store in-process)."""
    return build_services(settings, idempotency_store, clock)


@pytest.fixture
def new_shopper(session_store: MemorySessionStore, clock: FakeClock, magento: MagentoClient) -> NewShopper:
    """``new_shopper(meta=None)``: the first request of another new visitor (no session yet)."""

    def make(meta: RequestMeta | None = None) -> Shopper:
        return Shopper(SessionHandle(session_store, clock, None), magento, meta or RequestMeta())

    return make


@pytest.fixture
def shopper(new_shopper: NewShopper) -> Shopper:
    """A new visitor's first request: no session yet."""
    return new_shopper()


@pytest.fixture
def next_request(session_store: MemorySessionStore, clock: FakeClock, magento: MagentoClient) -> NextRequest:
    """The same visitor's next request (same headers): the session as the store has it (None if gone)."""

    async def make(previous: Shopper) -> Shopper:
        current = previous.session.current
        loaded = await session_store.load(current.id) if current is not None else None
        return Shopper(SessionHandle(session_store, clock, loaded), magento, previous.meta)

    return make
