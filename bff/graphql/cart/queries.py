"""``cart``: the session's cart (empty, without any upstream call, until something is added).

Resolvers are module functions passed as ``resolver=`` so that mypy sees their types.
"""

from __future__ import annotations

import strawberry

from bff.cart.models import CartParts
from bff.errors import Unauthenticated
from bff.graphql.cart.types import Cart
from bff.graphql.context import Info
from bff.graphql.selection import selection_of

# The fields of ``Cart`` a summary answers (besides lines and prices); any other field needs
# the whole cart, so a field added to ``Cart`` later is fetched until it is listed here.
_SUMMARY_FIELDS = frozenset({"__typename", "id", "totalQuantity", "appliedCoupons", "email", "isVirtual"})


def cart_parts(info: Info) -> CartParts:
    """The parts of the cart the client selected."""
    selected = selection_of(info)
    light = _SUMMARY_FIELDS | {"items", "prices"}
    return CartParts(
        lines="items" in selected,
        prices="prices" in selected,
        shipping_amount="shipping" in selected.below("prices"),
        details=any(name not in light for name in selected.fields),
    )


async def cart(info: Info) -> Cart:
    """The cart; when the customer's sign-in turns out expired, the guest's cart the shopper now has
    (``viewer.customer`` carries UNAUTHENTICATED)."""
    shopper, parts = info.context.shopper, cart_parts(info)
    try:
        return Cart.from_model(await info.context.services.cart.get(shopper, parts))
    except Unauthenticated:
        return Cart.from_model(await info.context.services.cart.get(shopper, parts))


@strawberry.type
class CartQuery:
    cart: Cart = strawberry.field(
        resolver=cart,
        description="The session's cart; an empty cart (and no upstream call) until something is added.",
    )
