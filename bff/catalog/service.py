"""``CatalogService``: public catalog reads (store config, listings, product and category pages,
countries) with the storefront's input rules.

Every read is public: it goes upstream without the customer token (``as_customer=False``), so
answers depend only on operation, variables, store view and currency, and can be cached later.
Each upstream operation is called from exactly one method (``_fetch_*``), the seam a response
cache will wrap. Inputs are checked before Magento sees them; a refusal is ``BAD_USER_INPUT``
with a message for frontend developers, never Magento's text.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bff.catalog.locale import LocaleCache
from bff.catalog.mapping import (
    category_from_magento,
    countries_from_magento,
    product_from_magento,
    product_page_from_magento,
    store_config_from_magento,
)
from bff.catalog.models import (
    Category,
    Country,
    Product,
    ProductFilter,
    ProductPage,
    ProductQuery,
    ProductSort,
    StoreConfig,
)
from bff.clock import Clock
from bff.errors import BadUserInput
from bff.magento.errors import MagentoInputRejected, MagentoNotFound
from bff.shopper import Shopper

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
MAX_SEARCH_LENGTH = 200
MAX_SKUS = 100
MAX_KEY_LENGTH = 255
MAX_PRICE = Decimal(1_000_000_000)
MAX_TREE_DEPTH = 5
COUNTRIES_TTL_S = 600.0

_UID = re.compile(r"^[A-Za-z0-9+/=_-]{1,64}$")
_SORT_FIELDS = {"RELEVANCE": "relevance", "NAME": "name", "PRICE": "price", "POSITION": "position"}


@dataclass(frozen=True)
class _Cached:
    expires_at: float
    countries: tuple[Country, ...]


class CatalogService:
    """Catalog reads. ``clock`` (seconds; ``time.monotonic`` when not given) ages the countries cache."""

    def __init__(self, *, clock: Clock | None = None, countries_ttl_s: float = COUNTRIES_TTL_S) -> None:
        self._now: Callable[[], float] = clock.now if clock is not None else time.monotonic
        self._countries_ttl_s = countries_ttl_s
        self._countries: dict[str, _Cached] = {}
        self._locales = LocaleCache(self._now)

    # --- store ----------------------------------------------------------------------------------

    async def store_config(self, shopper: Shopper) -> StoreConfig:
        return store_config_from_magento(await self._fetch_store_config(shopper))

    async def check_locale(self, shopper: Shopper, store: str | None, currency: str | None) -> None:
        """Refuse a ``Store`` / ``Content-Currency`` header the shop does not offer (``BAD_USER_INPUT``).

        ``store`` and ``currency`` are the request's headers (None when not sent); a currency is
        checked against the store view it will be used with."""
        if store is None and currency is None:
            return

        async def stores() -> frozenset[str]:
            data = await shopper.call_for_store("StoreViews", shopper.remembered_store)
            return frozenset(
                str(s["store_code"]) for s in data.get("availableStores") or () if s and s.get("store_code")
            )

        async def currencies(code: str | None) -> frozenset[str]:
            data = await shopper.call_for_store("StoreCurrencies", code or shopper.remembered_store)
            offered = data.get("currency") or {}
            return frozenset(str(c) for c in offered.get("available_currency_codes") or () if c)

        await self._locales.check(store, currency, stores=stores, currencies=currencies)

    async def countries(self, shopper: Shopper) -> list[Country]:
        """The store view's countries (sorted by name), cached in process for ten minutes."""
        key = shopper.store or ""
        now = self._now()
        cached = self._countries.get(key)
        if cached is None or cached.expires_at <= now:
            data = await self._fetch_countries(shopper)
            config = data.get("storeConfig") or {}
            countries = countries_from_magento(
                data.get("countries") or [],
                countries_with_required_region=config.get("countries_with_required_region"),
                optional_zip_countries=config.get("optional_zip_countries"),
            )
            cached = _Cached(now + self._countries_ttl_s, tuple(countries))
            self._countries[key] = cached
        return list(cached.countries)

    async def country(self, shopper: Shopper, code: str) -> Country | None:
        """The store view's country with this ISO alpha-2 code (case-insensitive)."""
        wanted = code.strip().upper()
        return next((c for c in await self.countries(shopper) if c.code == wanted), None)

    # --- products -------------------------------------------------------------------------------

    async def products(self, shopper: Shopper, query: ProductQuery) -> ProductPage:
        """One page of a search or category listing; a page beyond the last one is empty."""
        query = _checked_query(query)
        variables = _listing_variables(query)
        try:
            data = await self._fetch_listing(shopper, variables)
        except MagentoInputRejected as err:
            if query.page == 1:
                raise _listing_refused(query) from err
            return await self._beyond_last_page(shopper, query, variables)
        return product_page_from_magento(data, page=query.page, page_size=query.page_size)

    async def _beyond_last_page(self, shopper: Shopper, query: ProductQuery, variables: dict[str, Any]) -> ProductPage:
        """Magento refuses a page beyond the last one: page 1 tells how many there are."""
        try:
            first = product_page_from_magento(await self._fetch_listing(shopper, {**variables, "currentPage": 1}),
                                              page=1, page_size=query.page_size)  # fmt: skip
        except MagentoInputRejected as err:
            raise _listing_refused(query) from err
        if query.page <= first.total_pages:  # refused for another reason
            raise _listing_refused(query)
        return ProductPage(items=(), total_count=first.total_count, current_page=query.page,
                           page_size=query.page_size, total_pages=first.total_pages, facets=first.facets)  # fmt: skip

    async def product(self, shopper: Shopper, *, url_key: str | None = None, sku: str | None = None) -> Product | None:
        """The product page by URL key or SKU (exactly one); None when the store has no such product."""
        if (url_key is None) == (sku is None):
            raise BadUserInput("Give exactly one of `urlKey` and `sku`.")
        if sku is not None:
            wanted = _key(sku, "sku")
            items = await self._fetch_product_by_sku(shopper, wanted)
            found = next((i for i in items if str(i.get("sku") or "").casefold() == wanted.casefold()), None)
        else:
            wanted = _key(url_key or "", "urlKey")
            items = await self._fetch_product_by_url_key(shopper, wanted)
            found = next((i for i in items if i.get("url_key") == wanted), None)
        return product_from_magento(found) if found is not None else None

    # --- categories -----------------------------------------------------------------------------

    async def category_tree(self, shopper: Shopper, depth: int = 3) -> list[Category]:
        """The store root's children, ``depth`` levels deep (deeper ``children`` are empty)."""
        if not 1 <= depth <= MAX_TREE_DEPTH:
            raise BadUserInput(f"`depth` must be between 1 and {MAX_TREE_DEPTH}.")
        roots = await self._fetch_category_tree(shopper, depth)
        if not roots:
            return []
        children = sorted((c for c in roots[0].get("children") or [] if c), key=lambda c: c.get("position") or 0)
        return [category_from_magento(c, depth - 1) for c in children]

    async def category(self, shopper: Shopper, url_path: str) -> Category | None:
        """The category at this URL path (no leading slash, no URL suffix) with its direct children."""
        wanted = _key(url_path, "urlPath").strip("/")
        if not wanted:
            raise BadUserInput('`urlPath` must name a category, e.g. "men/tops-men".')
        try:
            items = await self._fetch_category_by_url_path(shopper, wanted)
        except MagentoNotFound:
            return None
        found = next((i for i in items if i.get("url_path") == wanted), None)
        return category_from_magento(found, 1) if found is not None else None

    # --- upstream calls (one operation each) ----------------------------------------------------

    async def _fetch_store_config(self, shopper: Shopper) -> dict[str, Any]:
        data = await shopper.call("StoreConfig", {}, as_customer=False)
        return dict(data.get("storeConfig") or {})

    async def _fetch_countries(self, shopper: Shopper) -> dict[str, Any]:
        return await shopper.call("Countries", {}, as_customer=False)

    async def _fetch_listing(self, shopper: Shopper, variables: dict[str, Any]) -> dict[str, Any]:
        data = await shopper.call("ProductListing", variables, as_customer=False)
        return dict(data.get("products") or {})

    async def _fetch_product_by_sku(self, shopper: Shopper, sku: str) -> list[dict[str, Any]]:
        data = await shopper.call("ProductBySku", {"sku": sku}, as_customer=False)
        return _items(data.get("products"))

    async def _fetch_product_by_url_key(self, shopper: Shopper, url_key: str) -> list[dict[str, Any]]:
        data = await shopper.call("ProductByUrlKey", {"urlKey": url_key}, as_customer=False)
        return _items(data.get("products"))

    async def _fetch_category_tree(self, shopper: Shopper, depth: int) -> list[dict[str, Any]]:
        levels = {f"level{n}": depth >= n for n in range(2, MAX_TREE_DEPTH + 1)}
        data = await shopper.call("CategoryTree", levels, as_customer=False)
        return _items(data.get("categories"))

    async def _fetch_category_by_url_path(self, shopper: Shopper, url_path: str) -> list[dict[str, Any]]:
        data = await shopper.call("CategoryByUrlPath", {"urlPath": url_path}, as_customer=False)
        return _items(data.get("categories"))


def _items(result: Any) -> list[dict[str, Any]]:
    return [i for i in ((result or {}).get("items") or []) if isinstance(i, dict)]


# --- input rules ------------------------------------------------------------------------------


def _key(value: str, name: str) -> str:
    value = value.strip()
    if not value:
        raise BadUserInput(f"`{name}` must not be empty.")
    if len(value) > MAX_KEY_LENGTH:
        raise BadUserInput(f"`{name}` must be at most {MAX_KEY_LENGTH} characters.")
    return value


def _price(value: Decimal | None, name: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise BadUserInput(f"`filter.{name}` must be a price between 0 and {MAX_PRICE}.")
    return value


def _checked_filter(f: ProductFilter) -> ProductFilter:
    low, high = _price(f.price_from, "priceFrom"), _price(f.price_to, "priceTo")
    if low is not None and high is not None and low > high:
        raise BadUserInput("`filter.priceFrom` must not be greater than `filter.priceTo`.")
    skus = f.skus
    if skus is not None:
        skus = tuple(dict.fromkeys(_key(s, "filter.skus[]") for s in skus))
        if not 1 <= len(skus) <= MAX_SKUS:
            raise BadUserInput(f"`filter.skus` must list between 1 and {MAX_SKUS} SKUs.")
    name = f.name
    if name is not None:
        name = name.strip()
        if not name or len(name) > MAX_SEARCH_LENGTH:
            raise BadUserInput(f"`filter.name` must be 1 to {MAX_SEARCH_LENGTH} characters.")
    return ProductFilter(price_from=low, price_to=high, skus=skus, name=name)


def _checked_query(q: ProductQuery) -> ProductQuery:
    if not 1 <= q.page <= MAX_PAGE:
        raise BadUserInput(f"`page` must be between 1 and {MAX_PAGE}.")
    if not 1 <= q.page_size <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`pageSize` must be between 1 and {MAX_PAGE_SIZE}.")
    search = q.search.strip() if q.search is not None else None
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        raise BadUserInput(f"`search` must be at most {MAX_SEARCH_LENGTH} characters.")
    category_uid = q.category_uid.strip() if q.category_uid is not None else None
    if category_uid is not None and not _UID.match(category_uid):
        raise BadUserInput("`categoryUid` is not a category uid (take it from `categoryTree` or `category`).")
    return ProductQuery(search=search or None, category_uid=category_uid, filter=_checked_filter(q.filter),
                        sort=q.sort, page=q.page, page_size=q.page_size)  # fmt: skip


def _listing_variables(q: ProductQuery) -> dict[str, Any]:
    f = q.filter
    magento_filter: dict[str, Any] = {}
    if q.category_uid is not None:
        magento_filter["category_uid"] = {"eq": q.category_uid}
    if f.price_from is not None or f.price_to is not None:
        magento_filter["price"] = {k: str(v) for k, v in (("from", f.price_from), ("to", f.price_to)) if v is not None}
    if f.skus is not None:
        magento_filter["sku"] = {"in": list(f.skus)}
    if f.name is not None:
        magento_filter["name"] = {"match": f.name}
    return {
        "search": q.search,
        "filter": magento_filter,  # always sent: Magento needs `search` or `filter`
        "sort": _sort(q.sort),
        "pageSize": q.page_size,
        "currentPage": q.page,
    }


def _sort(sort: ProductSort | None) -> dict[str, str] | None:
    if sort is None:
        return None
    return {_SORT_FIELDS[sort.field.value]: sort.effective_direction.value}


def _listing_refused(q: ProductQuery) -> BadUserInput:
    if q.category_uid is not None:
        return BadUserInput("The listing could not be run: `categoryUid` is not a known category uid.")
    return BadUserInput("The listing could not be run with these arguments.")
