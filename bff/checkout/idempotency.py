"""Idempotency keys for placeOrder/checkout: validation, fingerprints, and waiting for a duplicate.

A key is scoped to the session. Its fingerprint covers the mutation, its input and the cart it
was first used for, so "the same key with a different cart or input" is a conflict. After an
order the session's cart is forgotten; a retry then presents no cart, and the fingerprint is
computed with the cart recorded at the first claim, so the retry replays instead of conflicting.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from typing import Any

from bff.clock import Clock
from bff.errors import BadUserInput, IdempotencyConflict, UpstreamUnavailable
from bff.sessions.models import Claim
from bff.sessions.store import IdempotencyStore
from bff.settings import CheckoutSettings

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")
# The mutation a key was used with (part of every fingerprint: a stored value, never renamed).
PLACE_ORDER = "placeOrder"
CHECKOUT = "checkout"
POLL_S = 1.0  # a waiting duplicate claims again after this long even without a notice
LEASE_MARGIN_S = 0.01  # a lease that just ran out is claimed again this soon


def validate_key(key: str) -> None:
    if not KEY_PATTERN.match(key):
        raise BadUserInput(
            "idempotencyKey must be 8-128 characters of letters, digits, '-', '_', ':' or '.' "
            "(a UUID is a good choice)."
        )


def fingerprint(kind: str, payload: Any, cart_id: str | None) -> str:
    """A stable hash of what the request asks for (the cart id is part of it; the journal keeps the
    cart id itself, server-side, so a retry can resume the checkout)."""
    blob = json.dumps([kind, payload, cart_id], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class IdempotencyGuard:
    def __init__(self, store: IdempotencyStore, settings: CheckoutSettings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    async def first_cart(self, scope: str, key: str) -> str | None:
        """The cart id recorded when ``key`` was first claimed (None if never claimed)."""
        record = await self.store.get(scope, key)
        cart = record.steps.get("cart_id") if record else None
        return cart if isinstance(cart, str) else None

    async def acquire(self, scope: str, key: str, fp: str) -> Claim:
        """Claim the key; a duplicate in flight is waited for (its result is replayed), and a
        holder that died (lease expired) is taken over. Conflicts raise.

        A waiting duplicate sleeps until the store says the key settled (``IdempotencyStore.watch``:
        completed or released, in any replica), at most ``POLL_S`` and never past the holder's
        lease, then claims again: one claim per settle or per ``POLL_S``, not a busy loop."""
        deadline = time.monotonic() + self.settings.duplicate_wait_s
        with self.store.watch(scope, key) as settled:
            while True:
                claim = await self.store.claim(scope, key, fp, self.settings.lease_s)
                if claim.outcome == "conflict":
                    raise IdempotencyConflict()
                if claim.outcome != "in_progress":
                    return claim
                left = deadline - time.monotonic()
                if left <= 0:
                    raise UpstreamUnavailable(
                        "This order is still being processed. Retry with the same idempotencyKey to get its result."
                    )
                lease_left = claim.record.lease_expires_at - self.clock.now() if claim.record else POLL_S
                await settled.wait(min(left, POLL_S, max(lease_left, LEASE_MARGIN_S)))
