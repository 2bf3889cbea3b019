"""What a session holds. The client only ever sees the opaque session token, never these values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Literal


@dataclass(frozen=True)
class Session:
    """A shopper's server-side state.

    ``id`` is the SHA-256 of the token the client holds (the token itself is never stored).
    ``customer_token`` is Magento's customer bearer token; ``customer_expires_at`` is when Magento
    will stop accepting it (epoch seconds): the customer part of the session ends then.
    ``customer_key`` (``customer_key_of`` the e-mail signed in with, never the address itself)
    lets a Magento event end every session of that customer (``SessionStore.end_customer_sessions``).
    """

    id: str
    cart_id: str | None = None  # Magento masked cart id
    customer_token: str | None = None
    customer_expires_at: float | None = None
    store: str | None = None  # Magento store view code
    currency: str | None = None
    created_at: float = 0.0
    customer_key: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.customer_token is not None

    def with_changes(self, **changes: Any) -> Session:
        return replace(self, **changes)

    def signed_out(self) -> Session:
        return replace(self, customer_token=None, customer_expires_at=None, cart_id=None, customer_key=None)


def customer_key_of(email: str) -> str:
    """The index of a customer's sessions: SHA-256 of the e-mail address, trimmed and lowercased."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


ClaimOutcome = Literal["claimed", "in_progress", "done", "conflict"]


@dataclass(frozen=True)
class IdempotencyRecord:
    """The record behind one idempotency key (24 h): who holds it, what was done, the result.

    ``fingerprint`` identifies the request's input (a different input with the same key is a
    conflict). ``steps`` is the checkout journal: each completed step and its data, so a retry
    resumes after the last one. ``result`` is the stored response, replayed for every retry once
    ``done``. ``lease_expires_at``: while in progress, another caller waits; after the lease
    expires (the holder died), the next caller may take the key over and resume.
    """

    key: str
    fingerprint: str
    status: Literal["in_progress", "done"] = "in_progress"
    steps: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    lease_expires_at: float = 0.0
    created_at: float = 0.0


@dataclass(frozen=True)
class Claim:
    outcome: ClaimOutcome
    record: IdempotencyRecord | None  # the current record (for done: the result to replay)
