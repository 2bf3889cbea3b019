"""Cart mutations and the checkout steps. Each answers with the whole cart and its ``userErrors``:
problems the shopper can fix (nothing changed: the cart as it is), or notices next to the cart
(``CART_RECREATED``, refused lines of an add). ``argument`` names the argument the service's
problem paths are relative to (None: they start with the argument's name).

Resolvers are module functions passed as ``resolver=`` so that mypy sees their types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from bff.cart.models import CartOutcome
from bff.graphql.cart.inputs import AddressInput, CartItemInput, CartItemUpdateInput
from bff.graphql.cart.types import CartPayload
from bff.graphql.context import Info
from bff.graphql.errors import ReturnsUserErrors


def _payload(outcome: CartOutcome) -> CartPayload:
    return CartPayload.of(outcome.cart, outcome.notices)


async def add_to_cart(info: Info, items: list[CartItemInput]) -> CartPayload:
    cart = info.context.services.cart
    return _payload(await cart.add_items(info.context.shopper, [i.to_model() for i in items]))


async def update_cart_items(info: Info, items: list[CartItemUpdateInput]) -> CartPayload:
    cart = info.context.services.cart
    return _payload(await cart.update_items(info.context.shopper, [i.to_model() for i in items]))


async def remove_cart_item(info: Info, uid: strawberry.ID) -> CartPayload:
    return _payload(await info.context.services.cart.remove_item(info.context.shopper, str(uid)))


async def apply_coupon(info: Info, code: str) -> CartPayload:
    return _payload(await info.context.services.cart.apply_coupon(info.context.shopper, code))


async def remove_coupon(info: Info) -> CartPayload:
    return _payload(await info.context.services.cart.remove_coupon(info.context.shopper))


async def set_guest_email(info: Info, email: str) -> CartPayload:
    return _payload(await info.context.services.cart.set_guest_email(info.context.shopper, email))


async def set_shipping_address(info: Info, address: AddressInput) -> CartPayload:
    cart = info.context.services.cart
    return _payload(await cart.set_shipping_address(info.context.shopper, address.to_model()))


async def set_billing_address(
    info: Info, address: AddressInput | None = None, same_as_shipping: bool = False
) -> CartPayload:
    cart = info.context.services.cart
    model = address.to_model() if address is not None else None
    return _payload(await cart.set_billing_address(info.context.shopper, model, same_as_shipping))


async def set_shipping_method(info: Info, carrier_code: str, method_code: str) -> CartPayload:
    cart = info.context.services.cart
    return _payload(await cart.set_shipping_method(info.context.shopper, carrier_code, method_code))


async def set_payment_method(info: Info, code: str) -> CartPayload:
    return _payload(await info.context.services.cart.set_payment_method(info.context.shopper, code))


def _mutation(resolver: Callable[..., Any], description: str, argument: str | None = None) -> Any:
    return strawberry.mutation(
        resolver=resolver, extensions=[ReturnsUserErrors(CartPayload, argument=argument)], description=description
    )


@strawberry.type
class CartMutation:
    add_to_cart: CartPayload = _mutation(
        add_to_cart,
        "Add products (configurable: parent SKU + selectedOptions). Refused lines are reported in "
        "userErrors (PRODUCT_NOT_FOUND, INSUFFICIENT_STOCK, NOT_SALABLE, …) next to the cart; the others are "
        "added. The first add opens the cart.",
        "items",
    )
    update_cart_items: CartPayload = _mutation(
        update_cart_items, "Change line quantities; 0 removes the line.", "items"
    )
    remove_cart_item: CartPayload = _mutation(remove_cart_item, "Remove one line by its uid.", "uid")
    apply_coupon: CartPayload = _mutation(apply_coupon, "Apply a coupon code (one per cart).", "code")
    remove_coupon: CartPayload = _mutation(remove_coupon, "Remove the applied coupon, if any.")
    set_guest_email: CartPayload = _mutation(set_guest_email, "Guests: the e-mail address for the order.", "email")
    set_shipping_address: CartPayload = _mutation(
        set_shipping_address, "The shipping address; the cart then lists availableShippingMethods.", "address"
    )
    set_billing_address: CartPayload = _mutation(
        set_billing_address, "The billing address: give `address`, or `sameAsShipping: true` (not both)."
    )
    set_shipping_method: CartPayload = _mutation(
        set_shipping_method, "One of the cart's availableShippingMethods (carrierCode + methodCode)."
    )
    set_payment_method: CartPayload = _mutation(
        set_payment_method, "One of the cart's availablePaymentMethods.", "code"
    )
