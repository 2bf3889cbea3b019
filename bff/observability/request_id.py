"""Pure ASGI: accept or create ``X-Request-ID``, return it, bind it to every log line of the request.

A client's id is kept when it is 1-128 characters of ``[A-Za-z0-9._:-]`` (safe in headers and
logs); anything else is replaced by a fresh id: 32 hex characters, a random prefix drawn once per
process followed by a counter (unique across replicas and restarts without a system call per
request; a request id is a correlation id, not a secret). The id goes in the request's
``RequestState`` (this middleware is the outermost BFF layer, so it creates that state), where the
GraphQL view picks it up for ``RequestMeta.request_id``, which the Magento client forwards
upstream as ``X-Request-ID``.
"""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bound_contextvars

from bff.request_state import SCOPE_KEY, RequestState

HEADER: Final = "X-Request-ID"
_VALID: Final = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


_PREFIX: Final = uuid.uuid4().hex[:16]
_COUNTER: Final = itertools.count(1)


def new_request_id() -> str:
    return f"{_PREFIX}{next(_COUNTER):016x}"


def request_id_from(value: str | None) -> str:
    """The client's id when it is acceptable, else a new one."""
    if value is not None and _VALID.fullmatch(value):
        return value
    return new_request_id()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        scope[SCOPE_KEY] = RequestState(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        with bound_contextvars(request_id=request_id):
            await self.app(scope, receive, send_with_id)
