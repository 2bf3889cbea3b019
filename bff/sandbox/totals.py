"""Cart arithmetic and line rules: prices, discount, shipping, tax, totals, stock, adding lines.

Everything here is pure except ``add_line``, which changes only the cart it is given.

Everything is computed in one currency: each unit price is converted from the base currency first
(``money.convert``, rounded to cents) and only then multiplied, so rows, subtotal and grand total
always add up exactly in the currency the shopper sees. Rules (Magento defaults unless noted):

* discount: ``percent`` coupons take that share of every row (rounded per row); ``fixed`` coupons
  take the converted amount off the cart, split over the rows in proportion to their totals (the
  last row takes the rounding remainder); a discount never exceeds what it discounts;
* shipping: only the carriers in ``config.shipping_methods`` (a default install: ``flatrate``);
  ``flatrate/flatrate`` costs ``config.flatrate_per_item`` per unit; ``freeshipping``, when enabled,
  is offered only when the subtotal after discount, in the base currency, reaches
  ``config.free_shipping_threshold``; no rates without a shipping address or without items;
* payment: the methods in ``config.payment_methods`` (a default install: ``checkmo`` and ``free``);
  ``free`` alone for a zero total, never for a positive one (Payment's ``ZeroTotal`` check);
* tax: the sandbox's tax rules are Magento's sample rates US-CA 8.25 % and US-NY 8.375 %, applied
  to each row after its discount (shipping is not taxed); every other destination pays none; a
  virtual cart (``is_virtual``: nothing to ship) is taxed by its billing address and has no
  shipping rates, as Magento collects a virtual quote's totals on the billing address;
* grand total = subtotal - discount + shipping + tax;
* stock: a line is sellable while the units of its sku in the cart do not exceed the product's
  ``qty`` (Magento's StockStateProvider texts); a quantity is checked for the minimum (1), the
  maximum (``config.max_sale_qty``) and whole units before stock; ``add_line`` follows
  AddProductsToCart and Quote::addProduct (a product that is not salable is "not found"; same
  sku and options add up to one line; refusals are user errors).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bff.sandbox.catalog import is_in_stock, variant_for_options
from bff.sandbox.money import convert, round_money
from bff.sandbox.state import Address, Cart, CartItem, Product, SandboxConfig, SandboxState

ZERO = Decimal("0.00")
BASE_CURRENCY = "USD"  # money.RATES is against USD; the free-shipping threshold is in it
MIN_SALE_QTY = Decimal(1)  # cataloginventory/item_options/min_sale_qty

# (country, region code) -> (rate in percent, Magento's sample rate code used as the label)
TAX_RATES: dict[tuple[str, str], tuple[Decimal, str]] = {
    ("US", "CA"): (Decimal("8.25"), "US-CA-*-Rate 1"),
    ("US", "NY"): (Decimal("8.375"), "US-NY-*-Rate 1"),
}

FLATRATE = ("flatrate", "flatrate", "Flat Rate", "Fixed")
FREESHIPPING = ("freeshipping", "freeshipping", "Free Shipping", "Free")

PAYMENT_TITLES: dict[str, str] = {
    "checkmo": "Check / Money order",
    "banktransfer": "Bank Transfer Payment",
    "free": "No Payment Information Required",
}

# StockStateProvider / Quote texts
OUT_OF_STOCK = "This product is out of stock."
QTY_NOT_AVAILABLE = "The requested qty is not available"
# a cart line whose product sold out (MSI's IsAnySourceItemInStockCondition, on the line's errors)
NO_SOURCE_ITEMS = "There are no source items with the in stock status"
OPTIONS_NOT_AVAILABLE = "The required options you selected are not available."
CHOOSE_OPTIONS = "You need to choose options for your item."  # Configurable::getSpecifyOptionMessage
FEWEST = "The fewest you may purchase is {}."
MOST = "The requested qty exceeds the maximum qty allowed in shopping cart"
DECIMAL_QTY = "You cannot use decimal quantity for this product."
# AddProductsToCart::MESSAGE_CODES: the user error code is chosen by the message text.
USER_ERROR_CODES: tuple[tuple[str, str], ...] = (
    ("Could not find a product with SKU", "PRODUCT_NOT_FOUND"),
    ("The required options you selected are not available", "NOT_SALABLE"),
    ("Product that you are trying to add is not available.", "NOT_SALABLE"),
    ("This product is out of stock", "INSUFFICIENT_STOCK"),
    ("There are no source items", "NOT_SALABLE"),
    ("The fewest you may purchase is", "INSUFFICIENT_STOCK"),
    ("The most you may purchase is", "INSUFFICIENT_STOCK"),
    ("The requested qty is not available", "INSUFFICIENT_STOCK"),
)


@dataclass(frozen=True)
class LineTotals:
    item_id: int
    unit_price: Decimal
    row_total: Decimal
    discount: Decimal
    tax: Decimal  # on the row after its discount
    price_incl_tax: Decimal  # before discount, as Magento shows it
    row_total_incl_tax: Decimal


@dataclass(frozen=True)
class ShippingRate:
    carrier_code: str
    method_code: str
    carrier_title: str
    method_title: str
    amount: Decimal

    @property
    def code(self) -> tuple[str, str]:
        return (self.carrier_code, self.method_code)


@dataclass(frozen=True)
class CartTotals:
    currency: str
    lines: dict[int, LineTotals]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    grand_total: Decimal
    subtotal_incl_tax: Decimal
    tax_label: str | None
    rates: tuple[ShippingRate, ...]  # shipping methods offered for the cart's address
    selected_rate: ShippingRate | None  # the chosen method, if it is still offered

    @property
    def subtotal_with_discount(self) -> Decimal:
        return self.subtotal - self.discount


def line_product(state: SandboxState, item: CartItem) -> Product | None:
    """The product a line ships and is priced by (a configurable line's child)."""
    return state.products.get(item.sku)


def unit_price(product: Product, currency: str) -> Decimal:
    return convert(product.final_price, currency)


def tax_rule(address: Address | None) -> tuple[Decimal, str] | None:
    if address is None or address.region_code is None:
        return None
    return TAX_RATES.get((address.country_code.upper(), address.region_code.upper()))


def split_discount(kind: str, amount: Decimal, rows: list[Decimal], currency: str) -> list[Decimal]:
    """Each row's share of a coupon discount, in ``currency``; never more than the row."""
    if kind == "percent":
        return [min(row, round_money(row * amount / 100)) for row in rows]
    total_rows = sum(rows, ZERO)
    total = min(convert(amount, currency), total_rows)
    if total <= 0:
        return [ZERO for _ in rows]
    shares: list[Decimal] = []
    left = total
    for index, row in enumerate(rows):
        wanted = left if index == len(rows) - 1 else round_money(total * row / total_rows)
        share = min(row, wanted, left)
        shares.append(share)
        left -= share
    return shares


def _priced(cart: Cart, state: SandboxState, currency: str) -> list[tuple[CartItem, Decimal, Decimal]]:
    """(item, unit price, row total) for every line whose product still exists."""
    priced: list[tuple[CartItem, Decimal, Decimal]] = []
    for item in cart.items:
        product = line_product(state, item)
        if product is not None:
            unit = unit_price(product, currency)
            priced.append((item, unit, round_money(unit * item.quantity)))
    return priced


def _row_discounts(cart: Cart, state: SandboxState, rows: list[Decimal], currency: str) -> list[Decimal]:
    coupon = state.coupons.get(cart.coupon_code or "")
    if coupon is None or not rows:
        return [ZERO for _ in rows]
    kind, amount = coupon
    return split_discount(kind, amount, rows, currency)


def is_virtual(cart: Cart, state: SandboxState) -> bool:
    """Quote::isVirtual: every line is a virtual product; an empty cart is not virtual."""
    products = [state.products.get(item.parent_sku or item.sku) for item in cart.items]
    return bool(products) and all(p is not None and p.type_id == "virtual" for p in products)


def total_quantity(cart: Cart) -> Decimal:
    return sum((item.quantity for item in cart.items), Decimal(0))


def shipping_rates(cart: Cart, state: SandboxState, currency: str) -> tuple[ShippingRate, ...]:
    """The shipping methods Magento would offer for the cart's current address and contents."""
    if cart.shipping_address is None or not cart.items or is_virtual(cart, state):
        return ()
    config = state.config
    rates: list[ShippingRate] = []
    if FLATRATE[0] in config.shipping_methods:
        per_item = convert(config.flatrate_per_item, currency)
        rates.append(ShippingRate(*FLATRATE, amount=round_money(per_item * total_quantity(cart))))
    if FREESHIPPING[0] not in config.shipping_methods:
        return tuple(rates)
    base_rows = [row for _, _, row in _priced(cart, state, BASE_CURRENCY)]
    base_discount = sum(_row_discounts(cart, state, base_rows, BASE_CURRENCY), ZERO)
    if sum(base_rows, ZERO) - base_discount >= config.free_shipping_threshold:
        rates.append(ShippingRate(*FREESHIPPING, amount=ZERO))
    return tuple(rates)


def compute_totals(cart: Cart, state: SandboxState, currency: str) -> CartTotals:
    priced = _priced(cart, state, currency)
    subtotal = sum((row for _, _, row in priced), ZERO)
    discounts = _row_discounts(cart, state, [row for _, _, row in priced], currency)
    rule = tax_rule(cart.billing_address if is_virtual(cart, state) else cart.shipping_address)
    rate = rule[0] / 100 if rule else Decimal(0)
    lines: dict[int, LineTotals] = {}
    for (item, unit, row), discount in zip(priced, discounts, strict=True):
        lines[item.id] = LineTotals(
            item_id=item.id,
            unit_price=unit,
            row_total=row,
            discount=discount,
            tax=round_money((row - discount) * rate),
            price_incl_tax=round_money(unit * (1 + rate)),
            row_total_incl_tax=row + round_money(row * rate),
        )
    discount = sum(discounts, ZERO)
    tax = sum((line.tax for line in lines.values()), ZERO)
    rates = shipping_rates(cart, state, currency)
    selected = next((r for r in rates if r.code == cart.shipping_method), None)
    shipping = selected.amount if selected else ZERO
    return CartTotals(
        currency=currency,
        lines=lines,
        subtotal=subtotal,
        discount=discount,
        shipping=shipping,
        tax=tax,
        grand_total=subtotal - discount + shipping + tax,
        subtotal_incl_tax=sum((line.row_total_incl_tax for line in lines.values()), ZERO),
        tax_label=rule[1] if rule and tax > 0 else None,
        rates=rates,
        selected_rate=selected,
    )


def payment_methods(grand_total: Decimal, config: SandboxConfig) -> list[str]:
    """The enabled methods (``config.payment_methods``) that apply to ``grand_total``: ``free``
    only, and only it, for a zero total; the others (in Magento's sort order) for a positive one."""
    enabled = [code for code in PAYMENT_TITLES if code in config.payment_methods]
    if grand_total <= 0:
        return [code for code in enabled if code == "free"]
    return [code for code in enabled if code != "free"]


def stock_problem(state: SandboxState, sku: str, quantity: Decimal) -> str | None:
    """Why a cart line of ``quantity`` units of ``sku`` cannot be sold now (Magento's text), or None."""
    product = state.products.get(sku)
    if product is None or product.qty <= 0:
        return NO_SOURCE_ITEMS
    if quantity > product.qty:
        return QTY_NOT_AVAILABLE
    return None


def cart_stock_problems(cart: Cart, state: SandboxState) -> dict[int, str]:
    """Lines that cannot be sold as they stand, keyed by item id (units of one sku add up)."""
    wanted: dict[str, Decimal] = {}
    for item in cart.items:
        wanted[item.sku] = wanted.get(item.sku, Decimal(0)) + item.quantity
    problems: dict[int, str] = {}
    for item in cart.items:
        problem = stock_problem(state, item.sku, wanted[item.sku])
        if problem is not None:
            problems[item.id] = problem
    return problems


def quantity_problem(
    state: SandboxState, cart: Cart, sku: str, quantity: Decimal, replacing: CartItem | None
) -> str | None:
    """Magento's texts for holding ``quantity`` of ``sku`` in the line ``replacing`` (or a new one),
    in the order of MSI's ``IsCorrectQtyCondition`` (minimum, maximum, decimal) and then stock."""
    if quantity < MIN_SALE_QTY:
        return FEWEST.format(MIN_SALE_QTY)
    if quantity > state.config.max_sale_qty:
        return MOST
    if quantity != quantity.to_integral_value():
        return DECIMAL_QTY
    others = sum((i.quantity for i in cart.items if i.sku == sku and i is not replacing), Decimal(0))
    product = state.products.get(sku)
    if product is None or product.qty <= 0:
        return OUT_OF_STOCK
    return QTY_NOT_AVAILABLE if others + quantity > product.qty else None


# --- cart lines ------------------------------------------------------------------------------


def user_error(message: str) -> dict[str, str]:
    lowered = message.lower()
    code = next((code for text, code in USER_ERROR_CODES if text.lower() in lowered), "UNDEFINED")
    return {"code": code, "message": message}


def find_product(state: SandboxState, sku: str) -> Product | None:
    return state.products.get(sku) or next((p for p in state.products.values() if p.sku.lower() == sku.lower()), None)


def add_line(state: SandboxState, cart: Cart, entry: dict[str, Any]) -> str | None:
    """Add one ``CartItemInput`` to the cart; the reason it was refused, or None."""
    quantity = Decimal(str(entry.get("quantity", 0)))
    if quantity <= 0:
        return "The product quantity should be greater than 0"
    sku = str(entry.get("sku") or "")
    product = find_product(state, sku)
    if product is None or not is_in_stock(state, product):  # AddProductsToCart: not salable is not found
        return f'Could not find a product with SKU "{sku}"'
    parent: Product | None = None
    if product.type_id == "configurable":
        parent = product
        child = variant_for_options(state, parent, list(entry.get("selected_options") or []))
        if child is None:  # no options, or options matching no variant: Configurable::_prepareProduct
            return CHOOSE_OPTIONS
        product = child
    elif entry.get("parent_sku"):
        parent = find_product(state, str(entry["parent_sku"]))
        if parent is None:
            return f'Could not find a product with SKU "{entry["parent_sku"]}"'
        if product.parent_sku != parent.sku:
            return OPTIONS_NOT_AVAILABLE
    parent_sku = parent.sku if parent else None
    line = next((i for i in cart.items if i.sku == product.sku and i.parent_sku == parent_sku), None)
    wanted = quantity + (line.quantity if line else 0)
    problem = quantity_problem(state, cart, product.sku, wanted, line)
    if problem is not None:
        return problem
    if line is None:
        cart.items.append(CartItem(state.next_id("quote_item"), product.sku, quantity, parent_sku))
    else:
        line.quantity = wanted
    return None
