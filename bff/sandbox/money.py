"""Prices: base-currency amounts converted to the request's currency, rounded like Magento (2 dp)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

# Display-currency rates against the base currency (USD), as in Stores > Currency Rates.
RATES: dict[str, Decimal] = {"USD": Decimal("1"), "EUR": Decimal("0.9200"), "GBP": Decimal("0.7900")}
SYMBOLS: dict[str, str] = {"USD": "$", "EUR": "€", "GBP": "£"}
CENT = Decimal("0.01")


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=8192)
def convert(amount: Decimal, currency: str) -> Decimal:
    """Base (USD) amount in ``currency``, rounded to cents (remembered, bounded: a catalog has
    few distinct prices)."""
    return round_money(amount * RATES[currency])


def money(amount: Decimal, currency: str) -> dict[str, Any]:
    """A ``Money`` object for an amount already in ``currency``."""
    return {"value": float(round_money(amount)), "currency": currency}
