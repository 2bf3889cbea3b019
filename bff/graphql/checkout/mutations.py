"""placeOrder and checkout: idempotent per ``idempotencyKey`` (see bff/checkout/service.py)."""

from __future__ import annotations

import strawberry

from bff.checkout.service import CheckoutRequest
from bff.graphql.cart.inputs import AddressInput
from bff.graphql.checkout.types import OrderPayload
from bff.graphql.context import Info
from bff.graphql.errors import ReturnsUserErrors


@strawberry.input
class ShippingMethodInput:
    carrier_code: str
    method_code: str


@strawberry.input
class PaymentMethodInput:
    code: str


@strawberry.input(description="Everything checkout needs, to place the order in one request.")
class CheckoutInput:
    idempotency_key: str = strawberry.field(description="A client-generated key (e.g. a UUID) per order attempt.")
    email: str | None = strawberry.field(default=None, description="Required for guests.")
    shipping_address: AddressInput | None = None
    billing_address: AddressInput | None = strawberry.field(default=None, description="Omit: same as shipping.")
    shipping_method: ShippingMethodInput | None = None
    payment_method: PaymentMethodInput | None = None

    def to_request(self) -> CheckoutRequest:
        return CheckoutRequest(
            idempotency_key=self.idempotency_key,
            email=self.email,
            shipping_address=self.shipping_address.to_model() if self.shipping_address else None,
            billing_address=self.billing_address.to_model() if self.billing_address else None,
            shipping_method=(self.shipping_method.carrier_code, self.shipping_method.method_code)
            if self.shipping_method
            else None,
            payment_method=self.payment_method.code if self.payment_method else None,
        )


async def place_order(info: Info, idempotency_key: str) -> OrderPayload:
    outcome = await info.context.services.checkout.place_order(info.context.shopper, idempotency_key)
    return OrderPayload.from_model(outcome)


async def checkout(info: Info, input: CheckoutInput) -> OrderPayload:
    outcome = await info.context.services.checkout.checkout(info.context.shopper, input.to_request())
    return OrderPayload.from_model(outcome)


@strawberry.type
class CheckoutMutation:
    place_order: OrderPayload = strawberry.mutation(
        resolver=place_order,
        extensions=[ReturnsUserErrors(OrderPayload, argument="idempotencyKey")],
        description="Place the order for the session's cart. The same idempotencyKey within 24 hours returns the "
        "same order, also when retried after a timeout or sent concurrently; at most one order is placed. "
        "The same key with a different cart is IDEMPOTENCY_CONFLICT (in userErrors); CHECKOUT_INCOMPLETE lists "
        "the missingSteps.",
    )
    checkout: OrderPayload = strawberry.mutation(
        resolver=checkout,
        extensions=[ReturnsUserErrors(OrderPayload, argument="input")],
        description="Run the whole checkout (email, addresses, shipping, payment, order) in one request. "
        "Idempotent like placeOrder (a different input under the same key is IDEMPOTENCY_CONFLICT); "
        "a retry resumes after the last completed step.",
    )
