"""A duplicate checkout waits for the request holding its key by notice, not by polling."""

from __future__ import annotations

import asyncio

from bff.checkout.idempotency import POLL_S, IdempotencyGuard
from bff.sessions.memory import MemoryIdempotencyStore
from bff.sessions.models import Claim
from bff.settings import CheckoutSettings
from tests.fake_clock import FakeClock

SCOPE, KEY, FP = "session-1", "order-key-1", "fingerprint-1"
HOLDER_WORKS_S = 0.5  # long enough for a 50 ms poll loop to have claimed ten times


class CountedClaims(MemoryIdempotencyStore):
    """The real memory store, counting the claims made on it."""

    claims = 0

    async def claim(self, scope: str, key: str, fingerprint: str, lease_seconds: float) -> Claim:
        self.claims += 1
        return await super().claim(scope, key, fingerprint, lease_seconds)


def guard_on(store: CountedClaims, clock: FakeClock) -> IdempotencyGuard:
    return IdempotencyGuard(store, CheckoutSettings(lease_s=30.0, duplicate_wait_s=10.0), clock)


async def test_a_duplicate_claims_again_only_when_the_holder_finishes() -> None:
    clock = FakeClock()
    store = CountedClaims(clock)
    await store.claim(SCOPE, KEY, FP, 30.0)
    store.claims = 0
    duplicate = asyncio.create_task(guard_on(store, clock).acquire(SCOPE, KEY, FP))
    await asyncio.sleep(HOLDER_WORKS_S)
    await store.complete(SCOPE, KEY, {"order": {"number": "000000001"}})
    claim = await duplicate
    assert (claim.outcome, store.claims) == ("done", 2)


async def test_a_duplicate_takes_over_a_holder_that_died_within_the_poll_interval() -> None:
    clock = FakeClock()
    store = CountedClaims(clock)
    await store.claim(SCOPE, KEY, FP, 30.0)
    duplicate = asyncio.create_task(guard_on(store, clock).acquire(SCOPE, KEY, FP))
    await asyncio.sleep(0.05)
    clock.advance(31.0)  # the holder's lease ran out: nobody will release it
    claim = await asyncio.wait_for(duplicate, timeout=POLL_S * 3)
    assert claim.outcome == "claimed"
