"""``RequestState``: everything one HTTP request carries through the BFF, under one ASGI scope key.

The outermost BFF middleware (``RequestStateMiddleware`` in ``bff.app``'s chain) puts a fresh
``RequestState`` in ``scope[SCOPE_KEY]``; each later layer fills in its part and reads the others
through ``request_state(scope)``:

* the request id (``bff.observability.request_id``), forwarded to Magento and logged;
* the session handle (``bff.sessions.middleware``);
* the request meta (``Store``, ``Content-Currency``, shopper IP), the GraphQL operation record
  and its cost (``bff.graphql.view`` and ``bff.graphql.admission`` at admission);
* the Magento calls made (``bff.magento.client``, through ``CallContext.calls``);

and the access log, metrics and traces read it after the response. This module is a leaf: it
imports no other part of the BFF but the leaves ``bff.errors`` and ``bff.document_cache`` (the
session handle's type is named only for type checkers).
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from bff.document_cache import Document
from bff.errors import BadUserInput

if TYPE_CHECKING:
    from bff.sessions.handle import SessionHandle

SCOPE_KEY: Final = "bff.request"

_STORE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(slots=True)
class UpstreamCall:
    """One attempt of one Magento operation."""

    operation: str
    duration_s: float
    outcome: str  # "ok", "graphql_error", "unavailable", "timeout", "http_<status>", "refused_<reason>" (not sent)
    attempt: int
    status: int | None = None  # HTTP status, when an answer arrived
    tags: tuple[str, ...] = ()  # Magento's cache tags of the answer (`X-Magento-Tags`), when it sent them
    shared: bool = False  # answered by another request's call of the same public read (single-flight)


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """What the request says about itself (validated on construction)."""

    store: str | None = None  # from the `Store` header
    currency: str | None = None  # from the `Content-Currency` header
    shopper_ip: str | None = None
    request_id: str | None = None
    api_key: str | None = field(default=None, repr=False)  # `X-Api-Key` (server-to-server partners)

    def __post_init__(self) -> None:
        if self.store is not None and not _STORE_CODE.match(self.store):
            raise BadUserInput("The Store header must be a store view code such as 'default'.")
        if self.currency is not None and not _CURRENCY.match(self.currency):
            raise BadUserInput("The Content-Currency header must be an ISO 4217 code such as 'EUR'.")


@dataclass(slots=True)
class GraphQLRecord:
    """The GraphQL operation a request ran: its document, name and outcome code."""

    query: str | None = None
    document: Document | None = None  # the query's entry in the process's DocumentCache
    operation_name: str | None = None
    outcome: str | None = None  # "OK", the first error's extensions.code, or the first userErrors code


@dataclass(slots=True)
class CostRecord:
    """The operation's cost (``extensions.cost``): requested before it ran, actual after."""

    requested: int = 0
    actual: int | None = None
    throttle_status: dict[str, object] | None = None  # the client's bucket (extensions.cost.throttleStatus)
    client: str | None = None  # who was charged, from which budget (for the refund after execution)
    budget: tuple[int, float] | None = None  # (maximum, restore rate) of that client's bucket
    charged: int = 0


@dataclass(slots=True)
class RequestState:
    request_id: str | None = None
    session: SessionHandle | None = None
    meta: RequestMeta | None = None
    calls: list[UpstreamCall] = field(default_factory=list)
    graphql: GraphQLRecord | None = None
    cost: CostRecord | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # e.g. RateLimit-* for the answer
    cache: str | None = None  # the response cache: "hit", "stale", "miss", "unavailable"; None: not looked up
    public_document: bool = False  # the response cache found the document public (catalog reads only)


def request_state(scope: MutableMapping[str, Any]) -> RequestState:
    """The request's state; created on first use (a layer run without the whole chain, e.g. in a test)."""
    state = scope.get(SCOPE_KEY)
    if not isinstance(state, RequestState):
        state = RequestState()
        scope[SCOPE_KEY] = state
    return state
