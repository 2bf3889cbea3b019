"""Catalog and store queries: storeConfig, availableStores, currency, countries, country,
products, categories, categoryList, category.

Cache tags added to ``ctx.cache_tags`` (sent as ``X-Magento-Tags`` on cacheable GETs), after
Magento's identity classes:

* ``products``: ``cat_p`` plus ``cat_p_<id>`` for every product view built (items and variants);
* ``categories`` / ``categoryList`` (and ``ProductInterface.categories``): ``cat_c`` plus
  ``cat_c_<id>`` for every category view built;
* ``storeConfig`` / ``availableStores``: ``gql_store_config`` plus ``gql_store_config_<store id>``;
* ``currency``: ``gql_currency``; ``countries`` / ``country``: ``gql_country``.

Product and category views live in ``catalog_views`` (re-exported here: ``product_view``,
``category_view``, ``price_in``, ``money_in``), the search engine in ``catalog_search``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLResolveInfo

from bff.sandbox.catalog_search import (
    SORT_OPTIONS,
    aggregations,
    check_category_arguments,
    check_paging,
    decode_uid,
    equal_values,
    page_of,
    search_products,
)
from bff.sandbox.catalog_views import (
    BASE_URL,
    MEDIA_URL,
    URL_SUFFIX,
    category_view,
    is_in_stock,
    money_in,
    price_in,
    product_view,
    tree_key,
    variant_for_options,
)
from bff.sandbox.context import RequestContext, RootResolver, context_of
from bff.sandbox.countries import (
    COUNTRIES,
    OPTIONAL_ZIP_COUNTRIES,
    REGION_REQUIRED_COUNTRIES,
    Country,
    find_country,
)
from bff.sandbox.errors import InputError, NoSuchEntityError
from bff.sandbox.money import RATES, SYMBOLS
from bff.sandbox.state import Category, SandboxState, StoreView, uid

Info = GraphQLResolveInfo

# Website-level settings shared by both store views; default_country follows the store view.
TIMEZONE = "America/Chicago"
DEFAULT_COUNTRY = {"default": "US", "de": "DE"}


# --- store, currency, countries -------------------------------------------------------------


def store_config_view(store: StoreView, state: SandboxState) -> dict[str, Any]:
    """The StoreConfig dict of a store view."""
    root = state.categories.get(store.root_category_id)
    return {
        "code": store.code,
        "store_code": store.code,
        "store_name": store.name,
        "is_default_store": store.is_default,
        "website_code": store.website_code,
        "locale": store.locale,
        "base_currency_code": store.base_currency,
        "default_display_currency_code": store.default_display_currency,
        "timezone": TIMEZONE,
        "weight_unit": "lbs",
        "base_url": BASE_URL,
        "base_media_url": MEDIA_URL,
        "default_country": DEFAULT_COUNTRY.get(store.code, "US"),
        "product_url_suffix": URL_SUFFIX,
        "category_url_suffix": URL_SUFFIX,
        "grid_per_page": 12,
        "list_per_page": 10,
        "catalog_default_sort_by": "position",
        "root_category_id": store.root_category_id,
        "root_category_uid": uid(root.id) if root is not None else None,
        "required_character_classes_number": "3",
        "minimum_password_length": "8",
        "customer_access_token_lifetime": state.config.customer_token_lifetime_minutes / 60,
        "is_guest_checkout_enabled": state.config.guest_checkout_enabled,
        "cart_expires_in_days": 30,
        "countries_with_required_region": ",".join(sorted(REGION_REQUIRED_COUNTRIES)),
        "optional_zip_countries": ",".join(sorted(OPTIONAL_ZIP_COUNTRIES)),
        "display_state_if_optional": False,
    }


def _store_tags(ctx: RequestContext, stores: list[StoreView]) -> None:
    ctx.cache_tags.add("gql_store_config")
    ctx.cache_tags.update(f"gql_store_config_{s.id}" for s in stores)


def resolve_store_config(_root: Any, info: Info) -> dict[str, Any]:
    ctx = context_of(info)
    _store_tags(ctx, [ctx.store])
    return store_config_view(ctx.store, ctx.state)


def resolve_available_stores(_root: Any, info: Info, useCurrentGroup: bool | None = None) -> list[dict[str, Any]]:
    """All store views (the sandbox has one website and one store group, so ``useCurrentGroup``
    does not narrow the list)."""
    ctx = context_of(info)
    stores = sorted(ctx.state.stores.values(), key=lambda s: s.id)
    _store_tags(ctx, stores)
    return [store_config_view(s, ctx.state) for s in stores]


def resolve_currency(_root: Any, info: Info) -> dict[str, Any]:
    ctx = context_of(info)
    ctx.cache_tags.add("gql_currency")
    store = ctx.store
    return {
        "base_currency_code": store.base_currency,
        "base_currency_symbol": SYMBOLS.get(store.base_currency, store.base_currency),
        "default_display_currency_code": store.default_display_currency,
        "default_display_currency_symbol": SYMBOLS.get(store.default_display_currency),
        "available_currency_codes": list(store.allowed_currencies),
        "exchange_rates": [{"currency_to": c, "rate": float(RATES[c])} for c in store.allowed_currencies],
    }


def country_view(country: Country, locale: str) -> dict[str, Any]:
    regions = [{"id": r.id, "code": r.code, "name": r.name} for r in country.regions]
    return {
        "id": country.code,
        "two_letter_abbreviation": country.code,
        "three_letter_abbreviation": country.iso3,
        "full_name_locale": country.name_in(locale),
        "full_name_english": country.name_en,
        "available_regions": regions or None,
    }


def resolve_countries(_root: Any, info: Info) -> list[dict[str, Any]]:
    ctx = context_of(info)
    ctx.cache_tags.add("gql_country")
    return [country_view(COUNTRIES[code], ctx.store.locale) for code in sorted(COUNTRIES)]


def resolve_country(_root: Any, info: Info, id: str | None = None) -> dict[str, Any]:
    ctx = context_of(info)
    country = find_country(id)
    if country is None:
        raise NoSuchEntityError("The country isn't available.")
    ctx.cache_tags.add("gql_country")
    return country_view(country, ctx.store.locale)


# --- products -------------------------------------------------------------------------------


def resolve_products(
    _root: Any,
    info: Info,
    search: str | None = None,
    filter: dict[str, Any] | None = None,
    pageSize: int | None = 20,
    currentPage: int | None = 1,
    sort: dict[str, Any] | None = None,
) -> dict[str, Any]:
    ctx = context_of(info)
    size, current = check_paging(pageSize, currentPage)
    if search is None and filter is None:
        raise InputError("'search' or 'filter' input argument is required.")
    check_category_arguments(ctx.state, filter)
    result = search_products(ctx.state, search, filter, sort)
    page = page_of(len(result.products), size, current)
    ctx.cache_tags.add("cat_p")
    items = [product_view(p, ctx) for p in page.slice(result.products)]

    def resolve_aggregations(_info: Info, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        direct = bool(((filter or {}).get("category") or {}).get("includeDirectChildrenOnly"))
        return aggregations(ctx.state, result, direct)

    return {
        "items": items,
        "total_count": page.total_count,
        "page_info": page.info(),
        "aggregations": resolve_aggregations,
        "sort_fields": {"default": "position", "options": [dict(o) for o in SORT_OPTIONS]},
    }


# --- categories -----------------------------------------------------------------------------


def _in_store(store: StoreView, category: Category) -> bool:
    root = str(store.root_category_id)
    return root in category.path.split("/")


MIN_QUERY_LENGTH = 3  # catalog/search/min_query_length
# characters CatalogGraphQl's CategoryFilter strips from a match value before measuring it
MATCH_SPECIAL_CHARACTERS = "-+~/\\<>'\":*$#@()!,.?`=%&^"


def check_category_filters(filters: dict[str, Any]) -> None:
    """``categories``' argument processors (CatalogGraphQl's ``CategoryUidsArgsProcessor``,
    ``ParentCategoryUidsArgsProcessor``) and ``CategoryFilter``'s match length rule."""
    for id_field, uid_field in (("ids", "category_uid"), ("parent_id", "parent_category_uid")):
        if filters.get(id_field) and filters.get(uid_field):
            raise InputError(f"`{id_field}` and `{uid_field}` can't be used at the same time.")
    for condition in filters.values():
        if isinstance(condition, dict) and condition.get("match") is not None:
            text = str(condition["match"]).translate({ord(c): None for c in MATCH_SPECIAL_CHARACTERS}).strip()
            if len(text.encode()) < MIN_QUERY_LENGTH:
                raise InputError(f"Invalid match filter. Minimum length is {MIN_QUERY_LENGTH}.")


def find_categories(ctx: RequestContext, filters: dict[str, Any] | None) -> list[Category]:
    """CategoryFilterInput over the store's tree; no filters means the store's root category."""
    state, store = ctx.state, ctx.store
    if filters:
        check_category_filters(filters)
    if filters is None:
        filters = {"ids": {"eq": str(store.root_category_id)}}
    checks: list[tuple[set[str] | None, str]] = []
    for field, attribute in (("ids", "id"), ("parent_id", "parent_id"), ("url_key", "url_key"),
                             ("url_path", "url_path")):  # fmt: skip
        values = equal_values(filters.get(field))
        checks.append((set(values) if values is not None else None, attribute))
    for field, attribute in (("category_uid", "id"), ("parent_category_uid", "parent_id")):
        values = equal_values(filters.get(field))
        checks.append(({str(decode_uid(v)) for v in values} if values is not None else None, attribute))
    name = ((filters.get("name") or {}).get("match") or "").casefold()
    found = [
        c
        for c in state.categories.values()
        if _in_store(store, c)
        and all(wanted is None or str(getattr(c, attr)) in wanted for wanted, attr in checks)
        and name in c.name.casefold()
    ]
    return sorted(found, key=lambda c: tree_key(state, c))


def resolve_categories(
    _root: Any,
    info: Info,
    filters: dict[str, Any] | None = None,
    pageSize: int | None = 20,
    currentPage: int | None = 1,
) -> dict[str, Any]:
    ctx = context_of(info)
    size, current = check_paging(pageSize, currentPage)
    found = find_categories(ctx, filters)
    page = page_of(len(found), size, current)
    ctx.cache_tags.add("cat_c")
    return {
        "items": [category_view(c, ctx) for c in page.slice(found)],
        "total_count": page.total_count,
        "page_info": page.info(),
    }


def resolve_category_list(
    _root: Any,
    info: Info,
    filters: dict[str, Any] | None = None,
    pageSize: int | None = 20,
    currentPage: int | None = 1,
) -> list[dict[str, Any]]:
    """Deprecated ``categoryList``: the same search, as a plain list."""
    result: list[dict[str, Any]] = resolve_categories(_root, info, filters, pageSize, currentPage)["items"]
    return result


def resolve_category(_root: Any, info: Info, id: int | None = None) -> Mapping[str, Any]:
    """Deprecated ``category(id:)`` (CatalogGraphQl's ``CategoryTree`` resolver): the category, or
    the store's root category without an id; one outside the store's tree does not exist."""
    ctx = context_of(info)
    category = ctx.state.categories.get(ctx.store.root_category_id if id is None else id)
    if category is None or not _in_store(ctx.store, category):
        raise NoSuchEntityError("Category doesn't exist")
    ctx.cache_tags.add("cat_c")
    return category_view(category, ctx)


QUERY_FIELDS: dict[str, RootResolver] = {
    "storeConfig": resolve_store_config,
    "availableStores": resolve_available_stores,
    "currency": resolve_currency,
    "countries": resolve_countries,
    "country": resolve_country,
    "products": resolve_products,
    "categories": resolve_categories,
    "categoryList": resolve_category_list,
    "category": resolve_category,
}

__all__ = [
    "QUERY_FIELDS",
    "category_view",
    "country_view",
    "find_categories",
    "is_in_stock",
    "money_in",
    "price_in",
    "product_view",
    "store_config_view",
    "variant_for_options",
]
