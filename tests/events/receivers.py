"""A webhook receiver on loopback (a real HTTP server) that records what it was sent and answers
as the test tells it: fail the first n requests, fail every request, or hold the first one."""

from __future__ import annotations

import asyncio
import hmac
import threading
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.events.delivery import secret_key, signature

SECRET = "whsec_" + "c2VjcmV0LWZvci10aGUtZXZlbnRzLXRlc3RzLTMyYnl0ZXM="


@dataclass
class Received:
    webhook_id: str
    body: bytes
    status: int
    signed: bool  # the signature verified with SECRET


@dataclass
class Receiver:
    fail_first: int = 0
    always_fail: bool = False
    hold_first_s: float = 0.0  # the first request waits this long (or until released), then succeeds
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def delivered(self, webhook_id: str) -> int:
        """How many times ``webhook_id`` was taken (answered 2xx)."""
        return sum(1 for r in self.received if r.webhook_id == webhook_id and r.status == 204)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            webhook_id = request.headers.get("webhook-id", "")
            timestamp = int(request.headers.get("webhook-timestamp", "0"))
            expected = signature(secret_key(SECRET), webhook_id, timestamp, body)
            signed = hmac.compare_digest(expected, request.headers.get("webhook-signature", ""))
            first = not self.received
            if first and self.hold_first_s:
                self.received.append(Received(webhook_id, body, 0, signed))  # seen, not answered yet
                for _ in range(int(self.hold_first_s / 0.02)):
                    if self.released.is_set():
                        break
                    await asyncio.sleep(0.02)
                return Response(status_code=204)
            failing = self.always_fail or len(self.received) < self.fail_first
            status = 503 if failing else 204
            self.received.append(Received(webhook_id, body, status, signed))
            return Response(status_code=status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])
