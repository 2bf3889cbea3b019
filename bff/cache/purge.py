"""``POST /hooks/magento/cache``: Magento (or the sandbox) says which cache tags changed.

Body (JSON): ``{"tags": ["cat_p_12", "cat_c"]}`` and/or entity ids ``{"products": [12],
"categories": [3]}`` (mapped to ``cat_p_12``/``cat_c_3``). A bare prefix such as ``cat_p``
purges every entry carrying it.

Signed (``bff.webhook_signature``, shared with ``POST /hooks/magento/{event}``):
``X-Bff-Timestamp`` (unix seconds) and ``X-Bff-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<raw body>"`` with ``BFF_CACHE__WEBHOOK_SECRET``. Refused with 401 and nothing
purged when the signature is missing or wrong (``HOOK_SIGNATURE_INVALID``; compared with
``hmac.compare_digest``), the timestamp is more than the replay window away from the BFF's clock
(``HOOK_TIMESTAMP_EXPIRED``), or the same signature was already used (``HOOK_REPLAYED``: every
accepted signature is remembered in Redis, or in process without Redis, for twice the window).
The signature is checked before the body is read as JSON; a signed body that is not the JSON
above is 400 ``BAD_USER_INPUT``. 200 answers ``{"purged": <entries removed>}``.
"""

from __future__ import annotations

import re
from typing import Any, Final

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bff.cache.entries import CacheUnavailable
from bff.cache.responses import ResponseCache
from bff.clock import Clock
from bff.webhook_signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    HookRefused,
    sign,
    too_large,
    verified,
)

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "CacheHook", "HookRefused", "sign", "tags_of"]

HOOK_PATH: Final = "/hooks/magento/cache"
MAX_TAGS: Final = 5000
_TAG: Final = re.compile(r"^[A-Za-z0-9_]{1,128}$")


def _error(refused: HookRefused) -> Response:
    headers = {"Cache-Control": "no-store"}
    return Response(refused.body(), status_code=refused.status, media_type="application/json", headers=headers)


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
            too_large(body)
            signature = verified(request.headers, body, self.secret, self.clock.now(), self.replay_window_s)
            try:
                tags = tags_of(orjson.loads(body))
            except orjson.JSONDecodeError:
                raise HookRefused(400, "BAD_USER_INPUT", "The body is not JSON.") from None
            if not await self.cache.tiers.claim(signature, 2 * self.replay_window_s):
                raise HookRefused(401, "HOOK_REPLAYED", "This signature was already used.")
            purged = await self.cache.purge(tags)
        except HookRefused as refused:
            return _error(refused)
        except CacheUnavailable:
            return _error(HookRefused(503, "UPSTREAM_UNAVAILABLE", "The cache store did not answer; try again."))
        return Response(orjson.dumps({"purged": purged}), media_type="application/json")
