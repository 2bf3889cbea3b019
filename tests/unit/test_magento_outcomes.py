"""Magento's payload error codes become typed outcomes; codes this BFF does not know become OTHER."""

from __future__ import annotations

from typing import Any

from bff.magento.outcomes import LineProblem, LineRefusal, OrderRefusal, line_problem, line_refusal, order_refusals


def test_an_inactive_or_missing_cart_means_the_cart_is_gone() -> None:
    assert order_refusals(["CART_NOT_ACTIVE", "CART_NOT_FOUND"]) == {OrderRefusal.CART_GONE}


def test_a_missing_guest_email_is_its_own_refusal() -> None:
    assert order_refusals(["GUEST_EMAIL_MISSING"]) == {OrderRefusal.GUEST_EMAIL_MISSING}


def test_other_place_order_codes_are_other() -> None:
    unknown: Any = "SOMETHING_NEWER"
    assert order_refusals(["UNABLE_TO_PLACE_ORDER", "UNDEFINED", unknown]) == {OrderRefusal.OTHER}


def test_add_to_cart_codes_map_one_to_one_and_undefined_is_other() -> None:
    assert [line_refusal(c) for c in ("PRODUCT_NOT_FOUND", "NOT_SALABLE", "INSUFFICIENT_STOCK", "UNDEFINED")] == [
        LineRefusal.PRODUCT_NOT_FOUND,
        LineRefusal.NOT_SALABLE,
        LineRefusal.INSUFFICIENT_STOCK,
        LineRefusal.OTHER,
    ]


def test_cart_line_error_codes_map_to_line_problems() -> None:
    assert [line_problem(c) for c in ("ITEM_QTY", "ITEM_INCREMENTS", "UNDEFINED")] == [
        LineProblem.QUANTITY_UNAVAILABLE,
        LineProblem.QUANTITY_INCREMENTS,
        LineProblem.OTHER,
    ]
