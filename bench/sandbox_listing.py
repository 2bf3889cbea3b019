"""Listings per second one sandbox process serves: the BFF's real ``ProductListing`` and a card-only page.

The sandbox (``bff.sandbox``, seeded) runs under uvicorn (uvloop, httptools, one process, access
log off) on 127.0.0.1, pinned to CPU 0; this process is the load generator, pinned to CPU 1: raw
asyncio streams with keep-alive (far cheaper per request than an HTTP client library, so the
generator is not what is measured), ``--connections`` connections each sending the next request
as soon as the previous answer is read, for ``--duration`` seconds per case after a warm-up.

Cases: ``floor`` is the sandbox's health check (a tiny Starlette JSON answer: what HTTP, uvicorn
and Starlette cost per request on this machine right now, the baseline of the run); ``listing``
is ``ProductListing`` as the BFF sends it (its ``.graphql`` with fragments, from
``bff.magento.operations``; any Boolean switch it declares is set to true), 20 products, no
filter; ``cards`` is ``products(filter: {}, pageSize: 20) { items { ...CatalogProductCard } }``.

``--compare DIR`` also starts the sandbox of another checkout (e.g. ``/work/main``, the code
before a change) and measures both alternately, case by case and round by round, so machine
noise hits both alike. Printed per server and case: requests/s, p50/p99 latency, and the
sandbox's CPU ms per request (utime+stime from ``/proc/<pid>/stat``, the steadier figure on a
shared machine), each case's CPU above the floor, then the ratio of this checkout's CPU per
request to the other's.

Usage: ``.venv/bin/python bench/sandbox_listing.py [--duration 10] [--connections 16]
[--rounds 2] [--compare /work/main]`` (from the repository root).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from graphql import NonNullTypeNode, OperationDefinitionNode, VariableNode, Visitor, parse, visit

from bff.magento.operations import operation

ROOT = Path(__file__).resolve().parent.parent
SERVER_CPU, CLIENT_CPU = 0, 1
SERVE = """
import os, sys, uvicorn
os.sched_setaffinity(0, {%d})
from bff.sandbox import create_sandbox_app
from bff.sandbox.seed import seeded_state
uvicorn.run(create_sandbox_app(seeded_state()), host="127.0.0.1", port=int(sys.argv[1]), loop="uvloop",
            http="httptools", log_level="warning", access_log=False)
"""
TICKS = os.sysconf("SC_CLK_TCK")


def listing_payload() -> dict[str, object]:
    document = operation("ProductListing").document
    variables: dict[str, object] = {"filter": {}, "pageSize": 20, "currentPage": 1}
    for definition in parse(document).definitions:
        if isinstance(definition, OperationDefinitionNode):
            for var in definition.variable_definitions or ():
                type_ = var.type.type if isinstance(var.type, NonNullTypeNode) else var.type
                if getattr(type_, "name", None) and type_.name.value == "Boolean":  # type: ignore[attr-defined]
                    variables.setdefault(var.variable.name.value, True)
    return {"query": document, "operationName": "ProductListing", "variables": variables}


class _Variables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.names.add(node.name.value)


def cards_payload() -> dict[str, object]:
    """The card fragment alone; switches its fragments use (``@include(if: $images)``) are on."""
    document = operation("ProductListing").document
    fragments = document[document.index("\nfragment ") :]
    used = _Variables()
    visit(parse(fragments), used)
    declared = ", ".join(f"${name}: Boolean! = true" for name in sorted(used.names))
    query = f"query ProductCards{f'({declared})' if declared else ''} "
    query += "{ products(filter: {}, pageSize: 20, currentPage: 1) { items { ...CatalogProductCard } } }"
    return {"query": query + fragments, "operationName": "ProductCards", "variables": {}}


def request_bytes(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    head = (
        "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


@dataclass
class Server:
    label: str
    tree: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(self.tree)}
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", SERVE % SERVER_CPU, str(self.port)], cwd=self.tree, env=env
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the sandbox of {self.tree} did not start")

    def cpu_seconds(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


@dataclass
class Result:
    requests: int = 0
    seconds: float = 0.0
    cpu: float = 0.0
    latencies: list[float] = field(default_factory=list)

    def add(self, other: Result) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.cpu += other.cpu
        self.latencies.extend(other.latencies)


async def _read_answer(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    status = head[9:12]
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length)
    if status != b"200":
        raise RuntimeError(f"HTTP {status.decode()}: {body[:200]!r}")
    return body


async def check(port: int, request: bytes) -> int:
    """One request; fails unless the answer has data and no errors. Returns the body's size."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    body = json.loads(await _read_answer(reader))
    writer.close()
    if "errors" in body or not body.get("data"):
        raise RuntimeError(f"the sandbox answered {str(body)[:300]}")
    return len(json.dumps(body))


async def load(port: int, request: bytes, connections: int, seconds: float) -> Result:
    result = Result()
    stop = time.perf_counter() + seconds

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (start := time.perf_counter()) < stop:
            writer.write(request)
            await _read_answer(reader)
            result.latencies.append(time.perf_counter() - start)
            result.requests += 1
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    result.seconds = time.perf_counter() - began
    return result


def measure(server: Server, request: bytes, args: argparse.Namespace) -> Result:
    asyncio.run(load(server.port, request, args.connections, min(1.0, args.duration)))  # warm-up
    before = server.cpu_seconds()
    result = asyncio.run(load(server.port, request, args.connections, args.duration))
    result.cpu = server.cpu_seconds() - before
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per case and round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--compare", type=Path, help="another checkout whose sandbox is measured alternately")
    args = parser.parse_args()
    os.sched_setaffinity(0, {CLIENT_CPU})
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    cases = {
        "floor": b"GET /__sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        "listing": request_bytes(listing_payload()),
        "cards": request_bytes(cards_payload()),
    }
    servers = [Server("this", ROOT)]
    if args.compare:
        servers.append(Server(f"{args.compare}", args.compare.resolve()))
    results: dict[tuple[str, str], Result] = {}
    try:
        for server in servers:
            server.start()
            for case, request in cases.items():
                if case == "floor":
                    continue
                size = asyncio.run(check(server.port, request))
                print(f"{server.label}: {case} answers {size} bytes of JSON")
        for round_ in range(args.rounds):
            for case, request in cases.items():
                for server in servers if round_ % 2 == 0 else servers[::-1]:
                    results.setdefault((server.label, case), Result()).add(measure(server, request, args))
    finally:
        for server in servers:
            server.stop()
    print(f"\n{args.connections} connections, {args.rounds} x {args.duration:g} s per case; server on CPU "
          f"{SERVER_CPU}, load generator on CPU {CLIENT_CPU}")  # fmt: skip
    print(f"{'server':<24} {'case':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>11}")
    for (label, case), r in results.items():
        lat = sorted(r.latencies)
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        print(f"{label:<24} {case:<8} {r.requests / r.seconds:>8.0f} {statistics.median(lat) * 1000:>8.2f} "
              f"{p99:>8.2f} {r.cpu * 1000 / r.requests:>11.3f}")  # fmt: skip
    for label in dict.fromkeys(label for label, _ in results):
        floor = results[(label, "floor")]
        for case in ("listing", "cards"):
            r = results[(label, case)]
            extra = r.cpu * 1000 / r.requests - floor.cpu * 1000 / floor.requests
            print(f"{label}: {case} costs {extra:.3f} CPU ms per request above the floor")
    if args.compare:
        for case in ("listing", "cards"):
            this, other = results[("this", case)], results[(servers[1].label, case)]
            cpu_ratio = (other.cpu / other.requests) / (this.cpu / this.requests)
            rate_ratio = (this.requests / this.seconds) / (other.requests / other.seconds)
            print(
                f"{case}: this checkout uses {cpu_ratio:.1f}x less CPU per request, serves {rate_ratio:.1f}x the req/s"
            )


if __name__ == "__main__":
    main()
