"""Catalog models: what the storefront knows about stores, products, categories and countries.

Frozen dataclasses, independent of Magento's field names (``mapping.py`` builds them) and of
GraphQL (``bff/graphql/catalog/types.py`` presents them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from bff.money import Money

# --- store ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreConfig:
    store_code: str
    store_name: str
    locale: str
    base_currency: str
    default_display_currency: str
    root_category_uid: str | None
    product_url_suffix: str
    category_url_suffix: str
    guest_checkout_enabled: bool


@dataclass(frozen=True)
class StoreView:
    """A store view a store switcher offers, with the currencies it accepts in `Content-Currency`."""

    code: str
    name: str
    locale: str
    default_currency: str
    currencies: tuple[str, ...]
    is_default: bool


@dataclass(frozen=True)
class Region:
    id: int  # Magento's region_id (what cart addresses send as `region_id`)
    code: str
    name: str


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # in the store view's locale
    regions: tuple[Region, ...] = ()
    region_required: bool = False
    postcode_required: bool = True

    def find_region(self, code_or_name: str) -> Region | None:
        """The region with this code, else with this name (both case-insensitive)."""
        wanted = code_or_name.strip().casefold()
        by_code = next((r for r in self.regions if r.code.casefold() == wanted), None)
        return by_code or next((r for r in self.regions if r.name.casefold() == wanted), None)


# --- products ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    url: str
    label: str | None


@dataclass(frozen=True)
class ProductPrice:
    regular: Money
    final: Money
    discount_percent: Decimal


@dataclass(frozen=True)
class CategoryRef:
    uid: str
    name: str
    url_path: str | None


@dataclass(frozen=True)
class OptionValue:
    uid: str  # what addToCart takes in `selectedOptions`
    label: str
    swatch: str | None  # e.g. "#ff0000" for a colour, or a text swatch
    in_stock: bool  # some in-stock variant has this value


@dataclass(frozen=True)
class ProductOption:
    uid: str
    code: str  # attribute code, e.g. "color"
    label: str
    values: tuple[OptionValue, ...]


@dataclass(frozen=True)
class VariantAttribute:
    code: str
    value_uid: str
    label: str


@dataclass(frozen=True)
class Variant:
    sku: str
    attributes: tuple[VariantAttribute, ...]
    in_stock: bool
    only_x_left: int | None
    price: ProductPrice


@dataclass(frozen=True)
class ProductCard:
    """A product as a listing shows it."""

    uid: str
    sku: str
    name: str
    url_key: str | None
    thumbnail: Image | None
    image: Image | None
    price: ProductPrice
    in_stock: bool
    only_x_left: int | None
    options: tuple[ProductOption, ...] = ()


@dataclass(frozen=True)
class Product:
    """A product as its page shows it; ``variants`` is empty unless it is configurable."""

    uid: str
    sku: str
    name: str
    url_key: str | None
    description: str  # HTML
    short_description: str  # HTML
    thumbnail: Image | None
    image: Image | None
    gallery: tuple[Image, ...]
    price: ProductPrice
    in_stock: bool
    only_x_left: int | None
    categories: tuple[CategoryRef, ...] = ()
    options: tuple[ProductOption, ...] = ()
    variants: tuple[Variant, ...] = ()

    @property
    def is_configurable(self) -> bool:
        return bool(self.options)


# --- listing ----------------------------------------------------------------------------------


RELEVANCE = "relevance"  # Magento's search relevance: a sort field even where `sortFields` omits it


class SortDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True)
class ProductSort:
    field: str  # a value of the store's sort fields (e.g. "position", "name", "price") or "relevance"
    direction: SortDirection | None = None  # None: DESC for relevance, ASC otherwise

    @property
    def effective_direction(self) -> SortDirection:
        if self.direction is not None:
            return self.direction
        return SortDirection.DESC if self.field == RELEVANCE else SortDirection.ASC


@dataclass(frozen=True)
class AttributeFilter:
    """A facet's attribute code with the values wanted (any of them), as a facet returns them."""

    code: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ProductFilter:
    price_from: Decimal | None = None
    price_to: Decimal | None = None
    skus: tuple[str, ...] | None = None
    name: str | None = None
    category_uids: tuple[str, ...] | None = None  # products of any of them
    price_bucket: str | None = None  # a price facet value, "10_20"; the service turns it into from/to
    attributes: tuple[AttributeFilter, ...] = ()


@dataclass(frozen=True)
class ListingOptions:
    """What the store's listings can be filtered (facet codes) and sorted by."""

    facet_codes: frozenset[str]
    sort_fields: frozenset[str]


@dataclass(frozen=True)
class ListingParts:
    """The parts of a listing a client selected: the service asks Magento for these only (a part
    not asked for reads as empty in the ``ProductPage``, where nobody looks). All on by default.

    ``totals``: total count and page info; ``items``: the tiles, and within each tile ``images``
    (thumbnail and image), ``prices`` and ``options`` (a configurable's options, the largest part
    of a tile); ``sort_fields`` and ``facets`` of the whole result."""

    totals: bool = True
    items: bool = True
    sort_fields: bool = True
    facets: bool = True
    images: bool = True
    prices: bool = True
    options: bool = True


WHOLE_LISTING = ListingParts()  # every part: what callers get unless they say what they need


@dataclass(frozen=True)
class ProductQuery:
    """What a listing asks for (validated by ``CatalogService.products``)."""

    search: str | None = None
    category_uid: str | None = None
    filter: ProductFilter = field(default_factory=ProductFilter)
    sort: ProductSort | None = None
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class FacetOption:
    label: str
    value: str
    count: int


@dataclass(frozen=True)
class Facet:
    attribute: str  # e.g. "price", "category_uid", "color"
    label: str
    options: tuple[FacetOption, ...]


@dataclass(frozen=True)
class SortOption:
    value: str
    label: str


@dataclass(frozen=True)
class SortFields:
    default: str | None
    options: tuple[SortOption, ...]


@dataclass(frozen=True)
class ProductPage:
    items: tuple[ProductCard, ...]
    total_count: int
    current_page: int
    page_size: int
    total_pages: int
    facets: tuple[Facet, ...] = ()
    sort_fields: SortFields = SortFields(None, ())


# --- categories -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    uid: str
    name: str
    url_path: str | None
    level: int
    position: int
    product_count: int
    children: tuple[Category, ...] = ()


# --- routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CmsPage:
    """A content page (about us, privacy policy, the home page)."""

    identifier: str  # its URL key, e.g. "about-us"
    title: str
    content: str  # HTML
    content_heading: str
    meta_title: str
    meta_description: str
    meta_keywords: str


@dataclass(frozen=True)
class Route:
    """What a storefront URL shows. ``redirect_code`` is 0, or 301/302 when the URL asked for moved
    to ``relative_url`` (the page is answered all the same)."""

    relative_url: str  # with a leading "/", e.g. "/joust-duffle-bag.html"
    redirect_code: int
    page: Product | Category | CmsPage
