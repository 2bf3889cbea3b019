"""``ErrorCode``: the values of ``extensions.code`` on top-level errors, as an SDL enum.

No field returns it: it is in the schema so that codegen types the codes clients switch on
(``tests/contract/test_error_codes.py`` keeps it equal to ``bff.graphql.errors.CODES``).
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="The `extensions.code` of a top-level GraphQL error (stable; never renamed).")
class ErrorCode(Enum):
    UNAUTHENTICATED = strawberry.enum_value(
        "UNAUTHENTICATED", description="The sign-in expired or was refused, or the X-Api-Key is unknown (HTTP 401)."
    )
    BAD_USER_INPUT = strawberry.enum_value("BAD_USER_INPUT", description="A malformed request: fix it, then retry.")
    QUERY_TOO_COMPLEX = strawberry.enum_value(
        "QUERY_TOO_COMPLEX", description="A limit or the requested cost is exceeded; nothing ran."
    )
    THROTTLED = strawberry.enum_value("THROTTLED", description="The cost budget is used up: retry after Retry-After.")
    RATE_LIMITED = strawberry.enum_value("RATE_LIMITED", description="Too many requests: retry after Retry-After.")
    PERSISTED_QUERY_NOT_FOUND = strawberry.enum_value(
        "PERSISTED_QUERY_NOT_FOUND", description="Unknown persisted-query hash: send the query with it."
    )
    PERSISTED_QUERY_NOT_SUPPORTED = strawberry.enum_value(
        "PERSISTED_QUERY_NOT_SUPPORTED", description="Automatic persisted queries are off: send the query alone."
    )
    PERSISTED_QUERY_NOT_IN_LIST = strawberry.enum_value(
        "PERSISTED_QUERY_NOT_IN_LIST", description="Trusted documents are enforced and this one is in no manifest."
    )
    UPSTREAM_UNAVAILABLE = strawberry.enum_value(
        "UPSTREAM_UNAVAILABLE", description="Magento or a store did not answer: safe to retry (same idempotency key)."
    )
    INTERNAL = strawberry.enum_value("INTERNAL", description="Anything else; details are in the server log.")
