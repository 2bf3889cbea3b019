"""``/healthz`` (the process is alive: no I/O) and ``/readyz`` (it can serve: dependencies answer).

Probes are passed in by ``bff.app`` (Redis ping, a cheap Magento query); each runs under a short
timeout, concurrently. ``/readyz`` answers 503 while the server drains for shutdown, so a load
balancer stops sending new requests while in-flight ones finish. The body says why.

**A pod is ready once its dependencies have answered, and stays ready through their outages.**
Until every probe has passed once, ``/readyz`` answers 503: a pod that cannot reach Redis or
Magento (a wrong URL, a missing secret) never gets traffic, and a rollout with such a pod stalls.
After that, a failing probe makes it 200 ``"degraded"`` with the reason per check, not 503:
Redis and Magento are shared by every replica, so an outage of either would take *every* pod out
of the load balancer at once, and the storefront would lose what still works without them
(cached and public catalog reads, coded answers instead of connection errors).
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
    answered_once: bool = False  # every probe has passed at least once

    async def check(self) -> tuple[str, dict[str, str]]:
        """("ready" | "degraded" | "not ready", the result per check)."""

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
        healthy = all(v == "ok" for v in results.values())
        self.answered_once = self.answered_once or healthy
        if self.draining:
            results["server"] = "shutting down"
            return "not ready", results
        if healthy:
            return "ready", results
        return ("degraded" if self.answered_once else "not ready"), results


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
        status, checks = await readiness.check()
        return JSONResponse(
            {"status": status, "checks": checks},
            status_code=503 if status == "not ready" else 200,
            headers={"Cache-Control": "no-store"},
        )

    return [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]
