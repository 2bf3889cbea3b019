"""Magento's ``Money { value currency }`` (generated view) as the BFF's ``Money``."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from bff.magento.results.fragments import Money as MagentoMoney
from bff.money import CENT, Money


def money(view: MagentoMoney | None, fallback_currency: str = "USD") -> Money:
    """Exact to the cent; a missing value is 0 and a missing currency ``fallback_currency``."""
    if view is None:
        return Money(Decimal("0.00"), fallback_currency)
    value = view.value
    amount = Decimal(str(value if value is not None else 0)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Money(amount, str(view.currency or fallback_currency))
