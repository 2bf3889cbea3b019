"""``/healthz`` (the process is alive: no I/O) and ``/readyz`` (it can serve: dependencies answer).

Probes are passed in by ``bff.app`` (Redis ping, a cheap Magento query); each runs under a short
timeout, concurrently. ``/readyz`` answers 503 while the server drains for shutdown, so a load
balancer stops sending new requests while in-flight ones finish. The body says why.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Probe = Callable[[], Awaitable[None]]  # raises (or times out) when the dependency is not usable


@dataclass
class Readiness:
    probes: Mapping[str, Probe]
    timeout_s: float = 2.0
    draining: bool = False
    reasons: dict[str, str] = field(default_factory=dict)

    async def check(self) -> tuple[bool, dict[str, str]]:
        async def run(name: str, probe: Probe) -> tuple[str, str]:
            try:
                async with asyncio.timeout(self.timeout_s):
                    await probe()
            except TimeoutError:
                return name, f"no answer within {self.timeout_s:g}s"
            except Exception as exc:  # any failure means "not ready"; the type says which
                return name, f"unavailable ({type(exc).__name__})"
            return name, "ok"

        results = dict(await asyncio.gather(*(run(n, p) for n, p in self.probes.items())))
        if self.draining:
            results["server"] = "shutting down"
        return all(v == "ok" for v in results.values()), results


def drain_on_signals(readiness: Readiness) -> None:
    """Mark the app draining when SIGTERM/SIGINT arrive, then let the server's own handler run.

    Called at app startup, after uvicorn installed its handlers. Outside the main thread (an
    embedded server in tests) signals cannot be caught, and nothing is installed.
    """
    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: object, previous: object = previous) -> None:
            readiness.draining = True
            if callable(previous):
                previous(signum, frame)

        try:
            signal.signal(sig, handler)
        except ValueError:
            return


def health_routes(readiness: Readiness) -> list[Route]:
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "alive"}, headers={"Cache-Control": "no-store"})

    async def readyz(_: Request) -> Response:
        ready, checks = await readiness.check()
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
