"""The two exits for errors.

1. ``ReturnsUserErrors`` (a field extension on mutations): a ``UserFacingError`` raised by a
   service becomes the payload's ``userErrors``; resolvers never catch it themselves. It also
   puts every ``userErrors[].field`` (a service's path, relative to its request) below the
   mutation's argument as the client sent it (``argument="items"``: ``["items", "1", "quantity"]``).
2. ``coded_errors`` (applied by the view to every result): each top-level error gets
   ``extensions.code`` from the contract list. A ``BffError`` keeps its code and public message;
   parse/validation errors are ``BAD_USER_INPUT``; errors that already carry a code (limits) keep
   it; anything else is logged with its stack trace and answered as ``INTERNAL`` with a generic
   message, so no internals reach a client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from graphql import GraphQLError
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from bff.errors import BffError, UserFacingError
from bff.graphql.primitives import UserError

log = logging.getLogger("bff.graphql")

INTERNAL_MESSAGE = "Something went wrong. Please try again."
CODES = (
    "UNAUTHENTICATED",
    "BAD_USER_INPUT",
    "QUERY_TOO_COMPLEX",
    "THROTTLED",
    "RATE_LIMITED",
    "PERSISTED_QUERY_NOT_FOUND",
    "PERSISTED_QUERY_NOT_SUPPORTED",
    "PERSISTED_QUERY_NOT_IN_LIST",
    "UPSTREAM_UNAVAILABLE",
    "INTERNAL",
)


class HasUserErrors(Protocol):
    user_errors: list[UserError]

    @classmethod
    def from_error(cls, error: UserFacingError) -> HasUserErrors: ...


class ReturnsUserErrors(FieldExtension):
    """``payload.from_error`` answers a refusal; ``argument`` (the SDL name of the mutation's
    argument the service's request came from; None when the paths already name the arguments)
    prefixes every path."""

    def __init__(self, payload: type[HasUserErrors], *, argument: str | None = None) -> None:
        super().__init__()
        self.payload = payload
        self.argument = argument

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        raise NotImplementedError("storefront mutations are async")

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any) -> Any:
        result: HasUserErrors
        try:
            result = await next_(source, info, **kwargs)
        except UserFacingError as err:
            result = self.payload.from_error(err)
        if self.argument is not None:
            argument = self.argument
            result.user_errors = [e.under(argument) for e in result.user_errors]
        return result


def coded_error(error: GraphQLError) -> GraphQLError:
    """The client-safe version of ``error`` with ``extensions.code`` set."""
    original = error.original_error
    code: str
    message: str
    if isinstance(original, BffError):
        code, message = original.code, original.message
        if code == "INTERNAL" or original.detail:
            log.warning("request failed: %s %s (%s)", code, original.operation, original.detail)
    elif original is None:
        existing = (error.extensions or {}).get("code")
        code = existing if isinstance(existing, str) and existing in CODES else "BAD_USER_INPUT"
        message = error.message
    elif isinstance(original, GraphQLError):
        return coded_error(original)
    else:
        log.error("unexpected error in %s", ".".join(map(str, error.path or [])), exc_info=original)
        code, message = "INTERNAL", INTERNAL_MESSAGE
    extensions = {k: v for k, v in (error.extensions or {}).items() if k != "code"}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**extensions, "code": code},
    )
