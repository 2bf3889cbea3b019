"""``EdgeHits``: fresh cache hits answered at the very edge of the app, before any middleware.

A hit inside the middleware chain (``ResponseCacheMiddleware``) still pays for Starlette's error
middleware, the request-id layer, the access log and CORS: measured, that is several times the
cost of building a bare Starlette response. ``bff.app.BffApp`` therefore asks ``EdgeHits`` first,
and only what it cannot answer goes down the chain. It answers a request only when all of this
holds, and otherwise hands it on untouched (a POST body it read is replayed):

* it is a ``GET`` or a JSON ``POST`` to ``/graphql`` **without an ``Origin`` header** (a browser's
  cross-origin or same-origin POST sends one and takes the chain, whose CORS layer adds its
  headers; server-side rendering, apps, and same-origin GETs such as persisted queries do not);
* its description, media type and locale are what ``ResponseCacheMiddleware`` would compute (the
  same functions, so both find the same key);
* the **in-process tier** holds a **fresh** entry for the key. Stale entries (which start a
  refresh), Redis lookups and misses are the chain's.

A hit carries everything a chain hit does (``X-Cache: HIT``, ``Age``, ``ETag``/304, ``Vary``,
``Cache-Tag``, the CDN rule's ``Cache-Control``) and ``X-Request-ID`` (the client's when valid,
else a new one). ``on_hit`` (from ``bff.observability``) counts it in the metrics and writes its
access-log line, sampled (``BFF_LOG__SAMPLE_HITS``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import Receive, Scope, Send

from bff.cache.keys import GUEST_GROUP, response_key
from bff.cache.responses import ResponseCache, read_body, replaying, request_headers, request_locale, serve_entry


@dataclass(frozen=True, slots=True)
class EdgeHit:
    """One request answered at the edge, for the metrics and the access log."""

    request_id: str
    method: str
    path: str
    status: int
    duration_s: float
    operation_name: str | None


HitObserver = Callable[[EdgeHit], None]
RequestIds = Callable[[str | None], str]  # the client's X-Request-ID when valid, else a new one


class EdgeHits:
    def __init__(
        self, cache: ResponseCache, *, path: str, request_ids: RequestIds, on_hit: HitObserver | None = None
    ) -> None:
        self.cache = cache
        self.path = path
        self.request_ids = request_ids
        self.on_hit = on_hit

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        """None when the request was answered here; else the ``receive`` the chain must use."""
        if scope["type"] != "http" or scope["path"] != self.path:
            return receive
        started = time.perf_counter()
        method = scope["method"]
        h = request_headers(scope)
        if h.origin:
            return receive
        chain_receive = receive
        if method == "GET":
            raw: bytes = scope.get("query_string", b"")
        elif method == "POST" and h.json_body:
            raw, messages, complete = await read_body(receive, self.cache.max_body_bytes)
            chain_receive = replaying(messages, receive)
            if not complete:
                return chain_receive
        else:
            return receive
        cache = self.cache
        described = cache.descriptions.get(method, raw)
        if described is None or described.cacheable is False or cache.is_private_hash(described.document_id):
            return chain_receive
        media_type = cache.media_type(h.accept)
        if media_type is None:
            return chain_receive
        locale = request_locale(h.store, h.currency, h.cookie)
        entry = cache.tiers.peek(response_key(described, locale.store, locale.currency, GUEST_GROUP, media_type))
        now = cache.clock.now()
        if entry is None or now >= entry.fresh_until:
            return chain_receive
        rid = self.request_ids(h.request_id)
        status = await serve_entry(
            cache,
            send,
            entry,
            now,
            method,
            described,
            locale,
            h.if_none_match,
            b"HIT",
            [(b"x-request-id", rid.encode())],
        )
        if self.on_hit is not None:
            self.on_hit(
                EdgeHit(rid, method, self.path, status, time.perf_counter() - started, described.operation_name)
            )
        return None
