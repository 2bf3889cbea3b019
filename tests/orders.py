"""Orders written straight into a sandbox state (for paging tests that need many of them)."""

from __future__ import annotations

from decimal import Decimal

from bff.sandbox.state import Order, SandboxState


def add_orders(state: SandboxState, email: str, count: int, store_code: str = "default") -> None:
    """``count`` orders of the customer with ``email``, 10.00 USD each, placed a minute apart from
    2026-11-01 10:01 UTC on (number 000000001 the oldest)."""
    customer = state.customer_by_email(email)
    assert customer is not None
    for _ in range(count):
        i = state.next_id("order")
        order = Order(id=i, number=f"{i:09d}", token=f"t{i}", cart_masked_id=f"c{i}", store_code=store_code,
                      currency="USD", customer_id=customer.id, email=customer.email,
                      created_at=f"2026-11-01 10:{i:02d}:00", lines=[], subtotal=Decimal(10), discount=Decimal(0),
                      shipping=Decimal(0), tax=Decimal(0), grand_total=Decimal(10), shipping_method=None,
                      payment_method="checkmo", shipping_address=None, billing_address=None)  # fmt: skip
        state.orders.append(order)
