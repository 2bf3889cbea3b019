"""``call``: one raw HTTP request to an ASGI app, byte for byte as given (no client normalises it).

httpx re-encodes query strings and refuses some header bytes; the fuzz tests need to send exactly
the malformed request they drew (a ``%ZZ`` escape, a NUL byte in a header value, an odd method).
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import ASGIApp, Message


@dataclass(frozen=True)
class RawRequest:
    method: str = "POST"
    path: str = "/graphql"
    query_string: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    client: str = "203.0.113.7"  # the peer; 127.0.0.1 is a trusted proxy (X-Forwarded-For is read)


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        key = name.lower().encode()
        return next((v.decode("latin-1") for k, v in self.headers if k.lower() == key), None)


async def call(app: ASGIApp, request: RawRequest) -> RawResponse:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query_string,
        "root_path": "",
        "headers": [(k.lower(), v) for k, v in request.headers],
        "client": (request.client, 50000),
        "server": ("bff.test", 80),
        "state": {},
    }
    sent = False
    started: Message = {}
    body = bytearray()

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal started
        if message["type"] == "http.response.start":
            started = message
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    assert started, "the app sent no response"
    return RawResponse(started["status"], tuple(started.get("headers", [])), bytes(body))
