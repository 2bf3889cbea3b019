"""``POST /hooks/magento/cache``: Magento (or the sandbox) says which cache tags changed.

Body (JSON): ``{"tags": ["cat_p_12", "cat_c"]}`` and/or entity ids ``{"products": [12],
"categories": [3]}`` (mapped to ``cat_p_12``/``cat_c_3``). A bare prefix such as ``cat_p``
purges every entry carrying it.

Signed: ``X-Bff-Timestamp`` (unix seconds) and ``X-Bff-Signature: sha256=<hex>``, the HMAC-SHA256
of ``"<timestamp>.<raw body>"`` with ``BFF_CACHE__WEBHOOK_SECRET``. Refused with 401 and nothing
purged when the signature is missing or wrong (``HOOK_SIGNATURE_INVALID``; compared with
``hmac.compare_digest``), the timestamp is more than the replay window away from the BFF's clock
(``HOOK_TIMESTAMP_EXPIRED``), or the same signature was already used (``HOOK_REPLAYED``: every
accepted signature is remembered in Redis, or in process without Redis, for twice the window).
The signature is checked before the body is read as JSON; a signed body that is not the JSON
above is 400 ``BAD_USER_INPUT``. 200 answers ``{"purged": <entries removed>}``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any, Final

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.cache.entries import CacheUnavailable
from bff.cache.responses import ResponseCache
from bff.clock import Clock

HOOK_PATH: Final = "/hooks/magento/cache"
TIMESTAMP_HEADER: Final = "x-bff-timestamp"
SIGNATURE_HEADER: Final = "x-bff-signature"
MAX_BODY_BYTES: Final = 256 * 1024
MAX_TAGS: Final = 5000
_TAG: Final = re.compile(r"^[A-Za-z0-9_]{1,128}$")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Bff-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class HookRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    return Response(body, status_code=status, media_type="application/json", headers={"Cache-Control": "no-store"})


def tags_of(payload: Any) -> list[str]:
    """The tags a hook body names (raises ``HookRefused`` 400 for anything else)."""
    bad = HookRefused(
        400, "BAD_USER_INPUT", 'The body must be {"tags": [...], "products": [...], "categories": [...]}.'
    )
    if not isinstance(payload, dict) or not payload or set(payload) - {"tags", "products", "categories"}:
        raise bad
    tags: list[str] = []
    for field, prefix in (("tags", None), ("products", "cat_p_"), ("categories", "cat_c_")):
        values = payload.get(field, [])
        if not isinstance(values, list):
            raise bad
        for value in values:
            if prefix is None and isinstance(value, str) and _TAG.match(value):
                tags.append(value)
            elif prefix is not None and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                tags.append(f"{prefix}{value}")
            else:
                raise bad
    if not tags or len(tags) > MAX_TAGS:
        raise bad
    return sorted(set(tags))


class CacheHook:
    def __init__(self, cache: ResponseCache, secret: str | None, clock: Clock, *, replay_window_s: int) -> None:
        self.cache = cache
        self.secret = secret
        self.clock = clock
        self.replay_window_s = replay_window_s

    def route(self) -> Route:
        return Route(HOOK_PATH, self.endpoint, methods=["POST"])

    async def endpoint(self, request: Request) -> Response:
        try:
            body = await request.body()
            if len(body) > MAX_BODY_BYTES:
                raise HookRefused(413, "BAD_USER_INPUT", f"The body is larger than {MAX_BODY_BYTES} bytes.")
            signature = self._verified(request, body)
            try:
                tags = tags_of(orjson.loads(body))
            except orjson.JSONDecodeError:
                raise HookRefused(400, "BAD_USER_INPUT", "The body is not JSON.") from None
            if not await self.cache.tiers.claim(signature, 2 * self.replay_window_s):
                raise HookRefused(401, "HOOK_REPLAYED", "This signature was already used.")
            purged = await self.cache.purge(tags)
        except HookRefused as refused:
            return _error(refused.status, refused.code, refused.message)
        except CacheUnavailable:
            return _error(503, "UPSTREAM_UNAVAILABLE", "The cache store did not answer; try again.")
        return Response(orjson.dumps({"purged": purged}), media_type="application/json")

    def _verified(self, request: Request, body: bytes) -> str:
        """The request's signature, once it is valid and fresh."""
        invalid = HookRefused(401, "HOOK_SIGNATURE_INVALID", "The request is not signed with the webhook secret.")
        timestamp, signature = request.headers.get(TIMESTAMP_HEADER, ""), request.headers.get(SIGNATURE_HEADER, "")
        # isascii: str.isdigit() also accepts "²" (a latin-1 header byte), which int() refuses.
        if self.secret is None or not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
            raise invalid
        if not signature:
            raise invalid
        if not hmac.compare_digest(sign(self.secret, int(timestamp), body).encode(), signature.encode()):
            raise invalid
        if abs(self.clock.now() - int(timestamp)) > self.replay_window_s:
            raise HookRefused(401, "HOOK_TIMESTAMP_EXPIRED", "The timestamp is outside the replay window.")
        return signature
