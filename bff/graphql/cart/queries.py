"""``cart``: the session's cart (empty, without any upstream call, until something is added).

Resolvers are module functions passed as ``resolver=`` so that mypy sees their types.
"""

from __future__ import annotations

import strawberry

from bff.graphql.cart.types import Cart
from bff.graphql.context import Info


async def cart(info: Info) -> Cart:
    return Cart.from_model(await info.context.services.cart.get(info.context.shopper))


@strawberry.type
class CartQuery:
    cart: Cart = strawberry.field(
        resolver=cart,
        description="The session's cart; an empty cart (and no upstream call) until something is added.",
    )
