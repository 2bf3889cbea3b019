"""``viewer``: who is using the storefront."""

from __future__ import annotations

import strawberry

from bff.errors import Unauthenticated
from bff.graphql.context import Info
from bff.graphql.customer.types import Viewer


async def resolve_viewer(info: Info) -> Viewer:
    """The viewer; when the sign-in expired, a signed-out viewer whose ``customer`` says
    UNAUTHENTICATED, so the rest of the page keeps its data."""
    shopper = info.context.shopper
    try:
        viewer = Viewer.from_model(await info.context.services.customer.viewer(shopper))
    except Unauthenticated:
        return Viewer.ended()
    return Viewer.ended() if shopper.sign_in_ended else viewer


@strawberry.type
class CustomerQuery:
    viewer: Viewer = strawberry.field(
        resolver=resolve_viewer,
        description="Who is using the storefront. Answered without Magento when signed out. When the customer's "
        "sign-in has expired: `signedIn: false` and UNAUTHENTICATED on `customer` (the session continues as a "
        "guest's; the other fields of the request keep their data).",
    )
