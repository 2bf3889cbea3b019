"""Checkout types: the checkout state, orders and their payload."""

from __future__ import annotations

from uuid import uuid4

import strawberry

from bff.cart.models import Cart as CartModel
from bff.cart.models import CartRefused
from bff.checkout import models
from bff.checkout.service import CheckoutState as CheckoutStateModel
from bff.checkout.steps import Step
from bff.errors import UserFacingError
from bff.graphql.cart.types import Cart, PaymentMethod, ShippingMethod, payload_cart
from bff.graphql.context import Info
from bff.graphql.node import Node, node_id
from bff.graphql.primitives import Money, UserError


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


@strawberry.type(
    description="An order just placed. Its `id` is its `OrderSummary`'s (in `viewer.customer.orders`), "
    "or, without a number, one of its own that `node` does not find."
)
class Order(Node):
    number: str | None = strawberry.field(
        description="The order number. Null only if Magento placed the order but its answer was lost and "
        "the number could not be looked up (guest checkout): the shopper receives it by e-mail."
    )
    email: str | None
    grand_total: Money

    @classmethod
    def from_model(cls, m: models.Order) -> Order:
        key = node_id("Order", m.number) if m.number else node_id("UnnumberedOrder", uuid4().hex)
        return cls(id=key, number=m.number, email=m.email, grand_total=Money.from_model(m.grand_total))


async def _order_payload_cart(root: OrderPayload, info: Info) -> Cart:
    return await payload_cart(root.known_cart, info)


@strawberry.type(
    description="The result of placeOrder/checkout: the order (null when none was placed), the session's cart "
    "(the new, empty one after an order), and what went wrong."
)
class OrderPayload:
    order: Order | None
    user_errors: list[UserError]
    cart: Cart = strawberry.field(
        resolver=_order_payload_cart,
        description="The session's cart now: after an order the new, empty one; else the cart as it is.",
    )
    known_cart: strawberry.Private[CartModel | None] = None

    @classmethod
    def from_error(cls, error: UserFacingError) -> OrderPayload:
        known = error.cart if isinstance(error, CartRefused) else None
        return cls(order=None, user_errors=[UserError.from_problem(p) for p in error.problems], known_cart=known)

    @classmethod
    def from_model(cls, m: models.OrderOutcome) -> OrderPayload:
        return cls(
            order=Order.from_model(m.order) if m.order else None,
            user_errors=[UserError.from_problem(p) for p in m.problems],
            known_cart=m.cart,
        )
