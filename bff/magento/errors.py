"""Magento's failures as BFF errors, mapped at the client boundary by category, never by text.

Top-level GraphQL errors carry ``extensions.category`` (FACTS.md, "How errors come back"); newer
Magento versions add ``extensions.error_code`` (CART_NOT_FOUND, CART_NOT_ACTIVE, …), kept here as
``magento_code`` when present. Magento's message goes to ``detail`` (logs only), never to clients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from bff.errors import BffError, Unauthenticated, UpstreamFailed, UpstreamUnavailable


class MagentoError(BffError):
    """A GraphQL error from Magento; services translate the ones they expect."""

    code = "INTERNAL"

    def __init__(self, *, operation: str, detail: str = "", category: str = "", magento_code: str = "") -> None:
        super().__init__(operation=operation, detail=detail)
        self.category = category
        self.magento_code = magento_code


class MagentoNotFound(MagentoError):
    """graphql-no-such-entity: cart/item/product/coupon unknown, or the cart is inactive."""


class MagentoInputRejected(MagentoError):
    """graphql-input: Magento refused a value (the BFF validates first, so this is rare)."""


class MagentoAlreadyExists(MagentoError):
    """graphql-already-exists."""


class MagentoUnauthorized(MagentoError, Unauthenticated):
    """graphql-authorization: the customer token is gone/expired, or the cart is not ours."""

    code = "UNAUTHENTICATED"


class MagentoUnauthenticated(MagentoError, Unauthenticated):
    """graphql-authentication: wrong credentials or a locked account."""

    code = "UNAUTHENTICATED"


class MagentoUnavailable(UpstreamUnavailable):
    """Magento could not be reached or answered 5xx.

    ``maybe_executed`` is True when the request may have reached Magento and run (timeout after
    sending, connection lost mid-answer): a mutation in that state must not be blindly retried.
    """

    def __init__(self, *, operation: str, detail: str = "", maybe_executed: bool) -> None:
        super().__init__(operation=operation, detail=detail)
        self.maybe_executed = maybe_executed


BY_CATEGORY: Final[Mapping[str, type[MagentoError]]] = {
    "graphql-no-such-entity": MagentoNotFound,
    "graphql-input": MagentoInputRejected,
    "graphql-already-exists": MagentoAlreadyExists,
    "graphql-authorization": MagentoUnauthorized,
    "graphql-authentication": MagentoUnauthenticated,
}


def error_from_magento(errors: Sequence[Mapping[str, Any]], *, operation: str) -> BffError:
    """The BFF error for Magento's ``errors[]`` (the first one decides)."""
    first = errors[0] if errors else {}
    extensions = first.get("extensions") or {}
    category = str(extensions.get("category") or "")
    cls = BY_CATEGORY.get(category)
    detail = str(first.get("message", ""))
    if cls is None:
        return UpstreamFailed(operation=operation, detail=f"[{category or 'no category'}] {detail}")
    return cls(
        operation=operation, detail=detail, category=category, magento_code=str(extensions.get("error_code") or "")
    )
