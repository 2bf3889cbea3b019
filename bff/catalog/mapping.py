"""Magento catalog results (dicts shaped by ``operations/catalog``) as catalog models.

Magento marks almost every field nullable; the mapping decides what a missing value means, so
the rest of the BFF never sees ``None`` where the storefront promises a value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from bff.catalog.models import (
    Category,
    CategoryRef,
    Country,
    Facet,
    FacetOption,
    Image,
    OptionValue,
    Product,
    ProductCard,
    ProductOption,
    ProductPage,
    ProductPrice,
    Region,
    StoreConfig,
    Variant,
    VariantAttribute,
)
from bff.money import Money

Data = Mapping[str, Any]

# Magento's defaults for general/country/optional_zip_countries; used while the upstream does not
# report its configuration (see ``countries_from_magento``).
DEFAULT_OPTIONAL_ZIP_COUNTRIES: frozenset[str] = frozenset({"HK", "IE", "MO", "PA", "GB"})


def _rows(value: Any) -> list[Data]:
    """A Magento list with its null entries dropped."""
    return [row for row in (value or []) if isinstance(row, Mapping)]


def _text(value: Any, default: str = "") -> str:
    return str(value) if value is not None else default


# --- store and countries ----------------------------------------------------------------------


def store_config_from_magento(data: Data) -> StoreConfig:
    base = _text(data.get("base_currency_code"), "USD")
    return StoreConfig(
        store_code=_text(data.get("store_code")),
        store_name=_text(data.get("store_name")),
        locale=_text(data.get("locale"), "en_US"),
        base_currency=base,
        default_display_currency=_text(data.get("default_display_currency_code"), base),
        root_category_uid=data.get("root_category_uid"),
        product_url_suffix=_text(data.get("product_url_suffix")),
        category_url_suffix=_text(data.get("category_url_suffix")),
        guest_checkout_enabled=bool(data.get("is_guest_checkout_enabled")),
    )


def _codes(csv: str | None) -> frozenset[str] | None:
    if csv is None:
        return None
    return frozenset(code.strip().upper() for code in csv.split(",") if code.strip())


def countries_from_magento(
    rows: Iterable[Data | None],
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
        code = _text(row.get("two_letter_abbreviation") or row.get("id")).upper()
        if not code:
            continue
        regions = tuple(
            Region(id=int(r["id"]), code=_text(r.get("code")), name=_text(r.get("name")))
            for r in _rows(row.get("available_regions"))
            if r.get("id") is not None
        )
        countries.append(Country(
            code=code,
            name=_text(row.get("full_name_locale") or row.get("full_name_english"), code),
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


def _image(data: Any) -> Image | None:
    if not isinstance(data, Mapping) or not data.get("url"):
        return None
    return Image(url=str(data["url"]), label=data.get("label"))


def _gallery(rows: Any) -> tuple[Image, ...]:
    shown = sorted((r for r in _rows(rows) if not r.get("disabled") and r.get("url")),
                   key=lambda r: r.get("position") or 0)  # fmt: skip
    return tuple(Image(url=str(r["url"]), label=r.get("label")) for r in shown)


def price_from_magento(data: Data | None) -> ProductPrice:
    """A ``CatalogProductPrice`` selection (``price_range.minimum_price``)."""
    data = data or {}
    regular = Money.from_magento(data.get("regular_price"))
    final = Money.from_magento(data.get("final_price"), regular.currency)
    percent = (data.get("discount") or {}).get("percent_off")
    return ProductPrice(
        regular=regular, final=final, discount_percent=Decimal(str(percent if percent is not None else 0))
    )


def _minimum_price(item: Data) -> ProductPrice:
    return price_from_magento((item.get("price_range") or {}).get("minimum_price"))


def _in_stock(item: Data | None) -> bool:
    return bool(item) and (item or {}).get("stock_status") == "IN_STOCK"


def _only_left(item: Data) -> int | None:
    value = item.get("only_x_left_in_stock")
    return int(value) if value is not None else None


def _variant_attributes(variant: Data) -> tuple[VariantAttribute, ...]:
    return tuple(
        VariantAttribute(code=_text(a.get("code")), value_uid=str(a["uid"]), label=_text(a.get("label")))
        for a in _rows(variant.get("attributes"))
        if a.get("uid")
    )


def _options(item: Data) -> tuple[ProductOption, ...]:
    """A configurable's options; a value is in stock when some in-stock variant has it."""
    variants = _rows(item.get("variants"))
    salable = {a.value_uid for v in variants if _in_stock(v.get("product")) for a in _variant_attributes(v)}
    options: list[ProductOption] = []
    for option in _rows(item.get("configurable_options")):
        values = tuple(
            OptionValue(
                uid=str(v["uid"]),
                label=_text(v.get("label")),
                swatch=(v.get("swatch_data") or {}).get("value"),
                in_stock=str(v["uid"]) in salable,
            )
            for v in _rows(option.get("values"))
            if v.get("uid")
        )
        options.append(ProductOption(uid=_text(option.get("uid")), code=_text(option.get("attribute_code")),
                                     label=_text(option.get("label")), values=values))  # fmt: skip
    return tuple(options)


def _variants(item: Data) -> tuple[Variant, ...]:
    variants: list[Variant] = []
    for variant in _rows(item.get("variants")):
        child = variant.get("product")
        if not isinstance(child, Mapping) or not child.get("sku"):
            continue
        variants.append(Variant(sku=str(child["sku"]), attributes=_variant_attributes(variant),
                                in_stock=_in_stock(child), only_x_left=_only_left(child),
                                price=_minimum_price(child)))  # fmt: skip
    return tuple(variants)


def product_card_from_magento(item: Data) -> ProductCard:
    """A ``CatalogProductCard`` selection."""
    return ProductCard(
        uid=_text(item.get("uid")),
        sku=_text(item.get("sku")),
        name=_text(item.get("name")),
        url_key=item.get("url_key"),
        thumbnail=_image(item.get("thumbnail")),
        image=_image(item.get("small_image")),
        price=_minimum_price(item),
        in_stock=_in_stock(item),
        only_x_left=_only_left(item),
        options=_options(item),
    )


def product_from_magento(item: Data) -> Product:
    """A ``CatalogProductDetail`` selection."""
    return Product(
        uid=_text(item.get("uid")),
        sku=_text(item.get("sku")),
        name=_text(item.get("name")),
        url_key=item.get("url_key"),
        description=_text((item.get("description") or {}).get("html")),
        short_description=_text((item.get("short_description") or {}).get("html")),
        thumbnail=_image(item.get("thumbnail")),
        image=_image(item.get("image")),
        gallery=_gallery(item.get("media_gallery")),
        price=_minimum_price(item),
        in_stock=_in_stock(item),
        only_x_left=_only_left(item),
        categories=tuple(
            CategoryRef(uid=str(c["uid"]), name=_text(c.get("name")), url_path=c.get("url_path"))
            for c in _rows(item.get("categories"))
            if c.get("uid")
        ),
        options=_options(item),
        variants=_variants(item),
    )


def _facets(rows: Any) -> tuple[Facet, ...]:
    return tuple(
        Facet(
            attribute=_text(a.get("attribute_code")),
            label=_text(a.get("label"), _text(a.get("attribute_code"))),
            options=tuple(
                FacetOption(
                    label=_text(o.get("label"), _text(o.get("value"))),
                    value=_text(o.get("value")),
                    count=int(o.get("count") or 0),
                )
                for o in _rows(a.get("options"))
            ),
        )
        for a in _rows(rows)
    )


def product_page_from_magento(products: Data, *, page: int, page_size: int) -> ProductPage:
    """A ``ProductListing`` ``products`` result."""
    total = int(products.get("total_count") or 0)
    info = products.get("page_info") or {}
    return ProductPage(
        items=tuple(product_card_from_magento(i) for i in _rows(products.get("items"))),
        total_count=total,
        current_page=int(info.get("current_page") or page),
        page_size=int(info.get("page_size") or page_size),
        total_pages=int(info.get("total_pages") or -(-total // page_size)),
        facets=_facets(products.get("aggregations")),
    )


# --- categories -------------------------------------------------------------------------------


def category_from_magento(node: Data, depth: int) -> Category:
    """A ``CatalogCategoryNode`` with ``depth`` levels of children (0: none), ordered by position."""
    children = sorted(_rows(node.get("children")), key=lambda c: c.get("position") or 0)
    return Category(
        uid=_text(node.get("uid")),
        name=_text(node.get("name")),
        url_path=node.get("url_path"),
        level=int(node.get("level") or 0),
        position=int(node.get("position") or 0),
        product_count=int(node.get("product_count") or 0),
        children=tuple(category_from_magento(c, depth - 1) for c in children) if depth > 0 else (),
    )
