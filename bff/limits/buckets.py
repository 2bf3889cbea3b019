"""The bucket store contract: where each client's cost budget lives between requests.

``memory.py`` (one process, time from a ``Clock``) and ``redis.py`` (shared by every replica;
each charge is one Lua script) implement it with the same semantics, the rules of
``throttle.Bucket``; ``tests/stores/`` runs one contract suite against both.

A request's life with a budget:

1. at admission, ``charge(client, requested_cost, bucket, enforce=...)``; when the charge is not
   ``allowed``, answer ``charge.refusal(requested_cost)`` (``THROTTLED``, or ``QUERY_TOO_COMPLEX``
   when the cost can never fit) and run nothing;
2. after execution, ``refund(client, charge.refundable(actual_cost), bucket)`` gives back what
   was charged but not spent;
3. ``extensions.cost.throttleStatus`` is the last status (``ThrottleStatus.as_extension()``).

**Measure mode** (``enforce=False``, ``BFF_THROTTLE__MODE=measure``) keeps the same books as
enforce mode and only stops refusing: a charge that fits drains the bucket; one that does not fit
is let through *without* draining it (``within_budget`` False, ``charged`` 0), exactly as enforce
mode would have refused it and taken nothing. So what measure mode reports as over budget is what
enforce mode would refuse, and switching modes changes no bucket.

Redis key layout: ``bff:v1:bucket:<sha256(client id)>`` → hash ``{level, at}``, expiring when the
bucket would be full again (an absent bucket is a full one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from bff.errors import QueryTooComplex, Throttled
from bff.limits.throttle import Bucket, ThrottleStatus


@dataclass(frozen=True, slots=True)
class Charge:
    """The outcome of charging a request's cost to its client's bucket."""

    allowed: bool  # the request may run (always, in measure mode)
    within_budget: bool  # the bucket covered the cost (False: refused, or in measure mode would have been)
    charged: int  # points taken from the bucket: the cost when within budget, else 0
    status: ThrottleStatus  # the bucket after the charge
    retry_after_s: float | None  # 0 when within budget; else seconds until it would fit; None: never

    def refundable(self, actual_cost: int) -> int:
        """Points to give back once the request cost ``actual_cost``: what was charged and not spent."""
        return max(0, self.charged - max(0, actual_cost))

    def refusal(self, requested_cost: int) -> Throttled | QueryTooComplex:
        """The error answering a charge that was not allowed: ``THROTTLED`` (HTTP 429 with
        ``Retry-After``), or ``QUERY_TOO_COMPLEX`` when the cost is above the bucket's maximum,
        since waiting would never help."""
        throttle_status = self.status.as_extension()
        cost = {"requestedQueryCost": requested_cost, "throttleStatus": throttle_status}
        if self.retry_after_s is None:
            maximum = self.status.maximum_available
            return QueryTooComplex(
                f"The query is too complex: its cost ({requested_cost}) is over the cost budget ({maximum}), "
                "so it can never run. Ask for fewer fields or smaller pages.",
                extensions={"measure": "costBudget", "value": requested_cost, "limit": maximum, "cost": cost},
            )
        retry_after = max(1, math.ceil(self.retry_after_s))
        return Throttled(
            f"Throttled: the query costs {requested_cost} points and {self.status.currently_available} are "
            f"available (restored at {self.status.restore_rate:g} per second). Retry in {retry_after} s.",
            extensions={"cost": cost, "retryAfterSeconds": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def settle(bucket: Bucket, level: float, cost: int, *, enforce: bool) -> tuple[Charge, float]:
    """The charge of ``cost`` against a bucket at ``level`` (already leaked to now), and the level
    after it: the rule both stores apply (the Redis script mirrors it in Lua)."""
    if cost < 0:
        raise ValueError(f"a cost is never negative, got {cost!r}")
    within = bucket.fits(level, cost)
    after = level - cost if within else level
    charge = Charge(
        allowed=within or not enforce,
        within_budget=within,
        charged=cost if within else 0,
        status=bucket.status(after),
        retry_after_s=bucket.retry_after_s(level, cost),
    )
    return charge, after


class BucketStore(Protocol):
    async def charge(self, client: str, cost: int, bucket: Bucket, *, enforce: bool) -> Charge:
        """Atomically leak ``client``'s bucket to now and take ``cost`` from it if it fits.

        ``enforce=False`` (measure mode): never refuse; the books are kept as in enforce mode
        (see the module docstring). A cost above ``bucket.maximum`` never fits
        (``retry_after_s`` None)."""
        ...

    async def refund(self, client: str, points: int, bucket: Bucket) -> ThrottleStatus:
        """Give ``points`` back (never above the maximum); the status after it."""
        ...

    async def ping(self) -> bool:
        """Whether the store can be reached (readiness)."""
        ...
