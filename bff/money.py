"""Money as the BFF models it: a Decimal amount with the currency's scale, and an ISO currency code.

The scale is the currency's ISO 4217 minor unit (2 for USD and EUR, 0 for JPY, 3 for KWD), so a
``Money`` always reads "5.00" in USD, never "5" or "5.0": every amount is rounded half up to it
when the ``Money`` is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# ISO 4217 currencies whose minor unit is not 2 (every other code has 2).
MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI"), 0),
    **dict.fromkeys(("VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4,
    "UYW": 4,
}


def scale_of(currency: str) -> Decimal:
    """The smallest unit of ``currency`` as a Decimal exponent: ``Decimal("0.01")`` for USD."""
    return Decimal(1).scaleb(-MINOR_UNITS.get(currency.upper(), 2))


@dataclass(frozen=True)
class Money:
    value: Decimal
    currency: str

    def __post_init__(self) -> None:
        scale = scale_of(self.currency)
        if self.value.as_tuple().exponent != scale.as_tuple().exponent:
            object.__setattr__(self, "value", self.value.quantize(scale, rounding=ROUND_HALF_UP))

    def to_json(self) -> dict[str, str]:
        return {"value": str(self.value), "currency": self.currency}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, fallback_currency: str = "USD") -> Money:
        """A ``{"value", "currency"}`` mapping (value may be null), as ``to_json`` stores it."""
        data = data or {}
        value = data.get("value")
        return cls(Decimal(str(value if value is not None else 0)), str(data.get("currency") or fallback_currency))
