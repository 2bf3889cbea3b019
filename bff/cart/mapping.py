"""Magento's ``CartFields`` result → ``Cart``."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from bff.cart.models import (
    Address,
    AddressRequest,
    Cart,
    CartItemRequest,
    CartLine,
    CartPrices,
    Discount,
    PaymentMethod,
    SelectedOption,
    ShippingMethod,
)
from bff.errors import UserErrorCode, UserProblem
from bff.money import Money

# CartItemErrorType → what the shopper is told (codes only: Magento's text never reaches a client).
LINE_PROBLEMS = {
    "ITEM_QTY": UserErrorCode.INSUFFICIENT_STOCK,
    "ITEM_INCREMENTS": UserErrorCode.INVALID_QUANTITY,
    "UNDEFINED": UserErrorCode.NOT_SALABLE,
}


def quantity(value: object) -> Decimal:
    """Magento's Float quantities as exact decimals: 2.0 → 2, 1.5 → 1.5."""
    amount = Decimal(str(value or 0))
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()


def _money(data: dict[str, Any] | None, currency: str) -> Money:
    return Money.from_magento(data, currency)


def _address(data: dict[str, Any] | None) -> Address | None:
    if not data:
        return None
    region = data.get("region") or {}
    country = data.get("country") or {}
    return Address(
        firstname=data.get("firstname") or "",
        lastname=data.get("lastname") or "",
        street=tuple(data.get("street") or ()),
        city=data.get("city") or "",
        postcode=data.get("postcode"),
        country_code=country.get("code") or "",
        telephone=data.get("telephone"),
        region_code=region.get("code"),
        region=region.get("label"),
        company=data.get("company"),
    )


def _method(data: dict[str, Any], currency: str) -> ShippingMethod:
    return ShippingMethod(
        carrier_code=data["carrier_code"],
        method_code=data.get("method_code") or "",
        carrier_title=data.get("carrier_title") or "",
        method_title=data.get("method_title") or "",
        amount=_money(data.get("amount"), currency),
        available=data.get("available", True) is not False,
    )


def _line(item: dict[str, Any], currency: str) -> CartLine:
    product = item.get("product") or {}
    prices = item.get("prices") or {}
    variant = item.get("configured_variant") or {}
    options = tuple(
        SelectedOption(
            option_uid=o.get("configurable_product_option_uid") or "",
            value_uid=o.get("configurable_product_option_value_uid") or "",
            label=o.get("option_label") or "",
            value=o.get("value_label") or "",
        )
        for o in item.get("configurable_options") or ()
    )
    thumbnail = product.get("thumbnail") or {}
    return CartLine(
        uid=item["uid"],
        quantity=quantity(item.get("quantity")),
        sku=product.get("sku") or "",
        variant_sku=variant.get("sku"),
        name=product.get("name") or "",
        url_key=product.get("url_key"),
        thumbnail_url=thumbnail.get("url"),
        in_stock=product.get("stock_status") != "OUT_OF_STOCK",
        available=item.get("is_available", True) is not False,
        price=_money(prices.get("price"), currency),
        row_total=_money(prices.get("row_total"), currency),
        discount=_money(prices.get("total_item_discount"), currency),
        options=options,
        problems=tuple(
            LINE_PROBLEMS.get(str(e.get("code")), UserErrorCode.NOT_SALABLE) for e in item.get("errors") or ()
        ),
    )


def cart_from_magento(data: dict[str, Any]) -> Cart:
    """Map a ``CartFields`` selection. Tax is grand total minus the other parts' sum when Magento
    gives no ``applied_taxes`` breakdown for it."""
    prices = data.get("prices") or {}
    grand = prices.get("grand_total") or {}
    currency = str(grand.get("currency") or "USD")
    shipping_addresses = data.get("shipping_addresses") or []
    shipping = shipping_addresses[0] if shipping_addresses else None
    selected = (shipping or {}).get("selected_shipping_method")
    selected_method = _method(selected, currency) if selected and selected.get("carrier_code") else None
    taxes = [_money(t.get("amount"), currency).value for t in prices.get("applied_taxes") or ()]
    payment = data.get("selected_payment_method") or {}
    items = ((data.get("itemsV2") or {}).get("items")) or []
    return Cart(
        lines=tuple(_line(i, currency) for i in items if i),
        total_quantity=quantity(data.get("total_quantity")),
        email=data.get("email"),
        is_virtual=bool(data.get("is_virtual")),
        applied_coupons=tuple(c["code"] for c in data.get("applied_coupons") or () if c),
        shipping_address=_address(shipping),
        billing_address=_address(data.get("billing_address")),
        available_shipping_methods=tuple(
            _method(m, currency) for m in (shipping or {}).get("available_shipping_methods") or ()
        ),
        selected_shipping_method=selected_method,
        available_payment_methods=tuple(
            PaymentMethod(m["code"], m.get("title") or "") for m in data.get("available_payment_methods") or ()
        ),
        selected_payment_method=PaymentMethod(payment["code"], payment.get("title") or "")
        if payment.get("code")
        else None,
        currency=currency,
        prices=CartPrices(
            subtotal=_money(prices.get("subtotal_excluding_tax"), currency),
            subtotal_including_tax=_money(prices.get("subtotal_including_tax"), currency),
            discounts=tuple(
                Discount(d.get("label") or "", _money(d.get("amount"), currency)) for d in prices.get("discounts") or ()
            ),
            shipping=selected_method.amount if selected_method else None,
            tax=Money(sum(taxes, Decimal("0")), currency),
            grand_total=_money(grand, currency),
        ),
    )


# --- requests → Magento variables, and addProductsToCart's user_errors → problems ---------------


def item_variables(item: CartItemRequest) -> dict[str, Any]:
    """A Magento ``CartItemInput`` (configurable products: parent SKU + option value uids)."""
    variables: dict[str, Any] = {"sku": item.sku, "quantity": float(item.quantity)}
    if item.selected_options:
        variables["selected_options"] = list(item.selected_options)
    return variables


def address_variables(address: AddressRequest) -> dict[str, Any]:
    """A Magento ``CartAddressInput``; never saved to a customer's address book from checkout."""
    variables: dict[str, Any] = {
        "firstname": address.firstname,
        "lastname": address.lastname,
        "street": list(address.street),
        "city": address.city,
        "country_code": address.country_code,
        "postcode": address.postcode,
        "telephone": address.telephone,
        "company": address.company,
        "save_in_address_book": False,
    }
    if address.region is not None:
        variables["region"] = address.region
    if address.region_id is not None:
        variables["region_id"] = address.region_id
    return variables


# Magento's CartUserInputErrorType → ours. Magento picks its code from its own message, so the
# BFF maps the code only; UNDEFINED covers e.g. a configurable product without its options.
_ADD_CODES: dict[str, tuple[UserErrorCode, str]] = {
    "PRODUCT_NOT_FOUND": (UserErrorCode.PRODUCT_NOT_FOUND, "No product has this SKU."),
    "NOT_SALABLE": (
        UserErrorCode.NOT_SALABLE,
        "This product (or the chosen combination of options) cannot be bought right now.",
    ),
    "INSUFFICIENT_STOCK": (
        UserErrorCode.INSUFFICIENT_STOCK,
        "The requested quantity is not in stock (or outside the allowed quantities).",
    ),
}
_ADD_UNDEFINED = (
    UserErrorCode.INVALID_OPTIONS,
    "The item could not be added as requested: choose every option of the product "
    "(selectedOptions) and check the quantity.",
)


def add_problems(user_errors: Iterable[dict[str, Any] | None], item_count: int) -> tuple[UserProblem, ...]:
    """``addProductsToCart.user_errors`` as problems. Magento does not say which item an error is
    about, so ``field`` is ``items.0`` for a single item and ``items`` otherwise."""
    field = "items.0" if item_count == 1 else "items"
    problems: list[UserProblem] = []
    for error in user_errors:
        code, message = _ADD_CODES.get(str((error or {}).get("code")), _ADD_UNDEFINED)
        problems.append(UserProblem(code, message, field))
    return tuple(problems)
