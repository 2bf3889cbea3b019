"""Carts: GetCartForUser's access rules, the ``Cart`` view, and every cart query and mutation.

Every operation on a masked cart id goes through ``get_cart_for_user`` (Magento's
``QuoteGraphQl\\Model\\Cart\\GetCartForUser``): unknown id, inactive cart, ownership, in that
order; a cart used with another store view of its website is then moved to that store view, as
2.4.7's ``QuoteGraphQl\\Model\\Cart\\UpdateCartCurrency`` does (2.3 refused it with "Wrong store
code specified for cart"), and is priced in that store view's currency from then on.
The checkout steps themselves live in ``checkout.py``; the
arithmetic in ``totals.py``. Carts are never cacheable (``@cache(cacheable: false)``).
"""

from __future__ import annotations

import base64
import binascii
import random
import string
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

from graphql import GraphQLResolveInfo

from bff.sandbox import checkout
from bff.sandbox.catalog import product_view
from bff.sandbox.context import RequestContext, RootResolver, context_of
from bff.sandbox.errors import AlreadyExistsError, AuthorizationError, InputError, NoSuchEntityError
from bff.sandbox.money import money
from bff.sandbox.orders import order_view
from bff.sandbox.state import Cart, CartItem, Customer, Product, SandboxState, uid
from bff.sandbox.totals import (
    PAYMENT_TITLES,
    CartTotals,
    add_line,
    cart_stock_problems,
    compute_totals,
    is_virtual,
    payment_methods,
    quantity_problem,
    total_quantity,
    user_error,
)

Info = GraphQLResolveInfo
Json = dict[str, Any]

MASK_ALPHABET = string.ascii_letters + string.digits
MASK_LENGTH = 32


# --- cart ids, creation and access --------------------------------------------------------------


def new_masked_id(state: SandboxState, quote_id: int) -> str:
    """32 characters of [a-zA-Z0-9], reproducible for a given seed and quote id."""
    rng = random.Random(f"{state.config.seed}/quote/{quote_id}")
    while True:
        candidate = "".join(rng.choice(MASK_ALPHABET) for _ in range(MASK_LENGTH))
        if candidate not in state.carts:
            return candidate


def check_new_masked_id(state: SandboxState, masked_id: str) -> None:
    """ValidateMaskedQuoteId: a client-chosen id must have 32 characters and be unused."""
    if len(masked_id) != MASK_LENGTH:
        raise InputError("Cart ID length should to be 32 symbols.")
    if masked_id in state.carts:
        raise AlreadyExistsError(f'Cart with ID "{masked_id}" already exists.')


def create_cart(
    state: SandboxState, store_code: str, customer: Customer | None = None, masked_id: str | None = None
) -> Cart:
    quote_id = state.next_id("quote")
    cart = Cart(
        masked_id=masked_id or new_masked_id(state, quote_id),
        quote_id=quote_id,
        store_code=store_code,
        customer_id=customer.id if customer else None,
        email=customer.email if customer else None,
    )
    state.carts[cart.masked_id] = cart
    return cart


def active_cart_of(state: SandboxState, customer: Customer) -> Cart | None:
    carts = [c for c in state.carts.values() if c.customer_id == customer.id and c.is_active]
    return max(carts, key=lambda c: c.quote_id, default=None)


def customer_cart(ctx: RequestContext, customer: Customer, masked_id: str | None = None) -> Cart:
    """The customer's active cart, created when there is none; it follows the shopper's store view."""
    cart = active_cart_of(ctx.state, customer)
    if cart is None:
        return create_cart(ctx.state, ctx.store.code, customer, masked_id)
    cart.store_code = ctx.store.code
    return cart


def cart_for_user(state: SandboxState, store_code: str, masked_id: str, user_id: int | None) -> Cart:
    """The cart behind ``masked_id`` if user ``user_id`` (None: a guest) may use it in this store."""
    cart = state.carts.get(masked_id)
    if cart is None:
        raise NoSuchEntityError(f'Could not find a cart with ID "{masked_id}"')
    if not cart.is_active:
        raise NoSuchEntityError("The cart isn't active.")
    if cart.customer_id != user_id:
        raise AuthorizationError(f'The current user cannot perform operations on cart "{masked_id}"')
    if cart.store_code != store_code:
        _move_to_store(state, cart, store_code)
    return cart


def _move_to_store(state: SandboxState, cart: Cart, store_code: str) -> None:
    """``UpdateCartCurrency::execute``: a cart moves to another store view of the same website
    (its lines stay; prices follow the store view's currency); another website's is refused."""
    current, target = state.stores.get(cart.store_code), state.stores.get(store_code)
    if current is None or target is None or current.website_code != target.website_code:
        raise InputError("Can't assign cart to store in different website.")
    cart.store_code = store_code


def get_cart_for_user(ctx: RequestContext, masked_id: str) -> Cart:
    """GetCartForUser for the request's shopper."""
    user_id = ctx.customer.id if ctx.customer else None
    return cart_for_user(ctx.state, ctx.store.code, masked_id, user_id)


# --- the Cart view ---------------------------------------------------------------------------


def _option_views(parent: Product, child: Product) -> list[dict[str, Any]]:
    views = []
    for option in parent.options:
        value_index = child.attributes.get(option.attribute_code)
        value = next((v for v in option.values if v.value_index == value_index), None)
        if value is None:
            continue
        views.append(
            {
                "id": option.attribute_id,
                "configurable_product_option_uid": uid("configurable", parent.id, option.attribute_id),
                "option_label": option.label,
                "value_id": value.value_index,
                "configurable_product_option_value_uid": uid("configurable", option.attribute_id, value.value_index),
                "value_label": value.label,
            }
        )
    return views


_CART_ITEM_TYPENAMES = {"virtual": "VirtualCartItem"}


def _item_view(ctx: RequestContext, cart: Cart, item: CartItem, totals: CartTotals, problem: str | None) -> Json:
    state, currency = ctx.state, totals.currency
    line = totals.lines[item.id]
    product = state.products[item.sku]
    parent = state.products.get(item.parent_sku) if item.parent_sku else None
    shown = parent or product
    view: dict[str, Any] = {
        "__typename": "ConfigurableCartItem" if parent else _CART_ITEM_TYPENAMES.get(product.type_id, "SimpleCartItem"),
        "id": str(item.id),
        "uid": uid(item.id),
        "quantity": float(item.quantity),
        "is_available": problem is None,
        "errors": [{"code": "ITEM_QTY", "message": problem}] if problem else None,
        "product": lambda _info: product_view(shown, ctx),
        "prices": {
            "price": money(line.unit_price, currency),
            "price_including_tax": money(line.price_incl_tax, currency),
            "row_total": money(line.row_total, currency),
            "row_total_including_tax": money(line.row_total_incl_tax, currency),
            "total_item_discount": money(line.discount, currency),
            "discounts": [{"label": cart.coupon_code, "amount": money(line.discount, currency)}]
            if line.discount > 0
            else None,
        },
    }
    if parent is not None:
        view["configurable_options"] = _option_views(parent, product)
        view["configured_variant"] = lambda _info: product_view(product, ctx)
    return view


def _sort_key(field: str, item: CartItem, totals: CartTotals, state: SandboxState) -> Any:
    """QuoteItemsSortInput: the fields the sandbox can order by; any other keeps the item order."""
    line = totals.lines[item.id]
    keys = {"SKU": item.sku, "QTY": item.quantity, "PRICE": line.unit_price, "ROW_TOTAL": line.row_total}
    if field == "NAME":
        return state.products[item.parent_sku or item.sku].name
    return keys.get(field.removeprefix("BASE_"), item.id)


def cart_view(cart: Cart, ctx: RequestContext) -> Json:
    """A ``Cart`` dict; the costly parts are computed on demand, once."""
    ctx.no_cache()
    state, currency = ctx.state, ctx.currency

    @cache
    def totals() -> CartTotals:
        return compute_totals(cart, state, currency)

    @cache
    def items() -> list[CartItem]:
        return [item for item in cart.items if item.id in totals().lines]

    def item_views(selected: list[CartItem]) -> list[dict[str, Any]]:
        problems = cart_stock_problems(cart, state)
        return [_item_view(ctx, cart, item, totals(), problems.get(item.id)) for item in selected]

    def items_v2(
        _info: Info,
        pageSize: int = 20,
        currentPage: int = 1,
        sort: dict[str, Any] | None = None,
    ) -> Json:
        if currentPage < 1:
            raise InputError("currentPage value must be greater than 0.")
        if pageSize < 1:
            raise InputError("pageSize value must be greater than 0.")
        ordered = list(items())
        if sort:
            field, descending = sort["field"], sort.get("order") == "DESC"
            ordered.sort(key=lambda i: (_sort_key(field, i, totals(), state), i.id), reverse=descending)
        start = (currentPage - 1) * pageSize
        return {
            "items": item_views(ordered[start : start + pageSize]),
            "total_count": len(ordered),
            "page_info": {
                "page_size": pageSize,
                "current_page": currentPage,
                "total_pages": -(-len(ordered) // pageSize),
            },
        }

    def prices(_info: Info) -> Json:
        t = totals()
        return {
            "grand_total": money(t.grand_total, currency),
            "subtotal_including_tax": money(t.subtotal_incl_tax, currency),
            "subtotal_excluding_tax": money(t.subtotal, currency),
            "subtotal_with_discount_excluding_tax": money(t.subtotal_with_discount, currency),
            "applied_taxes": [{"label": t.tax_label, "amount": money(t.tax, currency)}] if t.tax_label else [],
            "discounts": [{"label": cart.coupon_code, "amount": money(t.discount, currency)}]
            if t.discount > 0
            else None,
        }

    coupons = [{"code": cart.coupon_code}] if cart.coupon_code else None
    method = cart.payment_method
    return {
        "id": cart.masked_id,
        "email": cart.email,
        "is_virtual": is_virtual(cart, state),
        "total_quantity": float(total_quantity(cart)),
        "items": lambda _info: item_views(items()),
        "itemsV2": items_v2,
        "applied_coupon": coupons[0] if coupons else None,
        "applied_coupons": coupons,
        "prices": prices,
        "shipping_addresses": lambda _info: (  # ShippingAddresses: none for a virtual cart (kept, though)
            [] if is_virtual(cart, state) else checkout.shipping_address_views(cart, totals())
        ),
        "billing_address": checkout.billing_address_view(cart),
        "available_payment_methods": lambda _info: (
            [
                {"code": code, "title": PAYMENT_TITLES[code]}
                for code in payment_methods(totals().grand_total, ctx.state.config)
            ]
            if cart.items
            else []
        ),
        "selected_payment_method": {
            "code": method or "",
            "title": PAYMENT_TITLES.get(method, "") if method else "",
            "purchase_order_number": None,
        },
    }


# --- product lines ----------------------------------------------------------------------------


def item_id_of(entry: dict[str, Any], missing: str) -> int:
    raw_uid = entry.get("cart_item_uid")
    if raw_uid is not None:
        try:
            return int(base64.b64decode(str(raw_uid), validate=True).decode())
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise InputError(f'Value of uid "{raw_uid}" is incorrect.') from None
    if entry.get("cart_item_id"):  # PHP's empty(): an id of 0 is a missing id
        return int(entry["cart_item_id"])
    raise InputError(missing)


# --- resolvers -------------------------------------------------------------------------------


def _cart_output(cart: Cart, ctx: RequestContext) -> Json:
    return {"cart": cart_view(cart, ctx)}


def _require_cart_id(input: Json) -> None:
    if not input.get("cart_id"):
        raise InputError('Required parameter "cart_id" is missing')


def _input_cart(ctx: RequestContext, input: Json) -> Cart:
    """The cart named by ``input.cart_id``, if the shopper may use it."""
    _require_cart_id(input)
    return get_cart_for_user(ctx, str(input["cart_id"]))


def resolve_cart(_root: object, info: Info, cart_id: str) -> Json:
    ctx = context_of(info)
    ctx.no_cache()
    if not cart_id:
        raise InputError('Required parameter "cart_id" is missing')
    return cart_view(get_cart_for_user(ctx, cart_id), ctx)


def resolve_customer_cart(_root: object, info: Info) -> Json:
    ctx = context_of(info)
    ctx.no_cache()
    if ctx.customer is None:
        raise AuthorizationError("The request is allowed for logged in customer")
    return cart_view(customer_cart(ctx, ctx.customer), ctx)


def create_guest_cart(_root: object, info: Info, input: Json | None = None) -> Json:
    ctx = context_of(info)
    if ctx.customer is not None:
        raise AlreadyExistsError("Use `Query.customerCart` for logged in customer.")
    masked_id = (input or {}).get("cart_uid")
    if masked_id is not None:
        check_new_masked_id(ctx.state, str(masked_id))
    return _cart_output(create_cart(ctx.state, ctx.store.code, None, masked_id), ctx)


def create_empty_cart(_root: object, info: Info, input: Json | None = None) -> str:
    ctx = context_of(info)
    masked_id = (input or {}).get("cart_id")
    if ctx.customer is not None:
        existing = active_cart_of(ctx.state, ctx.customer)
        if existing is None and masked_id is not None:
            check_new_masked_id(ctx.state, str(masked_id))
        return customer_cart(ctx, ctx.customer, masked_id).masked_id
    if masked_id is not None:
        check_new_masked_id(ctx.state, str(masked_id))
    return create_cart(ctx.state, ctx.store.code, None, masked_id).masked_id


def add_products_to_cart(
    _root: object,
    info: Info,
    cartId: str,
    cartItems: list[dict[str, Any]],
) -> Json:
    ctx = context_of(info)
    if not cartId:
        raise InputError('Required parameter "cartId" is missing')
    if not cartItems:
        raise InputError('Required parameter "cartItems" is missing')
    cart = get_cart_for_user(ctx, cartId)
    errors = [user_error(problem) for entry in cartItems if (problem := add_line(ctx.state, cart, entry))]
    return {"cart": cart_view(cart, ctx), "user_errors": errors}


def update_cart_items(_root: object, info: Info, input: Json) -> Json:
    ctx = context_of(info)
    _require_cart_id(input)
    if not input.get("cart_items"):  # checked before the cart is looked up
        raise InputError('Required parameter "cart_items" is missing.')
    cart = _input_cart(ctx, input)
    changes: list[tuple[CartItem, Decimal]] = []
    for entry in input["cart_items"]:
        item_id = item_id_of(entry, 'Required parameter "cart_item_id" for "cart_items" is missing.')
        item = next((i for i in cart.items if i.id == item_id), None)
        if item is None:
            raise NoSuchEntityError(f"Could not find cart item with id: {item_id}.")
        if entry.get("quantity") is None:
            raise InputError('Required parameter "quantity" for "cart_items" is missing.')
        quantity = Decimal(str(entry["quantity"]))
        if quantity > 0 and (problem := quantity_problem(ctx.state, cart, item.sku, quantity, item)):
            raise InputError(f"Could not update the product with SKU {item.sku}: {problem}")  # UpdateCartItem
        changes.append((item, quantity))
    for item, quantity in changes:
        item.quantity = quantity
    cart.items = [i for i in cart.items if i.quantity > 0]
    return _cart_output(cart, ctx)


def remove_item_from_cart(_root: object, info: Info, input: Json) -> Json:
    ctx = context_of(info)
    _require_cart_id(input)
    item_id = item_id_of(input, 'Required parameter "cart_item_id" is missing.')  # before the cart
    cart = _input_cart(ctx, input)
    if not any(i.id == item_id for i in cart.items):
        raise NoSuchEntityError("The cart doesn't contain the item")
    cart.items = [i for i in cart.items if i.id != item_id]
    return _cart_output(cart, ctx)


def apply_coupon_to_cart(_root: object, info: Info, input: Json) -> Json:
    ctx = context_of(info)
    code = str(input.get("coupon_code") or "").strip()
    if not code:
        raise InputError('Required parameter "coupon_code" is missing')
    cart = _input_cart(ctx, input)
    if cart.coupon_code:
        raise InputError("A coupon is already applied to the cart. Please remove it to apply another")
    if not cart.items:
        raise NoSuchEntityError("Cart does not contain products.")
    known = next((c for c in ctx.state.coupons if c.lower() == code.lower()), None)
    if known is None:
        raise NoSuchEntityError("The coupon code isn't valid. Verify the code and try again.")
    cart.coupon_code = known
    return _cart_output(cart, ctx)


def remove_coupon_from_cart(_root: object, info: Info, input: Json) -> Json:
    ctx = context_of(info)
    cart = _input_cart(ctx, input)
    if not cart.items:
        raise NoSuchEntityError("Cart does not contain products.")
    cart.coupon_code = None
    return _cart_output(cart, ctx)


def set_guest_email_on_cart(_root: object, info: Info, input: Json) -> Json:
    ctx = context_of(info)
    email = str(input.get("email") or "").strip()
    checkout.check_guest_email(ctx, email)
    cart = _input_cart(ctx, input)
    cart.email = email
    return _cart_output(cart, ctx)


def _checkout_step(step: Callable[[RequestContext, Cart, Any], None], argument: str) -> RootResolver:
    """A resolver running one checkout step on an accessible cart whose checkout is allowed."""

    def resolve(_root: object, info: Info, input: Json) -> Json:
        ctx = context_of(info)
        cart = _input_cart(ctx, input)
        checkout.check_checkout_allowed(ctx, cart)
        step(ctx, cart, input.get(argument))
        return _cart_output(cart, ctx)

    return resolve


def place_order(_root: object, info: Info, input: Json | None = None) -> Json:
    """Checkout problems come back in ``errors`` (with a code); only authorization is raised."""
    ctx = context_of(info)
    cart_id = (input or {}).get("cart_id")
    if not cart_id:
        raise InputError('Required parameter "cart_id" is missing')
    try:
        order = checkout.place_order(ctx, get_cart_for_user(ctx, cart_id))
    except (NoSuchEntityError, InputError, checkout.CheckoutProblem) as exc:
        return {"order": None, "orderV2": None, "errors": [checkout.place_order_error(exc.message)]}
    return {
        "order": {"order_number": order.number, "order_id": order.number},
        "orderV2": order_view(order),
        "errors": [],
    }


QUERY_FIELDS: dict[str, RootResolver] = {"cart": resolve_cart, "customerCart": resolve_customer_cart}

MUTATION_FIELDS: dict[str, RootResolver] = {
    "createGuestCart": create_guest_cart,
    "createEmptyCart": create_empty_cart,
    "addProductsToCart": add_products_to_cart,
    "updateCartItems": update_cart_items,
    "removeItemFromCart": remove_item_from_cart,
    "applyCouponToCart": apply_coupon_to_cart,
    "removeCouponFromCart": remove_coupon_from_cart,
    "setGuestEmailOnCart": set_guest_email_on_cart,
    "setShippingAddressesOnCart": _checkout_step(checkout.set_shipping_addresses, "shipping_addresses"),
    "setBillingAddressOnCart": _checkout_step(checkout.set_billing_address, "billing_address"),
    "setShippingMethodsOnCart": _checkout_step(checkout.set_shipping_methods, "shipping_methods"),
    "setPaymentMethodOnCart": _checkout_step(checkout.set_payment_method, "payment_method"),
    "placeOrder": place_order,
}
