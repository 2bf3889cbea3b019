"""Cost-budget throttling as pure maths: a leaky bucket of cost points per client (no I/O).

A client's bucket holds up to ``maximum`` points and starts full. A request is charged its
requested cost; the bucket refills at ``restore_rate`` points per second, never above
``maximum``. A charge fits when the bucket holds at least the cost; when it does not, the client
may retry once enough points are restored: ``(cost - level) / restore_rate`` seconds later. A cost
above ``maximum`` never fits, however long the client waits.

The level is a float (refills are continuous); what clients see (``ThrottleStatus``, the
``extensions.cost.throttleStatus`` of Shopify's API) rounds it down, so it never promises a point
the bucket does not hold. The stores (``memory.py``, and ``redis.py`` in Lua) apply exactly
these rules; ``buckets.py`` names their contract.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    """A bucket as clients see it (``extensions.cost.throttleStatus``)."""

    maximum_available: int
    currently_available: int
    restore_rate: float

    def as_extension(self) -> dict[str, object]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": self.currently_available,
            "restoreRate": self.restore_rate,
        }


@dataclass(frozen=True, slots=True)
class Bucket:
    """A budget: ``maximum`` points, refilled at ``restore_rate`` points per second."""

    maximum: int
    restore_rate: float

    def __post_init__(self) -> None:
        if self.maximum < 1:
            raise ValueError(f"a bucket holds at least 1 point, got maximum={self.maximum!r}")
        if not (self.restore_rate > 0 and math.isfinite(self.restore_rate)):
            raise ValueError(f"restore_rate must be a positive number of points per second, got {self.restore_rate!r}")

    def level_after(self, level: float, elapsed_s: float) -> float:
        """The level ``elapsed_s`` seconds after it was ``level``; time never runs backwards
        (a replica whose clock lags adds nothing), and the bucket never overflows."""
        return min(float(self.maximum), level + max(0.0, elapsed_s) * self.restore_rate)

    def fits(self, level: float, cost: int) -> bool:
        """Whether a charge of ``cost`` points fits in a bucket at ``level``."""
        return cost <= level

    def retry_after_s(self, level: float, cost: int) -> float | None:
        """Seconds until a charge of ``cost`` fits: 0 when it fits now, None when it never can
        (``cost`` is above ``maximum``)."""
        if cost > self.maximum:
            return None
        if self.fits(level, cost):
            return 0.0
        return (cost - level) / self.restore_rate

    def refill_s(self, level: float) -> float:
        """Seconds until a bucket at ``level`` is full again (after that its state can be forgotten)."""
        return max(0.0, self.maximum - level) / self.restore_rate

    def status(self, level: float) -> ThrottleStatus:
        available = min(self.maximum, max(0, math.floor(level)))
        return ThrottleStatus(self.maximum, available, self.restore_rate)
