"""``add_clamped`` and ``merge_lines``: moving guest lines into the customer's cart within stock."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from bff.cart.merge import LineRefused, add_clamped, merge_lines
from bff.cart.models import CartLine, SelectedOption
from bff.errors import BffError, Unauthenticated, UserErrorCode, UserProblem
from bff.money import Money


class Stock:
    """A fake ``add``: accepts a quantity while it fits in what is left, and counts calls."""

    def __init__(self, available: Decimal) -> None:
        self.available = available
        self.calls: list[Decimal] = []

    async def add(self, quantity: Decimal) -> bool:
        self.calls.append(quantity)
        if quantity > self.available:
            return False
        self.available -= quantity
        return True


async def test_everything_is_added_in_one_call_when_stock_allows() -> None:
    stock = Stock(Decimal(100))
    assert await add_clamped(stock.add, Decimal(7)) == Decimal(7)
    assert stock.calls == [Decimal(7)]


async def test_the_added_quantity_is_clamped_to_the_stock() -> None:
    stock = Stock(Decimal(5))
    assert await add_clamped(stock.add, Decimal(8)) == Decimal(5)
    assert stock.available == 0


async def test_nothing_is_added_when_nothing_is_in_stock() -> None:
    stock = Stock(Decimal(0))
    assert await add_clamped(stock.add, Decimal(3)) == Decimal(0)


async def test_nothing_is_asked_for_a_zero_quantity() -> None:
    stock = Stock(Decimal(10))
    assert await add_clamped(stock.add, Decimal(0)) == Decimal(0)
    assert stock.calls == []


@pytest.mark.parametrize(("wanted", "available"), [(10_000, 1), (10_000, 9_999), (1_000, 377), (64, 63), (3, 2)])
async def test_the_number_of_calls_grows_with_the_logarithm_of_the_quantity(wanted: int, available: int) -> None:
    stock = Stock(Decimal(available))
    assert await add_clamped(stock.add, Decimal(wanted)) == Decimal(available)
    assert len(stock.calls) <= 2 * math.ceil(math.log2(wanted)) + 1


@pytest.mark.parametrize("available", range(0, 33))
async def test_every_available_quantity_is_found(available: int) -> None:
    stock = Stock(Decimal(available))
    assert await add_clamped(stock.add, Decimal(32)) == Decimal(available)


async def test_a_permanent_refusal_propagates() -> None:
    async def refuse(_q: Decimal) -> bool:
        raise LineRefused("PRODUCT_NOT_FOUND")

    with pytest.raises(LineRefused):
        await add_clamped(refuse, Decimal(2))


def line(sku: str, quantity: int, name: str = "Bag", options: tuple[SelectedOption, ...] = ()) -> CartLine:
    zero = Money(Decimal(0), "USD")
    return CartLine(
        uid=f"uid-{sku}",
        quantity=Decimal(quantity),
        sku=sku,
        variant_sku=None,
        name=name,
        url_key=None,
        thumbnail_url=None,
        in_stock=True,
        available=True,
        price=zero,
        row_total=zero,
        discount=zero,
        options=options,
    )


async def test_merging_reports_clamped_and_failed_lines_and_keeps_going() -> None:
    stocks = {"BAG-001": Stock(Decimal(10)), "LAST-ONE": Stock(Decimal(1)), "SOLD-OUT": Stock(Decimal(0))}

    async def add(cart_line: CartLine, quantity: Decimal) -> bool:
        return await stocks[cart_line.sku].add(quantity)

    red = (SelectedOption("o1", "v1", "Color", "Red"),)
    notices = await merge_lines(
        (line("BAG-001", 2), line("LAST-ONE", 3, "Last One", red), line("SOLD-OUT", 1, "Sold Out")), add
    )
    assert notices == (
        UserProblem(
            UserErrorCode.QUANTITY_ADJUSTED,
            "Only 1 of 3 × Last One (Red) from your earlier cart could be added (limited stock).",
        ),
        UserProblem(UserErrorCode.MERGE_FAILED, "Sold Out from your earlier cart could not be added to your cart."),
    )
    assert stocks["BAG-001"].available == 8


async def test_a_line_that_errors_becomes_merge_failed_without_stopping_the_merge() -> None:
    added: list[str] = []

    async def add(cart_line: CartLine, quantity: Decimal) -> bool:
        if cart_line.sku == "GONE":
            raise LineRefused("PRODUCT_NOT_FOUND")
        if cart_line.sku == "BROKEN":
            raise BffError(detail="upstream failed")
        added.append(cart_line.sku)
        return True

    notices = await merge_lines((line("GONE", 1, "Gone"), line("BROKEN", 1, "Broken"), line("OK", 1)), add)
    assert [n.code for n in notices] == [UserErrorCode.MERGE_FAILED, UserErrorCode.MERGE_FAILED]
    assert added == ["OK"]


async def test_an_ended_customer_session_stops_the_merge() -> None:
    async def add(_line: CartLine, _quantity: Decimal) -> bool:
        raise Unauthenticated()

    with pytest.raises(Unauthenticated):
        await merge_lines((line("BAG-001", 1),), add)
