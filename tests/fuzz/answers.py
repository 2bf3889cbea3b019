"""The properties every answer of the BFF keeps, whatever it was sent (``assert_coded_answer``).

- never a 5xx, except 503 whose every error is ``UPSTREAM_UNAVAILABLE`` (documented, retryable);
- a GraphQL JSON body (an object with ``data`` or ``errors``) in a JSON media type;
- every error has a message and a known ``extensions.code``, and none is ``INTERNAL`` (no fault is
  injected in these tests: an ``INTERNAL`` is an exception nobody handled);
- an answer with a 4xx status says why in ``errors``;
- no response header holds CR, LF or NUL (nothing a request sends is echoed raw into one);
- no stack trace, Python exception name, source path or Magento text, and no Magento cart id or
  customer token that exists in the sandbox.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Iterable

from starlette.types import ASGIApp

from bff.graphql.errors import CODES
from tests.fuzz.asgi import RawRequest, RawResponse, call
from tests.fuzz.requests import wants_graphiql

JSON_TYPES = ("application/json", "application/graphql-response+json")

_EXCEPTION_NAMES = sorted(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)
_LIBRARY_EXCEPTIONS = (
    "JSONDecodeError", "ValidationError", "HTTPStatusError", "ConnectError", "ReadTimeout", "RedisError",
    "MaxConnectionsError", "GraphQLError", "HTTPException", "ClientDisconnect", "MagentoError",
)  # fmt: skip
LEAK = re.compile(
    "|".join([
        r"Traceback",
        r'File "',
        r"\.py\b",
        r"(?i:magento)",
        r"Internal server error",
        r"graphql-input",
        r"masked",
        r"cart_id",
        *(rf"\b{name}\b" for name in (*_EXCEPTION_NAMES, *_LIBRARY_EXCEPTIONS)),
    ])
)  # fmt: skip


def leaks(text: str, secrets: Iterable[str] = ()) -> list[str]:
    """What in ``text`` should never reach a client (empty when nothing does)."""
    found = [m.group(0) for m in LEAK.finditer(text)]
    return found + [s for s in secrets if s and s in text]


def assert_coded_answer(
    status: int, content_type: str | None, body: bytes, secrets: Iterable[str] = ()
) -> dict[str, object]:
    """Assert the properties above; the decoded body."""
    text = body.decode("utf-8")
    assert (content_type or "").split(";")[0].strip() in JSON_TYPES, (status, content_type, text[:300])
    payload = json.loads(text)
    assert isinstance(payload, dict), text[:300]
    assert "data" in payload or "errors" in payload, text[:300]
    errors = payload.get("errors") or []
    assert isinstance(errors, list), text[:300]
    codes = []
    for error in errors:
        assert isinstance(error, dict), text[:300]
        assert isinstance(error.get("message"), str), text[:300]
        extensions = error.get("extensions")
        assert isinstance(extensions, dict), text[:300]
        codes.append(extensions.get("code"))
    assert [c for c in codes if c not in CODES] == [], text[:300]
    assert "INTERNAL" not in codes, text[:300]
    if status >= 500:
        assert (status, set(codes)) == (503, {"UPSTREAM_UNAVAILABLE"}), text[:300]
    if status >= 400:
        assert errors, (status, text[:300])
    assert leaks(text, secrets) == [], text[:300]
    return payload


async def assert_answered(app: ASGIApp, request: RawRequest, secrets: Iterable[str]) -> RawResponse:
    """Send ``request``; assert its answer keeps the properties (GraphiQL's page for a browser's
    GET; for HEAD, the status alone: a server sends no body)."""
    response = await call(app, request)
    broken = [(k, v) for k, v in response.headers if any(c in k + v for c in (b"\r", b"\n", b"\x00"))]
    assert broken == [], "a header the request could inject into"
    content_type = response.header("content-type")
    if wants_graphiql(request) and response.status == 200 and (content_type or "").startswith("text/html"):
        return response
    if request.method == "HEAD":
        assert response.status < 500 or response.status == 503, response
        return response
    assert_coded_answer(response.status, content_type, response.body, secrets)
    return response
