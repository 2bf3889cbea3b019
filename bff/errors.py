"""The BFF's error tree. Every error has a stable ``code`` from the storefront contract.

Two exits (see ``bff/graphql/errors.py``): a ``UserFacingError`` is a problem the shopper can fix
and becomes a ``userErrors`` entry; any other ``BffError`` becomes a top-level GraphQL error with
``extensions.code``. ``detail`` is for logs only and never reaches a client.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import ClassVar


class UserErrorCode(StrEnum):
    """Codes of ``userErrors``: problems a shopper can fix. Stable: never renamed or removed."""

    PRODUCT_NOT_FOUND = "PRODUCT_NOT_FOUND"
    OUT_OF_STOCK = "OUT_OF_STOCK"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    NOT_SALABLE = "NOT_SALABLE"
    INVALID_OPTIONS = "INVALID_OPTIONS"
    INVALID_QUANTITY = "INVALID_QUANTITY"
    CART_ITEM_NOT_FOUND = "CART_ITEM_NOT_FOUND"
    CART_EMPTY = "CART_EMPTY"
    CART_RECREATED = "CART_RECREATED"
    QUANTITY_ADJUSTED = "QUANTITY_ADJUSTED"
    MERGE_FAILED = "MERGE_FAILED"
    COUPON_NOT_FOUND = "COUPON_NOT_FOUND"
    COUPON_ALREADY_APPLIED = "COUPON_ALREADY_APPLIED"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_ADDRESS = "INVALID_ADDRESS"
    SHIPPING_METHOD_UNAVAILABLE = "SHIPPING_METHOD_UNAVAILABLE"
    PAYMENT_METHOD_UNAVAILABLE = "PAYMENT_METHOD_UNAVAILABLE"
    CHECKOUT_INCOMPLETE = "CHECKOUT_INCOMPLETE"
    ORDER_FAILED = "ORDER_FAILED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    WEAK_PASSWORD = "WEAK_PASSWORD"  # noqa: S105 (an error code, not a secret)
    ALREADY_SIGNED_IN = "ALREADY_SIGNED_IN"
    INVALID_INPUT = "INVALID_INPUT"
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"


Path = tuple[str, ...]
"""Where in the input a problem is: path parts, list indices as strings, e.g. ``("1", "quantity")``.

A service's paths are relative to its request (a list of items, an address, a checkout request)
or, for a method taking several values, start with the value's storefront name (``("methodCode",)``);
``()`` is the request itself. The GraphQL layer prefixes them with the argument as the client sent it.
"""


@dataclass(frozen=True)
class UserProblem:
    """One shopper-fixable problem (or notice). ``field`` is the input path (see ``Path``), None
    when no input is concerned; ``missing_steps`` names the checkout steps still to do
    (``CHECKOUT_INCOMPLETE``), in order."""

    code: UserErrorCode
    message: str
    field: Path | None = None
    missing_steps: tuple[str, ...] = ()

    def under(self, *prefix: str) -> UserProblem:
        """The problem with its path moved below ``prefix`` (no field stays no field)."""
        if self.field is None:
            return self
        return replace(self, field=(*prefix, *self.field))


class BffError(Exception):
    code: ClassVar[str] = "INTERNAL"
    public_message: ClassVar[str] = "Something went wrong. Please try again."

    def __init__(self, message: str | None = None, *, detail: str = "", operation: str = "") -> None:
        super().__init__(message or self.public_message)
        self.message = message or self.public_message
        self.detail = detail
        self.operation = operation


class Unauthenticated(BffError):
    code = "UNAUTHENTICATED"
    public_message = "Your session has ended. Please sign in again."


class BadUserInput(BffError):
    code = "BAD_USER_INPUT"
    public_message = "The request is not valid."


class UpstreamUnavailable(BffError):
    code = "UPSTREAM_UNAVAILABLE"
    public_message = "The store is temporarily unavailable. Please try again."


class RequestRefused(BffError):
    """A request refused at admission, before any upstream call: answered with ``status``, the
    error's ``extensions`` (measured value and limit, cost, retry hint) and response ``headers``.
    Never echoes the client's document."""

    status: ClassVar[int] = 400

    def __init__(
        self, message: str, *, extensions: dict[str, object] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.extensions = extensions or {}
        self.headers = headers or {}


class QueryTooComplex(RequestRefused):
    code = "QUERY_TOO_COMPLEX"


class Throttled(RequestRefused):
    """The client's cost budget is used up (a leaky bucket of cost points)."""

    code = "THROTTLED"
    status = 429


class RateLimited(RequestRefused):
    """Too many requests (HTTP rate limits, stricter for sign-in, sign-up and checkout)."""

    code = "RATE_LIMITED"
    status = 429


class BodyTooLarge(RequestRefused):
    code = "BAD_USER_INPUT"
    status = 413


class InvalidApiKey(RequestRefused):
    """An ``X-Api-Key`` that is not a configured partner key: refused (HTTP 401) rather than
    treated as a shopper, so a revoked or mistyped key fails loudly. The key is never echoed."""

    code = "UNAUTHENTICATED"
    status = 401


class PersistedQueryNotFound(RequestRefused):
    """Apollo's automatic persisted queries: the hash is unknown, send the query with it.

    Answered with 200, as Apollo Server does: every APQ client (Apollo Client's link, Apollo iOS
    and Kotlin) reads the body of a 200 and re-sends the operation with its query; some of them
    give up on a 4xx without reading it."""

    code = "PERSISTED_QUERY_NOT_FOUND"
    status = 200


class PersistedQueryNotSupported(RequestRefused):
    """A hash was sent but automatic persisted queries are off: clients then send the query alone."""

    code = "PERSISTED_QUERY_NOT_SUPPORTED"
    status = 200


class DocumentNotTrusted(RequestRefused):
    """Trusted documents are enforced and the document (or hash) is in no manifest."""

    code = "PERSISTED_QUERY_NOT_IN_LIST"
    status = 403


class DocumentStoreUnavailable(RequestRefused):
    """The persisted-query store (Redis) did not answer: nothing ran, safe to retry."""

    code = "UPSTREAM_UNAVAILABLE"
    status = 503


class StoreUnavailable(UpstreamUnavailable):
    """Redis (sessions, idempotency records, budgets) did not answer: nothing was decided, retry."""

    public_message = "The store is temporarily unavailable. Please try again."


class UpstreamFailed(BffError):
    """Magento answered with something the BFF cannot map: reported as INTERNAL."""

    code = "INTERNAL"


class UserFacingError(BffError):
    """Problems the shopper can fix; the mutation answers with ``userErrors`` and no change."""

    code = "USER_ERROR"

    def __init__(self, *problems: UserProblem, detail: str = "") -> None:
        if not problems:
            raise ValueError("a UserFacingError needs at least one problem")
        super().__init__(problems[0].message, detail=detail)
        self.problems = problems

    @classmethod
    def of(cls, code: UserErrorCode, message: str, field: Path | None = None) -> UserFacingError:
        return cls(UserProblem(code, message, field))


class CheckoutIncomplete(UserFacingError):
    """``CHECKOUT_INCOMPLETE`` with the missing steps as data (``missing_steps``) and in the message."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            UserProblem(
                UserErrorCode.CHECKOUT_INCOMPLETE,
                "Checkout is not complete: missing " + ", ".join(s.lower().replace("_", " ") for s in missing) + ".",
                missing_steps=tuple(missing),
            )
        )
        self.missing = missing


class IdempotencyConflict(UserFacingError):
    """The idempotency key was already used with a different cart or input: nothing was done.
    ``field`` is the key's path in the request (``()`` for placeOrder's argument itself)."""

    def __init__(self, field: Path = ()) -> None:
        super().__init__(
            UserProblem(
                UserErrorCode.IDEMPOTENCY_CONFLICT,
                "This idempotency key was already used with a different cart or input: "
                "use a new key for a new order attempt.",
                field,
            )
        )
