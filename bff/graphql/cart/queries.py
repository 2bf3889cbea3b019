"""``cart``: the session's cart (empty, without any upstream call, until something is added).

Resolvers are module functions passed as ``resolver=`` so that mypy sees their types.
"""

from __future__ import annotations

import strawberry

from bff.errors import Unauthenticated
from bff.graphql.cart.types import Cart
from bff.graphql.context import Info


async def cart(info: Info) -> Cart:
    """The cart; when the customer's sign-in turns out expired, the guest's cart the shopper now has
    (``viewer.customer`` carries UNAUTHENTICATED)."""
    shopper = info.context.shopper
    try:
        return Cart.from_model(await info.context.services.cart.get(shopper))
    except Unauthenticated:
        return Cart.from_model(await info.context.services.cart.get(shopper))


@strawberry.type
class CartQuery:
    cart: Cart = strawberry.field(
        resolver=cart,
        description="The session's cart; an empty cart (and no upstream call) until something is added.",
    )
