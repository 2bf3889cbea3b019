"""Checkout steps and what is still missing, computed purely from the cart (never from the client)."""

from __future__ import annotations

from enum import StrEnum

from bff.cart.models import Cart
from bff.errors import CheckoutIncomplete


class Step(StrEnum):
    """The checkout steps, in the order they are done."""

    ITEMS = "ITEMS"
    EMAIL = "EMAIL"
    SHIPPING_ADDRESS = "SHIPPING_ADDRESS"
    SHIPPING_METHOD = "SHIPPING_METHOD"
    BILLING_ADDRESS = "BILLING_ADDRESS"
    PAYMENT_METHOD = "PAYMENT_METHOD"


def missing_steps(cart: Cart, *, signed_in: bool) -> list[Step]:
    """Steps not yet done for ``cart``. A signed-in customer's e-mail comes from the account;
    a virtual cart (nothing to ship) needs no shipping address or method."""
    ships = not cart.is_virtual
    done = {
        Step.ITEMS: bool(cart.lines),
        Step.EMAIL: signed_in or bool(cart.email),
        Step.SHIPPING_ADDRESS: not ships or cart.shipping_address is not None,
        Step.SHIPPING_METHOD: not ships or cart.selected_shipping_method is not None,
        Step.BILLING_ADDRESS: cart.billing_address is not None,
        Step.PAYMENT_METHOD: cart.selected_payment_method is not None,
    }
    return [step for step in Step if not done[step]]


def ensure_ready(cart: Cart, *, signed_in: bool) -> None:
    missing = missing_steps(cart, signed_in=signed_in)
    if missing:
        raise CheckoutIncomplete([str(s) for s in missing])
