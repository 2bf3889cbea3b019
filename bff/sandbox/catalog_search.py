"""The ``products`` query's engine: full-text search, filters, sorting, paging and aggregations.

Behaviour follows Magento 2.4 with its search engine:

* only visible products are listed (configurable children are not), and with
  ``config.show_out_of_stock`` off (Magento's default) only those in stock: out-of-stock products
  are left out of the results, the filters and the aggregations, and a configurable's
  out-of-stock children do not count for its color/size;
* ``search`` matches every query word (AND, as 2.4 does) against the words of name, sku,
  description and short description, a word matching a product word it begins; relevance
  weights name > sku > descriptions;
* category filters include products of descendant categories (anchor categories);
* ``price`` filters/sorts/aggregates the final price in base currency (a configurable's is its
  cheapest salable child's), ``from``/``to`` inclusive;
* paging errors carry Magento's messages.
"""

from __future__ import annotations

import binascii
import math
import re
from base64 import b64decode
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import orjson

from bff.sandbox.catalog_views import descendant_ids, is_shown, min_final_price, shown_variants, tree_key
from bff.sandbox.errors import InputError
from bff.sandbox.seed import COLORS, SIZE_ORDER
from bff.sandbox.state import Product, SandboxState, catalog_generation, uid

SORT_OPTIONS = [
    {"value": "position", "label": "Position"},
    {"value": "name", "label": "Product Name"},
    {"value": "price", "label": "Price"},
]
ATTRIBUTE_FILTERS = ("color", "size")  # select attributes: FilterEqualTypeInput on their value index
_VALUE_ORDER = {label: i for i, label in enumerate([*COLORS, *SIZE_ORDER])}
_T = TypeVar("_T")
_WORD = re.compile(r"[a-z0-9]+")
MAX_DERIVED = 256  # remembered searches per state (all dropped when the bound is reached)


# --- paging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    current_page: int
    page_size: int
    total_count: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_count / self.page_size)

    def slice(self, items: list[_T]) -> list[_T]:
        start = (self.current_page - 1) * self.page_size
        return items[start : start + self.page_size]

    def info(self) -> dict[str, int]:
        return {
            "current_page": self.current_page,
            "page_size": self.page_size,
            "total_pages": self.total_pages,
        }


def check_paging(page_size: int | None, current_page: int | None) -> tuple[int, int]:
    """Magento's argument checks, in its order; None means the argument's default."""
    size = 20 if page_size is None else page_size
    current = 1 if current_page is None else current_page
    if current < 1:
        raise InputError("currentPage value must be greater than 0.")
    if size < 1:
        raise InputError("pageSize value must be greater than 0.")
    return size, current


def page_of(total_count: int, page_size: int, current_page: int) -> Page:
    page = Page(current_page, page_size, total_count)
    if page.total_pages > 0 and current_page > page.total_pages:
        pages = page.total_pages
        raise InputError(f"currentPage value {current_page} specified is greater than the {pages} page(s) available.")
    return page


# --- uids and equality filters --------------------------------------------------------------


def decode_uid(value: str) -> int:
    """An entity id from its uid; Magento's message for an undecodable one."""
    try:
        return int(b64decode(value, validate=True).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InputError(f'Value of uid "{value}" is incorrect.') from None


def equal_values(condition: dict[str, Any] | None) -> list[str] | None:
    """The accepted values of a FilterEqualTypeInput ({eq, in}); None when it sets neither.

    With both set, a value must satisfy both (Magento ANDs the conditions)."""
    if not condition:
        return None
    accepted: list[str] | None = None
    if condition.get("eq") is not None:
        accepted = [str(condition["eq"])]
    if condition.get("in") is not None:
        values = [str(v) for v in condition["in"] if v is not None]
        accepted = values if accepted is None else [v for v in accepted if v in values]
    return accepted


def _ints(values: Iterable[str]) -> set[int]:
    return {int(v) for v in values if v.strip().lstrip("-").isdigit()}


# --- text -----------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return _WORD.findall(re.sub(r"<[^>]+>", " ", text).lower())


def _matches_word(term: str, tokens: list[str]) -> bool:
    return any(token.startswith(term) for token in tokens)


def relevance(product: Product, terms: list[str]) -> int:
    """0 when some term matches nothing; else the weighted number of matching fields."""
    fields = ((3, words(product.name)), (2, words(product.sku)),
              (1, words(product.description) + words(product.short_description)))  # fmt: skip
    score = 0
    for term in terms:
        term_score = sum(weight for weight, tokens in fields if _matches_word(term, tokens))
        if term_score == 0:
            return 0
        score += term_score
    return score


def text_matches(text: str, condition: dict[str, Any] | None) -> bool:
    """FilterMatchTypeInput: PARTIAL is a substring match; FULL (default) needs every word."""
    if not condition or not condition.get("match"):
        return True
    needle = str(condition["match"])
    if condition.get("match_type") == "PARTIAL":
        return needle.casefold() in _plain(text).casefold()
    tokens = words(text)
    return all(_matches_word(term, tokens) for term in words(needle))


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


# --- filters --------------------------------------------------------------------------------


def _category_ids(state: SandboxState, filter_: dict[str, Any]) -> set[int] | None:
    """Categories (with descendants) the category filters ask for; None if there is none."""
    wanted: set[int] | None = None

    def narrow(ids: set[int]) -> None:
        nonlocal wanted
        expanded = set().union(*(descendant_ids(state, i) for i in ids)) if ids else set()
        wanted = expanded if wanted is None else wanted & expanded

    by_id = equal_values(filter_.get("category_id"))
    if by_id is not None:
        narrow(_ints(by_id))
    by_uid = equal_values(filter_.get("category_uid"))
    if by_uid is not None:
        narrow({decode_uid(v) for v in by_uid})
    by_path = equal_values(filter_.get("category_url_path"))
    if by_path is not None:
        narrow({c.id for c in state.categories.values() if c.url_path and c.url_path in by_path})
    return wanted


def check_category_arguments(state: SandboxState, filter_: dict[str, Any] | None) -> None:
    """``products``' category argument processors, in their order (CatalogGraphQl's
    ``CategoryUrlPathArgsProcessor``, then ``CategoryUidArgsProcessor``): conflicting category
    filters and an unknown ``category_url_path`` are input errors."""
    filter_ = filter_ or {}
    by_id, by_uid, by_path = (filter_.get(f) for f in ("category_id", "category_uid", "category_url_path"))
    if by_path:
        for other, given in (("category_id", by_id), ("category_uid", by_uid)):
            if given:
                raise InputError(f"`{other}` and `category_url_path` can't be used at the same time.")
        paths = equal_values(by_path) or []
        if not any(c.url_path and c.url_path in paths for c in state.categories.values()):
            raise InputError("No category with the provided `category_url_path` was found")
    if by_id and by_uid:
        raise InputError("`category_id` and `category_uid` can't be used at the same time.")


def _decimal(value: Any) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def accept_all(_product: Product) -> bool:
    """The predicate of a filter without conditions (``filter: {}``, a plain category-less listing)."""
    return True


def product_filter(state: SandboxState, filter_: dict[str, Any] | None) -> Callable[[Product], bool]:
    """A predicate for ProductAttributeFilterInput (all given conditions must hold)."""
    filter_ = filter_ or {}
    categories = _category_ids(state, filter_)
    skus = equal_values(filter_.get("sku"))
    sku_set = {s.casefold() for s in skus} if skus is not None else None
    url_keys = equal_values(filter_.get("url_key"))
    price = filter_.get("price") or {}
    low, high = _decimal(price.get("from")), _decimal(price.get("to"))
    by_attribute = {code: _ints(values) for code in ATTRIBUTE_FILTERS
                    if (values := equal_values(filter_.get(code))) is not None}  # fmt: skip
    texts = [filter_.get(f) for f in ("name", "description", "short_description")]
    if (
        (categories, sku_set, url_keys, low, high) == (None,) * 5
        and not by_attribute
        and not any(t and t.get("match") for t in texts)
    ):
        return accept_all

    def accept(product: Product) -> bool:
        if categories is not None and categories.isdisjoint(product.category_ids):
            return False
        if sku_set is not None and product.sku.casefold() not in sku_set:
            return False
        if url_keys is not None and product.url_key not in url_keys:
            return False
        if any(not _has_value(state, product, code, wanted) for code, wanted in by_attribute.items()):
            return False
        if low is not None or high is not None:
            final = min_final_price(state, product)
            if (low is not None and final < low) or (high is not None and final > high):
                return False
        return (
            text_matches(product.name, filter_.get("name"))
            and text_matches(product.description, filter_.get("description"))
            and text_matches(product.short_description, filter_.get("short_description"))
        )

    return accept


def _has_value(state: SandboxState, product: Product, code: str, wanted: set[int]) -> bool:
    """A select attribute filter: the product, or for a configurable some child, has one of the values."""
    if product.attributes.get(code) in wanted:
        return True
    return any(child.attributes.get(code) in wanted for child in shown_variants(state, product))


# --- the search -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    products: list[Product]  # every match, sorted
    filter: dict[str, Any]
    facets: dict[bool, list[dict[str, Any]]] = field(default_factory=dict, compare=False)  # by direct_children_only


def _derived_key(
    state: SandboxState, search: str | None, filter_: dict[str, Any] | None, sort: dict[str, Any] | None
) -> tuple[object, ...] | None:
    """The key of a search in ``state.derived``: the arguments and the catalog's generation."""
    try:
        arguments = orjson.dumps([search, filter_, sort])
    except TypeError:
        return None
    return ("search", catalog_generation(), len(state.products), len(state.categories), arguments)


def search_products(
    state: SandboxState, search: str | None, filter_: dict[str, Any] | None, sort: dict[str, Any] | None
) -> SearchResult:
    """The sorted matches, remembered per arguments until the catalog changes (``catalog_generation``;
    at most ``MAX_DERIVED`` searches are kept): a storefront asks for the same listings over and over,
    and their facets (``aggregations``) are remembered with them."""
    key = _derived_key(state, search, filter_, sort)
    found = state.derived.get(key) if key is not None else None
    if isinstance(found, SearchResult):
        return found
    result = _search(state, search, filter_, sort)
    if key is not None:
        if len(state.derived) >= MAX_DERIVED:
            state.derived.clear()
        state.derived[key] = result
    return result


def _search(
    state: SandboxState, search: str | None, filter_: dict[str, Any] | None, sort: dict[str, Any] | None
) -> SearchResult:
    accept = product_filter(state, filter_)
    terms = words(search or "")
    scores: dict[int, int] = {}
    matches: list[Product] = []
    everything = accept is accept_all
    for product in state.products.values():
        if not product.visible or not (everything or accept(product)) or not is_shown(state, product):
            continue
        if terms:
            score = relevance(product, terms)
            if score == 0:
                continue
            scores[product.id] = score
        matches.append(product)
    order = dict(sort or {}) or ({"relevance": "DESC"} if terms else {"position": "ASC"})
    return SearchResult(_sorted(state, matches, order, scores), filter_ or {})


def _sorted(
    state: SandboxState, products: list[Product], order: dict[str, Any], scores: dict[int, int]
) -> list[Product]:
    keys: dict[str, Callable[[Product], Any]] = {
        "position": lambda p: p.id,
        "name": lambda p: p.name.casefold(),
        "price": lambda p: min_final_price(state, p),
        "relevance": lambda p: scores.get(p.id, 0),
    }
    result = sorted(products, key=lambda p: p.id)
    for name, direction in reversed([(f, d) for f, d in order.items() if f in keys and d]):
        result.sort(key=keys[name], reverse=direction == "DESC")
    return result


# --- aggregations ---------------------------------------------------------------------------


def aggregations(state: SandboxState, result: SearchResult, direct_children_only: bool = False) -> list[dict[str, Any]]:
    """Layered navigation over the whole result set: price, category_uid, color, size (computed
    once per search result; callers must not change the answer)."""
    if direct_children_only in result.facets:
        return result.facets[direct_children_only]
    found = [
        _aggregation("price", "Price", _price_options(state, result.products)),
        _aggregation("category_uid", "Category", _category_options(state, result, direct_children_only)),
        *(_aggregation(code, label, _attribute_options(state, result.products, code))
          for code, label in (("color", "Color"), ("size", "Size"))),
    ]  # fmt: skip
    present = [a for a in found if a["options"]]
    for position, aggregation in enumerate(present):
        aggregation["position"] = position
    result.facets[direct_children_only] = present
    return present


def _aggregation(code: str, label: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    return {"attribute_code": code, "label": label, "count": len(options), "options": options}


def _price_options(state: SandboxState, products: list[Product]) -> list[dict[str, Any]]:
    """Magento's "automatic" price step: a power of ten below the top price, reduced (down to
    10) until there are at least two buckets."""
    if not products:
        return []
    prices = [min_final_price(state, p) for p in products]
    top = max(math.ceil(max(prices)), 1)
    power = len(str(top)) - 1
    whole = [int(price) for price in prices]  # prices are positive: price // step == int(price) // step
    while True:
        step = 10**power
        buckets: dict[int, int] = {}
        for price in whole:
            index = price // step
            buckets[index] = buckets.get(index, 0) + 1
        if step <= 10 or len(buckets) >= 2:
            break
        power -= 1
    return [
        {"label": f"{i * step}-{(i + 1) * step}", "value": f"{i * step}_{(i + 1) * step}", "count": count}
        for i, count in sorted(buckets.items())
    ]


def _category_options(state: SandboxState, result: SearchResult, direct_children_only: bool) -> list[dict[str, Any]]:
    candidates = [c for c in state.categories.values() if c.level >= 2]
    if direct_children_only:
        requested = equal_values((result.filter or {}).get("category_uid"))
        parents = {decode_uid(v) for v in requested or []}
        parents |= _ints(equal_values((result.filter or {}).get("category_id")) or [])
        if parents:
            candidates = [c for c in candidates if c.parent_id in parents]
    ordered = sorted(candidates, key=lambda c: tree_key(state, c))
    # A product counts for a candidate when one of its categories lies in the candidate's
    # subtree: map each category to the candidates above it once, then count per product.
    above: dict[int, list[int]] = {}
    for index, category in enumerate(ordered):
        for below in descendant_ids(state, category.id):
            above.setdefault(below, []).append(index)
    counts = [0] * len(ordered)
    assignments = Counter(tuple(product.category_ids) for product in result.products)  # few distinct ones
    for category_ids, products in assignments.items():
        for index in {index for cid in category_ids for index in above.get(cid, ())}:
            counts[index] += products
    return [
        {"label": category.name, "value": uid(category.id), "count": count}
        for category, count in zip(ordered, counts, strict=True)
        if count
    ]


def _attribute_options(state: SandboxState, products: list[Product], code: str) -> list[dict[str, Any]]:
    """Values of a configurable attribute among the result's configurables' children; a
    product counts once per value."""
    counts: dict[int, int] = {}
    labels: dict[int, str] = {}
    for product in products:
        seen: set[int] = set()
        for option in product.options:
            if option.attribute_code != code:
                continue
            for value in option.values:
                labels[value.value_index] = value.label
            for child in shown_variants(state, product):
                if code in child.attributes:
                    seen.add(child.attributes[code])
        for value_index in seen:
            counts[value_index] = counts.get(value_index, 0) + 1
    ordered = sorted(counts, key=lambda v: (_VALUE_ORDER.get(labels.get(v, ""), len(_VALUE_ORDER)), v))
    return [{"label": labels.get(v, str(v)), "value": str(v), "count": counts[v]} for v in ordered]
