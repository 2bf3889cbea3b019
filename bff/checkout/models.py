"""Orders as the storefront sees them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bff.cart.models import Cart
from bff.errors import UserProblem
from bff.money import Money


@dataclass(frozen=True)
class Order:
    """A placed order. ``number`` is None only when Magento placed the order but its answer was
    lost and the order could not be looked up (guests): the shopper receives it by e-mail."""

    number: str | None
    email: str | None
    grand_total: Money

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "email": self.email,
            "grand_total": self.grand_total.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Order:
        total = data["grand_total"]
        return cls(
            number=data.get("number"),
            email=data.get("email"),
            grand_total=Money.from_json(total),
        )


@dataclass(frozen=True)
class OrderOutcome:
    """What placeOrder/checkout answer: the order (None on failure), the session's cart now, notices."""

    order: Order | None
    cart: Cart
    problems: tuple[UserProblem, ...] = ()
    replayed: bool = False
