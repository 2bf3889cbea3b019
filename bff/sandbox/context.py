"""What a resolver knows about the request it serves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLResolveInfo

from bff.sandbox.state import Customer, SandboxState, StoreView


@dataclass
class RequestContext:
    state: SandboxState
    store: StoreView
    currency: str  # from Content-Currency, else the store's default display currency
    customer: Customer | None  # from a valid, unexpired, unrevoked bearer token; None = guest
    token: str | None  # the bearer token that authenticated ``customer``
    method: str = "POST"
    cache_tags: set[str] = field(default_factory=set)  # X-Magento-Tags for cacheable GETs
    cacheable: bool = True  # any @cache(cacheable: false) field (cart, customer, …) clears it

    def no_cache(self) -> None:
        self.cacheable = False


def context_of(info: GraphQLResolveInfo[Any]) -> RequestContext:
    ctx = info.context
    assert isinstance(ctx, RequestContext)
    return ctx


# A root-field resolver: graphql-core passes (root, info, **arguments); results are plain dicts
# keyed by Magento's field names (values may be callables taking (info, **args) for fields with
# arguments, as graphql-core's default resolver calls them).
RootResolver = Callable[..., Any]
