"""Magento's ``Money { value currency }`` (generated view) as the BFF's ``Money``.

Conversions are memoised: a page repeats the same few amounts (prices, zero discounts) many
times, ``Money`` is immutable, and turning a float into a cent-exact ``Decimal`` is the costliest
step of mapping an answer.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from bff.magento.results.fragments import Money as MagentoMoney
from bff.money import Money


def money(view: MagentoMoney | None, fallback_currency: str = "USD") -> Money:
    """Exact to the currency's scale (``bff.money``); a missing value is 0, a missing currency
    ``fallback_currency``."""
    if view is None:
        return _money(None, fallback_currency)
    return _money(view.value, view.currency or fallback_currency)


@lru_cache(maxsize=8192)
def _money(value: float | None, currency: str) -> Money:
    return Money(Decimal(str(value if value is not None else 0)), currency)
