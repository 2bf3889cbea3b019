"""Checkout types: the checkout state, orders and their payload."""

from __future__ import annotations

import strawberry

from bff.checkout import models
from bff.checkout.service import CheckoutState as CheckoutStateModel
from bff.checkout.steps import Step
from bff.errors import UserProblem
from bff.graphql.cart.types import Cart, PaymentMethod, ShippingMethod
from bff.graphql.primitives import Money, UserError

strawberry.enum(Step, name="CheckoutStep", description="The checkout steps, in order.")


@strawberry.type(description="Where the session's checkout stands, computed from the cart.")
class CheckoutState:
    ready: bool = strawberry.field(description="True when placeOrder can be called.")
    missing_steps: list[Step]
    signed_in: bool
    available_shipping_methods: list[ShippingMethod] = strawberry.field(
        description="Offered for the cart's shipping address (empty until one is set)."
    )
    available_payment_methods: list[PaymentMethod]
    cart: Cart

    @classmethod
    def from_model(cls, m: CheckoutStateModel) -> CheckoutState:
        return cls(
            ready=not m.missing,
            missing_steps=list(m.missing),
            signed_in=m.signed_in,
            available_shipping_methods=[ShippingMethod.of(s) for s in m.cart.available_shipping_methods if s.available],
            available_payment_methods=[
                PaymentMethod(code=p.code, title=p.title) for p in m.cart.available_payment_methods
            ],
            cart=Cart.from_model(m.cart),
        )


@strawberry.type
class Order:
    number: str | None = strawberry.field(
        description="The order number. Null only if Magento placed the order but its answer was lost and "
        "the number could not be looked up (guest checkout): the shopper receives it by e-mail."
    )
    email: str | None
    grand_total: Money

    @classmethod
    def from_model(cls, m: models.Order) -> Order:
        return cls(number=m.number, email=m.email, grand_total=Money.from_model(m.grand_total))


@strawberry.type(description="The result of placeOrder/checkout: the order, and the session's (fresh) cart.")
class OrderPayload:
    order: Order | None
    cart: Cart | None
    user_errors: list[UserError]

    @classmethod
    def from_problems(cls, problems: list[UserProblem]) -> OrderPayload:
        return cls(order=None, cart=None, user_errors=[UserError.from_problem(p) for p in problems])

    @classmethod
    def from_model(cls, m: models.OrderOutcome) -> OrderPayload:
        return cls(
            order=Order.from_model(m.order) if m.order else None,
            cart=Cart.from_model(m.cart),
            user_errors=[UserError.from_problem(p) for p in m.problems],
        )
