"""``ResponseCacheMiddleware``: the outer ASGI layer that answers public reads from the cache.

It sits in ``bff.app.middleware_chain`` after CORS and before sessions, so a hit is answered
before any session is loaded and before Strawberry: for ``/graphql`` it reads the body (POST) or
query string (GET), describes it (``bff.cache.keys``: memoised by the raw bytes, no GraphQL
parsing on a hit), builds the key and looks in the in-process tier, then in Redis. Requests whose
document is not cacheable (carts, checkout, viewer, node, mutations, batches), POSTs that are not
``application/json`` and parameters the view would refuse pass through untouched, without a lookup.

**Store and currency of a hit** come from the ``Store``/``Content-Currency`` headers; a missing
header is taken from the non-secret ``bff_locale`` cookie (``bff.locale_cookie``, set by the BFF
whenever a session remembers a store view or currency); neither: the store's defaults. So a
session's remembered locale is honoured without reading the session.

**Answers.** A hit is the stored body with a prebuilt header list plus ``Age``, ``X-Cache: HIT``
(``STALE`` past its TTL, ``MISS`` for a looked-up miss) and its ``Cache-Control``: ``public,
max-age=<remaining>, stale-while-revalidate=<window>`` only for a GET naming its document by hash
whose locale did not come from the cookie (a CDN keys by the ``Vary`` headers, not by cookies),
``private, no-store`` for other GETs, none for POST. Every entry carries a strong ``ETag``,
``Vary: Store, Content-Currency, Accept`` and ``Cache-Tag``/``Surrogate-Key`` with its Magento
tags; a GET whose ``If-None-Match`` matches is ``304 Not Modified``.

**Misses** run the inner app with the body replayed, then ``bff.cache.storing`` decides whether
the answer is kept. **Stale-while-revalidate**: past its TTL an entry is still served for the
stale window, and the first stale hit of a key starts one background refresh: the request re-run
through the inner app with a copy of the scope and body, without the client's cookies and
credentials (the cookie's locale becomes headers), so no session is created; its answer replaces
the entry. **Redis down**: the lookup or write fails open (``RequestState.cache =
"unavailable"``, counted by the access log's metrics) and the request is served uncached.

Hits are not charged to rate limits or cost budgets: they never reach admission or Magento.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bff import locale_cookie
from bff.cache.documents import is_cacheable
from bff.cache.entries import CacheUnavailable, Entry
from bff.cache.keys import GUEST_GROUP, Described, Descriptions, response_key
from bff.cache.storing import Locale, Storing
from bff.cache.tiers import Tiers
from bff.clock import Clock
from bff.document_cache import DocumentCache
from bff.request_state import SCOPE_KEY, RequestState, request_state

log = logging.getLogger("bff.cache")

PRIVATE: Final = b"private, no-store"
_DROPPED_ON_REFRESH: Final = frozenset({b"cookie", b"authorization", b"if-none-match", b"store", b"content-currency"})
_PRIVATE_HASHES: Final = 4096


class ResponseCache:
    """What the layer, the invalidation hook and the lifespan share."""

    def __init__(
        self,
        tiers: Tiers,
        storing: Storing,
        clock: Clock,
        *,
        negotiate: Callable[[str | None], str | None],
        exact_text: bool,
        documents: DocumentCache,
        stale_s: int,
        max_body_bytes: int,
        on_purge: Callable[[int], None] | None = None,
    ) -> None:
        self.tiers = tiers
        self.on_purge = on_purge  # told how many entries each purge removed (the metrics)
        self.storing = storing
        self.clock = clock
        self.negotiate = negotiate
        self.stale_s = stale_s
        self.max_body_bytes = max_body_bytes
        self.descriptions = Descriptions(documents, exact_text=exact_text)
        self._media: dict[str | None, str | None] = {}
        self._private_hashes: dict[str, None] = {}  # persisted hashes that ran an uncacheable document
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        self._subscriber: asyncio.Task[None] | None = None

    def media_type(self, accept: str | None) -> str | None:
        try:
            return self._media[accept]
        except KeyError:
            media = self.negotiate(accept)
            if len(self._media) < 256:
                self._media[accept] = media
            return media

    def is_private_hash(self, document_id: str) -> bool:
        return document_id in self._private_hashes

    def learn_private_hash(self, document_id: str) -> None:
        if len(self._private_hashes) >= _PRIVATE_HASHES:
            self._private_hashes.pop(next(iter(self._private_hashes)))
        self._private_hashes[document_id] = None

    async def purge(self, tags: list[str]) -> int:
        """Remove every entry carrying one of ``tags`` on every replica; how many (raises ``CacheUnavailable``)."""
        removed = await self.tiers.purge(tags)
        if self.on_purge is not None:
            self.on_purge(removed)
        return removed

    def start_refresh(self, key: str, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``run()`` in the background unless a refresh of ``key`` is already under way."""
        if key not in self._refreshing:
            task = asyncio.create_task(run())
            self._refreshing[key] = task
            task.add_done_callback(lambda _: self._refreshing.pop(key, None))

    async def settled(self) -> None:
        """Wait for the background refreshes under way (tests)."""
        while self._refreshing:
            await asyncio.gather(*self._refreshing.values(), return_exceptions=True)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """For the app's lifespan: the purge subscriber (with Redis), and stopping refreshes."""
        back = self.tiers.back
        if back is not None:
            self._subscriber = asyncio.create_task(back.subscribe(self.tiers.front.drop))
        try:
            yield
        finally:
            tasks = [*self._refreshing.values(), *([self._subscriber] if self._subscriber else [])]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._subscriber = None


@dataclass(slots=True)
class RequestHeaders:
    """The request headers the cache reads (ASGI header names are lower-case)."""

    store: str | None = None
    currency: str | None = None
    accept: str | None = None
    cookie: str | None = None
    if_none_match: str | None = None
    request_id: str | None = None
    origin: bool = False  # the request has an Origin header (a browser's: CORS applies)
    json_body: bool = False  # Content-Type is application/json


def request_headers(scope: Scope) -> RequestHeaders:
    found = RequestHeaders()
    for name, value in scope["headers"]:
        if name == b"store":
            found.store = value.decode("latin-1") or None
        elif name == b"content-currency":
            found.currency = value.decode("latin-1") or None
        elif name == b"accept":
            found.accept = value.decode("latin-1")
        elif name == b"cookie":
            found.cookie = value.decode("latin-1")
        elif name == b"if-none-match":
            found.if_none_match = value.decode("latin-1")
        elif name == b"content-type":
            found.json_body = value.split(b";", 1)[0].strip().lower() == b"application/json"
        elif name == b"x-request-id":
            found.request_id = value.decode("latin-1")
        elif name == b"origin":
            found.origin = True
    return found


def _cache_control(
    cache: ResponseCache, entry: Entry, now: float, method: str, described: Described, locale: Locale
) -> bytes:
    if method != "GET":
        return b""
    if not described.by_hash or locale.from_cookie:
        return PRIVATE
    remaining = max(0, int(entry.fresh_until - now))
    return f"public, max-age={remaining}, stale-while-revalidate={cache.stale_s}".encode()


async def serve_entry(
    cache: ResponseCache,
    send: Send,
    entry: Entry,
    now: float,
    method: str,
    described: Described,
    locale: Locale,
    if_none_match: str | None,
    outcome: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> int:
    """Answer ``entry`` (200, or 304 when a GET's ``If-None-Match`` matches); the status sent."""
    added = [(b"age", str(max(0, int(now - entry.stored_at))).encode()), (b"x-cache", outcome), *(extra or ())]
    cache_control = _cache_control(cache, entry, now, method, described, locale)
    if cache_control:
        added.append((b"cache-control", cache_control))
    if _not_modified(method, if_none_match, entry):
        await send(
            {"type": "http.response.start", "status": 304, "headers": _without_body_headers(entry.base_headers) + added}
        )
        await send({"type": "http.response.body", "body": b""})
        return 304
    await send({"type": "http.response.start", "status": 200, "headers": entry.base_headers + added})
    await send({"type": "http.response.body", "body": entry.body})
    return 200


def _not_modified(method: str, if_none_match: str | None, entry: Entry) -> bool:
    """A GET whose ``If-None-Match`` names the entry's ``ETag``: answered 304."""
    return method == "GET" and if_none_match is not None and _etag_matches(if_none_match, entry.etag)


def _without_body_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers of a 304: the answer's, without those describing a body."""
    return [h for h in headers if h[0].lower() not in (b"content-type", b"content-length")]


def _etag_matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    return any(candidate.strip().removeprefix("W/") == etag for candidate in if_none_match.split(","))


async def read_body(receive: Receive, limit: int) -> tuple[bytes, list[Message], bool]:
    """(body, messages read, complete): stops reading past ``limit`` (the view refuses such bodies)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return b"", messages, False
        size += len(message.get("body", b""))
        if size > limit:
            return b"", messages, False
        if not message.get("more_body", False):
            return b"".join(m.get("body", b"") for m in messages), messages, True


def replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class _Captured:
    """An ASGI ``send`` that keeps the answer instead of sending it."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


class ResponseCacheMiddleware:
    def __init__(self, app: ASGIApp, *, cache: ResponseCache, path: str = "/graphql") -> None:
        self.app = app
        self.cache = cache
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        h = request_headers(scope)
        store, currency, accept, cookie, if_none_match = h.store, h.currency, h.accept, h.cookie, h.if_none_match
        if method == "GET":
            raw: bytes = scope.get("query_string", b"")
            body = b""
            inner_receive = receive
        elif method == "POST" and h.json_body:
            body, messages, complete = await read_body(receive, self.cache.max_body_bytes)
            inner_receive = replaying(messages, receive)
            if not complete:
                await self.app(scope, inner_receive, send)
                return
            raw = body
        else:
            await self.app(scope, receive, send)
            return
        cache = self.cache
        described = cache.descriptions.get(method, raw)
        if described is None or described.cacheable is False or cache.is_private_hash(described.document_id):
            await self.app(scope, inner_receive, send)
            return
        media_type = cache.media_type(accept)
        if media_type is None:
            await self.app(scope, inner_receive, send)
            return
        locale = request_locale(store, currency, cookie)
        key = response_key(described, locale.store, locale.currency, GUEST_GROUP, media_type)
        state = request_state(scope)
        state.public_document = described.cacheable is True  # sessions may degrade for it (bff.sessions)
        entry = cache.tiers.peek(key)
        if entry is None:
            try:
                entry = await cache.tiers.get(key)
            except CacheUnavailable:
                state.cache = "unavailable"
                await self.app(scope, inner_receive, send)
                return
        now = cache.clock.now()
        if entry is not None and now < entry.stale_until:
            stale = now >= entry.fresh_until
            state.cache = "stale" if stale else "hit"
            if stale:
                cache.start_refresh(key, lambda: self._refresh(key, scope, body, locale, described))
            outcome = b"STALE" if stale else b"HIT"
            await serve_entry(cache, send, entry, now, method, described, locale, if_none_match, outcome)
            return
        state.cache = "miss"
        if locale.from_cookie:  # the inner app answers for the cookie's locale too, as a hit would
            scope = {**scope, "headers": [*scope["headers"], *_locale_headers(locale, scope["headers"])]}
        await self._miss(scope, inner_receive, send, key, described, locale, if_none_match)

    async def _run_inner(self, scope: Scope, receive: Receive, locale: Locale) -> tuple[_Captured, Entry | None]:
        captured = _Captured()
        await self.app(scope, receive, captured)
        state = request_state(scope)
        return captured, self.cache.storing.entry(state, captured.status, captured.headers, captured.body, locale)

    async def _miss(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: str,
        described: Described,
        locale: Locale,
        if_none_match: str | None,
    ) -> None:
        answered = Locale(  # what the inner app saw: the cookie's parts arrive as headers
            locale.store, locale.currency, locale.store is not None, locale.currency is not None
        )
        captured, entry = await self._run_inner(scope, receive, answered)
        state = request_state(scope)
        if entry is None and described.by_hash and captured.status == 200 and _ran_uncacheable(state):
            self.cache.learn_private_hash(described.document_id)
        headers = [*captured.headers, (b"x-cache", b"MISS")]
        if locale.from_cookie and scope["method"] == "GET":  # a CDN keys by headers, not by the cookie
            headers = [h for h in headers if h[0].lower() not in (b"cache-control", b"vary")]
            headers.append((b"cache-control", PRIVATE))
        status, body = captured.status, captured.body
        if entry is not None:
            try:
                await self.cache.tiers.put(key, entry)
            except CacheUnavailable:
                state.cache = "unavailable"
            if entry.body == body:  # the client sees exactly the stored bytes: same validator
                names = {name.lower() for name, _ in headers} | {b"vary"}  # the view's Vary stands
                headers += [h for h in entry.base_headers if h[0] not in names]
                if _not_modified(scope["method"], if_none_match, entry):
                    status, body, headers = 304, b"", _without_body_headers(headers)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _refresh(self, key: str, scope: Scope, body: bytes, locale: Locale, described: Described) -> None:
        headers = [(n, v) for n, v in scope["headers"] if n not in _DROPPED_ON_REFRESH]
        if locale.store is not None:
            headers.append((b"store", locale.store.encode()))
        if locale.currency is not None:
            headers.append((b"content-currency", locale.currency.encode()))
        original = request_state(scope)
        inner: Scope = {
            **scope,
            "headers": headers,
            "state": {},
            SCOPE_KEY: RequestState(request_id=original.request_id),
        }
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # nothing more will come: the refresh ends when the app answers
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        header_locale = Locale(locale.store, locale.currency, True, True)
        try:
            _, entry = await self._run_inner(inner, receive, header_locale)
            if entry is not None:
                await self.cache.tiers.put(key, entry)
        except CacheUnavailable:
            log.warning("response cache refresh not stored: the cache store did not answer")
        except Exception:
            log.exception("response cache refresh failed")


def _ran_uncacheable(state: RequestState) -> bool:
    """The request ran a document the cache may never store (not merely an answer it could not keep)."""
    record = state.graphql
    return (
        record is not None and record.document is not None and not is_cacheable(record.document, record.operation_name)
    )


def _locale_headers(locale: Locale, present: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``Store``/``Content-Currency`` headers for the parts of ``locale`` the request did not send."""
    names = {name for name, _ in present}
    added = []
    if locale.store is not None and b"store" not in names:
        added.append((b"store", locale.store.encode()))
    if locale.currency is not None and b"content-currency" not in names:
        added.append((b"content-currency", locale.currency.encode()))
    return added


def request_locale(store: str | None, currency: str | None, cookie: str | None) -> Locale:
    if store is not None and currency is not None:
        return Locale(store, currency, True, True)
    remembered_store, remembered_currency = locale_cookie.decode(locale_cookie.from_cookie_header(cookie))
    return Locale(
        store if store is not None else remembered_store,
        currency if currency is not None else remembered_currency,
        store is not None,
        currency is not None,
    )
