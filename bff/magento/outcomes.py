"""Magento's error vocabulary in payloads, as typed outcomes services can match.

GraphQL errors are mapped by ``extensions.category`` into exceptions (``bff.magento.errors``);
refusals that come back inside a payload (``placeOrder.errors[].code``,
``addProductsToCart.user_errors[].code``, a cart line's ``errors[].code``) are turned into these
enums here, so services never compare Magento's strings. A code this BFF does not know (a newer
Magento) becomes the enum's ``OTHER``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum, auto
from typing import Final

from bff.magento.results.enums import CartItemErrorType, CartUserInputErrorType, PlaceOrderErrorCodes


class OrderRefusal(Enum):
    """Why ``placeOrder`` did not place an order."""

    CART_GONE = auto()  # the cart is not found or no longer active: an order may have consumed it
    GUEST_EMAIL_MISSING = auto()
    OTHER = auto()


class LineRefusal(Enum):
    """Why ``addProductsToCart`` refused a line (the other lines are added)."""

    PRODUCT_NOT_FOUND = auto()
    NOT_SALABLE = auto()
    INSUFFICIENT_STOCK = auto()
    OTHER = auto()  # Magento's UNDEFINED: e.g. a configurable product without its options


class LineProblem(Enum):
    """What is wrong with a line already in the cart."""

    QUANTITY_UNAVAILABLE = auto()
    QUANTITY_INCREMENTS = auto()
    OTHER = auto()


_ORDER: Final[dict[PlaceOrderErrorCodes, OrderRefusal]] = {
    "CART_NOT_FOUND": OrderRefusal.CART_GONE,
    "CART_NOT_ACTIVE": OrderRefusal.CART_GONE,
    "GUEST_EMAIL_MISSING": OrderRefusal.GUEST_EMAIL_MISSING,
}
_LINE_REFUSAL: Final[dict[CartUserInputErrorType, LineRefusal]] = {
    "PRODUCT_NOT_FOUND": LineRefusal.PRODUCT_NOT_FOUND,
    "NOT_SALABLE": LineRefusal.NOT_SALABLE,
    "INSUFFICIENT_STOCK": LineRefusal.INSUFFICIENT_STOCK,
}
_LINE_PROBLEM: Final[dict[CartItemErrorType, LineProblem]] = {
    "ITEM_QTY": LineProblem.QUANTITY_UNAVAILABLE,
    "ITEM_INCREMENTS": LineProblem.QUANTITY_INCREMENTS,
}


def order_refusals(codes: Iterable[PlaceOrderErrorCodes]) -> frozenset[OrderRefusal]:
    return frozenset(_ORDER.get(code, OrderRefusal.OTHER) for code in codes)


def line_refusal(code: CartUserInputErrorType) -> LineRefusal:
    return _LINE_REFUSAL.get(code, LineRefusal.OTHER)


def line_problem(code: CartItemErrorType) -> LineProblem:
    return _LINE_PROBLEM.get(code, LineProblem.OTHER)
