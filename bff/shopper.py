"""``Shopper``: who a request acts for, and the one way services call Magento on their behalf.

It joins the request's session (``SessionHandle``) with the Magento client: each call carries the
session's customer token, store view, currency, the shopper's IP and the request id. When the
customer part of the session has expired (by the BFF's clock) or Magento refuses the customer
token, the customer part is ended, the shopper continues as a guest, and the request fails with
``UNAUTHENTICATED``, so the frontend can ask the shopper to sign in again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bff.errors import BadUserInput, Unauthenticated
from bff.magento.client import CallContext, MagentoClient, UpstreamCall
from bff.magento.errors import MagentoUnauthorized
from bff.sessions.handle import SessionHandle
from bff.sessions.models import Session

_STORE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass
class RequestMeta:
    """What the request says about itself (validated on construction)."""

    store: str | None = None  # from the `Store` header
    currency: str | None = None  # from the `Content-Currency` header
    shopper_ip: str | None = None
    request_id: str | None = None
    calls: list[UpstreamCall] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.store is not None and not _STORE_CODE.match(self.store):
            raise BadUserInput("The Store header must be a store view code such as 'default'.")
        if self.currency is not None and not _CURRENCY.match(self.currency):
            raise BadUserInput("The Content-Currency header must be an ISO 4217 code such as 'EUR'.")


class Shopper:
    def __init__(
        self, session: SessionHandle, magento: MagentoClient, meta: RequestMeta, default_store: str | None = None
    ) -> None:
        self.session = session
        self.magento = magento
        self.meta = meta
        self._default_store = default_store

    @property
    def store(self) -> str | None:
        s = self.session.current
        return self.meta.store or (s.store if s else None) or self._default_store

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
            await self.session.end_customer()
            raise Unauthenticated()

    @property
    def remembered_store(self) -> str | None:
        """The store view without this request's ``Store`` header: the session's, else the default."""
        s = self.session.current
        return (s.store if s else None) or self._default_store

    def _context(self, session: Session | None, *, as_customer: bool) -> CallContext:
        token = session.customer_token if (session and as_customer) else None
        return CallContext(
            customer_token=token,
            store=self.store,
            currency=self.currency,
            shopper_ip=self.meta.shopper_ip,
            request_id=self.meta.request_id,
            calls=self.meta.calls,
        )

    async def call_for_store(self, operation: str, store: str | None) -> dict[str, Any]:
        """Run a public operation for exactly this store view (None: the shop's default), without
        this request's ``Store`` and ``Content-Currency`` headers (the locale checks use it)."""
        ctx = CallContext(store=store, shopper_ip=self.meta.shopper_ip, request_id=self.meta.request_id,
                          calls=self.meta.calls)  # fmt: skip
        return await self.magento.execute(operation, {}, ctx)

    async def call(
        self,
        operation: str,
        variables: Mapping[str, Any] | None = None,
        *,
        as_customer: bool = True,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        """Run a Magento operation for this shopper (as the customer when signed in)."""
        await self.require_fresh_customer()
        session = self.session.current
        ctx = self._context(session, as_customer=as_customer)
        try:
            return await self.magento.execute(operation, variables, ctx, timeout_s=timeout_s)
        except MagentoUnauthorized:
            if ctx.customer_token is not None:
                await self.session.end_customer()
                raise Unauthenticated() from None
            raise
