"""``Shopper``: who a request acts for, and the one way services call Magento on their behalf.

Services depend on the ``Gateway`` protocol, which ``Shopper`` implements: the request's session
(``SessionHandle``), what the request says about itself (``RequestMeta``) and typed calls of
upstream operations (``Operation[Variables, Result]`` from ``bff.magento.results``). Each call
carries the session's customer token (never for a public operation), store view, currency, the
shopper's IP and the request id. When the customer part of the session has expired (by the
BFF's clock) or Magento refuses the customer token, the customer part is ended, the shopper
continues as a guest, and the request fails with ``UNAUTHENTICATED``, so the frontend can ask the
shopper to sign in again.

The request's upstream deadline lives here: ``deadline_s`` (``BFF_MAGENTO__REQUEST_DEADLINE_S``,
passed by ``bff.app``) from the Shopper's creation, i.e. from the start of the GraphQL operation,
as a ``time.monotonic()`` instant put on every call's ``CallContext``; the Magento client fits
each call in it (see ``bff.magento.client``). A service whose work must outlast it on purpose
(placing an order: placeOrder's own timeout, then confirming it) says so with
``extend_deadline``. The deadline is per request, not per process: one Shopper per request.

Unit tests build a ``Shopper`` over a ``MagentoClient`` whose transport is the sandbox, so a
service is tested against Magento's behaviour without HTTP in between.
"""

from __future__ import annotations

import time
from typing import Protocol, TypeVar

from bff.errors import Unauthenticated
from bff.magento.client import CallContext, MagentoClient
from bff.magento.errors import MagentoUnauthorized
from bff.magento.operations import Request
from bff.request_state import RequestMeta, UpstreamCall
from bff.sessions.handle import SessionHandle
from bff.sessions.models import Session

R = TypeVar("R")


class Gateway(Protocol):
    """What a domain service may know of the request and ask of Magento."""

    @property
    def session(self) -> SessionHandle: ...

    @property
    def meta(self) -> RequestMeta: ...

    @property
    def store(self) -> str | None:
        """The store view the shopper's calls are sent for (header, else session, else default)."""
        ...

    @property
    def remembered_store(self) -> str | None:
        """The store view without this request's ``Store`` header (session, else default)."""
        ...

    @property
    def currency(self) -> str | None: ...

    @property
    def signed_in(self) -> bool: ...

    @property
    def sign_in_ended(self) -> bool:
        """This request found the customer's sign-in expired or refused (the shopper is a guest now)."""
        ...

    async def require_fresh_customer(self) -> None: ...

    def extend_deadline(self, seconds: float) -> None:
        """Let this request's upstream work go on at least ``seconds`` from now."""
        ...

    async def call(self, request: Request[R], *, as_customer: bool = True, timeout_s: float | None = None) -> R:
        """Run ``request`` (``OPERATION(variables)``) for the shopper, as the customer when signed in
        and the operation is private."""
        ...

    async def call_for_store(self, request: Request[R], store: str | None) -> R:
        """Run a public operation for exactly this store view, without this request's locale headers."""
        ...


class Shopper:
    def __init__(
        self,
        session: SessionHandle,
        magento: MagentoClient,
        meta: RequestMeta,
        default_store: str | None = None,
        calls: list[UpstreamCall] | None = None,
        deadline_s: float | None = None,
    ) -> None:
        self.session = session
        self.magento = magento
        self.meta = meta
        self.calls: list[UpstreamCall] = calls if calls is not None else []  # the request's, for the log
        self.sign_in_ended = False  # this request found the customer's sign-in expired or refused
        self._default_store = default_store
        self.deadline = time.monotonic() + deadline_s if deadline_s is not None else None

    @property
    def store(self) -> str | None:
        s = self.session.current
        return self.meta.store or (s.store if s else None) or self._default_store

    @property
    def remembered_store(self) -> str | None:
        s = self.session.current
        return (s.store if s else None) or self._default_store

    @property
    def currency(self) -> str | None:
        s = self.session.current
        return self.meta.currency or (s.currency if s else None)

    @property
    def signed_in(self) -> bool:
        s = self.session.current
        return bool(s and s.signed_in) and not self.session.customer_expired()

    async def remember_locale(self) -> None:
        """Keep the store/currency headers in an existing session, for clients that send them once."""
        s = self.session.current
        if s is None:
            self.session.prefer_locale(self.meta.store, self.meta.currency)
            return
        store = self.meta.store or s.store
        currency = self.meta.currency or s.currency
        if (store, currency) != (s.store, s.currency):
            await self.session.update(s.with_changes(store=store, currency=currency))

    async def require_fresh_customer(self) -> None:
        """Raise UNAUTHENTICATED (ending the customer part) when the customer token has expired."""
        if self.session.customer_expired():
            await self._end_sign_in()
            raise Unauthenticated()

    def extend_deadline(self, seconds: float) -> None:
        if self.deadline is not None:
            self.deadline = max(self.deadline, time.monotonic() + seconds)

    async def _end_sign_in(self) -> None:
        self.sign_in_ended = True
        await self.session.end_customer()

    def _context(self, session: Session | None, *, as_customer: bool) -> CallContext:
        token = session.customer_token if (session and as_customer) else None
        return CallContext(
            customer_token=token,
            store=self.store,
            currency=self.currency,
            shopper_ip=self.meta.shopper_ip,
            request_id=self.meta.request_id,
            calls=self.calls,
            deadline=self.deadline,
        )

    async def call_for_store(self, request: Request[R], store: str | None) -> R:
        op = request.operation
        ctx = CallContext(store=store, shopper_ip=self.meta.shopper_ip, request_id=self.meta.request_id,
                          calls=self.calls, deadline=self.deadline)  # fmt: skip
        return op.result(await self.magento.execute(op.name, request.variables, ctx))

    async def call(self, request: Request[R], *, as_customer: bool = True, timeout_s: float | None = None) -> R:
        op = request.operation
        if not op.policy.public:  # a public read is the same for everyone: an expired sign-in does not matter
            await self.require_fresh_customer()
        session = self.session.current
        ctx = self._context(session, as_customer=as_customer and not op.policy.public)
        try:
            data = await self.magento.execute(op.name, request.variables, ctx, timeout_s=timeout_s)
        except MagentoUnauthorized:
            if ctx.customer_token is not None:
                await self._end_sign_in()
                raise Unauthenticated() from None
            raise
        return op.result(data)
