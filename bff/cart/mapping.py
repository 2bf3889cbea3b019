"""Magento's cart answers (generated views) → ``Cart``; cart requests → Magento's variables.

The only module of the cart package that names Magento's fields: the service passes typed
results in and gets models (or variables) out.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from bff.cart.models import (
    Address,
    AddressRequest,
    Cart,
    CartItemRequest,
    CartLine,
    CartParts,
    CartPrices,
    Discount,
    PaymentMethod,
    SelectedOption,
    ShippingMethod,
)
from bff.errors import Path, UserErrorCode, UserProblem
from bff.magento.money import money
from bff.magento.outcomes import LineProblem, LineRefusal, line_problem, line_refusal
from bff.magento.results.cart import (
    AddProductsToCartResult,
    ApplyCouponResult,
    CartSummaryResultCart,
    CartSummaryVariables,
    CreateGuestCartResult,
    RemoveCartItemResult,
    RemoveCouponResult,
    UpdateCartItemsResult,
)
from bff.magento.results.checkout import (
    SetBillingAddressResult,
    SetBillingAddressSameAsShippingResult,
    SetGuestEmailResult,
    SetPaymentMethodResult,
    SetShippingAddressResult,
    SetShippingMethodResult,
)
from bff.magento.results.customer import CustomerCartResult
from bff.magento.results.fragments import (
    CartAddressFields,
    CartFields,
    CartFieldsShippingAddressesAvailableShippingMethods,
    CartFieldsShippingAddressesSelectedShippingMethod,
    CartLineFields,
    CartPricesFields,
)
from bff.magento.results.inputs import CartAddressInput, CartItemInput, CartItemUpdateInput
from bff.money import Money

# The cart steps: each answers with the whole cart (``CartFields``).
StepResult = (
    UpdateCartItemsResult
    | RemoveCartItemResult
    | ApplyCouponResult
    | RemoveCouponResult
    | SetGuestEmailResult
    | SetShippingAddressResult
    | SetBillingAddressResult
    | SetBillingAddressSameAsShippingResult
    | SetShippingMethodResult
    | SetPaymentMethodResult
)

# What the shopper is told about a line Magento reports a problem with (codes only: Magento's
# text never reaches a client).
LINE_PROBLEMS = {
    LineProblem.QUANTITY_UNAVAILABLE: UserErrorCode.INSUFFICIENT_STOCK,
    LineProblem.QUANTITY_INCREMENTS: UserErrorCode.INVALID_QUANTITY,
    LineProblem.OTHER: UserErrorCode.NOT_SALABLE,
}


@lru_cache(maxsize=1024)
def quantity(value: float | None) -> Decimal:
    """Magento's Float quantities as exact decimals: 2.0 → 2, 1.5 → 1.5 (memoised: Decimal is immutable)."""
    amount = Decimal(str(value or 0))
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()


def _address(data: CartAddressFields | None) -> Address | None:
    if data is None:
        return None
    region = data.region
    return Address(
        firstname=data.firstname or "",
        lastname=data.lastname or "",
        street=tuple(s for s in data.street or () if s is not None),
        city=data.city or "",
        postcode=data.postcode,
        country_code=data.country.code or "",
        telephone=data.telephone,
        region_code=region.code if region else None,
        region=region.label if region else None,
        company=data.company,
    )


def _method(
    data: CartFieldsShippingAddressesAvailableShippingMethods | CartFieldsShippingAddressesSelectedShippingMethod,
    currency: str,
    *,
    available: bool = True,
) -> ShippingMethod:
    return ShippingMethod(
        carrier_code=data.carrier_code,
        method_code=data.method_code or "",
        carrier_title=data.carrier_title or "",
        method_title=data.method_title or "",
        amount=money(data.amount, currency),
        available=available,
    )


def _line(item: CartLineFields, currency: str) -> CartLine:
    product = item.product
    prices = item.prices
    variant = item.configured_variant
    options = tuple(
        SelectedOption(
            option_uid=o.configurable_product_option_uid or "",
            value_uid=o.configurable_product_option_value_uid or "",
            label=o.option_label or "",
            value=o.value_label or "",
        )
        for o in item.configurable_options or ()
    )
    thumbnail = product.thumbnail
    return CartLine(
        uid=item.uid,
        quantity=quantity(item.quantity),
        sku=product.sku or "",
        variant_sku=variant.sku if variant else None,
        name=product.name or "",
        url_key=product.url_key,
        thumbnail_url=thumbnail.url if thumbnail else None,
        in_stock=product.stock_status != "OUT_OF_STOCK",
        available=item.is_available,
        price=money(prices.price if prices else None, currency),
        row_total=money(prices.row_total if prices else None, currency),
        discount=money(prices.total_item_discount if prices else None, currency),
        options=options,
        problems=tuple(LINE_PROBLEMS[line_problem(e.code)] for e in item.errors or () if e is not None),
    )


def _currency(prices: CartPricesFields | None, default: str = "USD") -> str:
    grand = prices.grand_total if prices else None
    return str((grand.currency if grand else None) or default)


def _prices(prices: CartPricesFields | None, currency: str, shipping: Money | None) -> CartPrices:
    """Tax is the sum of ``applied_taxes`` (0 without a breakdown)."""
    taxes = [money(t.amount, currency).value for t in (prices.applied_taxes or ()) if t] if prices else []
    return CartPrices(
        subtotal=money(prices.subtotal_excluding_tax if prices else None, currency),
        subtotal_including_tax=money(prices.subtotal_including_tax if prices else None, currency),
        discounts=tuple(
            Discount(d.label or "", money(d.amount, currency)) for d in (prices.discounts or () if prices else ()) if d
        ),
        shipping=shipping,
        tax=Money(sum(taxes, Decimal("0")), currency),
        grand_total=money(prices.grand_total if prices else None, currency),
    )


def cart_from_magento(data: CartFields) -> Cart:
    """Map a ``CartFields`` selection."""
    currency = _currency(data.prices)
    shipping = next(iter(data.shipping_addresses), None)
    selected = shipping.selected_shipping_method if shipping else None
    selected_method = _method(selected, currency) if selected and selected.carrier_code else None
    payment = data.selected_payment_method
    items = data.itemsV2.items if data.itemsV2 else []
    return Cart(
        lines=tuple(_line(i, currency) for i in items if i),
        total_quantity=quantity(data.total_quantity),
        email=data.email,
        is_virtual=data.is_virtual,
        applied_coupons=tuple(c.code for c in data.applied_coupons or () if c),
        shipping_address=_address(shipping),
        billing_address=_address(data.billing_address),
        available_shipping_methods=tuple(
            _method(m, currency, available=m.available)
            for m in ((shipping.available_shipping_methods if shipping else None) or ())
            if m
        ),
        selected_shipping_method=selected_method,
        available_payment_methods=tuple(
            PaymentMethod(m.code, m.title or "") for m in data.available_payment_methods or () if m
        ),
        selected_payment_method=PaymentMethod(payment.code, payment.title or "") if payment and payment.code else None,
        currency=currency,
        prices=_prices(data.prices, currency, selected_method.amount if selected_method else None),
    )


def summary_variables(cart_id: str, parts: CartParts) -> CartSummaryVariables:
    """``CartSummary``'s variables: lines, prices and the shipping amount when ``parts`` need them."""
    return {"cartId": cart_id, "lines": parts.lines, "prices": parts.prices, "shipping": parts.shipping_amount}


def cart_summary_from_magento(data: CartSummaryResultCart, currency: str) -> Cart:
    """A ``CartSummary`` answer: the parts it did not fetch stay empty (``currency``: the
    shopper's, for a summary without prices)."""
    currency = _currency(data.prices, currency)
    items = data.itemsV2.items if data.itemsV2 else []
    shipping = next(iter(data.shipping_addresses or ()), None)
    selected = shipping.selected_shipping_method if shipping else None
    amount = money(selected.amount, currency) if selected and selected.carrier_code else None
    return Cart(
        lines=tuple(_line(i, currency) for i in items if i),
        total_quantity=quantity(data.total_quantity),
        email=data.email,
        is_virtual=data.is_virtual,
        applied_coupons=tuple(c.code for c in data.applied_coupons or () if c),
        currency=currency,
        prices=_prices(data.prices, currency, amount),
    )


class _Payload(Protocol):
    @property
    def cart(self) -> CartFields | None: ...


def _payload_cart(payload: _Payload | None) -> Cart:
    cart = payload.cart if payload is not None else None
    return cart_from_magento(cart) if cart is not None else Cart.empty()


def step_cart(result: StepResult) -> Cart:
    """The cart a cart or checkout step answered with."""
    match result:
        case UpdateCartItemsResult():
            return _payload_cart(result.updateCartItems)
        case RemoveCartItemResult():
            return _payload_cart(result.removeItemFromCart)
        case ApplyCouponResult():
            return _payload_cart(result.applyCouponToCart)
        case RemoveCouponResult():
            return _payload_cart(result.removeCouponFromCart)
        case SetGuestEmailResult():
            return _payload_cart(result.setGuestEmailOnCart)
        case SetShippingAddressResult():
            return _payload_cart(result.setShippingAddressesOnCart)
        case SetBillingAddressResult() | SetBillingAddressSameAsShippingResult():
            return _payload_cart(result.setBillingAddressOnCart)
        case SetShippingMethodResult():
            return _payload_cart(result.setShippingMethodsOnCart)
        case SetPaymentMethodResult():
            return _payload_cart(result.setPaymentMethodOnCart)


def added_lines(result: AddProductsToCartResult) -> tuple[Cart, tuple[LineRefusal, ...]]:
    """``addProductsToCart``: the cart, and one refusal per refused line."""
    payload = result.addProductsToCart
    if payload is None:
        return Cart.empty(), ()
    return cart_from_magento(payload.cart), tuple(line_refusal(e.code) for e in payload.user_errors)


def opened_cart_id(result: CreateGuestCartResult | CustomerCartResult) -> str | None:
    """The masked id of the cart Magento opened (a new guest cart, or the customer's)."""
    if isinstance(result, CustomerCartResult):
        return result.customerCart.id or None
    created = result.createGuestCart
    return (created.cart.id or None) if created is not None and created.cart is not None else None


# --- requests → Magento variables, and addProductsToCart's user_errors → problems ---------------


def item_variables(item: CartItemRequest) -> CartItemInput:
    """A Magento ``CartItemInput`` (configurable products: parent SKU + option value uids)."""
    variables: CartItemInput = {"sku": item.sku, "quantity": float(item.quantity)}
    if item.selected_options:
        variables["selected_options"] = list(item.selected_options)
    return variables


def update_variables(uid: str, amount: Decimal) -> CartItemUpdateInput:
    """A Magento ``CartItemUpdateInput`` (quantity 0 removes the line)."""
    return {"cart_item_uid": uid, "quantity": float(amount)}


def address_variables(address: AddressRequest) -> CartAddressInput:
    """A Magento ``CartAddressInput``; never saved to a customer's address book from checkout."""
    variables: CartAddressInput = {
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


# Magento's refusals of a line → ours, and the item's field each concerns. Magento picks its code
# from its own message, so the BFF maps the code only; OTHER (Magento's UNDEFINED) covers e.g. a
# configurable product without its options, and a fractional quantity of a product sold in whole units.
_ADD_CODES: dict[LineRefusal, tuple[UserErrorCode, str, Path]] = {
    # Magento 2.4.7 answers "not found" for any product it cannot sell: unknown, disabled or sold out
    LineRefusal.PRODUCT_NOT_FOUND: (
        UserErrorCode.PRODUCT_NOT_FOUND,
        "No product with this SKU can be bought: it is unknown, disabled or sold out.",
        ("sku",),
    ),
    LineRefusal.NOT_SALABLE: (
        UserErrorCode.NOT_SALABLE,
        "This product (or the chosen combination of options) cannot be bought right now.",
        (),
    ),
    LineRefusal.INSUFFICIENT_STOCK: (
        UserErrorCode.INSUFFICIENT_STOCK,
        "The requested quantity is not in stock (or outside the allowed quantities).",
        ("quantity",),
    ),
    LineRefusal.OTHER: (
        UserErrorCode.INVALID_OPTIONS,
        "The item could not be added as requested: choose every option of the product "
        "(selectedOptions) and check the quantity.",
        ("selectedOptions",),
    ),
}
WHOLE_UNITS_MESSAGE = "This product is sold in whole units only: use a whole-number quantity."
WHOLE_UNITS: tuple[UserErrorCode, str, Path] = (UserErrorCode.INVALID_QUANTITY, WHOLE_UNITS_MESSAGE, ("quantity",))


def is_fractional(amount: Decimal) -> bool:
    return amount != amount.to_integral_value()


def _has_line(cart: Cart, item: CartItemRequest) -> bool:
    """Whether the cart holds a line of ``item``'s product (and its chosen option values)."""
    sku = item.sku.casefold()
    wanted = set(item.selected_options)
    return any(
        sku in (line.sku.casefold(), (line.variant_sku or "").casefold())
        and wanted <= {o.value_uid for o in line.options}
        for line in cart.lines
    )


def refused_positions(refusals: tuple[LineRefusal, ...], items: list[CartItemRequest], cart: Cart) -> list[int] | None:
    """Which items Magento refused, or None when its answer does not tell.

    Magento reports one error per refused item, in the order of the items (it adds them one by
    one), but not which item each is about. An added item has a line in the cart answered, so
    items without a line were refused; when exactly as many items lack a line as there are
    errors, those are the refused ones. An item whose product was already in the cart may or may
    not have been added: then the answer does not tell."""
    if len(refusals) == len(items):
        return list(range(len(items)))
    absent = [n for n, item in enumerate(items) if not _has_line(cart, item)]
    return absent if len(absent) == len(refusals) else None


def add_problems(
    refusals: tuple[LineRefusal, ...], items: list[CartItemRequest], cart: Cart
) -> tuple[UserProblem, ...]:
    """Refused items of ``addProductsToCart`` as problems, each at its item's field (relative to
    the list of items, e.g. ``("1", "quantity")``); at the whole list (``()``) when Magento's
    answer does not tell which item was refused (``refused_positions``)."""
    positions = refused_positions(refusals, items, cart)
    problems: list[UserProblem] = []
    for n, refusal in enumerate(refusals):
        item = items[positions[n]] if positions is not None else None
        code, message, field = _ADD_CODES[refusal]
        if refusal is LineRefusal.OTHER and item is not None and is_fractional(item.quantity):
            code, message, field = WHOLE_UNITS
        at: Path = (str(positions[n]), *field) if positions is not None else ()
        problems.append(UserProblem(code, message, at))
    return tuple(problems)
