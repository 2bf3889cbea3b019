"""The response cache end to end: the BFF app over ASGI in front of a fresh sandbox, every request
to Magento recorded (so a test counts what reached Magento), and the same leak scan as tests/api."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.cache.responses import ResponseCache
from bff.settings import Settings
from tests.api.conftest import no_magento_secrets_reach_clients, responses
from tests.fake_clock import FakeClock
from tests.recording import RecordingTransport

__all__ = ["no_magento_secrets_reach_clients", "responses"]

SECRET = "s3cret-for-the-cache-hook-tests-0123456789"


@pytest.fixture
def magento(sandbox_app: Starlette) -> RecordingTransport:
    return RecordingTransport(httpx.ASGITransport(app=sandbox_app))


@pytest.fixture
def bff_app(settings: Settings, magento: RecordingTransport, clock: FakeClock) -> Starlette:
    return create_app(settings, magento_transport=magento, clock=clock)


@pytest.fixture
def cache(bff_app: Starlette) -> ResponseCache:
    found = bff_app.state.response_cache
    assert isinstance(found, ResponseCache)
    return found


def operations(magento: RecordingTransport) -> list[str]:
    """The Magento operations called so far, in order."""
    names = []
    for request in magento.requests:
        name = request.url.params.get("operationName")
        if name is None and request.content:
            name = httpx.Response(200, content=request.content).json().get("operationName")
        names.append(str(name))
    return names
