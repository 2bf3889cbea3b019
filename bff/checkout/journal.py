"""The checkout's journal: what an idempotency key's record says was done, in typed form.

The record (``IdempotencyRecord.steps`` and ``.result``) is stored JSON; this module is the one
place that knows its keys, so the service reads steps, the placeOrder attempt and the replayed
order as values, never as dict lookups. The key names are part of the stored format: records
written before an upgrade are read the same way after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Final

from bff.checkout.models import Order
from bff.money import Money

CART_ID: Final = "cart_id"  # the cart the key was claimed for
PLACE_SENT: Final = "place_order_sent"  # placeOrder was (about to be) sent: a PlaceAttempt


class JournalStep(StrEnum):
    """The set-steps ``checkout`` records as done (stored as ``step:<value>``)."""

    EMAIL = "email"
    SHIPPING_ADDRESS = "shipping_address"
    BILLING_ADDRESS = "billing_address"
    SHIPPING_METHOD = "shipping_method"
    PAYMENT_METHOD = "payment_method"

    @property
    def key(self) -> str:
        return f"step:{self.value}"


@dataclass(frozen=True)
class PlaceAttempt:
    """What the cart looked like when placeOrder was sent: enough to report the order if the
    answer is lost (and to find its number among a customer's recent orders)."""

    at: float
    email: str | None
    grand_total: Money

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "email": self.email, "grand_total": str(self.grand_total.value),
                "currency": self.grand_total.currency}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlaceAttempt:
        email = data.get("email")
        total = Money(Decimal(str(data.get("grand_total") or "0")), str(data.get("currency") or "USD"))
        return cls(at=float(data.get("at") or 0), email=email if isinstance(email, str) else None, grand_total=total)


class Journal:
    """A read view of a key's recorded steps."""

    def __init__(self, steps: Mapping[str, Any]) -> None:
        self._steps = dict(steps)

    def has_cart(self) -> bool:
        return CART_ID in self._steps

    def done(self, step: JournalStep) -> bool:
        return bool(self._steps.get(step.key))

    def place_attempt(self) -> PlaceAttempt | None:
        attempt = self._steps.get(PLACE_SENT)
        return PlaceAttempt.from_json(attempt) if isinstance(attempt, Mapping) else None


def result_of(order: Order) -> dict[str, object]:
    """The record's result for a placed order (what a replay returns)."""
    return {"order": order.to_json()}


def replayed_order(result: Mapping[str, Any]) -> Order:
    return Order.from_json(result["order"])
