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
pass around a window's end, acceptable for a flood guard).

**Round trips.** Every request has fixed-window limits (per IP, per session), few have moving
ones. The fixed windows are counted and read back in one call of a ``windows.WindowCounter`` (in
Redis one Lua script: one round trip for all of them, where the ``limits`` package's strategies
need a ``hit`` and then a ``get_window_stats`` per limit, about three commands in two rounds). The
moving windows stay on the ``limits`` package (its moving-window script is exact and already
atomic), counted concurrently with the fixed ones and read back in a second round only when the
request has any. Keys are those of the ``limits`` package (``item.key_for``) in both cases.

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

Time: ``limits`` reads ``time.time()`` itself (there is no clock to inject), so tests of the moving
windows use short windows; the memory ``WindowCounter`` reads the BFF's ``Clock``; windows in Redis
expire on the server.
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
from limits.aio.strategies import MovingWindowRateLimiter, RateLimiter
from limits.errors import StorageError

from bff.errors import RateLimited, StoreUnavailable
from bff.limits.rate_keys import RequestKeys
from bff.limits.windows import Count, Window, WindowCounter
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
    strategy: RateLimiter | None  # None: a fixed window, counted by the ``WindowCounter``
    identifiers: tuple[str, str]  # (setting, sha256 of the key)


@dataclass(frozen=True, slots=True)
class _Outcome:
    allowed: bool
    remaining: int
    reset_s: float  # seconds until the window frees up


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class RateLimits:
    """The rate limits of ``settings`` counted in ``storage`` (see the module docstring).

    ``storage`` keeps the moving windows, ``windows`` the fixed ones. Raises ``ValueError`` at
    construction for a limit string ``limits`` cannot parse. Storage errors (Redis unreachable)
    propagate from ``check`` as ``StoreUnavailable``."""

    def __init__(self, settings: RateLimitSettings, storage: Storage, windows: WindowCounter) -> None:
        self._enabled = settings.enabled
        self._storage = storage
        self._windows = windows
        moving = MovingWindowRateLimiter(storage)
        self._rules: dict[str, tuple[tuple[RateLimitItem, ...], RateLimiter | None]] = {}
        for name in WHAT:
            text: str = getattr(settings, name)
            try:
                items = tuple(parse_many(text))
            except ValueError as exc:
                raise ValueError(f"rate_limits.{name}: {text!r} is not a limit such as '10/minute'") from exc
            self._rules[name] = (items, moving if name in MOVING else None)

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
        fixed = [c for c in counted if c.strategy is None]
        moving = [c for c in counted if c.strategy is not None]
        windows = [Window(c.item.key_for(*c.identifiers), c.item.get_expiry() * 1000) for c in fixed]
        counts, moved = await asyncio.gather(self._windows.hit(windows), _moving(moving))
        outcomes = [_fixed(c, count) for c, count in zip(fixed, counts, strict=True)] + moved
        pairs = list(zip(fixed + moving, outcomes, strict=True))
        refused = [(c, o) for c, o in pairs if not o.allowed]
        if refused:
            limit, outcome = max(refused, key=lambda pair: pair[1].reset_s)
            status = RateStatus(limit.item.amount, 0, max(1, math.ceil(outcome.reset_s)))
            raise RateLimited(
                f"Too many {WHAT[limit.name]}: at most {limit.item}. Retry in {status.reset_s} s.",
                extensions={"retryAfterSeconds": status.reset_s},
                headers={"Retry-After": str(status.reset_s), **status.headers()},
            )
        limit, outcome = min(pairs, key=_closest)
        return RateStatus(limit.item.amount, outcome.remaining, max(0, math.ceil(outcome.reset_s)))

    async def ping(self) -> bool:
        """Whether the storage can be reached (readiness)."""
        return await self._storage.check()


async def _moving(counted: list[_Counted]) -> list[_Outcome]:
    """Count the moving windows, then read them back (the ``limits`` package's two rounds)."""
    if not counted:
        return []
    try:
        allowed = await asyncio.gather(*(c.strategy.hit(c.item, *c.identifiers) for c in counted if c.strategy))
        stats = await asyncio.gather(
            *(c.strategy.get_window_stats(c.item, *c.identifiers) for c in counted if c.strategy)
        )
    except StorageError as exc:
        raise StoreUnavailable(operation="rate_limits", detail=type(exc).__name__) from exc
    now = time.time()
    return [_Outcome(ok, max(0, s.remaining), s.reset_time - now) for ok, s in zip(allowed, stats, strict=True)]


def _fixed(counted: _Counted, count: Count) -> _Outcome:
    amount = counted.item.amount
    return _Outcome(count.hits <= amount, max(0, amount - count.hits), count.reset_ms / 1000)


def _closest(pair: tuple[_Counted, _Outcome]) -> tuple[int, int]:
    counted, outcome = pair
    return (outcome.remaining, counted.item.amount)
