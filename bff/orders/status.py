"""Order statuses Magento announced through ``POST /hooks/magento/order``, kept for a while.

``viewer.orders`` reads Magento's order list on every request; its status is the truth. Right
after a change, though, that read can still answer the old status: Adobe Commerce reading from a
MySQL replica, a cache in front of Magento, an order grid that is indexed asynchronously. The
announcement bridges that gap: for ``BFF_WEBHOOK_ORDER_STATUS_TTL_S`` after Magento announced a
status, ``viewer.orders`` shows it, whatever the read answered; after that only Magento's read
counts, so a lost later announcement cannot pin an old status for long.

Announcements can arrive out of order (Magento retries a failed one, several web nodes send):
the one Magento made later (its ``updated_at``) wins, an older one arriving after it is ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from bff.clock import Clock

# Magento 2.4's default status labels (sales_order_status); the storefront shows the label, as
# Magento's own ``CustomerOrder.status`` does. An announcement may carry its own (custom) label.
DEFAULT_LABELS: Final = {
    "pending": "Pending",
    "pending_payment": "Pending Payment",
    "payment_review": "Payment Review",
    "processing": "Processing",
    "fraud": "Suspected Fraud",
    "holded": "On Hold",
    "complete": "Complete",
    "closed": "Closed",
    "canceled": "Canceled",
}


SWEEP_EVERY: Final = 1024  # recorded announcements between two sweeps of the expired ones (memory twin)


def default_label(status: str) -> str:
    """``"complete"`` → ``"Complete"``; a custom status ``"ready_for_pickup"`` → ``"Ready For Pickup"``."""
    return DEFAULT_LABELS.get(status) or status.replace("_", " ").title()


@dataclass(frozen=True)
class AnnouncedStatus:
    status: str  # Magento's status code, e.g. "complete"
    label: str  # what the storefront shows, e.g. "Complete"
    at: float  # when Magento changed it (epoch seconds)


class OrderStatuses(Protocol):
    async def record(self, number: str, announced: AnnouncedStatus, ttl_s: int) -> bool:
        """Keep ``announced`` for ``ttl_s`` unless a later one is kept already (then False).
        Raises ``bff.errors.StoreUnavailable`` when the store does not answer."""
        ...

    async def announced(self, numbers: Sequence[str]) -> dict[str, AnnouncedStatus]:
        """The kept announcements of those orders (by number). Raises ``StoreUnavailable``."""
        ...


class MemoryOrderStatuses:
    """One process's announcements (no Redis): what a single replica heard."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._kept: dict[str, tuple[AnnouncedStatus, float]] = {}  # number → (announcement, expires at)
        self._writes = 0

    def _live(self, number: str) -> AnnouncedStatus | None:
        kept = self._kept.get(number)
        if kept is None:
            return None
        if kept[1] <= self.clock.now():
            del self._kept[number]
            return None
        return kept[0]

    async def record(self, number: str, announced: AnnouncedStatus, ttl_s: int) -> bool:
        current = self._live(number)
        if current is not None and current.at > announced.at:
            return False
        self._kept[number] = (announced, self.clock.now() + ttl_s)
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:  # announcements never read again expire here
            now = self.clock.now()
            for key in [k for k, (_, expires) in self._kept.items() if expires <= now]:
                del self._kept[key]
        return True

    async def announced(self, numbers: Sequence[str]) -> dict[str, AnnouncedStatus]:
        return {n: a for n in numbers if (a := self._live(n)) is not None}
