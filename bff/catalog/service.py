"""``CatalogService``: public catalog reads (store config, listings, product and category pages,
countries) with the storefront's input rules.

Every read is public (its policy in ``operations/catalog/policies.toml`` says so): the gateway
sends it without the customer token, so answers depend only on operation, variables, store view
and currency, and can be cached. Inputs are checked before Magento sees them; a refusal is
``BAD_USER_INPUT`` with a message for frontend developers, never Magento's text.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from bff.catalog.locale import LOCALES_TTL_S, check_locale
from bff.catalog.mapping import (
    category_at,
    category_tree_from_magento,
    countries_of,
    currency_list,
    listing_options_from_magento,
    listing_variables,
    product_page_from_magento,
    product_with_sku,
    product_with_url_key,
    products_by_sku,
    route_from_magento,
    store_codes,
    store_config_from_magento,
    store_views_from_magento,
)
from bff.catalog.models import (
    RELEVANCE,
    WHOLE_LISTING,
    AttributeFilter,
    Category,
    Country,
    ListingOptions,
    ListingParts,
    Product,
    ProductFilter,
    ProductPage,
    ProductQuery,
    ProductSort,
    Route,
    StoreConfig,
    StoreView,
)
from bff.clock import Clock
from bff.errors import BadUserInput
from bff.magento.errors import MagentoInputRejected, MagentoNotFound
from bff.magento.results import catalog as ops
from bff.magento.results.catalog import ProductListingResultProducts, ProductListingVariables
from bff.shopper import Gateway

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
MAX_SEARCH_LENGTH = 200
MAX_SKUS = 100
MAX_KEY_LENGTH = 255
MAX_PRICE = Decimal(1_000_000_000)
MAX_TREE_DEPTH = 5
MAX_ATTRIBUTE_FILTERS = 20
MAX_FILTER_VALUES = 50  # values of one attribute, and category uids
MAX_SORT_FIELD_LENGTH = 60
MAX_URL_LENGTH = 2048
COUNTRIES_TTL_S = 600.0

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_UID = re.compile(r"^[A-Za-z0-9+/=_-]{1,64}$")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")  # a Magento attribute code
_BOUND = r"(\*|\d{1,10}(?:\.\d{1,4})?)"
_BUCKET = re.compile(rf"^{_BOUND}_{_BOUND}$")  # a price facet value: "10_20", "100_*"
_CATEGORY_FACET, _PRICE_FACET = "category_uid", "price"


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
        self._store_views: tuple[float, tuple[StoreView, ...]] | None = None
        self._listing_options: dict[str, tuple[float, ListingOptions]] = {}

    # --- store ----------------------------------------------------------------------------------

    async def store_config(self, shopper: Gateway) -> StoreConfig:
        result = await shopper.call(ops.STORE_CONFIG({}))
        return store_config_from_magento(result.storeConfig)

    async def store_views(self, shopper: Gateway) -> list[StoreView]:
        """The website's store views with their currencies (for a store switcher), cached in process
        for ten minutes like the locale checks."""
        now = self._now()
        if self._store_views is None or self._store_views[0] <= now:
            result = await shopper.call_for_store(ops.STORE_VIEWS({}), None)
            codes = sorted(store_codes(result))
            offered = await asyncio.gather(*(shopper.call_for_store(ops.STORE_CURRENCIES({}), code) for code in codes))
            currencies = {code: currency_list(r) for code, r in zip(codes, offered, strict=True)}
            self._store_views = (now + LOCALES_TTL_S, tuple(store_views_from_magento(result, currencies)))
        return list(self._store_views[1])

    async def check_locale(self, shopper: Gateway, store: str | None, currency: str | None) -> None:
        """Refuse a ``Store`` / ``Content-Currency`` header the shop does not offer (``BAD_USER_INPUT``).

        ``store`` and ``currency`` are the request's headers (None when not sent); a currency is
        checked against the store view it will be used with."""
        if store is None and currency is None:
            return
        check_locale(await self.store_views(shopper), store, shopper.remembered_store, currency)

    async def countries(self, shopper: Gateway) -> list[Country]:
        """The store view's countries (sorted by name), cached in process for ten minutes."""
        key = shopper.store or ""
        now = self._now()
        cached = self._countries.get(key)
        if cached is None or cached.expires_at <= now:
            countries = countries_of(await shopper.call(ops.COUNTRIES({})))
            cached = _Cached(now + self._countries_ttl_s, tuple(countries))
            self._countries[key] = cached
        return list(cached.countries)

    async def country(self, shopper: Gateway, code: str) -> Country | None:
        """The store view's country with this ISO alpha-2 code (case-insensitive)."""
        wanted = code.strip().upper()
        return next((c for c in await self.countries(shopper) if c.code == wanted), None)

    # --- products -------------------------------------------------------------------------------

    async def products(self, shopper: Gateway, query: ProductQuery, parts: ListingParts = WHOLE_LISTING) -> ProductPage:
        """One page of a search or category listing; a page beyond the last one is empty.

        Magento is asked only for ``parts`` (the GraphQL layer passes what the client selected);
        the page's other parts are empty."""
        query = _checked_query(query)
        if query.filter.attributes or query.sort is not None:
            _check_against(query, await self._options(shopper))
        try:
            data = await self._fetch_listing(shopper, listing_variables(query, parts))
        except MagentoInputRejected as err:
            if query.page == 1:
                raise _listing_refused(query) from err
            return await self._beyond_last_page(shopper, query, parts)
        return product_page_from_magento(data, page=query.page, page_size=query.page_size)

    async def _options(self, shopper: Gateway) -> ListingOptions:
        """The store view's facet codes and sort fields, cached in process for ten minutes."""
        key, now = shopper.store or "", self._now()
        cached = self._listing_options.get(key)
        if cached is None or cached[0] <= now:
            cached = (
                now + LOCALES_TTL_S,
                listing_options_from_magento(await shopper.call(ops.PRODUCT_LISTING_OPTIONS({}))),
            )
            self._listing_options[key] = cached
        return cached[1]

    async def _beyond_last_page(self, shopper: Gateway, query: ProductQuery, parts: ListingParts) -> ProductPage:
        """Magento refuses a page beyond the last one: page 1 (its totals, without tiles) tells how
        many there are."""
        first_page = listing_variables(replace(query, page=1), replace(parts, totals=True, items=False))
        try:
            first = product_page_from_magento(await self._fetch_listing(shopper, first_page),
                                              page=1, page_size=query.page_size)  # fmt: skip
        except MagentoInputRejected as err:
            raise _listing_refused(query) from err
        if query.page <= first.total_pages:  # refused for another reason
            raise _listing_refused(query)
        return ProductPage(items=(), total_count=first.total_count, current_page=query.page,
                           page_size=query.page_size, total_pages=first.total_pages, facets=first.facets,
                           sort_fields=first.sort_fields)  # fmt: skip

    async def product(self, shopper: Gateway, *, url_key: str | None = None, sku: str | None = None) -> Product | None:
        """The product page by URL key or SKU (exactly one); None when the store has no such product."""
        if (url_key is None) == (sku is None):
            raise BadUserInput("Give exactly one of `urlKey` and `sku`.")
        if sku is not None:
            wanted = _key(sku, "sku")
            return product_with_sku(await shopper.call(ops.PRODUCT_BY_SKU({"sku": wanted})), wanted)
        wanted = _key(url_key or "", "urlKey")
        result = await shopper.call(ops.PRODUCT_BY_URL_KEY({"urlKey": wanted}))
        return product_with_url_key(result, wanted)

    @staticmethod
    def checked_sku(sku: str) -> str:
        """A SKU as ``product(sku:)`` looks it up (trimmed; ``BAD_USER_INPUT`` when empty or too long),
        for a caller that batches the lookup through ``products_by_sku``."""
        return _key(sku, "sku")

    async def products_by_sku(self, shopper: Gateway, skus: Sequence[str]) -> list[Product | None]:
        """The product pages of ``skus`` in one call, in their order (None where the store has none;
        at most ``MAX_SKUS`` distinct SKUs): the GraphQL layer batches every SKU lookup of a request
        (``product(sku:)`` roots, product nodes, listing tiles that ask for page fields)."""
        wanted = list(dict.fromkeys(skus))[:MAX_SKUS]
        if not wanted:
            return []
        result = await shopper.call(ops.PRODUCTS_BY_SKUS({"skus": list(wanted), "pageSize": len(wanted)}))
        found = products_by_sku(result)
        return [found.get(sku.casefold()) for sku in skus]

    # --- categories -----------------------------------------------------------------------------

    async def category_tree(self, shopper: Gateway, depth: int = 3) -> list[Category]:
        """The store root's children, ``depth`` levels deep (deeper ``children`` are empty)."""
        if not 1 <= depth <= MAX_TREE_DEPTH:
            raise BadUserInput(f"`depth` must be between 1 and {MAX_TREE_DEPTH}.")
        levels: ops.CategoryTreeVariables = {
            "level2": depth >= 2, "level3": depth >= 3, "level4": depth >= 4, "level5": depth >= MAX_TREE_DEPTH
        }  # fmt: skip
        return category_tree_from_magento(await shopper.call(ops.CATEGORY_TREE(levels)), depth)

    async def category(self, shopper: Gateway, url_path: str) -> Category | None:
        """The category at this URL path (no leading slash, no URL suffix) with its direct children."""
        wanted = _key(url_path, "urlPath").strip("/")
        if not wanted:
            raise BadUserInput('`urlPath` must name a category, e.g. "men/tops-men".')
        try:
            result = await shopper.call(ops.CATEGORY_BY_URL_PATH({"urlPath": wanted}))
        except MagentoNotFound:
            return None
        return category_at(result, wanted)

    # --- routes ---------------------------------------------------------------------------------

    async def route(self, shopper: Gateway, url: str) -> Route | None:
        """The product, category or CMS page a storefront URL shows (a path such as
        ``/joust-duffle-bag.html``; query and fragment are ignored); None when the store has none."""
        path = _route_path(url)
        try:
            result = await shopper.call(ops.ROUTE({"url": path}))
        except MagentoNotFound:
            return None
        return route_from_magento(result, path)

    # --- upstream calls ------------------------------------------------------------------------

    async def _fetch_listing(
        self, shopper: Gateway, variables: ProductListingVariables
    ) -> ProductListingResultProducts | None:
        return (await shopper.call(ops.PRODUCT_LISTING(variables))).products


# --- input rules ------------------------------------------------------------------------------


def _key(value: str, name: str) -> str:
    value = value.strip()
    if not value:
        raise BadUserInput(f"`{name}` must not be empty.")
    if len(value) > MAX_KEY_LENGTH:
        raise BadUserInput(f"`{name}` must be at most {MAX_KEY_LENGTH} characters.")
    return value


def _route_path(url: str) -> str:
    """The path Magento's ``route`` looks up: without query, fragment and leading slashes ("/" for
    the home page)."""
    url = url.strip()
    if not url:
        raise BadUserInput('`url` must not be empty (send "/" for the home page).')
    if len(url) > MAX_URL_LENGTH:
        raise BadUserInput(f"`url` must be at most {MAX_URL_LENGTH} characters.")
    if url.startswith("//") or _SCHEME.match(url):
        raise BadUserInput("`url` must be a path such as `/joust-duffle-bag.html`, without scheme and host.")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise BadUserInput("`url` must not contain spaces or control characters (percent-encode them).")
    path = re.split(r"[?#]", url, maxsplit=1)[0].lstrip("/")
    return path or "/"


def _price(value: Decimal | None, name: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise BadUserInput(f"`filter.{name}` must be a price between 0 and {MAX_PRICE}.")
    return value


def _bucket(value: str) -> tuple[Decimal | None, Decimal | None]:
    """A price facet value ("10_20": from 10 to 20, both inclusive as Magento's price filter;
    "*" leaves a side open)."""
    match = _BUCKET.match(value.strip())
    if match is None:
        raise BadUserInput('`filter.priceBucket` must be a value of the price facet, e.g. "10_20".')
    low, high = (Decimal(b) if b != "*" else None for b in match.groups())
    return low, high


def _uids(values: tuple[str, ...] | list[str], name: str) -> tuple[str, ...]:
    uids = tuple(dict.fromkeys(v.strip() for v in values))
    if not 1 <= len(uids) <= MAX_FILTER_VALUES:
        raise BadUserInput(f"`{name}` must list between 1 and {MAX_FILTER_VALUES} category uids.")
    if not all(_UID.match(u) for u in uids):
        raise BadUserInput(f"`{name}` lists something that is not a category uid (take them from `categoryTree`, "
                           "`category` or the `category_uid` facet).")  # fmt: skip
    return uids


def _checked_attributes(f: ProductFilter) -> tuple[list[AttributeFilter], list[str], str | None]:
    """The attribute filters, with the category and price facets taken out (uids, bucket)."""
    if len(f.attributes) > MAX_ATTRIBUTE_FILTERS:
        raise BadUserInput(f"`filter.attributes` must list at most {MAX_ATTRIBUTE_FILTERS} attributes.")
    attributes: dict[str, AttributeFilter] = {}
    categories: list[str] = []
    bucket: str | None = None
    for i, a in enumerate(f.attributes):
        code = a.code.strip()
        if not _CODE.match(code):
            raise BadUserInput(f"`filter.attributes[{i}].code` must be an attribute code as `facets.attribute` "
                               'returns it, e.g. "color".')  # fmt: skip
        if code in attributes or (code == _PRICE_FACET and bucket is not None):
            raise BadUserInput(f"`filter.attributes` names `{code}` twice: list all its values in one `in`.")
        values = tuple(dict.fromkeys(_key(v, f"filter.attributes[{i}].in[]") for v in a.values))
        if not 1 <= len(values) <= MAX_FILTER_VALUES:
            raise BadUserInput(f"`filter.attributes[{i}].in` must list between 1 and {MAX_FILTER_VALUES} values.")
        if code == _CATEGORY_FACET:
            categories.extend(_uids(values, f"filter.attributes[{i}].in"))
        elif code == _PRICE_FACET:
            if len(values) != 1:
                raise BadUserInput(f"`filter.attributes[{i}].in` must name one price bucket (Magento filters "
                                   "one price range).")  # fmt: skip
            bucket = values[0]
        else:
            attributes[code] = AttributeFilter(code, values)
    return list(attributes.values()), categories, bucket


def _checked_filter(f: ProductFilter) -> ProductFilter:
    attributes, categories, bucket = _checked_attributes(f)
    if f.price_bucket is not None:
        if bucket is not None:
            raise BadUserInput("Give the price bucket once: in `filter.priceBucket` or in `filter.attributes`.")
        bucket = f.price_bucket
    low, high = _price(f.price_from, "priceFrom"), _price(f.price_to, "priceTo")
    if bucket is not None:
        if low is not None or high is not None:
            raise BadUserInput("Give either a price bucket or `filter.priceFrom`/`filter.priceTo`, not both.")
        low, high = _bucket(bucket)
        _price(low, "priceBucket")
        _price(high, "priceBucket")
    if low is not None and high is not None and low > high:
        raise BadUserInput("`filter.priceFrom` must not be greater than `filter.priceTo`.")
    if f.category_uids is not None:
        categories = [*_uids(f.category_uids, "filter.categoryUids"), *categories]
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
    uids = tuple(dict.fromkeys(categories)) or None
    if uids is not None and len(uids) > MAX_FILTER_VALUES:
        raise BadUserInput(f"A listing may filter by at most {MAX_FILTER_VALUES} categories.")
    return ProductFilter(price_from=low, price_to=high, skus=skus, name=name, category_uids=uids,
                         attributes=tuple(attributes))  # fmt: skip


def _checked_sort(sort: ProductSort | None) -> ProductSort | None:
    if sort is None:
        return None
    field = sort.field.strip()
    if not field or len(field) > MAX_SORT_FIELD_LENGTH:
        raise BadUserInput("`sort.field` must be a value of `products { sortFields { options { value } } }`.")
    return ProductSort(field=field, direction=sort.direction)


def _check_against(q: ProductQuery, options: ListingOptions) -> None:
    """Facet codes and sort fields the store offers (Magento refuses others before running anything)."""
    for a in q.filter.attributes:
        if a.code not in options.facet_codes:
            offered = ", ".join(sorted(options.facet_codes))
            raise BadUserInput(f"`filter.attributes` names `{a.code}`, which is no facet of this store "
                               f"(its facets: {offered}).")  # fmt: skip
    if q.sort is not None and q.sort.field not in options.sort_fields | {RELEVANCE}:
        offered = ", ".join(sorted(options.sort_fields | {RELEVANCE}))
        raise BadUserInput(f"`sort.field` must be one of the store's sort fields: {offered}.")


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
                        sort=_checked_sort(q.sort), page=q.page, page_size=q.page_size)  # fmt: skip


def _listing_refused(q: ProductQuery) -> BadUserInput:
    if q.category_uid is not None:
        return BadUserInput("The listing could not be run: `categoryUid` is not a known category uid.")
    return BadUserInput("The listing could not be run with these arguments.")
