"""End-to-end fixtures: the BFF app in front of a fresh Magento sandbox, both over ASGI.

Every response the BFF gives in these tests (any httpx client whose base URL is
``http://bff.test``) is recorded; after each test, a scan asserts that no body or header contains
a Magento masked cart id or customer token that exists in the sandbox.
"""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import SandboxState
from bff.settings import Settings
from tests.fake_clock import FakeClock


@pytest.fixture
def bff_app(settings: Settings, sandbox_app: Starlette, clock: FakeClock) -> Starlette:
    return create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)


@pytest.fixture
def responses() -> list[httpx.Response]:
    return []


@pytest.fixture(autouse=True)
async def no_magento_secrets_reach_clients(
    monkeypatch: pytest.MonkeyPatch, responses: list[httpx.Response], sandbox_state: SandboxState
) -> AsyncIterator[None]:
    """Record every BFF response of the test, then scan them all for Magento ids and tokens."""
    original_send = httpx.AsyncClient.send

    async def send(self: httpx.AsyncClient, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = await original_send(self, request, **kwargs)
        if request.url.host == "bff.test":
            await response.aread()
            responses.append(response)
        return response

    monkeypatch.setattr(httpx.AsyncClient, "send", send)
    yield
    assert_no_magento_secrets(responses, sandbox_state)


def assert_no_magento_secrets(responses: list[httpx.Response], state: SandboxState) -> None:
    secrets = set(state.carts) | set(state.tokens)
    for response in responses:
        text = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        text += "\n" + "\n".join(_decoded_ids(response.text))
        leaked = [s for s in secrets if s in text]
        assert leaked == [], f"{response.request.url} leaked Magento ids/tokens"


_ID = re.compile(r'"id"\s*:\s*"([A-Za-z0-9_-]+)"')


def _decoded_ids(text: str) -> list[str]:
    """What the ids of a response say (the opaque ids are base64): a masked cart id must not hide in one."""
    decoded = []
    for value in _ID.findall(text):
        try:
            decoded.append(unquote(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()))
        except (ValueError, UnicodeDecodeError):
            continue
    return decoded
