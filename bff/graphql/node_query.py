"""``node(id:)``: any object with an id, fetched again (see ``bff.graphql.node`` for the ids).

An id of a type this API cannot fetch again (an order placed without a number), of an object the
shopper cannot see (another customer's, a line of another cart), or of something gone answers null;
a value that is not an id of this API is BAD_USER_INPUT.

Resolvers are module functions passed as ``resolver=`` so that mypy sees their types.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import strawberry

from bff.catalog.models import Category as CategoryModel
from bff.catalog.models import Product as ProductModel
from bff.graphql.cart.types import Address, Cart, CartLine
from bff.graphql.catalog.types import Category, Product, ProductVariant
from bff.graphql.context import Info
from bff.graphql.customer.types import Customer, OrderSummary
from bff.graphql.node import CURRENT_CART_ID, Node, node_id, parse_node_id

MAX_TREE_DEPTH = 5


async def _cart(info: Info, keys: tuple[str, ...]) -> Node | None:
    if node_id("Cart", *keys) != CURRENT_CART_ID:
        return None
    return Cart.from_model(await info.context.services.cart.get(info.context.shopper))


async def _cart_line(info: Info, keys: tuple[str, ...]) -> Node | None:
    cart = await info.context.services.cart.get(info.context.shopper)
    return next((CartLine.from_model(line) for line in cart.lines if (line.uid,) == keys), None)


async def _address(info: Info, keys: tuple[str, ...]) -> Node | None:
    if keys not in (("cart", "shipping"), ("cart", "billing")):
        return None
    cart = await info.context.services.cart.get(info.context.shopper)
    role = keys[1]
    return Address.from_model(cart.shipping_address if role == "shipping" else cart.billing_address, role)


async def _page(info: Info, sku: str) -> ProductModel | None:
    """A product page through the request's loader (several product nodes: one Magento call)."""
    return await info.context.product_pages.load(info.context.services.catalog.checked_sku(sku))


async def _product(info: Info, keys: tuple[str, ...]) -> Node | None:
    if len(keys) != 1:
        return None
    found = await _page(info, keys[0])
    return Product.from_model(found) if found is not None else None


async def _variant(info: Info, keys: tuple[str, ...]) -> Node | None:
    if len(keys) != 2:
        return None
    parent_sku, sku = keys
    found = await _page(info, parent_sku)
    variants = found.variants if found is not None else ()
    return next((ProductVariant.from_model(v, parent_sku) for v in variants if v.sku == sku), None)


async def _category(info: Info, keys: tuple[str, ...]) -> Node | None:
    tree = await info.context.services.catalog.category_tree(info.context.shopper, MAX_TREE_DEPTH)
    found = _find_category(tree, keys)
    if found is None or not found.url_path:
        return None
    category = await info.context.services.catalog.category(info.context.shopper, found.url_path)
    return Category.from_model(category) if category is not None else None


def _find_category(tree: Sequence[CategoryModel], keys: tuple[str, ...]) -> CategoryModel | None:
    for category in tree:
        if (category.uid,) == keys:
            return category
        found = _find_category(category.children, keys)
        if found is not None:
            return found
    return None


async def _signed_in_customer(info: Info) -> Customer | None:
    viewer = await info.context.services.customer.viewer(info.context.shopper)
    return Customer.from_model(viewer.customer) if viewer.customer is not None else None


async def _customer(info: Info, keys: tuple[str, ...]) -> Node | None:
    customer = await _signed_in_customer(info)
    if customer is None or parse_node_id(customer.id)[1] != keys:
        return None
    return customer


async def _order(info: Info, keys: tuple[str, ...]) -> Node | None:
    customer = await _signed_in_customer(info)
    known = customer.known if customer is not None else None
    recent = known.recent_orders if known is not None else ()
    return next((OrderSummary.from_model(o) for o in recent if (o.number,) == keys), None)


_FETCHERS: dict[str, Callable[[Info, tuple[str, ...]], Awaitable[Node | None]]] = {
    "Cart": _cart,
    "CartLine": _cart_line,
    "Address": _address,
    "Product": _product,
    "ProductVariant": _variant,
    "Category": _category,
    "Customer": _customer,
    "Order": _order,
}


async def node(info: Info, id: strawberry.ID) -> Node | None:
    type_name, keys = parse_node_id(str(id))
    fetch = _FETCHERS.get(type_name)
    return await fetch(info, keys) if fetch is not None else None


@strawberry.type
class NodeQuery:
    node: Node | None = strawberry.field(
        resolver=node,
        description="The object with this `id`, fetched again: a cart, cart line or cart address, product, "
        "product variant, category, the signed-in customer or one of their recent orders (an `OrderSummary`). "
        "Null when it is gone or not the shopper's; BAD_USER_INPUT when `id` is not an id of this API.",
    )
