"""Orders: creating them from a checked cart, and ``CustomerOrder`` views (placeOrder, customer).

Amounts are stored on the order in the currency it was placed in (``Order.currency``), so an order
reads the same whatever ``Content-Currency`` a later request sends, as in Magento.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import replace
from typing import Any

from bff.sandbox.clock import iso_datetime
from bff.sandbox.errors import InputError
from bff.sandbox.money import money
from bff.sandbox.state import Address, Cart, Order, OrderLine, SandboxState, uid
from bff.sandbox.totals import FLATRATE, FREESHIPPING, PAYMENT_TITLES, CartTotals, is_virtual

SHIPPING_TITLES: dict[tuple[str, str], str] = {
    (FLATRATE[0], FLATRATE[1]): f"{FLATRATE[2]} - {FLATRATE[3]}",
    (FREESHIPPING[0], FREESHIPPING[1]): f"{FREESHIPPING[2]} - {FREESHIPPING[3]}",
}


def order_address_view(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {
        "firstname": address.firstname,
        "lastname": address.lastname,
        "region": address.region_label,
        "region_id": str(address.region_id) if address.region_id is not None else None,
        "country_code": address.country_code,
        "street": list(address.street),
        "company": address.company,
        "telephone": address.telephone,
        "postcode": address.postcode,
        "city": address.city,
    }


def order_view(order: Order) -> dict[str, Any]:
    """A ``CustomerOrder``: Magento's OrderFormatter output for ``order``."""
    currency = order.currency
    base_total = order.base_grand_total if order.base_grand_total is not None else order.grand_total
    discounts = (
        [{"label": order.coupon_code or "Discount", "amount": money(order.discount, currency)}]
        if order.discount > 0
        else []
    )
    items = [
        {
            "__typename": "OrderItem",
            "id": uid(order.id * 1000 + index),
            "product_name": line.name,
            "product_sku": line.sku,
            "product_url_key": line.url_key,
            "product_type": line.product_type,
            "status": "Ordered",
            "product_sale_price": money(line.price, currency),
            "quantity_ordered": float(line.quantity),
        }
        for index, line in enumerate(order.lines, start=1)
    ]
    return {
        "id": uid(order.id),
        "number": order.number,
        "order_number": order.number,
        "increment_id": order.number,
        "token": order.token,
        "status": order.status,
        "order_date": order.created_at,
        "created_at": order.created_at,
        "email": order.email,
        "total": {
            "subtotal": money(order.subtotal, currency),
            "discounts": discounts,
            "total_tax": money(order.tax, currency),
            "grand_total": money(order.grand_total, currency),
            "base_grand_total": money(base_total, "USD"),
            "total_shipping": money(order.shipping, currency),
        },
        "items": items,
        "grand_total": float(order.grand_total),
        "shipping_method": SHIPPING_TITLES.get(order.shipping_method) if order.shipping_method else None,
        "payment_methods": [
            {
                "name": PAYMENT_TITLES.get(order.payment_method, order.payment_method),
                "type": order.payment_method,
            }
        ],
        "shipping_address": order_address_view(order.shipping_address),
        "billing_address": order_address_view(order.billing_address),
        "applied_coupons": [{"code": order.coupon_code}] if order.coupon_code else [],
    }


def _number_matches(order: Order, number_filter: dict[str, Any] | None) -> bool:
    if not number_filter:
        return True
    if number_filter.get("eq") is not None and order.number != number_filter["eq"]:
        return False
    if number_filter.get("in") is not None and order.number not in number_filter["in"]:
        return False
    match = number_filter.get("match")
    return match is None or str(match) in order.number


def customer_orders(
    state: SandboxState,
    customer_id: int,
    store_code: str,
    *,
    filter: dict[str, Any] | None = None,
    currentPage: int = 1,
    pageSize: int = 20,
    sort: dict[str, Any] | None = None,
    scope: str | None = None,
) -> dict[str, Any]:
    r"""``CustomerOrders``: the customer's orders (this store view's unless ``scope`` widens it), one
    page of them as ``Magento\SalesGraphQl\Model\Resolver\CustomerOrders`` pages them."""
    if currentPage < 1:
        raise InputError("currentPage value must be greater than 0.")
    if pageSize < 1:
        raise InputError("pageSize value must be greater than 0.")
    orders = [
        o
        for o in state.orders
        if o.customer_id == customer_id
        and (scope in ("WEBSITE", "GLOBAL") or o.store_code == store_code)
        and _number_matches(o, (filter or {}).get("number"))
    ]
    if sort:
        key = "number" if sort.get("sort_field") == "NUMBER" else "created_at"
        orders.sort(key=lambda o: (getattr(o, key), o.id), reverse=sort.get("sort_direction") == "DESC")
    # The order collection's getCurPage() (Magento\Framework\Data\Collection) clamps a page beyond
    # the last one to the last one (1 when there are no orders): Magento answers that page's orders
    # and says so in page_info.current_page.
    current = min(currentPage, max(1, math.ceil(len(orders) / pageSize)))
    start = (current - 1) * pageSize
    return {
        "items": [order_view(o) for o in orders[start : start + pageSize]],
        "total_count": len(orders),
        "page_info": {
            "page_size": pageSize,
            "current_page": current,
            "total_pages": math.ceil(len(orders) / pageSize),
        },
    }


# --- creating orders ---------------------------------------------------------------------------


def _copy(address: Address | None) -> Address | None:
    return replace(address, street=list(address.street)) if address is not None else None


def create_order(state: SandboxState, cart: Cart, totals: CartTotals, base_totals: CartTotals) -> Order:
    """The order for a checked cart: stock taken, order stored, cart deactivated.

    ``totals`` are in the order's currency, ``base_totals`` in the base currency. Increment ids
    are sequential ("000000001", ...); the order token is random.
    """
    lines: list[OrderLine] = []
    for item in cart.items:
        product = state.products[item.sku]
        parent = state.products.get(item.parent_sku) if item.parent_sku else None
        shown = parent or product
        lines.append(
            OrderLine(
                sku=product.sku,
                name=shown.name,
                url_key=shown.url_key,
                product_type=shown.type_id,
                quantity=item.quantity,
                price=totals.lines[item.id].unit_price,
            )
        )
        product.qty -= int(item.quantity)
        if parent is not None:
            parent.qty = max(0, parent.qty - int(item.quantity))
    customer = state.customers.get(cart.customer_id) if cart.customer_id is not None else None
    ships = not is_virtual(cart, state)  # a virtual order has no shipping address or method
    order_id = state.next_id("order")
    order = Order(
        id=order_id,
        number=f"{order_id:09d}",
        token=secrets.token_urlsafe(32),
        cart_masked_id=cart.masked_id,
        store_code=cart.store_code,
        currency=totals.currency,
        customer_id=cart.customer_id,
        email=cart.email or (customer.email if customer else ""),
        created_at=iso_datetime(state.clock.now()),
        lines=lines,
        subtotal=totals.subtotal,
        discount=totals.discount,
        shipping=totals.shipping,
        tax=totals.tax,
        grand_total=totals.grand_total,
        shipping_method=cart.shipping_method if ships else None,
        payment_method=cart.payment_method or "",
        shipping_address=_copy(cart.shipping_address) if ships else None,
        billing_address=_copy(cart.billing_address),
        coupon_code=cart.coupon_code,
        base_grand_total=base_totals.grand_total,
    )
    state.orders.append(order)
    cart.is_active = False
    return order
