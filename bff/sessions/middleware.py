"""Pure ASGI middleware: the session token in (cookie or Bearer), the new token out.

* Browsers: cookie ``bff_session`` (HttpOnly, SameSite=Lax, Secure outside development).
* Mobile/server clients: ``Authorization: Bearer <token>``. Such clients get the token in the
  response header ``X-Session-Token`` whenever a session starts or rotates. The header is sent
  when the request used Bearer, or carried no ``Origin`` (browsers always send one on POST), so
  web JavaScript never needs, or gets, the token.

**The locale cookie** ``bff_locale`` (``bff.locale_cookie``, not HttpOnly, not a credential) is
set on the answer whenever the session's remembered store view/currency differs from what the
request's cookie said (and with every new session cookie), and cleared when the session
remembers none: the response cache reads it to key a hit by the shopper's locale without loading
the session. Without a session it is left alone; Bearer clients get none.

The loaded ``SessionHandle`` goes into the request's ``RequestState`` (``bff.request_state``). A
malformed or unknown token is ignored (the shopper is treated as new); nothing about it is
logged. Only requests to ``paths`` (the GraphQL endpoint) load a session: probes and scrapes
never touch the store.

**The store does not answer**: a request whose document the response cache found public (catalog
reads only: ``RequestState.public_document``) goes on without the session, since its answer is
the same for every shopper; any other request with a session token is answered 503
``UPSTREAM_UNAVAILABLE`` at once, before anything runs.
"""

from __future__ import annotations

import json
import logging
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bff import locale_cookie
from bff.clock import Clock
from bff.errors import UpstreamUnavailable
from bff.request_state import request_state
from bff.sessions.handle import SessionHandle
from bff.sessions.store import SessionStore
from bff.sessions.tokens import looks_like_token, session_id
from bff.settings import SessionSettings

log = logging.getLogger("bff.sessions")

TOKEN_HEADER = "X-Session-Token"  # noqa: S105 (a header name)


def _request_token(scope: Scope, cookie_name: str) -> tuple[str | None, bool, str | None]:
    """(token, sent_as_bearer, the locale cookie's value)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    auth = headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), True, None
    cookie_header = headers.get("cookie")
    locale = locale_cookie.from_cookie_header(cookie_header)
    if cookie_header:
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # a malformed Cookie header is ignored, as browsers would
            return None, False, locale
        if cookie_name in cookies:
            return cookies[cookie_name].value, False, locale
    return None, False, locale


async def _unavailable(send: Send, message: str) -> None:
    """The session store did not answer: a coded GraphQL error (503, retryable), not a plain 500."""
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": "UPSTREAM_UNAVAILABLE"}}]}).encode()
    await send({
        "type": "http.response.start",
        "status": 503,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    (b"retry-after", b"1"), (b"cache-control", b"no-store")],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _has_origin(scope: Scope) -> bool:
    return any(k.lower() == b"origin" for k, _ in scope.get("headers", []))


class SessionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        store: SessionStore,
        clock: Clock,
        settings: SessionSettings,
        secure_cookie: bool = True,
        paths: frozenset[str] = frozenset({"/graphql"}),
    ) -> None:
        self.app = app
        self.paths = paths
        self.store = store
        self.clock = clock
        self.settings = settings
        self.secure_cookie = secure_cookie and settings.cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        token, bearer, sent_locale = _request_token(scope, self.settings.cookie_name)
        session = None
        if token is not None and looks_like_token(token):
            try:
                session = await self.store.load(session_id(token))
            except UpstreamUnavailable as err:
                if not request_state(scope).public_document:
                    await _unavailable(send, err.message)
                    return
                # A public catalog read answers the same for every shopper: it goes on without the
                # session (the locale comes from the headers or the locale cookie), rather than fail.
                log.warning("session store did not answer: a public catalog read goes on without the session")
        handle = SessionHandle(self.store, self.clock, session)
        request_state(scope).session = handle
        send_header = bearer or not _has_origin(scope)

        async def send_with_token(message: Message) -> None:
            s = handle.current
            if message["type"] == "http.response.start" and not bearer and s is not None:
                remembered = locale_cookie.encode(s.store, s.currency)
                # Also renewed with every new session cookie, so the locale cookie never expires first.
                if remembered != sent_locale or (remembered is not None and handle.issued_token is not None):
                    MutableHeaders(scope=message).append("Set-Cookie", self._locale_cookie(remembered))
            if message["type"] == "http.response.start" and handle.issued_token is not None:
                headers = MutableHeaders(scope=message)
                if send_header:
                    headers.append(TOKEN_HEADER, handle.issued_token)
                if not bearer:
                    headers.append("Set-Cookie", self._cookie(handle.issued_token))
                headers.append("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_token)

    def _locale_cookie(self, value: str | None) -> str:
        """``bff_locale``: readable by the frontend (not HttpOnly), cleared with ``Max-Age=0``."""
        parts = [
            f"{locale_cookie.COOKIE_NAME}={value or ''}",
            "Path=/",
            f"SameSite={self.settings.cookie_samesite.capitalize()}",
            f"Max-Age={self.settings.idle_ttl_s if value else 0}",
        ]
        if self.secure_cookie:
            parts.append("Secure")
        return "; ".join(parts)

    def _cookie(self, token: str) -> str:
        parts = [
            f"{self.settings.cookie_name}={token}",
            "Path=/",
            "HttpOnly",
            f"SameSite={self.settings.cookie_samesite.capitalize()}",
            f"Max-Age={self.settings.idle_ttl_s}",
        ]
        if self.secure_cookie:
            parts.append("Secure")
        return "; ".join(parts)
