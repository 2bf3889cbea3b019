"""Redis commands per request through the BFF: a cart read and an uncached listing.

Starts redis-server, the sandbox and ``bff serve`` as ``bench.catalog`` does (the same settings:
rate limits and cost budgets on, the response cache on), sends ``--requests`` requests of each kind
one after the other and prints, per request, the commands Redis received from the BFF (``MONITOR``;
with one request in flight each is one round trip, a pipeline excepted) and, apart, the commands
its Lua scripts ran (``lua:NAME``: no round trip of their own). The listing's ``priceTo`` is unique
per request, so none is a cache hit.

Run: ``.venv/bin/python -m bench.redis_rounds [--requests N]`` (not part of the test suite).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from redis import Redis

from bench import scenarios
from bench.catalog import start_servers
from bench.wrk import UNIQUE

STOP = "bench.redis_rounds: stop"


def monitored(redis: Redis, send: Callable[[], None]) -> list[dict[str, object]]:
    """The commands Redis received (``MONITOR``) while ``send()`` ran, this script's own left out."""
    seen: list[dict[str, object]] = []
    ready = threading.Event()

    def watch() -> None:
        with redis.monitor() as monitor:  # type: ignore[no-untyped-call]
            ready.set()
            for command in monitor.listen():
                if STOP in str(command["command"]):
                    return
                seen.append(command)

    watcher = threading.Thread(target=watch)
    watcher.start()
    ready.wait()
    time.sleep(0.2)  # MONITOR is registered once the server has answered it
    send()
    redis.echo(STOP)
    watcher.join()
    return seen


def per_request(redis: Redis, client: httpx.Client, requests: list[dict[str, Any]]) -> tuple[float, dict[str, float]]:
    """(round trips per request, every command per request by name: the scripts' own inner ones as ``lua:NAME``)."""

    def send() -> None:
        for request in requests:
            scenarios.graphql_answer(client.post("/graphql", **request), "request")

    commands = monitored(redis, send)
    names = Counter(
        ("lua:" if c["client_type"] == "lua" else "") + str(c["command"]).split(" ", 1)[0].strip('"').lower()
        for c in commands
    )
    sent = sum(n for name, n in names.items() if not name.startswith("lua:"))
    return sent / len(requests), {name: n / len(requests) for name, n in sorted(names.items())}


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.redis_rounds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bff-rounds-") as tmp:
        servers = start_servers(Path(tmp), {0, 1})
        try:
            cookie = scenarios.start_bff_session(servers["bff"].url)
            redis = Redis(port=servers["redis"].port)
            with httpx.Client(base_url=servers["bff"].url, timeout=30) as client:
                cart = {"json": scenarios.cart_body(), "headers": {"Cookie": cookie}}
                body = scenarios.uncached_listing_body()
                listings = [
                    {"content": body.replace(UNIQUE, str(scenarios.UNIQUE_BASE + n)),
                     "headers": scenarios.JSON_HEADERS}
                    for n in range(args.requests)
                ]  # fmt: skip
                figures = {
                    "cart read (session cookie)": per_request(redis, client, [cart] * args.requests),
                    "listing, uncached (unique priceTo), no session": per_request(redis, client, listings),
                }
        finally:
            for server in servers.values():
                server.stop()
    for title, (sent, names) in figures.items():
        print(f"{title}: {sent:.2f} Redis commands sent per request; all commands: {json.dumps(names)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
