"""Money keeps its currency's scale (ISO 4217 minor units), whatever amount it is made from."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bff.money import Money


@pytest.mark.parametrize(
    ("amount", "currency", "value"),
    [
        ("5", "USD", "5.00"),
        ("5.0", "EUR", "5.00"),
        ("0", "USD", "0.00"),
        ("4.995", "USD", "5.00"),
        ("500.4", "JPY", "500"),
        ("1.2345", "KWD", "1.235"),
        ("7", "usd", "7.00"),
    ],
)
def test_an_amount_is_rounded_half_up_to_the_currencys_scale(amount: str, currency: str, value: str) -> None:
    assert str(Money(Decimal(amount), currency).value) == value


def test_a_stored_amount_without_a_value_is_zero_with_the_currencys_scale() -> None:
    assert Money.from_json({"value": None, "currency": "GBP"}) == Money(Decimal("0.00"), "GBP")
