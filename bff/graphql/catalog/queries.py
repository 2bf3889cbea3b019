"""Catalog queries: storeConfig, products, product, categoryTree, category, route, countries.

Resolvers are module functions passed as ``resolver=`` so that mypy sees their types (the
decorator form with arguments is untyped in Strawberry's stubs).
"""

from __future__ import annotations

import strawberry

from bff.catalog.models import ListingParts, ProductFilter, ProductQuery
from bff.graphql.catalog.types import (
    Category,
    Country,
    Product,
    ProductFilterInput,
    ProductPage,
    ProductSortInput,
    Route,
    StoreConfig,
    route_from_model,
)
from bff.graphql.context import Info
from bff.graphql.selection import selection_of


async def store_config(info: Info) -> StoreConfig:
    return StoreConfig.from_model(await info.context.services.catalog.store_config(info.context.shopper))


async def products(
    info: Info,
    search: str | None = None,
    category_uid: strawberry.ID | None = None,
    filter: ProductFilterInput | None = None,
    sort: ProductSortInput | None = None,
    page: int = 1,
    page_size: int = 20,
) -> ProductPage:
    query = ProductQuery(
        search=search,
        category_uid=str(category_uid) if category_uid is not None else None,
        filter=filter.to_model() if filter is not None else ProductFilter(),
        sort=sort.to_model() if sort is not None else None,
        page=page,
        page_size=page_size,
    )
    found = await info.context.services.catalog.products(info.context.shopper, query, listing_parts(info))
    return ProductPage.from_model(found)


def listing_parts(info: Info) -> ListingParts:
    """The parts of ``products`` the client selected (``ProductPage``'s fields, a tile's fields)."""
    selected = selection_of(info)
    tile = selected.below("items")
    return ListingParts(
        totals=selected.any_of("totalCount", "pageInfo"),
        items="items" in selected,
        sort_fields="sortFields" in selected,
        facets="facets" in selected,
        images=tile.any_of("thumbnail", "image"),
        prices="price" in tile,
        options="options" in tile,
    )


async def product(info: Info, url_key: str | None = None, sku: str | None = None) -> Product | None:
    """By SKU through the request's product loader: every SKU lookup of a request (aliased roots,
    nodes, tiles' page fields) is one Magento call."""
    catalog = info.context.services.catalog
    if sku is not None and url_key is None:
        found = await info.context.product_pages.load(catalog.checked_sku(sku))
    else:
        found = await catalog.product(info.context.shopper, url_key=url_key, sku=sku)
    return Product.from_model(found) if found is not None else None


async def category_tree(info: Info, depth: int = 3) -> list[Category]:
    tree = await info.context.services.catalog.category_tree(info.context.shopper, depth)
    return [Category.from_model(c) for c in tree]


async def category(info: Info, url_path: str) -> Category | None:
    found = await info.context.services.catalog.category(info.context.shopper, url_path)
    return Category.from_model(found) if found is not None else None


async def route(info: Info, url: str) -> Route | None:
    found = await info.context.services.catalog.route(info.context.shopper, url)
    return route_from_model(found) if found is not None else None


async def countries(info: Info) -> list[Country]:
    found = await info.context.services.catalog.countries(info.context.shopper)
    return [Country.from_model(c) for c in found]


@strawberry.type
class CatalogQuery:
    store_config: StoreConfig = strawberry.field(
        resolver=store_config,
        description="The current store view's settings (choose the store view with the `Store` header).",
    )
    products: ProductPage = strawberry.field(
        resolver=products,
        description="A page of a search (`search`) or category listing (`categoryUid`), with facets. "
        "`page` >= 1, `pageSize` 1 to 100, `search` at most 200 characters (else BAD_USER_INPUT); "
        "a page beyond the last one has no items.",
    )
    product: Product | None = strawberry.field(
        resolver=product,
        description="A product page by `urlKey` or `sku` (exactly one, else BAD_USER_INPUT); null when not found.",
    )
    category_tree: list[Category] = strawberry.field(
        resolver=category_tree,
        description="The store's navigation: its top categories with `depth` levels (1 to 5, else BAD_USER_INPUT).",
    )
    category: Category | None = strawberry.field(
        resolver=category,
        description="A category by URL path (e.g. `men/tops-men`, no URL suffix), with its direct children; "
        "null when not found.",
    )
    route: Route | None = strawberry.field(
        resolver=route,
        description="What a storefront URL shows (a product, category or CMS page), as Magento's URL rewrites "
        "say: `url` is the path, e.g. `/joust-duffle-bag.html` or `/` for the home page (query and fragment are "
        "ignored; at most 2048 characters, no scheme or host, else BAD_USER_INPUT); null when the store has no "
        "such page (show a 404).",
    )
    countries: list[Country] = strawberry.field(
        resolver=countries,
        description="Countries addresses may use in this store view, with their regions.",
    )
