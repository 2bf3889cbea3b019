"""Money as the BFF models it: a Decimal amount and an ISO currency code."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Money:
    value: Decimal
    currency: str

    @classmethod
    def from_magento(cls, data: dict[str, Any] | None, fallback_currency: str = "USD") -> Money:
        """Magento's ``Money { value currency }`` (value may be null) as a Money."""
        data = data or {}
        value = data.get("value")
        amount = Decimal(str(value if value is not None else 0)).quantize(CENT, rounding=ROUND_HALF_UP)
        return cls(amount, str(data.get("currency") or fallback_currency))
