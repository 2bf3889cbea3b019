"""A real ``bff worker`` process: its /metrics port (delivered counts, the lag) and its liveness file."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.events.catalogue import cart_merged
from bff.events.streams import OUTBOX
from tests.processes import Process, bff_process
from tests.servers import uvicorn_server
from tests.waiting import wait_until

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


@pytest.fixture
def received() -> list[bytes]:
    return []


@pytest.fixture
def receiver(received: list[bytes]) -> Iterator[str]:
    async def hook(request: Request) -> Response:
        received.append(await request.body())
        return Response(status_code=204)

    with uvicorn_server(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook"


@pytest.fixture
def worker(redis_url: str, receiver: str, tmp_path: Path) -> Iterator[Process]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    env = {
        "BFF_ENVIRONMENT": "test",
        "BFF_REDIS_URL": redis_url,
        "BFF_EVENTS__ENDPOINTS": json.dumps({"*": [receiver]}),
        "BFF_EVENTS__SECRET": SECRET,
    }
    args = ["worker", "--liveness-file", str(tmp_path / "alive")]
    with bff_process(args, env, tmp_path, "/metrics") as process:
        yield process
        process.terminate()
        process.wait(timeout_s=15)


def scrape(worker: Process) -> str:
    return httpx.get(f"{worker.url}/metrics", timeout=5).text


def test_the_worker_counts_a_delivery_and_shows_no_lag_after_it(
    worker: Process, redis_url: str, received: list[bytes]
) -> None:
    event = cart_merged(2)
    client = redis.Redis.from_url(redis_url)
    client.xadd(OUTBOX, event.fields())  # type: ignore[arg-type]
    client.close()
    wait_until(lambda: len(received) == 1, what="the event delivered")
    assert json.loads(received[0])["id"] == event.id
    wait_until(lambda: 'bff_events_delivered_total{type="cart.merged"} 1.0' in scrape(worker), what="counted")
    assert "\nbff_events_lag 0.0\n" in scrape(worker)


def test_the_worker_touches_its_liveness_file_while_it_runs(worker: Process, tmp_path: Path) -> None:
    alive = tmp_path / "alive"
    wait_until(alive.exists, what="the liveness file")
    first = alive.stat().st_mtime
    wait_until(lambda: alive.stat().st_mtime > first, what="the liveness file touched again", timeout_s=10)
