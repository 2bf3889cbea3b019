"""/healthz says the process is alive (no I/O); /readyz says whether it can serve, and why not."""

from __future__ import annotations

import httpx
import redis
from pydantic import SecretStr
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import Fault, FaultPlan
from bff.settings import Settings
from tests.servers import free_port


async def test_healthz_answers_without_asking_magento(client: httpx.AsyncClient, faults: FaultPlan) -> None:
    faults.set("*", Fault(error_rate=1.0, error="http503"))
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "alive"})


async def test_readyz_is_ready_when_magento_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ready", "checks": {"magento": "ok"}})


async def test_readyz_is_not_ready_until_magento_has_answered_once(
    client: httpx.AsyncClient, faults: FaultPlan
) -> None:
    faults.set("*", Fault(error_rate=1.0, error="http503"))
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "checks": {"magento": "unavailable (MagentoUnavailable)"}}


async def test_a_magento_outage_after_start_is_degraded_not_unready(
    client: httpx.AsyncClient, faults: FaultPlan
) -> None:
    """Magento is shared by every replica: failing readiness on its outage would take them all out."""
    await client.get("/readyz")
    faults.set("*", Fault(error_rate=1.0, error="http503"))
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "checks": {"magento": "unavailable (MagentoUnavailable)"}}


async def test_readyz_is_ready_again_once_magento_is_back(client: httpx.AsyncClient, faults: FaultPlan) -> None:
    await client.get("/readyz")
    faults.set("*", Fault(error_rate=1.0, error="http503"))
    await client.get("/readyz")
    faults.clear()
    response = await client.get("/readyz")
    assert response.json()["status"] == "ready"


async def test_a_draining_pod_that_was_ready_is_not_ready(client: httpx.AsyncClient, bff_app: Starlette) -> None:
    await client.get("/readyz")
    bff_app.state.readiness.draining = True
    assert (await client.get("/readyz")).status_code == 503


async def test_readyz_is_not_ready_while_draining(client: httpx.AsyncClient, bff_app: Starlette) -> None:
    bff_app.state.readiness.draining = True
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["server"] == "shutting down"


async def test_readyz_names_redis_when_it_cannot_be_reached(sandbox_app: Starlette) -> None:
    settings = Settings(environment="test", redis_url=SecretStr(f"redis://127.0.0.1:{free_port()}/0"))
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        response = await c.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"redis": "unavailable (ConnectionError)", "magento": "ok"}


def _redis_connections(url: str) -> int:
    with redis.Redis.from_url(url) as observer:
        return len(observer.client_list()) - 1  # not counting the observer itself


async def test_shutdown_closes_the_magento_and_redis_pools(sandbox_app: Starlette, redis_url: str) -> None:
    app = create_app(
        Settings(environment="test", redis_url=SecretStr(redis_url)),
        magento_transport=httpx.ASGITransport(app=sandbox_app),
    )
    before = _redis_connections(redis_url)
    async with app.router.lifespan_context(app):
        assert await app.state.redis.ping()
        assert _redis_connections(redis_url) == before + 2  # the pool's and the cache's purge subscription
        assert not app.state.magento_http.is_closed
    assert app.state.magento_http.is_closed
    assert _redis_connections(redis_url) == before
