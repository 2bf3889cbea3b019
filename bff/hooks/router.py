"""``POST /hooks/magento/{event}``: a signed Magento event, handled once.

Body (JSON): ``{"id": "<the event's unique id>", "data": {...}}``; the event's name is the path's
last segment (``catalog``, ``order``, ``customer``, or any other; ``bff.hooks.handlers``). Signed as every hook is
(``bff.webhook_signature``, secret ``BFF_WEBHOOK_SECRET``); in order:

1. a body over 256 KiB: 413; a bad or missing signature: 401 ``HOOK_SIGNATURE_INVALID``; a
   timestamp outside the replay window: 401 ``HOOK_TIMESTAMP_EXPIRED``;
2. a body that is not the envelope above, or data its handler cannot read: 400 ``BAD_USER_INPUT``;
3. the same signature seen again within twice the window: 401 ``HOOK_REPLAYED``;
4. an event id already handled (within ``BFF_WEBHOOK_EVENT_TTL_S``): 200, ``"outcome": "duplicate"``,
   not handled again (Magento resending with a fresh signature stops here);
5. an event no handler knows: 200, ``"outcome": "unknown"``, counted, nothing done;
6. otherwise the handler runs: 200, ``"outcome": "handled"`` and its summary. If the handler or the
   store fails: 503 ``UPSTREAM_UNAVAILABLE``, and the signature and id are released so a resend works.

``on_event(event, outcome)`` counts every answer (``bff_hook_events_total``); ``event`` is a known
name or ``unknown``, so raw input never becomes a label.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.cache.entries import CacheUnavailable
from bff.clock import Clock
from bff.errors import StoreUnavailable
from bff.hooks.claims import Claims, ClaimsUnavailable
from bff.hooks.handlers import Handler
from bff.webhook_signature import HookRefused, too_large, verified

log = logging.getLogger("bff.hooks")

HOOKS_PATH: Final = "/hooks/magento/{event}"
UNKNOWN: Final = "unknown"
_EVENT: Final = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_EVENT_ID: Final = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")

EventCounter = Callable[[str, str], None]


def _envelope(body: bytes) -> tuple[str, Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HookRefused(400, "BAD_USER_INPUT", "The body is not JSON.") from None
    if (
        not isinstance(payload, dict)
        or set(payload) != {"id", "data"}
        or not isinstance(payload["id"], str)
        or not _EVENT_ID.match(payload["id"])
    ):
        raise HookRefused(400, "BAD_USER_INPUT", 'The body must be {"id": "<event id>", "data": {...}}.')
    return payload["id"], payload["data"]


class MagentoHooks:
    def __init__(
        self,
        handlers: Mapping[str, Handler],
        claims: Claims,
        secret: str | None,
        clock: Clock,
        *,
        replay_window_s: int,
        event_ttl_s: int,
        on_event: EventCounter | None = None,
    ) -> None:
        self.handlers = handlers
        self.claims = claims
        self.secret = secret
        self.clock = clock
        self.replay_window_s = replay_window_s
        self.event_ttl_s = event_ttl_s
        self.on_event = on_event

    def route(self) -> Route:
        return Route(HOOKS_PATH, self.endpoint, methods=["POST"])

    async def endpoint(self, request: Request) -> Response:
        event = str(request.path_params["event"])
        label = event if event in self.handlers else UNKNOWN
        try:
            status, answer = await self._handle(request, event)
        except HookRefused as refused:
            self._count(label, refused.code)
            headers = {"Cache-Control": "no-store"}
            return Response(refused.body(), status_code=refused.status, media_type="application/json", headers=headers)
        self._count(label, str(answer["outcome"]))
        return Response(orjson.dumps(answer), status_code=status, media_type="application/json")

    def _count(self, label: str, outcome: str) -> None:
        if self.on_event is not None:
            self.on_event(label, outcome)

    async def _handle(self, request: Request, event: str) -> tuple[int, dict[str, object]]:
        body = await request.body()
        too_large(body)
        signature = verified(request.headers, body, self.secret, self.clock.now(), self.replay_window_s)
        if not _EVENT.match(event):
            raise HookRefused(400, "BAD_USER_INPUT", "The event name must be letters, digits and `_.:-`.")
        event_id, data = _envelope(body)
        handler = self.handlers.get(event)
        unavailable = HookRefused(503, "UPSTREAM_UNAVAILABLE", "The BFF could not handle the event now; send it again.")
        id_key = f"event:{event}:{event_id}"
        try:
            if not await self.claims.claim(f"signature:{signature}", 2 * self.replay_window_s):
                raise HookRefused(401, "HOOK_REPLAYED", "This signature was already used.")
            if not await self.claims.claim(id_key, self.event_ttl_s):
                return 200, {"event": event, "id": event_id, "outcome": "duplicate"}
        except ClaimsUnavailable:
            raise unavailable from None
        if handler is None:
            log.info("unknown Magento event accepted", extra={"event": event[:64]})
            return 200, {"event": event, "id": event_id, "outcome": UNKNOWN}
        try:
            summary = await handler(data)
        except (HookRefused, CacheUnavailable, ClaimsUnavailable, StoreUnavailable) as failed:
            await self._release(signature, id_key)
            if isinstance(failed, HookRefused):
                raise
            raise unavailable from None
        return 200, {"event": event, "id": event_id, "outcome": "handled", **summary}

    async def _release(self, signature: str, id_key: str) -> None:
        try:
            await self.claims.release(f"signature:{signature}")
            await self.claims.release(id_key)
        except ClaimsUnavailable:
            log.warning("hook claims not released (the store did not answer)")
