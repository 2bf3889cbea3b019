"""The per-request GraphQL context: the shopper and the services. Built by ``view.get_context``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry
from strawberry.dataloader import DataLoader

from bff.catalog.models import Product
from bff.catalog.service import MAX_SKUS
from bff.shopper import Shopper

if TYPE_CHECKING:
    from bff.services import Services


@dataclass(frozen=True, slots=True)
class GraphQLContext:
    shopper: Shopper
    services: Services
    product_pages: DataLoader[str, Product | None]  # per request: every product page by SKU, batched


def graphql_context(shopper: Shopper, services: Services) -> GraphQLContext:
    """A request's context; its loaders live as long as the request (they must not share shoppers' data)."""

    async def load_pages(skus: list[str]) -> list[Product | None]:
        return await services.catalog.products_by_sku(shopper, skus)

    return GraphQLContext(
        shopper=shopper, services=services, product_pages=DataLoader(load_fn=load_pages, max_batch_size=MAX_SKUS)
    )


Info: TypeAlias = strawberry.Info[GraphQLContext, None]
