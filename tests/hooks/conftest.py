"""``POST /hooks/magento/{event}`` end to end: the BFF app over ASGI in front of a fresh sandbox."""

from __future__ import annotations

import httpx
import orjson
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import SessionSettings, Settings
from bff.webhook_signature import sign
from tests.fake_clock import FakeClock

SECRET = "s3cret-for-the-magento-hook-tests-0123456789"


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", session=SessionSettings(cookie_secure=False), webhook_secret=SecretStr(SECRET))


@pytest.fixture
def bff_app(settings: Settings, sandbox_app: Starlette, clock: FakeClock) -> Starlette:
    return create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)


def signed(body: bytes, timestamp: int, secret: str = SECRET) -> dict[str, str]:
    return {"X-Bff-Timestamp": str(timestamp), "X-Bff-Signature": sign(secret, timestamp, body)}


async def send(
    client: httpx.AsyncClient,
    event: str,
    payload: object,
    clock: FakeClock,
    *,
    age_s: int = 0,
    secret: str = SECRET,
) -> httpx.Response:
    """POST one event, signed now (or ``age_s`` seconds ago)."""
    body = orjson.dumps(payload)
    headers = signed(body, int(clock.now()) - age_s, secret)
    return await client.post(f"/hooks/magento/{event}", content=body, headers=headers)


def code(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["errors"][0]["extensions"]["code"]
