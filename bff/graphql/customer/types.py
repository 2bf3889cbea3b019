"""Customer types of the storefront schema (thin: built from ``bff.customer.models``)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from bff.customer import models
from bff.errors import Unauthenticated, UserFacingError
from bff.graphql.cart.types import Cart, payload_cart
from bff.graphql.context import Info
from bff.graphql.node import Node, customer_key, node_id
from bff.graphql.primitives import Money, PageInfo, UserError


@strawberry.type(description="One of the customer's orders, as listed in their account.")
class OrderSummary(Node):
    number: str
    placed_at: datetime = strawberry.field(description="When the order was placed, e.g. `2026-11-26T22:19:55+00:00`.")
    status: str
    grand_total: Money

    @classmethod
    def from_model(cls, m: models.OrderSummary) -> OrderSummary:
        return cls(
            id=node_id("Order", m.number),
            number=m.number,
            placed_at=m.placed_at,
            status=m.status,
            grand_total=Money.from_model(m.grand_total),
        )


@strawberry.type(description="A page of the customer's orders, newest first.")
class OrderHistory:
    items: list[OrderSummary]
    total_count: int
    page_info: PageInfo

    @classmethod
    def from_model(cls, m: models.OrderPage) -> OrderHistory:
        return cls(
            items=[OrderSummary.from_model(o) for o in m.items],
            total_count=m.total_count,
            page_info=PageInfo(current_page=m.current_page, page_size=m.page_size, total_pages=m.total_pages),
        )


async def _customer_orders(root: Customer, info: Info, page: int = 1, page_size: int = 5) -> OrderHistory:
    found = await info.context.services.customer.orders(info.context.shopper, page, page_size, known=root.known)
    return OrderHistory.from_model(found)


@strawberry.type(description="The signed-in customer.")
class Customer(Node):
    firstname: str
    lastname: str
    email: str
    order_count: int = strawberry.field(description="How many orders the customer has placed in this store.")
    known: strawberry.Private[models.Customer | None] = None
    orders: OrderHistory = strawberry.field(
        resolver=_customer_orders,
        description="The orders placed in this store view, newest first: `page` >= 1, `pageSize` 1 to 50 (else "
        "BAD_USER_INPUT); a page beyond the last one has no items. The first page of up to five orders comes "
        "with the viewer, without another Magento call.",
    )

    @classmethod
    def from_model(cls, m: models.Customer) -> Customer:
        return cls(
            id=node_id("Customer", customer_key(m.email)),
            firstname=m.firstname,
            lastname=m.lastname,
            email=m.email,
            order_count=m.order_count,
            known=m,
        )


@strawberry.type(description="Who is using the storefront.")
class Viewer:
    signed_in: bool
    known_customer: strawberry.Private[Customer | None] = None
    sign_in_ended: strawberry.Private[bool] = False  # this request found the sign-in expired
    customer: Customer | None = strawberry.field(
        resolver=lambda root: _viewer_customer(root),
        description="Null when signed out. UNAUTHENTICATED (and null) when this request found the customer's "
        "sign-in expired: sign in again.",
    )

    @classmethod
    def from_model(cls, m: models.Viewer) -> Viewer:
        return cls(signed_in=m.signed_in, known_customer=Customer.from_model(m.customer) if m.customer else None)

    @classmethod
    def ended(cls) -> Viewer:
        """A shopper whose sign-in this request found expired: a guest, with UNAUTHENTICATED on ``customer``."""
        return cls(signed_in=False, sign_in_ended=True)


def _viewer_customer(root: Viewer) -> Customer | None:
    if root.sign_in_ended:
        raise Unauthenticated()
    return root.known_customer


@strawberry.input(description="A new customer account.")
class SignUpInput:
    firstname: str
    lastname: str
    email: str
    password: str = strawberry.field(
        description="At least 8 characters using 3 of: lower case, upper case, "
        "digits, special characters (the store's rules)."
    )
    newsletter: bool = False

    def to_model(self) -> models.SignUp:
        return models.SignUp.of(self.firstname, self.lastname, self.email, self.password, self.newsletter)


async def _auth_payload_cart(info: Info) -> Cart:
    return await payload_cart(None, info)


@strawberry.type(
    description="The result of signUp, signIn and signOut: the viewer and the session's cart as they are now, "
    "and what went wrong or what the BFF did (e.g. a cart quantity adjusted in the merge)."
)
class AuthPayload:
    user_errors: list[UserError]
    cart: Cart = strawberry.field(
        resolver=_auth_payload_cart,
        description="The session's cart now: the customer's (the guest cart's items merged in) after signUp "
        "and signIn, a new empty one after signOut; unchanged after a refusal.",
    )
    known_viewer: strawberry.Private[models.Viewer | None] = None

    @strawberry.field
    async def viewer(self, info: Info) -> Viewer:
        """After a refused request the viewer is looked up: nothing changed, so it is who they were."""
        model = self.known_viewer
        if model is None:
            model = await info.context.services.customer.viewer(info.context.shopper)
        return Viewer.from_model(model)

    @classmethod
    def from_error(cls, error: UserFacingError) -> AuthPayload:
        return cls(user_errors=[UserError.from_problem(p) for p in error.problems])

    @classmethod
    def from_model(cls, m: models.AuthResult) -> AuthPayload:
        return cls(user_errors=[UserError.from_problem(p) for p in m.notices], known_viewer=m.viewer)
