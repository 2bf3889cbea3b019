"""CPU cost of the Magento client per call: 20-product listings through ``MagentoClient``.

Starts the sandbox (``python -m bff sandbox``) on 127.0.0.1 in a subprocess, then, in this
process (uvloop, as ``bff serve`` runs), sends listings through the real client over a real
socket and reads this process's CPU time (``time.process_time``) around each batch: the BFF
side's CPU per call, the sandbox's own work excluded. Cases, interleaved round by round, median
of the rounds printed:

* ``sequential``: one call at a time;
* ``16 distinct``: 16 in flight, all with different variables (nothing can be shared);
* ``16 identical``: 16 in flight with the same variables (single-flight shares one call);
* ``bare httpx``: the same POST with ``httpx.AsyncClient.post(json=...)`` and ``response.json()``
  and nothing else: the baseline measured in the same run; ratios are against it;
* ``canned``: the client and the bare POST over a transport that answers in-process with the
  sandbox's recorded answer (no socket, no httpcore): what the client adds around httpx.

Usage: ``.venv/bin/python bench/upstream_client.py [--calls 400] [--rounds 5]``. The BFF code
measured is the checkout the script lives in; ``BENCH_BFF_ROOT=/path/to/other/checkout`` measures
another one's client against the same sandbox (e.g. the commit before a change). Profile with
``--profile out.prof`` (cProfile of the client cases of one more round).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
ROOT = Path(os.environ.get("BENCH_BFF_ROOT", HERE)).resolve()
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import uvloop  # noqa: E402

from bff.magento.client import MagentoClient  # noqa: E402
from bff.magento.operations import operation  # noqa: E402
from bff.settings import MagentoSettings  # noqa: E402

Call = Callable[[int], Awaitable[Any]]


class CannedTransport(httpx.AsyncBaseTransport):
    """Answers every request at once with one recorded answer."""

    def __init__(self, response: httpx.Response) -> None:
        self.content, self.headers = response.content, dict(response.headers)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return httpx.Response(200, content=self.content, headers=self.headers)


def listing(variant: int) -> dict[str, Any]:
    """A first page of 20 products; variants differ in their page size (20 to 35) only."""
    return {"search": None, "filter": {}, "pageSize": 19 + variant, "currentPage": 1, "sort": None}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bff", "sandbox", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=HERE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/__sandbox/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the sandbox did not start")


async def cpu_ms_per_call(call: Call, calls: int, in_flight: int, distinct: bool) -> float:
    """CPU of this process per call, ``in_flight`` calls at a time."""
    started = time.process_time()
    if in_flight == 1:
        for n in range(calls):
            await call(1 + n % 16 if distinct else 1)
    else:
        for _ in range(calls // in_flight):
            pages = [1 + i if distinct else 1 for i in range(in_flight)]
            await asyncio.gather(*(call(p) for p in pages))
    return (time.process_time() - started) * 1000 / calls


async def main(args: argparse.Namespace) -> None:
    port = free_port()
    sandbox = start_sandbox(port)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        settings = MagentoSettings(pool_size=args.pool_size)  # the pool as bff.app builds it
        limits = httpx.Limits(max_connections=settings.pool_size, max_keepalive_connections=settings.pool_size)
        async with httpx.AsyncClient(limits=limits) as http:
            magento = MagentoClient(http, settings, url)
            document = operation("ProductListing").document

            async def client_call(variant: int) -> Any:
                return await magento.execute("ProductListing", listing(variant))

            async def bare_call(variant: int, http: httpx.AsyncClient = http) -> Any:
                payload = {"query": document, "operationName": "ProductListing", "variables": listing(variant)}
                return (await http.post(url, json=payload, headers={"Store": "default"})).json()

            recorded = await http.get(url, params={"query": document, "variables": json.dumps(listing(1))})
            canned_http = httpx.AsyncClient(transport=CannedTransport(recorded))
            canned = MagentoClient(canned_http, settings, url)

            async def canned_client_call(variant: int) -> Any:
                return await canned.execute("ProductListing", listing(variant))

            async def canned_bare_call(variant: int) -> Any:
                return await bare_call(variant, canned_http)

            cases: dict[str, tuple[Call, int, bool]] = {
                "sequential": (client_call, 1, False),
                "16 distinct": (client_call, 16, True),
                "16 identical": (client_call, 16, False),
                "bare httpx sequential": (bare_call, 1, False),
                "bare httpx 16 distinct": (bare_call, 16, True),
                "canned: client": (canned_client_call, 1, True),
                "canned: bare httpx": (canned_bare_call, 1, True),
            }
            for call, _, _ in cases.values():  # warm up: connections, caches, first-call preparation
                await asyncio.gather(*(call(1 + p) for p in range(16)))
            figures: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.rounds):
                for name, (call, in_flight, distinct) in cases.items():
                    figures[name].append(await cpu_ms_per_call(call, args.calls, in_flight, distinct))
            if args.profile:
                profile = cProfile.Profile()
                profile.enable()
                for name, (call, in_flight, distinct) in cases.items():
                    if not name.startswith("bare"):
                        await cpu_ms_per_call(call, args.calls, in_flight, distinct)
                profile.disable()
                profile.dump_stats(args.profile)
            await canned_http.aclose()
    finally:
        sandbox.terminate()
        sandbox.wait()
    print(f"BFF code: {ROOT}  ({args.calls} calls x {args.rounds} rounds, median; CPU of the calling process)")
    print(f"  pool of {args.pool_size} connections; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    baselines = {"bare httpx sequential": ("sequential",), "bare httpx 16 distinct": ("16 distinct", "16 identical"),
                 "canned: bare httpx": ("canned: client",)}  # fmt: skip
    baseline = {
        case: statistics.median(figures[bare]) for bare, cases_ in baselines.items() for case in (bare, *cases_)
    }
    for name in cases:
        ms = statistics.median(figures[name])
        print(f"  {name:<24} {ms:6.3f} ms CPU per call   {ms / baseline[name]:5.2f}x bare httpx")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=400, help="calls per case and round (a multiple of 16)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pool-size", type=int, default=MagentoSettings().pool_size, help="BFF_MAGENTO__POOL_SIZE")
    parser.add_argument("--profile", help="write a cProfile of one more round of the client cases here")
    uvloop.run(main(parser.parse_args()))
