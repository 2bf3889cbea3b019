"""``signUp``, ``signIn`` and ``signOut``.

Resolvers are module functions passed as ``resolver=`` so that mypy sees their types (the
decorator form with arguments is untyped in Strawberry's stubs).
"""

from __future__ import annotations

import strawberry

from bff.customer.models import Credentials
from bff.graphql.context import Info
from bff.graphql.customer.types import AuthPayload, SignUpInput
from bff.graphql.errors import ReturnsUserErrors


async def sign_up(info: Info, input: SignUpInput) -> AuthPayload:
    result = await info.context.services.customer.sign_up(info.context.shopper, input.to_model())
    return AuthPayload.from_model(result)


async def sign_in(info: Info, email: str, password: str) -> AuthPayload:
    result = await info.context.services.customer.sign_in(info.context.shopper, Credentials.of(email, password))
    return AuthPayload.from_model(result)


async def sign_out(info: Info) -> AuthPayload:
    return AuthPayload.from_model(await info.context.services.customer.sign_out(info.context.shopper))


@strawberry.type
class CustomerMutation:
    sign_up: AuthPayload = strawberry.mutation(
        resolver=sign_up,
        extensions=[ReturnsUserErrors(AuthPayload, argument="input")],
        description="Create an account (WEAK_PASSWORD, INVALID_EMAIL, INVALID_INPUT, EMAIL_TAKEN), then sign "
        "in as signIn does.",
    )
    sign_in: AuthPayload = strawberry.mutation(
        resolver=sign_in,
        extensions=[ReturnsUserErrors(AuthPayload)],
        description="Sign in (INVALID_CREDENTIALS, ALREADY_SIGNED_IN); the session token rotates and the guest "
        "cart's items are merged into the customer's cart (QUANTITY_ADJUSTED, MERGE_FAILED notices).",
    )
    sign_out: AuthPayload = strawberry.mutation(
        resolver=sign_out,
        extensions=[ReturnsUserErrors(AuthPayload)],
        description="Sign out and continue as a guest with an empty cart under a new session token.",
    )
