"""A response-cache hit in process: CPU per ASGI call against a bare Starlette Response of the same bytes.

    .venv/bin/python -m bench.cache_hit_inprocess [--calls 20000]

No network and no server: each figure is ``time.process_time`` over N direct ASGI calls of one
app (scope, receive and send built once), interleaved in rounds, best round reported:

* ``floor``: a Starlette app whose one route answers ``Response(<the same body bytes>)``;
* ``layer``: ``ResponseCacheMiddleware`` alone, answering the warmed entry (the inner app is never reached);
* ``bff``: the whole BFF app (request id, access log at INFO into /dev/null, or WARNING with
  ``--quiet``, CORS, the cache layer).

It prints microseconds per call and the ratios to the floor. The ``bench`` harness measures the
same over HTTP with uvicorn; this script isolates the hit path's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from bff.app import create_app
from bff.cache.responses import ResponseCacheMiddleware
from bff.observability.logging import configure_logging
from bff.sandbox import create_sandbox_app
from bff.sandbox.seed import seeded_state
from bff.settings import LogSettings, Settings

QUERY = b'{"query":"query P { product(sku: \\"BAG-001\\") { sku name price { final { value currency } } } }"}'


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"bff.test"), (b"content-type", b"application/json"), (b"accept", b"application/json"),
                    (b"content-length", str(len(QUERY)).encode())],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip


def caller(app: ASGIApp, path: str = "/graphql") -> Callable[[], Awaitable[None]]:
    request: Message = {"type": "http.request", "body": QUERY, "more_body": False}

    async def receive() -> Message:
        return request

    async def send(message: Message) -> None:
        return None

    async def call() -> None:
        await app(_scope(path), receive, send)

    return call


async def cpu_us(call: Callable[[], Awaitable[None]], n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        await call()
    return (time.process_time() - started) / n * 1e6


async def main(n: int, rounds: int, quiet: bool) -> None:
    with open(os.devnull, "w") as devnull:  # noqa: ASYNC230 (set up once, before measuring)
        configure_logging(LogSettings(level="WARNING" if quiet else "INFO"), stream=devnull)
        sandbox = create_sandbox_app(seeded_state())
        bff = create_app(Settings(environment="test"), magento_transport=httpx.ASGITransport(app=sandbox))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bff), base_url="http://bff.test") as c:
            body = b""
            for _ in range(2):
                answer = await c.post("/graphql", content=QUERY, headers={"content-type": "application/json"})
                body = answer.content
            assert answer.headers["x-cache"] == "HIT", answer.headers

        async def floor_endpoint(_: Request) -> Response:
            return Response(body, media_type="application/json")

        floor = Starlette(routes=[Route("/graphql", floor_endpoint, methods=["POST"])])

        async def never(scope: Any, receive: Any, send: Any) -> None:
            raise AssertionError("a hit never reaches the inner app")

        layer = ResponseCacheMiddleware(never, cache=bff.state.response_cache)
        calls = {"floor": caller(floor), "layer": caller(layer), "bff": caller(bff)}
        for call in calls.values():  # warm-up
            for _ in range(200):
                await call()
        best = dict.fromkeys(calls, float("inf"))
        for _ in range(rounds):
            for name, call in calls.items():
                best[name] = min(best[name], await cpu_us(call, n))
    print(f"response-cache hit, in process, {n} calls x {rounds} rounds (best), body {len(body)} bytes")
    for name, us in best.items():
        print(f"  {name:6} {us:8.1f} us/call   {us / best['floor']:.2f}x floor")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quiet", action="store_true", help="access log at WARNING (no line per request)")
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.rounds, args.quiet))
