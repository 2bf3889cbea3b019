"""Replicas on one real Redis: an event id handled by one is a duplicate on the other."""

from __future__ import annotations

import uuid

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import Settings
from tests.fake_clock import FakeClock
from tests.hooks.conftest import SECRET, code, send


def replica(redis_url: str, sandbox_app: Starlette, clock: FakeClock) -> httpx.AsyncClient:
    settings = Settings(environment="test", redis_url=SecretStr(redis_url), webhook_secret=SecretStr(SECRET))
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test")


async def test_an_event_handled_by_one_replica_is_a_duplicate_on_another(
    redis_url: str, sandbox_app: Starlette, clock: FakeClock
) -> None:
    event = {"id": f"evt-{uuid.uuid4().hex}", "data": {"number": "000000042", "status": "complete"}}
    async with replica(redis_url, sandbox_app, clock) as a, replica(redis_url, sandbox_app, clock) as b:
        first = await send(a, "order", event, clock)
        clock.advance(1)
        again = await send(b, "order", event, clock)
    assert (first.json()["outcome"], again.json()["outcome"]) == ("handled", "duplicate")


async def test_a_request_replayed_to_another_replica_is_refused(
    redis_url: str, sandbox_app: Starlette, clock: FakeClock
) -> None:
    event = {"id": f"evt-{uuid.uuid4().hex}", "data": {"x": 1}}
    async with replica(redis_url, sandbox_app, clock) as a, replica(redis_url, sandbox_app, clock) as b:
        body_headers = await send(a, "anything", event, clock)
        replayed = await b.post(
            "/hooks/magento/anything", content=body_headers.request.content, headers=body_headers.request.headers
        )
    assert code(replayed) == (401, "HOOK_REPLAYED")
