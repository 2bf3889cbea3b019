"""HTTP rate limits at admission: requests per IP and per session, stricter for sign-in and checkout.

``RateLimits.check(keys)`` counts one request against every limit that applies to it
(``rate_keys.RequestKeys``), refuses it with ``RateLimited`` (HTTP 429, ``Retry-After`` and the
``RateLimit-*`` headers) when any of them is used up, and otherwise returns the ``RateStatus`` of
the limit closest to running out, whose ``headers()`` a successful response may carry.

* ``per_ip``: every request, by shopper IP (fixed window);
* ``per_session``: every request that has a session, by session id (fixed window);
* ``sign_in_per_email``: each e-mail address a signIn/signUp names (moving window);
* ``sign_in_per_ip``: requests with signIn/signUp, by shopper IP (moving window);
* ``checkout_per_session``: requests with placeOrder/checkout, by session id (moving window).

A limit whose key the request lacks (no session yet, no IP) does not apply. Keys are SHA-256
digests: no IP or e-mail address is stored or logged in the clear (a digest still confirms a
guessed value; a keyed hash would need a secret shared by the replicas). The strict limits use the
*moving* window (exact: at most N in any window; a refused attempt takes no slot); the broad ones
the cheaper *fixed* window (one counter per key, starting with its first request; up to 2N can
pass around a window's end, acceptable for a flood guard). The limits are counted concurrently,
then read back for the headers: two rounds of storage calls per request.

**Why the ``limits`` package's asyncio API and not slowapi's ``Limiter``.** slowapi (named by the
issue) is a Starlette extension around the ``limits`` package. Its ``Limiter`` is synchronous: it
builds a sync ``limits`` storage and calls ``hit`` and ``get_window_stats`` inline, also from its
async endpoint wrappers (slowapi issues #3 and #130 are open about it), so with Redis every
request would block the event loop on network I/O. It also keys limits on the Starlette request
through route decorators, while these limits key on the GraphQL operation (its root fields and
the e-mail in its variables) at the one admission point, and it writes ``X-RateLimit-*`` headers
where we want the standard draft's ``RateLimit-*``. What slowapi would contribute, the limit
notation ("5/minute", several joined by ";"), the strategies and the storages, is the ``limits``
package itself, so this module uses ``limits`` directly: ``limits.parse_many`` and the
``limits.aio`` strategies over an asyncio storage (``memory.memory_rate_storage()``, or
``redis.redis_rate_storage(client)`` on the BFF's own Redis client, through redis-py's asyncio
client: no extra dependency). slowapi is therefore not a dependency.

Time: ``limits`` reads ``time.time()`` itself (there is no clock to inject), so tests use short
windows; windows in Redis expire on the server.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass
from typing import Final

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter, RateLimiter
from limits.errors import StorageError
from limits.util import WindowStats

from bff.errors import RateLimited, StoreUnavailable
from bff.limits.rate_keys import RequestKeys
from bff.settings import RateLimitSettings

WHAT: Final = {
    "per_ip": "requests from this IP address",
    "per_session": "requests in this session",
    "sign_in_per_email": "sign-in attempts for this e-mail address",
    "sign_in_per_ip": "sign-in attempts from this IP address",
    "checkout_per_session": "checkout attempts in this session",
}
MOVING: Final = frozenset({"sign_in_per_email", "sign_in_per_ip", "checkout_per_session"})


@dataclass(frozen=True, slots=True)
class RateStatus:
    """One limit as the ``RateLimit-*`` headers describe it."""

    limit: int  # requests allowed per window
    remaining: int
    reset_s: int  # seconds until the window frees up

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }


@dataclass(frozen=True, slots=True)
class _Counted:
    name: str  # the setting
    item: RateLimitItem
    strategy: RateLimiter
    identifiers: tuple[str, str]  # (setting, sha256 of the key)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class RateLimits:
    """The rate limits of ``settings`` counted in ``storage`` (see the module docstring).

    Raises ``ValueError`` at construction for a limit string ``limits`` cannot parse. Storage
    errors (Redis unreachable) propagate from ``check``."""

    def __init__(self, settings: RateLimitSettings, storage: Storage) -> None:
        self._enabled = settings.enabled
        self._storage = storage
        fixed, moving = FixedWindowRateLimiter(storage), MovingWindowRateLimiter(storage)
        self._rules: dict[str, tuple[tuple[RateLimitItem, ...], RateLimiter]] = {}
        for name in WHAT:
            text: str = getattr(settings, name)
            try:
                items = tuple(parse_many(text))
            except ValueError as exc:
                raise ValueError(f"rate_limits.{name}: {text!r} is not a limit such as '10/minute'") from exc
            self._rules[name] = (items, moving if name in MOVING else fixed)

    def _counted(self, keys: RequestKeys) -> list[_Counted]:
        wanted: list[tuple[str, str]] = []
        if keys.ip:
            wanted.append(("per_ip", keys.ip))
        if keys.session_id:
            wanted.append(("per_session", keys.session_id))
        if keys.signs_in:
            wanted += [("sign_in_per_email", email) for email in sorted(keys.sign_in_emails)]
            if keys.ip:
                wanted.append(("sign_in_per_ip", keys.ip))
        if keys.checks_out and keys.session_id:
            wanted.append(("checkout_per_session", keys.session_id))
        counted = []
        for name, key in wanted:
            items, strategy = self._rules[name]
            counted += [_Counted(name, item, strategy, (name, _digest(key))) for item in items]
        return counted

    async def check(self, keys: RequestKeys) -> RateStatus | None:
        """Count the request; raise ``RateLimited`` when a limit is used up. The status of the
        limit closest to running out, or None when rate limits are off or none applies."""
        if not self._enabled:
            return None
        counted = self._counted(keys)
        if not counted:
            return None
        try:
            allowed = await asyncio.gather(*(c.strategy.hit(c.item, *c.identifiers) for c in counted))
            stats = await asyncio.gather(*(c.strategy.get_window_stats(c.item, *c.identifiers) for c in counted))
        except StorageError as exc:
            raise StoreUnavailable(operation="rate_limits", detail=type(exc).__name__) from exc
        now = time.time()
        refused = [(c, s) for c, ok, s in zip(counted, allowed, stats, strict=True) if not ok]
        if refused:
            limit, window = max(refused, key=lambda pair: pair[1].reset_time)
            status = RateStatus(limit.item.amount, 0, max(1, math.ceil(window.reset_time - now)))
            raise RateLimited(
                f"Too many {WHAT[limit.name]}: at most {limit.item}. Retry in {status.reset_s} s.",
                extensions={"retryAfterSeconds": status.reset_s},
                headers={"Retry-After": str(status.reset_s), **status.headers()},
            )
        limit, window = min(zip(counted, stats, strict=True), key=_closest)
        return RateStatus(limit.item.amount, max(0, window.remaining), max(0, math.ceil(window.reset_time - now)))

    async def ping(self) -> bool:
        """Whether the storage can be reached (readiness)."""
        return await self._storage.check()


def _closest(pair: tuple[_Counted, WindowStats]) -> tuple[int, int]:
    counted, window = pair
    return (window.remaining, counted.item.amount)
