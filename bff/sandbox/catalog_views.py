"""Catalog objects as Magento serves them: ProductInterface and CategoryTree dicts, prices, stock.

Views are read-only mappings keyed by Magento field names whose values are built on first read
(``LazyView``), so an answer costs only the fields its document selects. Fields that take
arguments or reach other entities (``categories``, ``variants``, ``children``, ``product_count``)
are callables ``(info, **args)``, which graphql-core's default resolver calls only when the field
is selected; Python callers (e.g. the cart module) should read the other fields only.

Building a product view adds the cache tag ``cat_p_<id>`` to the request, a category view
``cat_c_<id>`` (Magento's ``Product\\Identity`` / ``Category\\CategoriesIdentity``).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Self, TypeVar

from bff.sandbox.context import RequestContext
from bff.sandbox.money import convert, money, round_money
from bff.sandbox.state import Category, ConfigurableOption, Product, SandboxState, catalog_generation, uid

BASE_URL = "http://magento.test/"
MEDIA_URL = f"{BASE_URL}media/"
URL_SUFFIX = ".html"
LOW_STOCK_THRESHOLD = 5  # cataloginventory/options/stock_threshold_qty for only_x_left_in_stock
COLOR_HEX: dict[str, str] = {
    "Red": "#ff0000", "Blue": "#1857f7", "Black": "#000000", "White": "#ffffff", "Green": "#53a828",
    "Gray": "#8f8f8f", "Orange": "#eb6703", "Purple": "#ef3dff", "Yellow": "#ffd500",
}  # fmt: skip


# --- money ----------------------------------------------------------------------------------


def price_in(ctx: RequestContext, base_amount: Decimal) -> Decimal:
    """A base-currency (USD) amount in the request's currency, rounded to cents."""
    return convert(base_amount, ctx.currency)


def money_in(ctx: RequestContext, base_amount: Decimal) -> dict[str, Any]:
    """A ``Money`` dict for a base-currency amount, converted into the request's currency."""
    return money(price_in(ctx, base_amount), ctx.currency)


# --- stock and prices -----------------------------------------------------------------------


def variants_of(state: SandboxState, product: Product) -> list[Product]:
    """A configurable's children (in seed order); empty for simple products."""
    return [state.products[sku] for sku in product.variant_skus if sku in state.products]


def is_in_stock(state: SandboxState, product: Product) -> bool:
    """Salable: a simple product with qty > 0, a configurable with any child in stock."""
    if product.type_id == "configurable":
        return any(child.qty > 0 for child in variants_of(state, product))
    return product.qty > 0


def is_shown(state: SandboxState, product: Product) -> bool:
    """Whether the storefront shows the product: in stock, or any with
    ``cataloginventory/options/show_out_of_stock`` on (Magento's default is off)."""
    return state.config.show_out_of_stock or is_in_stock(state, product)


def shown_variants(state: SandboxState, product: Product) -> list[Product]:
    """A configurable's children the storefront shows: with ``show_out_of_stock`` off, only
    those in stock (ConfigurableProduct's ``Plugin\\Model\\ResourceModel\\Attribute\\InStockOptionSelectBuilder``
    filters the option values, the variants collection its children alike)."""
    children = variants_of(state, product)
    return children if state.config.show_out_of_stock else [c for c in children if c.qty > 0]


@dataclass(frozen=True)
class PriceBounds:
    """Regular/final prices in base currency; a configurable's come from its children."""

    min_regular: Decimal
    min_final: Decimal
    max_regular: Decimal
    max_final: Decimal


def price_bounds(state: SandboxState, product: Product) -> PriceBounds:
    """Like Magento's price providers: a configurable ranges over its salable children (all
    children when none is salable)."""
    if not product.variant_skus:  # a simple product: its own prices (the common case, kept cheap)
        own = product.final_price
        return PriceBounds(product.price, own, product.price, own)
    children = variants_of(state, product)
    priced = [c for c in children if c.qty > 0] or children or [product]
    regular = [p.price for p in priced]
    final = [p.final_price for p in priced]
    return PriceBounds(min(regular), min(final), max(regular), max(final))


def min_final_price(state: SandboxState, product: Product) -> Decimal:
    """``price_bounds(...).min_final`` without the rest: what the price filter, sort and facet use."""
    if not product.variant_skus:
        return product.final_price
    salable: Decimal | None = None  # the cheapest salable child's, else the cheapest child's
    cheapest: Decimal | None = None
    products = state.products
    for sku in product.variant_skus:
        child = products.get(sku)
        if child is None:
            continue
        price = child.final_price
        if cheapest is None or price < cheapest:
            cheapest = price
        if child.qty > 0 and (salable is None or price < salable):
            salable = price
    found = salable if salable is not None else cheapest
    return found if found is not None else product.final_price


def _product_price(ctx: RequestContext, regular_base: Decimal, final_base: Decimal) -> dict[str, Any]:
    regular = price_in(ctx, regular_base)
    final = price_in(ctx, final_base)
    amount_off = max(regular - final, Decimal(0))
    percent_off = round_money(amount_off / regular * 100) if regular > 0 else Decimal(0)
    return {
        "regular_price": money(regular, ctx.currency),
        "final_price": money(final, ctx.currency),
        "discount": {"amount_off": float(amount_off), "percent_off": float(percent_off)},
    }


_T = TypeVar("_T")


def remembered(state: SandboxState, kind: str, key: Hashable, build: Callable[[], _T]) -> _T:
    """``build()``, remembered under (``kind``, ``key``) until the catalog changes
    (``catalog_generation``): for answers that depend only on the catalog. What it returns is
    shared between requests, so no caller may change it."""
    generation = catalog_generation()
    memo = state.derived.get(kind)
    if not isinstance(memo, tuple) or memo[0] != generation:
        memo = (generation, {})
        state.derived[kind] = memo
    table: dict[Hashable, _T] = memo[1]
    found = table.get(key)
    if found is None:
        found = table[key] = build()
    return found


def price_range(ctx: RequestContext, product: Product) -> dict[str, Any]:
    """The PriceRange dict in the request's currency (remembered per product and currency)."""
    return remembered(ctx.state, "price_range", (product.id, ctx.currency), lambda: _price_range(ctx, product))


def _price_range(ctx: RequestContext, product: Product) -> dict[str, Any]:
    bounds = price_bounds(ctx.state, product)
    return {
        "minimum_price": _product_price(ctx, bounds.min_regular, bounds.min_final),
        "maximum_price": _product_price(ctx, bounds.max_regular, bounds.max_final),
    }


# --- products -------------------------------------------------------------------------------


def image_url(product: Product, variant: str = "main") -> str:
    """Deterministic media URL, with Magento's two-letter dispersion folders."""
    key = product.url_key
    return f"{MEDIA_URL}catalog/product/{key[0]}/{key[1]}/{key}_{variant}.jpg"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _weight(product: Product) -> float | None:
    if product.type_id == "configurable":
        return None
    return 0.5 + (zlib.crc32(product.sku.encode()) % 40) / 10


class LazyView(Mapping[str, Any]):
    """A read-only view whose values are built on first read, each by its entry in ``FIELDS``.

    graphql-core's default resolver (and the compiled plans) read a view with ``get``, so only
    the fields a document selects are ever built: a listing card costs its dozen fields, not the
    descriptions, gallery and variants of a product page. Values are kept once built, so a view
    reads like the plain dict it replaces; iterating it builds every field (Python callers only).
    Builders that take arguments or reach other entities return callables ``(info, **args)``, as
    before, so their cache tags are added only when the field is resolved.
    """

    __slots__ = ("_ctx", "_entity", "_fields", "_values")
    FIELDS: ClassVar[dict[str, Callable[[Any, RequestContext], Any]]] = {}

    def __init__(self, entity: Any, ctx: RequestContext) -> None:
        self._entity = entity
        self._ctx = ctx
        self._values: dict[str, Any] = {}
        self._fields = self.fields_of(entity)

    @classmethod
    def fields_of(cls, _entity: Any) -> dict[str, Callable[[Any, RequestContext], Any]]:
        """The builders for ``entity`` (a class may vary them by the entity's kind)."""
        return cls.FIELDS

    def preset(self, values: Mapping[str, Any]) -> Self:
        """Fixes some fields' values (e.g. ``route``'s ``relative_url``); keys must be fields."""
        self._values.update(values)
        return self

    def get(self, key: str, default: Any = None) -> Any:
        values = self._values
        if key in values:
            return values[key]
        build = self._fields.get(key)
        if build is None:
            return default
        value = values[key] = build(self._entity, self._ctx)
        return value

    def __getitem__(self, key: str) -> Any:
        if key not in self._values and key not in self._fields:
            raise KeyError(key)
        return self.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._values or key in self._fields

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)


def _stock_status(product: Product, ctx: RequestContext) -> str:
    return "IN_STOCK" if is_in_stock(ctx.state, product) else "OUT_OF_STOCK"


def _only_x_left(product: Product, _ctx: RequestContext) -> float | None:
    low = product.type_id != "configurable" and 0 < product.qty <= LOW_STOCK_THRESHOLD
    return float(product.qty) if low else None


def _image(product: Product, _ctx: RequestContext) -> dict[str, Any]:
    return {"url": image_url(product), "label": product.name}


def _media_gallery(product: Product, _ctx: RequestContext) -> list[dict[str, Any]]:
    return [
        {"__typename": "ProductImage", "url": image_url(product, variant), "label": product.name,
         "position": position, "disabled": False}
        for position, variant in enumerate(("main", "back", "alt")[: 2 + product.id % 2], start=1)
    ]  # fmt: skip


PRODUCT_TYPENAMES = {"simple": "SimpleProduct", "configurable": "ConfigurableProduct", "virtual": "VirtualProduct"}
_SIMPLE_FIELDS: dict[str, Callable[[Product, RequestContext], Any]] = {
    "__typename": lambda p, _: PRODUCT_TYPENAMES[p.type_id],
    "id": lambda p, _: p.id,
    "uid": lambda p, _: uid(p.id),
    "sku": lambda p, _: p.sku,
    "name": lambda p, _: p.name,
    "url_key": lambda p, _: p.url_key,
    "url_suffix": lambda p, _: URL_SUFFIX,
    "url_path": lambda p, _: None,
    "relative_url": lambda p, _: f"{p.url_key}{URL_SUFFIX}",
    "redirect_code": lambda p, _: 0,
    "type": lambda p, _: "PRODUCT",
    "type_id": lambda p, _: p.type_id,
    "stock_status": _stock_status,
    "only_x_left_in_stock": _only_x_left,
    "special_price": lambda p, _: float(p.special_price) if p.special_price is not None else None,
    "description": lambda p, _: {"html": p.description},
    "short_description": lambda p, _: {"html": p.short_description},
    "meta_title": lambda p, _: p.name,
    "meta_description": lambda p, _: _text(p.short_description) or None,
    "price_range": lambda p, ctx: price_range(ctx, p),
    "categories": lambda p, ctx: lambda info, **_: product_categories(p, ctx),
    "created_at": lambda p, _: p.created_at,
    "updated_at": lambda p, _: p.created_at,
    "weight": lambda p, _: _weight(p),
    "image": _image,
    "small_image": _image,
    "thumbnail": _image,
    "media_gallery": _media_gallery,
}
_CONFIGURABLE_FIELDS: dict[str, Callable[[Product, RequestContext], Any]] = {
    **_SIMPLE_FIELDS,
    "configurable_options": lambda p, ctx: remembered(
        ctx.state, "options", p.id, lambda: configurable_options(ctx.state, p)
    ),
    "variants": lambda p, ctx: lambda info, **_: variant_views(p, ctx),
}


class ProductView(LazyView):
    """The ProductInterface mapping of one product (``__typename`` SimpleProduct /
    ConfigurableProduct / VirtualProduct), prices in the request's currency."""

    __slots__ = ()
    FIELDS = _SIMPLE_FIELDS

    @classmethod
    def fields_of(cls, entity: Any) -> dict[str, Callable[[Any, RequestContext], Any]]:
        return _CONFIGURABLE_FIELDS if entity.type_id == "configurable" else _SIMPLE_FIELDS


def product_view(product: Product, ctx: RequestContext) -> ProductView:
    """The ProductInterface view of ``product``, built lazily (``LazyView``). Adds the
    ``cat_p_<id>`` cache tag at once: Magento tags every product it loads for an answer."""
    ctx.cache_tags.add(f"cat_p_{product.id}")
    return ProductView(product, ctx)


def product_categories(product: Product, ctx: RequestContext) -> list[CategoryView]:
    categories = ctx.state.categories
    return [category_view(categories[cid], ctx) for cid in product.category_ids if cid in categories]


def option_value_uid(attribute_id: int, value_index: int) -> str:
    """Magento's ConfigurableProductOptionsValues.uid: base64("configurable/<attr>/<value>")."""
    return uid("configurable", attribute_id, value_index)


def _swatch(option: ConfigurableOption, label: str) -> dict[str, Any]:
    if option.attribute_code == "color" and label in COLOR_HEX:
        return {"__typename": "ColorSwatchData", "value": COLOR_HEX[label]}
    return {"__typename": "TextSwatchData", "value": label}


def configurable_options(state: SandboxState, product: Product) -> list[dict[str, Any]]:
    """The options and the values the shown children have (all of them with ``show_out_of_stock``)."""
    used = {(code, index) for child in shown_variants(state, product) for code, index in child.attributes.items()}
    return [
        {
            "uid": uid("configurable", product.id, option.attribute_id),
            "attribute_uid": uid(option.attribute_id),
            "attribute_code": option.attribute_code,
            "label": option.label,
            "position": position,
            "values": [
                {
                    "uid": option_value_uid(option.attribute_id, value.value_index),
                    "value_index": value.value_index,
                    "label": value.label,
                    "default_label": value.label,
                    "store_label": value.label,
                    "use_default_value": True,
                    "swatch_data": _swatch(option, value.label),
                }
                for value in option.values
                if (option.attribute_code, value.value_index) in used
            ],
        }
        for position, option in enumerate(product.options)
    ]


def variant_views(product: Product, ctx: RequestContext) -> list[dict[str, Any]]:
    """A configurable's ConfigurableVariant dicts; each child's view is the request's own (it adds
    the child's cache tag), its attributes are remembered with the catalog."""
    children = remembered(ctx.state, "variants", product.id, lambda: _variant_attributes(ctx.state, product))
    return [{"attributes": attributes, "product": product_view(child, ctx)} for child, attributes in children]


def _variant_attributes(state: SandboxState, product: Product) -> list[tuple[Product, list[dict[str, Any]]]]:
    variants: list[tuple[Product, list[dict[str, Any]]]] = []
    for child in shown_variants(state, product):
        attributes = []
        for option in product.options:
            value_index = child.attributes.get(option.attribute_code)
            value = next((v for v in option.values if v.value_index == value_index), None)
            if value is not None:
                attributes.append({
                    "code": option.attribute_code,
                    "label": value.label,
                    "value_index": value.value_index,
                    "uid": option_value_uid(option.attribute_id, value.value_index),
                })  # fmt: skip
        variants.append((child, attributes))
    return variants


def variant_for_options(state: SandboxState, product: Product, value_uids: list[str]) -> Product | None:
    """The child of a configurable matching selected option value uids (addProductsToCart's
    ``selected_options``); None when the selection is incomplete or matches no child."""
    wanted = set(value_uids)
    for child in variants_of(state, product):
        chosen = {
            option_value_uid(option.attribute_id, child.attributes[option.attribute_code])
            for option in product.options
            if option.attribute_code in child.attributes
        }
        if chosen == wanted:
            return child
    return None


# --- categories -----------------------------------------------------------------------------


def descendant_ids(state: SandboxState, category_id: int) -> set[int]:
    """The category and every category below it."""
    found: set[int] = set()
    pending = [category_id]
    while pending:
        current = pending.pop()
        if current in found or current not in state.categories:
            continue
        found.add(current)
        pending.extend(state.categories[current].children)
    return found


def products_in_categories(state: SandboxState, category_ids: set[int]) -> list[Product]:
    """Visible (and shown: ``is_shown``) products assigned to any of the given categories."""
    return [
        p
        for p in state.products.values()
        if p.visible and not category_ids.isdisjoint(p.category_ids) and is_shown(state, p)
    ]


def product_count(state: SandboxState, category_id: int) -> int:
    """Visible, shown products in the category or below it (anchor categories)."""
    return len(products_in_categories(state, descendant_ids(state, category_id)))


def breadcrumbs(state: SandboxState, category: Category) -> list[dict[str, Any]] | None:
    """Ancestors below the store root (level >= 2); null for top-level categories, like Magento."""
    ids = [int(i) for i in category.path.split("/")[:-1]]
    ancestors = [state.categories[i] for i in ids if i in state.categories]
    crumbs = [
        {
            "category_uid": uid(a.id),
            "category_name": a.name,
            "category_level": a.level,
            "category_url_key": a.url_key,
            "category_url_path": a.url_path,
        }
        for a in ancestors
        if a.level >= 2
    ]
    return crumbs or None


_CATEGORY_FIELDS: dict[str, Callable[[Category, RequestContext], Any]] = {
    "__typename": lambda c, _: "CategoryTree",
    "id": lambda c, _: c.id,
    "uid": lambda c, _: uid(c.id),
    "name": lambda c, _: c.name,
    "url_key": lambda c, _: c.url_key,
    "url_path": lambda c, _: c.url_path or None,
    "url_suffix": lambda c, _: URL_SUFFIX,
    "relative_url": lambda c, _: f"{c.url_path}{URL_SUFFIX}" if c.url_path else None,
    "redirect_code": lambda c, _: 0,
    "type": lambda c, _: "CATEGORY",
    "level": lambda c, _: c.level,
    "position": lambda c, _: c.position,
    "path": lambda c, _: c.path,
    "description": lambda c, _: c.description or None,
    "children_count": lambda c, ctx: str(len(descendant_ids(ctx.state, c.id)) - 1),
    "product_count": lambda c, ctx: lambda info, **_: product_count(ctx.state, c.id),
    "children": lambda c, ctx: lambda info, **_: [category_view(k, ctx) for k in children_of(ctx.state, c)],
    "breadcrumbs": lambda c, ctx: breadcrumbs(ctx.state, c),
}


class CategoryView(LazyView):
    """The CategoryTree mapping of one category."""

    __slots__ = ()
    FIELDS = _CATEGORY_FIELDS


def category_view(category: Category, ctx: RequestContext) -> CategoryView:
    """The CategoryTree view, built lazily (``LazyView``); ``children`` (by position) and
    ``product_count`` resolve only when selected. Adds the ``cat_c_<id>`` cache tag at once."""
    ctx.cache_tags.add(f"cat_c_{category.id}")
    return CategoryView(category, ctx)


def tree_key(state: SandboxState, category: Category) -> list[int]:
    """Sort key putting categories in menu order (depth first, by position)."""
    return [state.categories[int(i)].position for i in category.path.split("/") if int(i) in state.categories]


def children_of(state: SandboxState, category: Category) -> list[Category]:
    children = [state.categories[c] for c in category.children if c in state.categories]
    return sorted(children, key=lambda c: (c.position, c.id))
