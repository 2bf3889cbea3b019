"""Catalog types of the storefront schema (thin: built from ``bff.catalog.models`` with ``from_model``)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from bff.catalog import models
from bff.catalog.models import SortDirection
from bff.graphql.context import Info
from bff.graphql.node import Node, node_id
from bff.graphql.primitives import Money, PageInfo

SortDirectionEnum = strawberry.enum(SortDirection, name="SortDirection")


# --- store ------------------------------------------------------------------------------------


async def _store_views(info: Info) -> list[StoreView]:
    views = await info.context.services.catalog.store_views(info.context.shopper)
    return [StoreView.from_model(v) for v in views]


@strawberry.type(description="A store view a store switcher offers (send its `code` as the `Store` header).")
class StoreView:
    code: str
    name: str
    locale: str = strawberry.field(description="E.g. `en_US`, `de_DE`.")
    default_currency: str = strawberry.field(description="The currency prices are shown in unless one is chosen.")
    currencies: list[str] = strawberry.field(description="What `Content-Currency` may name with this store view.")
    is_default: bool

    @classmethod
    def from_model(cls, m: models.StoreView) -> StoreView:
        return cls(code=m.code, name=m.name, locale=m.locale, default_currency=m.default_currency,
                   currencies=list(m.currencies), is_default=m.is_default)  # fmt: skip


@strawberry.type(description="The current store view's settings a storefront needs on every page.")
class StoreConfig:
    store_code: str
    store_name: str
    locale: str = strawberry.field(description="E.g. `en_US`, `de_DE`.")
    base_currency: str
    default_display_currency: str
    root_category_uid: strawberry.ID | None
    product_url_suffix: str = strawberry.field(description="Appended to `Product.urlKey` in URLs, e.g. `.html`.")
    category_url_suffix: str = strawberry.field(description="Appended to `Category.urlPath` in URLs.")
    guest_checkout_enabled: bool

    store_views: list[StoreView] = strawberry.field(
        resolver=_store_views,
        description="Every store view of the shop with its currencies, for a store and currency switcher.",
    )

    @classmethod
    def from_model(cls, m: models.StoreConfig) -> StoreConfig:
        return cls(
            store_code=m.store_code, store_name=m.store_name, locale=m.locale, base_currency=m.base_currency,
            default_display_currency=m.default_display_currency,
            root_category_uid=strawberry.ID(m.root_category_uid) if m.root_category_uid else None,
            product_url_suffix=m.product_url_suffix, category_url_suffix=m.category_url_suffix,
            guest_checkout_enabled=m.guest_checkout_enabled,
        )  # fmt: skip


@strawberry.type
class Region:
    code: str
    name: str


@strawberry.type(description="A country addresses may use, with its regions (states, provinces).")
class Country:
    code: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. `US`.")
    name: str = strawberry.field(description="In the store view's language.")
    regions: list[Region]
    region_required: bool = strawberry.field(description="An address in this country needs a region from `regions`.")
    postcode_required: bool

    @classmethod
    def from_model(cls, m: models.Country) -> Country:
        return cls(code=m.code, name=m.name, regions=[Region(code=r.code, name=r.name) for r in m.regions],
                   region_required=m.region_required, postcode_required=m.postcode_required)  # fmt: skip


# --- products ---------------------------------------------------------------------------------


@strawberry.type
class ProductImage:
    url: str
    label: str | None

    @classmethod
    def from_model(cls, m: models.Image | None) -> ProductImage | None:
        return cls(url=m.url, label=m.label) if m is not None else None


@strawberry.type(description="Prices in the request's currency; for a configurable product, its cheapest variant's.")
class ProductPrice:
    regular: Money
    final: Money = strawberry.field(description="What the shopper pays (special prices and catalog rules applied).")
    discount_percent: float = strawberry.field(description="How much below `regular` `final` is, e.g. 20 (percent).")

    @classmethod
    def from_model(cls, m: models.ProductPrice) -> ProductPrice:
        return cls(regular=Money.from_model(m.regular), final=Money.from_model(m.final),
                   discount_percent=float(m.discount_percent))  # fmt: skip


@strawberry.type
class ProductCategory:
    uid: strawberry.ID
    name: str
    url_path: str | None


@strawberry.type
class ProductOptionValue:
    uid: strawberry.ID = strawberry.field(description="Send it in `addToCart(items: [{selectedOptions}])`.")
    label: str
    swatch: str | None = strawberry.field(description="A colour such as `#ff0000`, or a text swatch.")
    in_stock: bool = strawberry.field(description="Some in-stock variant has this value.")


@strawberry.type(description="A configurable product's option, e.g. Color or Size.")
class ProductOption:
    uid: strawberry.ID
    code: str
    label: str
    values: list[ProductOptionValue]

    @classmethod
    def from_model(cls, m: models.ProductOption) -> ProductOption:
        values = [ProductOptionValue(uid=strawberry.ID(v.uid), label=v.label, swatch=v.swatch, in_stock=v.in_stock)
                  for v in m.values]  # fmt: skip
        return cls(uid=strawberry.ID(m.uid), code=m.code, label=m.label, values=values)


@strawberry.type
class VariantAttribute:
    code: str
    value_uid: strawberry.ID
    label: str


@strawberry.type(description="One buyable combination of a configurable product's option values.")
class ProductVariant(Node):
    sku: str
    attributes: list[VariantAttribute]
    in_stock: bool
    only_x_left: int | None
    price: ProductPrice

    @classmethod
    def from_model(cls, m: models.Variant, parent_sku: str) -> ProductVariant:
        attributes = [VariantAttribute(code=a.code, value_uid=strawberry.ID(a.value_uid), label=a.label)
                      for a in m.attributes]  # fmt: skip
        return cls(id=node_id("ProductVariant", parent_sku, m.sku), sku=m.sku, attributes=attributes,
                   in_stock=m.in_stock, only_x_left=m.only_x_left,
                   price=ProductPrice.from_model(m.price))  # fmt: skip


def product_id(sku: str) -> strawberry.ID:
    """A product's id, the same for its listing tile and its page (and for `node`)."""
    return node_id("Product", sku)


async def _page(root: Product, info: Info) -> models.Product | None:
    if root.page is None:
        root.page = await info.context.product_pages.load(root.sku)
    return root.page


async def _description(root: Product, info: Info) -> str:
    page = await _page(root, info)
    return page.description if page else ""


async def _short_description(root: Product, info: Info) -> str:
    page = await _page(root, info)
    return page.short_description if page else ""


async def _gallery(root: Product, info: Info) -> list[ProductImage]:
    page = await _page(root, info)
    return [ProductImage(url=i.url, label=i.label) for i in page.gallery] if page else []


async def _categories(root: Product, info: Info) -> list[ProductCategory]:
    page = await _page(root, info)
    return [ProductCategory(uid=strawberry.ID(c.uid), name=c.name, url_path=c.url_path)
            for c in page.categories] if page else []  # fmt: skip


async def _variants(root: Product, info: Info) -> list[ProductVariant]:
    page = await _page(root, info)
    return [ProductVariant.from_model(v, root.sku) for v in page.variants] if page else []


@strawberry.type(
    description="A product, as a listing tile or a product page: one type with one `id`, so a tile in a "
    "client cache fills the page's first paint. For a configurable product, add the parent `sku` to the cart "
    "with one value `uid` per option in `selectedOptions`. A listing that selects the page's fields "
    "(`description`, `shortDescription`, `gallery`, `categories`, `variants`) loads them for all its tiles "
    "in one Magento call."
)
class Product(Node):
    uid: strawberry.ID
    sku: str
    name: str
    url_key: str | None
    thumbnail: ProductImage | None
    image: ProductImage | None = strawberry.field(description="The main (listing-size) image.")
    price: ProductPrice
    in_stock: bool
    only_x_left: int | None = strawberry.field(description="Set when only a few are left.")
    options: list[ProductOption] = strawberry.field(description="Empty unless the product is configurable.")
    page: strawberry.Private[models.Product | None] = None  # the page's fields, when already loaded
    description: str = strawberry.field(resolver=_description, description="HTML.")
    short_description: str = strawberry.field(resolver=_short_description, description="HTML.")
    gallery: list[ProductImage] = strawberry.field(resolver=_gallery)
    categories: list[ProductCategory] = strawberry.field(resolver=_categories)
    variants: list[ProductVariant] = strawberry.field(
        resolver=_variants, description="Empty unless the product is configurable."
    )

    @classmethod
    def from_card(cls, m: models.ProductCard) -> Product:
        """A listing tile: its page's fields are loaded when selected."""
        return cls(
            id=product_id(m.sku), uid=strawberry.ID(m.uid), sku=m.sku, name=m.name, url_key=m.url_key,
            thumbnail=ProductImage.from_model(m.thumbnail), image=ProductImage.from_model(m.image),
            price=ProductPrice.from_model(m.price), in_stock=m.in_stock, only_x_left=m.only_x_left,
            options=[ProductOption.from_model(o) for o in m.options],
        )  # fmt: skip

    @classmethod
    def from_model(cls, m: models.Product) -> Product:
        return cls(
            id=product_id(m.sku), uid=strawberry.ID(m.uid), sku=m.sku, name=m.name, url_key=m.url_key,
            thumbnail=ProductImage.from_model(m.thumbnail), image=ProductImage.from_model(m.image),
            price=ProductPrice.from_model(m.price), in_stock=m.in_stock, only_x_left=m.only_x_left,
            options=[ProductOption.from_model(o) for o in m.options], page=m,
        )  # fmt: skip


@strawberry.type
class ProductFacetOption:
    label: str
    value: str
    count: int


@strawberry.type(description="Layered navigation over the whole result, e.g. price ranges, categories, colours.")
class ProductFacet:
    attribute: str = strawberry.field(description="`price`, `category_uid`, or an attribute code such as `color`.")
    label: str
    options: list[ProductFacetOption]


@strawberry.type
class ProductSortOption:
    value: str = strawberry.field(description="Send it as `sort.field`.")
    label: str


@strawberry.type(description="The orders the store offers for listings (Magento's `sort_fields`).")
class ProductSortFields:
    default: str | None = strawberry.field(description="The order used when `sort` is not given.")
    options: list[ProductSortOption]


@strawberry.type
class ProductPage:
    items: list[Product]
    total_count: int
    page_info: PageInfo
    facets: list[ProductFacet]
    sort_fields: ProductSortFields

    @classmethod
    def from_model(cls, m: models.ProductPage) -> ProductPage:
        return cls(
            items=[Product.from_card(i) for i in m.items],
            total_count=m.total_count,
            page_info=PageInfo(current_page=m.current_page, page_size=m.page_size, total_pages=m.total_pages),
            facets=[ProductFacet(attribute=f.attribute, label=f.label,
                                 options=[ProductFacetOption(label=o.label, value=o.value, count=o.count)
                                          for o in f.options])
                    for f in m.facets],
            sort_fields=ProductSortFields(default=m.sort_fields.default,
                                          options=[ProductSortOption(value=o.value, label=o.label)
                                                   for o in m.sort_fields.options]),
        )  # fmt: skip


@strawberry.input(description="One facet's attribute with the values wanted (any of them).")
class ProductAttributeFilter:
    code: str = strawberry.field(description="A `facets.attribute`, e.g. `color` (also `category_uid` or `price`).")
    in_: list[str] = strawberry.field(
        name="in", description="`facets.options.value`s: 1 to 50 (`price`: exactly one bucket)."
    )


@strawberry.input(description="All given conditions must hold.")
class ProductFilterInput:
    price_from: Decimal | None = strawberry.field(default=None, description="Final price at least (inclusive).")
    price_to: Decimal | None = strawberry.field(default=None, description="Final price at most (inclusive).")
    price_bucket: str | None = strawberry.field(
        default=None, description='A value of the `price` facet, e.g. "10_20" (from 10 to 20, inclusive).'
    )
    category_uids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Products of any of these categories (1 to 50 uids)."
    )
    attributes: list[ProductAttributeFilter] | None = strawberry.field(
        default=None, description='Facet filters (at most 20 attributes), e.g. `[{code: "color", in: ["49"]}]`.'
    )
    skus: list[str] | None = None
    name: str | None = strawberry.field(default=None, description="Words the product name contains.")

    def to_model(self) -> models.ProductFilter:
        skus = tuple(self.skus) if self.skus is not None else None
        uids = tuple(str(u) for u in self.category_uids) if self.category_uids is not None else None
        attributes = tuple(models.AttributeFilter(a.code, tuple(a.in_)) for a in self.attributes or ())
        return models.ProductFilter(
            price_from=self.price_from, price_to=self.price_to, skus=skus, name=self.name,
            category_uids=uids, price_bucket=self.price_bucket, attributes=attributes,
        )  # fmt: skip


@strawberry.input
class ProductSortInput:
    field: str = strawberry.field(
        description="A value of `products { sortFields { options { value } } }` (e.g. `name`, `price`), or `relevance`."
    )
    direction: SortDirection | None = strawberry.field(
        default=None, description="Defaults to DESC for `relevance` and ASC otherwise."
    )

    def to_model(self) -> models.ProductSort:
        return models.ProductSort(field=self.field, direction=self.direction)


# --- categories -------------------------------------------------------------------------------


@strawberry.type
class Category(Node):
    uid: strawberry.ID
    name: str
    url_path: str | None = strawberry.field(description="E.g. `men/tops-men`; add `categoryUrlSuffix` for links.")
    level: int
    product_count: int = strawberry.field(description="Products in this category and the ones below it.")
    children: list[Category] = strawberry.field(description="Only as deep as requested; empty below that.")

    @classmethod
    def from_model(cls, m: models.Category) -> Category:
        return cls(id=node_id("Category", m.uid), uid=strawberry.ID(m.uid), name=m.name, url_path=m.url_path,
                   level=m.level,
                   product_count=m.product_count, children=[cls.from_model(c) for c in m.children])  # fmt: skip


# --- routes -----------------------------------------------------------------------------------


@strawberry.type(description="A content page (e.g. about us, the privacy policy, the home page).")
class CmsPage:
    identifier: str = strawberry.field(description="Its URL key, e.g. `about-us`.")
    title: str
    content: str = strawberry.field(description="HTML.")
    content_heading: str = strawberry.field(description="The heading shown above the content; may be empty.")
    meta_title: str
    meta_description: str
    meta_keywords: str

    @classmethod
    def from_model(cls, m: models.CmsPage) -> CmsPage:
        return cls(identifier=m.identifier, title=m.title, content=m.content, content_heading=m.content_heading,
                   meta_title=m.meta_title, meta_description=m.meta_description,
                   meta_keywords=m.meta_keywords)  # fmt: skip


@strawberry.interface(
    description="What a storefront URL shows: `ProductRoute`, `CategoryRoute` or `CmsPageRoute`. When the URL "
    "has moved, `redirectCode` is 301 (permanent) or 302 (temporary) and `relativeUrl` is where it moved to "
    "(the page is answered all the same): send the browser there."
)
class Route:
    relative_url: str = strawberry.field(description="The page's URL path, e.g. `/joust-duffle-bag.html`.")
    redirect_code: int = strawberry.field(description="0, or 301/302 when the URL asked for redirects.")


@strawberry.type(description="A product page's URL.")
class ProductRoute(Route):
    product: Product


@strawberry.type(description="A category page's URL; the category comes with its direct children.")
class CategoryRoute(Route):
    category: Category


@strawberry.type(description="A content page's URL.")
class CmsPageRoute(Route):
    page: CmsPage


ROUTE_TYPES = (ProductRoute, CategoryRoute, CmsPageRoute)  # reached only through the interface


def route_from_model(m: models.Route) -> Route:
    page = m.page
    if isinstance(page, models.Product):
        return ProductRoute(relative_url=m.relative_url, redirect_code=m.redirect_code,
                            product=Product.from_model(page))  # fmt: skip
    if isinstance(page, models.Category):
        return CategoryRoute(relative_url=m.relative_url, redirect_code=m.redirect_code,
                             category=Category.from_model(page))  # fmt: skip
    return CmsPageRoute(relative_url=m.relative_url, redirect_code=m.redirect_code, page=CmsPage.from_model(page))
