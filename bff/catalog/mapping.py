"""Magento catalog answers (generated views of ``operations/catalog``) as catalog models.

Magento marks almost every field nullable; the mapping decides what a missing value means, so
the rest of the BFF never sees ``None`` where the storefront promises a value. This is the only
module of the catalog package that names Magento's fields.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Protocol, TypeVar, cast

from bff.catalog.models import (
    WHOLE_LISTING,
    Category,
    CategoryRef,
    CmsPage,
    Country,
    Facet,
    FacetOption,
    Image,
    ListingOptions,
    ListingParts,
    OptionValue,
    Product,
    ProductCard,
    ProductOption,
    ProductPage,
    ProductPrice,
    ProductQuery,
    ProductSort,
    Region,
    Route,
    SortFields,
    SortOption,
    StoreConfig,
    StoreView,
    Variant,
    VariantAttribute,
)
from bff.magento.money import money
from bff.magento.results.catalog import (
    CategoryByUrlPathResult,
    CategoryTreeResult,
    CountriesResult,
    CountriesResultCountries,
    ProductBySkuResult,
    ProductByUrlKeyResult,
    ProductListingOptionsResult,
    ProductListingResultProducts,
    ProductListingResultProductsAggregations,
    ProductListingResultProductsSortFields,
    ProductListingVariables,
    ProductsBySkusResult,
    RouteResult,
    RouteResultRoute,
    StoreConfigResultStoreConfig,
    StoreCurrenciesResult,
    StoreViewsResult,
)
from bff.magento.results.enums import SortEnum
from bff.magento.results.fragments import (
    CatalogCategoryNode,
    CatalogProductCard,
    CatalogProductCardVariants,
    CatalogProductCardVariantsProduct,
    CatalogProductDetail,
    CatalogProductDetailMediaGallery,
    CatalogProductDetailVariants,
    CatalogProductDetailVariantsProduct,
    CatalogProductPrice,
)
from bff.magento.results.inputs import (
    FilterEqualTypeInput,
    FilterRangeTypeInput,
    ProductAttributeFilterInput,
    ProductAttributeSortInput,
)

T = TypeVar("T")

# Magento's defaults for general/country/optional_zip_countries; used while the upstream does not
# report its configuration (see ``countries_from_magento``).
DEFAULT_OPTIONAL_ZIP_COUNTRIES: frozenset[str] = frozenset({"HK", "IE", "MO", "PA", "GB"})


def _rows(value: Sequence[T | None] | None) -> list[T]:
    """A Magento list with its null entries dropped."""
    return [row for row in (value or ()) if row is not None]


def _text(value: object, default: str = "") -> str:
    return str(value) if value is not None else default


# --- store and countries ----------------------------------------------------------------------


def store_config_from_magento(data: StoreConfigResultStoreConfig | None) -> StoreConfig:
    if data is None:
        return StoreConfig("", "", "en_US", "USD", "USD", None, "", "", guest_checkout_enabled=False)
    base = _text(data.base_currency_code, "USD")
    return StoreConfig(
        store_code=_text(data.store_code),
        store_name=_text(data.store_name),
        locale=_text(data.locale, "en_US"),
        base_currency=base,
        default_display_currency=_text(data.default_display_currency_code, base),
        root_category_uid=data.root_category_uid,
        product_url_suffix=_text(data.product_url_suffix),
        category_url_suffix=_text(data.category_url_suffix),
        guest_checkout_enabled=bool(data.is_guest_checkout_enabled),
    )


def store_codes(result: StoreViewsResult) -> frozenset[str]:
    """The website's store view codes."""
    return frozenset(s.store_code for s in _rows(result.availableStores) if s.store_code)


def store_views_from_magento(result: StoreViewsResult, currencies: Mapping[str, Sequence[str]]) -> list[StoreView]:
    """The website's store views in Magento's order; ``currencies[code]``: that view's currencies."""
    views: list[StoreView] = []
    for row in _rows(result.availableStores):
        if not row.store_code:
            continue
        offered = tuple(currencies.get(row.store_code, ()))
        default = _text(row.default_display_currency_code) or (offered[0] if offered else "")
        views.append(StoreView(code=row.store_code, name=_text(row.store_name, row.store_code),
                               locale=_text(row.locale, "en_US"), default_currency=default,
                               currencies=offered, is_default=bool(row.is_default_store)))  # fmt: skip
    return views


def currency_list(result: StoreCurrenciesResult) -> list[str]:
    """The currencies a store view offers, in Magento's order."""
    offered = result.currency
    return list(dict.fromkeys(c for c in _rows(offered.available_currency_codes if offered else None) if c))


def _codes(csv: str | None) -> frozenset[str] | None:
    if csv is None:
        return None
    return frozenset(code.strip().upper() for code in csv.split(",") if code.strip())


def countries_of(result: CountriesResult) -> list[Country]:
    """The ``Countries`` answer: countries with the store's region and postcode rules."""
    config = result.storeConfig
    return countries_from_magento(
        _rows(result.countries),
        countries_with_required_region=config.countries_with_required_region if config else None,
        optional_zip_countries=config.optional_zip_countries if config else None,
    )


def countries_from_magento(
    rows: Iterable[CountriesResultCountries | None],
    *,
    countries_with_required_region: str | None = None,
    optional_zip_countries: str | None = None,
) -> list[Country]:
    """Countries sorted by name. The two comma-separated lists are Magento's storeConfig fields
    of the same names; when one is not known, a region is required exactly where Magento lists
    regions, and a postcode everywhere except Magento's default optional-zip countries."""
    required_region = _codes(countries_with_required_region)
    optional_zip = _codes(optional_zip_countries) or DEFAULT_OPTIONAL_ZIP_COUNTRIES
    countries: list[Country] = []
    for row in _rows(list(rows)):
        code = _text(row.two_letter_abbreviation or row.id).upper()
        if not code:
            continue
        regions = tuple(
            Region(id=int(r.id), code=_text(r.code), name=_text(r.name))
            for r in _rows(row.available_regions)
            if r.id is not None
        )
        countries.append(Country(
            code=code,
            name=_text(row.full_name_locale or row.full_name_english, code),
            regions=regions,
            region_required=(code in required_region) if required_region is not None else bool(regions),
            postcode_required=code not in optional_zip,
        ))  # fmt: skip
    return sorted(countries, key=lambda c: _sort_key(c.name))


def _sort_key(name: str) -> str:
    """Alphabetical order for names with accents ("Österreich" next to "Oman", not after "Zypern")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- products ---------------------------------------------------------------------------------


class _Picture(Protocol):
    @property
    def url(self) -> str | None: ...

    @property
    def label(self) -> str | None: ...


def _image(data: _Picture | None) -> Image | None:
    if data is None or not data.url:
        return None
    return Image(url=data.url, label=data.label)


def _gallery(rows: Sequence[CatalogProductDetailMediaGallery | None] | None) -> tuple[Image, ...]:
    shown = sorted((r for r in _rows(rows) if not r.disabled and r.url), key=lambda r: r.position or 0)
    return tuple(Image(url=str(r.url), label=r.label) for r in shown)


def price_from_magento(data: CatalogProductPrice | None) -> ProductPrice:
    """A ``CatalogProductPrice`` selection (``price_range.minimum_price``)."""
    if data is None:
        return ProductPrice(regular=money(None), final=money(None), discount_percent=Decimal(0))
    regular = money(data.regular_price)
    final = money(data.final_price, regular.currency)
    percent = data.discount.percent_off if data.discount else None
    return ProductPrice(
        regular=regular, final=final, discount_percent=Decimal(str(percent if percent is not None else 0))
    )


Priced = CatalogProductCard | CatalogProductDetail | CatalogProductDetailVariantsProduct
Stocked = Priced | CatalogProductCardVariantsProduct


def _minimum_price(item: Priced) -> ProductPrice:
    """The product's lowest price (zero when a listing did not ask for prices)."""
    selected = item.price_range
    return price_from_magento(selected.minimum_price if selected is not None else None)


def _in_stock(item: Stocked | None) -> bool:
    return item is not None and item.stock_status == "IN_STOCK"


def _only_left(item: CatalogProductCard | CatalogProductDetail | CatalogProductDetailVariantsProduct) -> int | None:
    value = item.only_x_left_in_stock
    return int(value) if value is not None else None


def _variant_attributes(
    variant: CatalogProductCardVariants | CatalogProductDetailVariants,
) -> tuple[VariantAttribute, ...]:
    return tuple(
        VariantAttribute(code=_text(a.code), value_uid=str(a.uid), label=_text(a.label))
        for a in variant.attributes or ()
        if a is not None and a.uid
    )


def _options(item: CatalogProductCard | CatalogProductDetail) -> tuple[ProductOption, ...]:
    """A configurable's options; a value is in stock when some in-stock variant has it."""
    configurable = item.configurable_options
    if not configurable:
        return ()
    salable = {
        a.uid
        for v in item.variants or ()
        if v is not None and _in_stock(v.product)
        for a in v.attributes or ()
        if a is not None and a.uid
    }
    options: list[ProductOption] = []
    for option in configurable:
        if option is None:
            continue
        values = tuple(
            OptionValue(
                uid=uid,
                label=v.label or "",
                swatch=swatch.value if (swatch := v.swatch_data) is not None else None,
                in_stock=uid in salable,
            )
            for v in option.values or ()
            if v is not None and (uid := v.uid)
        )
        options.append(ProductOption(uid=option.uid or "", code=option.attribute_code or "",
                                     label=option.label or "", values=values))  # fmt: skip
    return tuple(options)


def _variants(item: CatalogProductDetail) -> tuple[Variant, ...]:
    variants: list[Variant] = []
    for variant in _rows(item.variants):
        child = variant.product
        if child is None or not child.sku:
            continue
        variants.append(Variant(sku=str(child.sku), attributes=_variant_attributes(variant),
                                in_stock=_in_stock(child), only_x_left=_only_left(child),
                                price=_minimum_price(child)))  # fmt: skip
    return tuple(variants)


def product_card_from_magento(item: CatalogProductCard) -> ProductCard:
    """A ``CatalogProductCard`` selection."""
    return ProductCard(
        uid=item.uid,
        sku=item.sku or "",
        name=item.name or "",
        url_key=item.url_key,
        thumbnail=_image(item.thumbnail),
        image=_image(item.small_image),
        price=_minimum_price(item),
        in_stock=_in_stock(item),
        only_x_left=_only_left(item),
        options=_options(item),
    )


def product_from_magento(item: CatalogProductDetail) -> Product:
    """A ``CatalogProductDetail`` selection."""
    return Product(
        uid=_text(item.uid),
        sku=_text(item.sku),
        name=_text(item.name),
        url_key=item.url_key,
        description=_text(item.description.html if item.description else None),
        short_description=_text(item.short_description.html if item.short_description else None),
        thumbnail=_image(item.thumbnail),
        image=_image(item.image),
        gallery=_gallery(item.media_gallery),
        price=_minimum_price(item),
        in_stock=_in_stock(item),
        only_x_left=_only_left(item),
        categories=tuple(
            CategoryRef(uid=str(c.uid), name=_text(c.name), url_path=c.url_path)
            for c in _rows(item.categories)
            if c.uid
        ),
        options=_options(item),
        variants=_variants(item),
    )


def product_with_sku(result: ProductBySkuResult, sku: str) -> Product | None:
    """The product whose SKU is ``sku`` (case-insensitive, as Magento compares SKUs)."""
    items = _rows(result.products.items if result.products else None)
    found = next((i for i in items if (i.sku or "").casefold() == sku.casefold()), None)
    return product_from_magento(found) if found is not None else None


def products_by_sku(result: ProductsBySkusResult) -> dict[str, Product]:
    """The product pages of a ``ProductsBySkus`` answer, by SKU (case-folded)."""
    items = _rows(result.products.items if result.products else None)
    return {(i.sku or "").casefold(): product_from_magento(i) for i in items if i.sku}


def product_with_url_key(result: ProductByUrlKeyResult, url_key: str) -> Product | None:
    items = _rows(result.products.items if result.products else None)
    found = next((i for i in items if i.url_key == url_key), None)
    return product_from_magento(found) if found is not None else None


def _facets(rows: Sequence[ProductListingResultProductsAggregations | None] | None) -> tuple[Facet, ...]:
    return tuple(
        Facet(
            attribute=a.attribute_code,
            label=a.label if a.label is not None else a.attribute_code,
            options=tuple(
                FacetOption(label=o.label if o.label is not None else o.value, value=o.value, count=o.count or 0)
                for o in a.options or ()
                if o is not None
            ),
        )
        for a in rows or ()
        if a is not None
    )


def product_page_from_magento(
    products: ProductListingResultProducts | None, *, page: int, page_size: int
) -> ProductPage:
    """A ``ProductListing`` ``products`` result."""
    if products is None:
        return ProductPage(items=(), total_count=0, current_page=page, page_size=page_size, total_pages=0, facets=())
    total = int(products.total_count or 0)
    info = products.page_info
    return ProductPage(
        items=tuple(product_card_from_magento(i) for i in _rows(products.items)),
        total_count=total,
        current_page=int((info.current_page if info else None) or page),
        page_size=int((info.page_size if info else None) or page_size),
        total_pages=int((info.total_pages if info else None) or -(-total // page_size)),
        facets=_facets(products.aggregations),
        sort_fields=_sort_fields(products.sort_fields),
    )


def _sort_fields(data: ProductListingResultProductsSortFields | None) -> SortFields:
    if data is None:
        return SortFields(None, ())
    options = tuple(SortOption(value=o.value, label=_text(o.label, o.value)) for o in _rows(data.options) if o.value)
    return SortFields(default=data.default, options=options)


def listing_options_from_magento(result: ProductListingOptionsResult) -> ListingOptions:
    """The facet codes of the whole catalog and the store's sort fields."""
    products = result.products
    if products is None:
        return ListingOptions(frozenset(), frozenset())
    sort = products.sort_fields
    return ListingOptions(
        facet_codes=frozenset(a.attribute_code for a in _rows(products.aggregations)),
        sort_fields=frozenset(o.value for o in _rows(sort.options if sort else None) if o.value),
    )


# --- categories -------------------------------------------------------------------------------


class _Branch(Protocol):
    """A category node whose children were selected."""

    @property
    def children(self) -> Sequence[CatalogCategoryNode | None] | None: ...


def category_from_magento(node: CatalogCategoryNode, depth: int) -> Category:
    """A ``CatalogCategoryNode`` with ``depth`` levels of children (0: none), ordered by position.

    The operations select children exactly ``depth`` levels deep (``CategoryTree``'s switches)."""
    children = sorted(_rows(cast(_Branch, node).children), key=lambda c: c.position or 0) if depth > 0 else []
    return Category(
        uid=_text(node.uid),
        name=_text(node.name),
        url_path=node.url_path,
        level=int(node.level or 0),
        position=int(node.position or 0),
        product_count=int(node.product_count or 0),
        children=tuple(category_from_magento(c, depth - 1) for c in children),
    )


def category_tree_from_magento(result: CategoryTreeResult, depth: int) -> list[Category]:
    """The store root's children, ``depth`` levels deep, ordered by position."""
    roots = _rows(result.categories.items if result.categories else None)
    if not roots:
        return []
    children = sorted(_rows(roots[0].children), key=lambda c: c.position or 0)
    return [category_from_magento(c, depth - 1) for c in children]


def category_at(result: CategoryByUrlPathResult, url_path: str) -> Category | None:
    """The category whose URL path is exactly ``url_path``, with its direct children."""
    items = _rows(result.categories.items if result.categories else None)
    found = next((i for i in items if i.url_path == url_path), None)
    return category_from_magento(found, 1) if found is not None else None


# --- routes ----------------------------------------------------------------------------------


def _routed_page(route: RouteResultRoute) -> Product | Category | CmsPage | None:
    kind = route.type
    if kind == "PRODUCT" or (kind is None and route.sku is not None):
        return product_from_magento(route.narrowed(CatalogProductDetail))
    if kind == "CATEGORY" or (kind is None and route.level is not None):
        children = sorted(_rows(route.children), key=lambda c: c.position or 0)
        category = category_from_magento(route.narrowed(CatalogCategoryNode), 0)
        return replace(category, children=tuple(category_from_magento(c, 0) for c in children))
    if kind == "CMS_PAGE" or (kind is None and route.identifier is not None):
        return CmsPage(
            identifier=_text(route.identifier or route.url_key),
            title=_text(route.title),
            content=_text(route.content),
            content_heading=_text(route.content_heading),
            meta_title=_text(route.meta_title),
            meta_description=_text(route.meta_description),
            meta_keywords=_text(route.meta_keywords),
        )
    return None


def route_from_magento(result: RouteResult, asked: str) -> Route | None:
    """The page a ``Route`` answer found (None when Magento found none, or an entity kind the
    storefront does not show); ``asked`` is the path sent, the relative URL when Magento gives none."""
    route = result.route
    if route is None:
        return None
    page = _routed_page(route)
    if page is None:
        return None
    relative = route.relative_url or asked
    return Route(relative_url="/" + relative.lstrip("/"), redirect_code=int(route.redirect_code or 0), page=page)


# --- listing requests → Magento variables ----------------------------------------------------


CATEGORY_FACET = "category_uid"  # Magento's facet (and filter) code for categories
PRICE_FACET = "price"


def listing_variables(q: ProductQuery, parts: ListingParts = WHOLE_LISTING) -> ProductListingVariables:
    """``ProductListing``'s variables for a checked query (the filter is always sent: Magento
    needs ``search`` or ``filter``). Facet attributes become filter fields of their code (select
    attributes: ``FilterEqualTypeInput``), which Magento adds to the filter input at run time.
    ``parts`` set the document's ``@include`` switches; a switch left on is not sent (its default)."""
    f = q.filter
    fields: dict[str, object] = {}
    categories = [*([q.category_uid] if q.category_uid is not None else []), *(f.category_uids or ())]
    for attribute in f.attributes:
        fields[attribute.code] = _equal(attribute.values)
    if categories:
        fields[CATEGORY_FACET] = _equal(tuple(dict.fromkeys(categories)))
    if f.price_from is not None or f.price_to is not None:
        price: FilterRangeTypeInput = {}
        if f.price_from is not None:
            price["from"] = str(f.price_from)
        if f.price_to is not None:
            price["to"] = str(f.price_to)
        fields[PRICE_FACET] = price
    if f.skus is not None:
        fields["sku"] = {"in": list(f.skus)}
    if f.name is not None:
        fields["name"] = {"match": f.name}
    variables: ProductListingVariables = {
        "search": q.search,
        "filter": cast(ProductAttributeFilterInput, fields),
        "sort": _sort(q.sort),
        "pageSize": q.page_size,
        "currentPage": q.page,
    }
    _switch_off(variables, parts)
    return variables


def _switch_off(variables: ProductListingVariables, parts: ListingParts) -> None:
    """Send the switches that are off (a tile's parts only while tiles are fetched): the others
    keep their default, so a full listing sends the same variables as before the switches."""
    if not parts.totals:
        variables["totals"] = False
    if not parts.sort_fields:
        variables["sortFields"] = False
    if not parts.facets:
        variables["facets"] = False
    if not parts.items:
        variables["items"] = False
        return
    if not parts.images:
        variables["images"] = False
    if not parts.prices:
        variables["prices"] = False
    if not parts.options:
        variables["options"] = False


def _equal(values: Sequence[str]) -> FilterEqualTypeInput:
    return {"eq": values[0]} if len(values) == 1 else {"in": list(values)}


def _sort(sort: ProductSort | None) -> ProductAttributeSortInput | None:
    """``{field: direction}``; the field is one of the store's sort fields (runtime sort input fields)."""
    if sort is None:
        return None
    direction: SortEnum = "ASC" if sort.effective_direction.value == "ASC" else "DESC"
    return cast(ProductAttributeSortInput, {sort.field: direction})
