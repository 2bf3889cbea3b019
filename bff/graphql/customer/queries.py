"""``viewer``: who is using the storefront."""

from __future__ import annotations

import strawberry

from bff.graphql.context import Info
from bff.graphql.customer.types import Viewer


async def resolve_viewer(info: Info) -> Viewer:
    return Viewer.from_model(await info.context.services.customer.viewer(info.context.shopper))


@strawberry.type
class CustomerQuery:
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer,
        description="Who is using the storefront. Answered without Magento when signed out; "
        "UNAUTHENTICATED when the customer's sign-in has expired (the session continues as a guest's).",
    )
