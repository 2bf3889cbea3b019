"""missing_steps: what checkout still needs, computed from the cart alone."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bff.cart.models import Address, Cart, CartLine, PaymentMethod, ShippingMethod
from bff.checkout.steps import Step, ensure_ready, missing_steps
from bff.errors import CheckoutIncomplete, UserErrorCode
from bff.money import Money

USD = Money(Decimal("10.00"), "USD")
ADDRESS = Address(
    firstname="Jane",
    lastname="Doe",
    street=("1 Main St",),
    city="Austin",
    postcode="78701",
    country_code="US",
    telephone="5125550100",
    region_code="TX",
)
LINE = CartLine(
    uid="MQ==",
    quantity=Decimal(1),
    sku="BAG-001",
    variant_sku=None,
    name="Bag",
    url_key="bag",
    thumbnail_url=None,
    in_stock=True,
    available=True,
    price=USD,
    row_total=USD,
    discount=USD,
)
FLATRATE = ShippingMethod("flatrate", "flatrate", "Flat Rate", "Fixed", USD)


def _ready_cart() -> Cart:
    return replace(
        Cart.empty(),
        lines=(LINE,),
        email="jane@example.com",
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        selected_shipping_method=FLATRATE,
        selected_payment_method=PaymentMethod("checkmo", "Check / Money order"),
    )


def test_an_empty_cart_misses_every_step_in_order() -> None:
    assert missing_steps(Cart.empty(), signed_in=False) == list(Step)


def test_a_complete_cart_misses_nothing() -> None:
    assert missing_steps(_ready_cart(), signed_in=False) == []


def test_signed_in_customers_need_no_guest_email() -> None:
    cart = replace(_ready_cart(), email=None)
    assert missing_steps(cart, signed_in=True) == []
    assert missing_steps(cart, signed_in=False) == [Step.EMAIL]


def test_virtual_carts_need_no_shipping_steps() -> None:
    cart = replace(_ready_cart(), is_virtual=True, shipping_address=None, selected_shipping_method=None)
    assert missing_steps(cart, signed_in=False) == []


def test_each_missing_part_is_reported_as_its_step() -> None:
    cart = replace(_ready_cart(), selected_shipping_method=None, selected_payment_method=None)
    assert missing_steps(cart, signed_in=False) == [Step.SHIPPING_METHOD, Step.PAYMENT_METHOD]


def test_ensure_ready_raises_checkout_incomplete_naming_the_missing_steps() -> None:
    with pytest.raises(CheckoutIncomplete) as raised:
        ensure_ready(replace(_ready_cart(), billing_address=None), signed_in=False)
    assert raised.value.missing == ["BILLING_ADDRESS"]
    assert raised.value.problems[0].code == UserErrorCode.CHECKOUT_INCOMPLETE
    assert "billing address" in raised.value.problems[0].message
