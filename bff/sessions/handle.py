"""``SessionHandle``: one request's custody of the shopper's session.

The middleware builds it from the token the client sent (cookie or Bearer) and the loaded
``Session``. Services change the session only through it: it creates the session on first need,
saves changes, rotates the token on sign-in/sign-out and ends the customer part when Magento's
token has expired. Whatever token it issued is sent back by the middleware on response start.
"""

from __future__ import annotations

import logging

from bff.clock import Clock
from bff.sessions.models import Session
from bff.sessions.store import SessionStore
from bff.sessions.tokens import new_token, session_id

log = logging.getLogger("bff.sessions")


class SessionHandle:
    def __init__(self, store: SessionStore, clock: Clock, session: Session | None) -> None:
        self._store = store
        self._clock = clock
        self._session = session
        self.issued_token: str | None = None  # a new token for the client (created or rotated)
        self._initial_store: str | None = None
        self._initial_currency: str | None = None

    def prefer_locale(self, store: str | None, currency: str | None) -> None:
        """Store view and currency a session created by this request starts with."""
        self._initial_store, self._initial_currency = store, currency

    @property
    def current(self) -> Session | None:
        return self._session

    def customer_expired(self) -> bool:
        s = self._session
        return bool(
            s and s.customer_token and s.customer_expires_at is not None and s.customer_expires_at <= self._clock.now()
        )

    async def ensure(self) -> Session:
        """The session, created (and a token issued) if the shopper has none yet."""
        if self._session is None:
            token = new_token()
            self._session = Session(
                id=session_id(token),
                created_at=self._clock.now(),
                store=self._initial_store,
                currency=self._initial_currency,
            )
            await self._store.create(self._session)
            self.issued_token = token
        return self._session

    async def update(self, session: Session) -> Session:
        if self._session is None or session.id != self._session.id:
            raise ValueError("update() takes the handle's own session")
        self._session = session
        await self._store.save(session)
        return session

    async def rotate(self, session: Session) -> Session:
        """Store ``session``'s data under a fresh token and drop the old one (fixation defence)."""
        token = new_token()
        old_id = self._session.id if self._session else None
        self._session = Session(
            id=session_id(token),
            cart_id=session.cart_id,
            customer_token=session.customer_token,
            customer_expires_at=session.customer_expires_at,
            store=session.store,
            currency=session.currency,
            created_at=self._clock.now(),
            customer_key=session.customer_key,
        )
        await self._store.create(self._session)
        if old_id is not None:
            await self._store.delete(old_id)
        self.issued_token = token
        return self._session

    async def end_customer(self) -> Session | None:
        """Forget the customer part (token and its cart): the shopper continues as a guest."""
        if self._session is None or not self._session.signed_in:
            return self._session
        log.info("customer part of the session ended")
        return await self.update(self._session.signed_out())
