"""Catalog objects as Magento serves them: ProductInterface and CategoryTree dicts, prices, stock.

Views are plain dicts keyed by Magento field names. Fields that are costly or take arguments
(``categories``, ``variants``, ``children``, ``product_count``) are callables ``(info, **args)``,
which graphql-core's default resolver calls only when the field is selected; Python callers
(e.g. the cart module) should read the eager fields only.

Building a product view adds the cache tag ``cat_p_<id>`` to the request, a category view
``cat_c_<id>`` (Magento's ``Product\\Identity`` / ``Category\\CategoriesIdentity``).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bff.sandbox.context import RequestContext
from bff.sandbox.money import convert, money, round_money
from bff.sandbox.state import Category, ConfigurableOption, Product, SandboxState, uid

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
    children = variants_of(state, product)
    priced = [c for c in children if c.qty > 0] or children or [product]
    regular = [p.price for p in priced]
    final = [p.final_price for p in priced]
    return PriceBounds(min(regular), min(final), max(regular), max(final))


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


def price_range(ctx: RequestContext, product: Product) -> dict[str, Any]:
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


def _images(product: Product) -> dict[str, Any]:
    image = {"url": image_url(product), "label": product.name}
    gallery = [
        {"__typename": "ProductImage", "url": image_url(product, variant), "label": product.name,
         "position": position, "disabled": False}
        for position, variant in enumerate(("main", "back", "alt")[: 2 + product.id % 2], start=1)
    ]  # fmt: skip
    return {"image": image, "small_image": dict(image), "thumbnail": dict(image), "media_gallery": gallery}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _weight(product: Product) -> float | None:
    if product.type_id == "configurable":
        return None
    return 0.5 + (zlib.crc32(product.sku.encode()) % 40) / 10


def product_view(product: Product, ctx: RequestContext) -> dict[str, Any]:
    """The ProductInterface dict (``__typename`` SimpleProduct / ConfigurableProduct), prices in
    ``ctx.currency``. Adds the ``cat_p_<id>`` cache tag."""
    ctx.cache_tags.add(f"cat_p_{product.id}")
    in_stock = is_in_stock(ctx.state, product)
    low = product.type_id == "simple" and 0 < product.qty <= LOW_STOCK_THRESHOLD
    view: dict[str, Any] = {
        "__typename": "ConfigurableProduct" if product.type_id == "configurable" else "SimpleProduct",
        "id": product.id,
        "uid": uid(product.id),
        "sku": product.sku,
        "name": product.name,
        "url_key": product.url_key,
        "url_suffix": URL_SUFFIX,
        "url_path": None,
        "relative_url": f"{product.url_key}{URL_SUFFIX}",
        "redirect_code": 0,
        "type": "PRODUCT",
        "type_id": product.type_id,
        "stock_status": "IN_STOCK" if in_stock else "OUT_OF_STOCK",
        "only_x_left_in_stock": float(product.qty) if low else None,
        "special_price": float(product.special_price) if product.special_price is not None else None,
        "description": {"html": product.description},
        "short_description": {"html": product.short_description},
        "meta_title": product.name,
        "meta_description": _text(product.short_description) or None,
        "price_range": price_range(ctx, product),
        "categories": lambda info, **_: product_categories(product, ctx),
        "created_at": product.created_at,
        "updated_at": product.created_at,
        "weight": _weight(product),
        **_images(product),
    }
    if product.type_id == "configurable":
        view["configurable_options"] = configurable_options(product)
        view["variants"] = lambda info, **_: variant_views(product, ctx)
    return view


def product_categories(product: Product, ctx: RequestContext) -> list[dict[str, Any]]:
    categories = ctx.state.categories
    return [category_view(categories[cid], ctx) for cid in product.category_ids if cid in categories]


def option_value_uid(attribute_id: int, value_index: int) -> str:
    """Magento's ConfigurableProductOptionsValues.uid: base64("configurable/<attr>/<value>")."""
    return uid("configurable", attribute_id, value_index)


def _swatch(option: ConfigurableOption, label: str) -> dict[str, Any]:
    if option.attribute_code == "color" and label in COLOR_HEX:
        return {"__typename": "ColorSwatchData", "value": COLOR_HEX[label]}
    return {"__typename": "TextSwatchData", "value": label}


def configurable_options(product: Product) -> list[dict[str, Any]]:
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
            ],
        }
        for position, option in enumerate(product.options)
    ]


def variant_views(product: Product, ctx: RequestContext) -> list[dict[str, Any]]:
    variants: list[dict[str, Any]] = []
    for child in variants_of(ctx.state, product):
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
        variants.append({"attributes": attributes, "product": product_view(child, ctx)})
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
    """Visible products assigned to any of the given categories."""
    return [p for p in state.products.values() if p.visible and not category_ids.isdisjoint(p.category_ids)]


def product_count(state: SandboxState, category_id: int) -> int:
    """Visible products in the category or below it (anchor categories)."""
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


def category_view(category: Category, ctx: RequestContext) -> dict[str, Any]:
    """The CategoryTree dict; ``children`` (by position) and ``product_count`` are lazy."""
    ctx.cache_tags.add(f"cat_c_{category.id}")
    state = ctx.state
    return {
        "__typename": "CategoryTree",
        "id": category.id,
        "uid": uid(category.id),
        "name": category.name,
        "url_key": category.url_key,
        "url_path": category.url_path or None,
        "url_suffix": URL_SUFFIX,
        "relative_url": f"{category.url_path}{URL_SUFFIX}" if category.url_path else None,
        "redirect_code": 0,
        "type": "CATEGORY",
        "level": category.level,
        "position": category.position,
        "path": category.path,
        "description": category.description or None,
        "children_count": str(len(descendant_ids(state, category.id)) - 1),
        "product_count": lambda info, **_: product_count(state, category.id),
        "children": lambda info, **_: [category_view(c, ctx) for c in children_of(state, category)],
        "breadcrumbs": breadcrumbs(state, category),
    }


def tree_key(state: SandboxState, category: Category) -> list[int]:
    """Sort key putting categories in menu order (depth first, by position)."""
    return [state.categories[int(i)].position for i in category.path.split("/") if int(i) in state.categories]


def children_of(state: SandboxState, category: Category) -> list[Category]:
    children = [state.categories[c] for c in category.children if c in state.categories]
    return sorted(children, key=lambda c: (c.position, c.id))
