"""checkout: where the session's checkout stands."""

from __future__ import annotations

import strawberry

from bff.graphql.checkout.types import CheckoutState
from bff.graphql.context import Info


async def checkout(info: Info) -> CheckoutState:
    return CheckoutState.from_model(await info.context.services.checkout.state(info.context.shopper))


@strawberry.type
class CheckoutQuery:
    checkout: CheckoutState = strawberry.field(
        resolver=checkout,
        description="The session's checkout: done and missing steps, and the shipping/payment methods on offer.",
    )
