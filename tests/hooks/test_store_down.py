"""Redis down: a Magento event is refused with a coded 503 (and handled once Magento sends it again)."""

from __future__ import annotations

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import Settings
from tests.fake_clock import FakeClock
from tests.hooks.conftest import SECRET, code, send
from tests.servers import free_port


async def test_an_event_is_refused_with_503_when_redis_does_not_answer(
    sandbox_app: Starlette, clock: FakeClock
) -> None:
    nowhere = SecretStr(f"redis://127.0.0.1:{free_port()}/0")
    settings = Settings(environment="test", redis_url=nowhere, webhook_secret=SecretStr(SECRET))
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as client:
        refused = await send(client, "order", {"id": "evt-1", "data": {"number": "1", "status": "complete"}}, clock)
    assert code(refused) == (503, "UPSTREAM_UNAVAILABLE")
    assert "redis" not in refused.text.lower()
