"""Magento's checkout answers (generated views) → orders and typed refusals.

The only module of the checkout package that names Magento's fields.
"""

from __future__ import annotations

from bff.checkout.models import Order
from bff.magento.money import money
from bff.magento.outcomes import OrderRefusal, order_refusals
from bff.magento.results.checkout import PlaceOrderResult, RecentOrdersResult
from bff.magento.times import utc_time
from bff.money import Money


def placed_order(result: PlaceOrderResult, *, email: str | None, currency: str) -> Order | None:
    """The order ``placeOrder`` placed; None when it refused (see ``refusals``)."""
    payload = result.placeOrder
    placed = payload.orderV2 if payload is not None else None
    if placed is None or (payload is not None and payload.errors):
        return None
    total = money(placed.total.grand_total if placed.total else None, currency)
    return Order(number=placed.number, email=placed.email or email, grand_total=total)


def refusals(result: PlaceOrderResult) -> frozenset[OrderRefusal]:
    """Why ``placeOrder`` placed no order (empty when it placed one)."""
    payload = result.placeOrder
    return order_refusals(e.code for e in payload.errors) if payload is not None else frozenset()


def recent_order_number(result: RecentOrdersResult, *, placed_after: float, total: Money) -> str | None:
    """The number of the customer's recent order placed after ``placed_after`` for ``total``."""
    orders = result.customer.orders if result.customer is not None else None
    for item in orders.items if orders is not None else ():
        if item is None:
            continue
        placed_at = utc_time(item.order_date)
        placed = placed_at.timestamp() if placed_at is not None else None
        amount = money(item.total.grand_total if item.total else None, total.currency)
        if placed is not None and placed >= placed_after and amount == total:
            return item.number or None
    return None
