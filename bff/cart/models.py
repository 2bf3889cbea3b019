"""The cart as the storefront sees it (frozen dataclasses; built from Magento by ``mapping``).

No Magento identifiers other than item/option uids appear here: the masked cart id stays in the
session and is never part of a model that reaches a client.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bff.errors import UserErrorCode, UserFacingError, UserProblem
from bff.money import Money


@dataclass(frozen=True)
class SelectedOption:
    option_uid: str
    value_uid: str
    label: str
    value: str


@dataclass(frozen=True)
class CartLine:
    uid: str
    quantity: Decimal
    sku: str  # the product's (parent's, for configurable lines) SKU
    variant_sku: str | None
    name: str
    url_key: str | None
    thumbnail_url: str | None
    in_stock: bool
    available: bool
    price: Money
    row_total: Money
    discount: Money
    options: tuple[SelectedOption, ...] = ()
    problems: tuple[UserErrorCode, ...] = ()  # why the line cannot be bought as it is


@dataclass(frozen=True)
class Discount:
    label: str
    amount: Money


@dataclass(frozen=True)
class Address:
    firstname: str
    lastname: str
    street: tuple[str, ...]
    city: str
    postcode: str | None
    country_code: str
    telephone: str | None
    region_code: str | None = None
    region: str | None = None  # label
    company: str | None = None


@dataclass(frozen=True)
class ShippingMethod:
    carrier_code: str
    method_code: str
    carrier_title: str
    method_title: str
    amount: Money
    available: bool = True


@dataclass(frozen=True)
class PaymentMethod:
    code: str
    title: str


@dataclass(frozen=True)
class CartPrices:
    subtotal: Money
    subtotal_including_tax: Money
    discounts: tuple[Discount, ...]
    shipping: Money | None
    tax: Money
    grand_total: Money


@dataclass(frozen=True)
class Cart:
    lines: tuple[CartLine, ...]
    total_quantity: Decimal
    prices: CartPrices
    email: str | None = None
    is_virtual: bool = False
    applied_coupons: tuple[str, ...] = ()
    shipping_address: Address | None = None
    billing_address: Address | None = None
    available_shipping_methods: tuple[ShippingMethod, ...] = ()
    selected_shipping_method: ShippingMethod | None = None
    available_payment_methods: tuple[PaymentMethod, ...] = ()
    selected_payment_method: PaymentMethod | None = None
    currency: str = "USD"
    notices: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def empty(cls, currency: str = "USD") -> Cart:
        zero = Money(Decimal("0"), currency)
        return cls(
            lines=(),
            total_quantity=Decimal("0"),
            currency=currency,
            prices=CartPrices(
                subtotal=zero, subtotal_including_tax=zero, discounts=(), shipping=None, tax=zero, grand_total=zero
            ),
        )


@dataclass(frozen=True)
class CartParts:
    """What a reader of the cart needs beyond its count, coupons, e-mail and ``is_virtual``:
    ``lines``, ``prices``, ``shipping_amount`` (the selected shipping method's, in the prices) and
    ``details`` (addresses, shipping and payment methods). A read without ``details`` asks
    Magento for a light summary; the parts not asked for stay empty."""

    lines: bool = True
    prices: bool = True
    shipping_amount: bool = True
    details: bool = True


WHOLE_CART = CartParts()


@dataclass(frozen=True)
class CartOutcome:
    """A cart operation's result: the cart as it is now, and notices (e.g. ``CART_RECREATED``,
    add refusals) that go into ``userErrors`` next to it."""

    cart: Cart
    notices: tuple[UserProblem, ...] = ()


class CartRefused(UserFacingError):
    """A cart operation refused for reasons the shopper can fix, raised with the cart as it is
    (unchanged), so the answer shows it without another read."""

    def __init__(self, cart: Cart, *problems: UserProblem) -> None:
        super().__init__(*problems)
        self.cart = cart


# --- what the shopper asks for (validated by ``bff.cart.validation`` before Magento sees it) ---


@dataclass(frozen=True)
class CartItemRequest:
    sku: str  # for configurable products, the parent's SKU
    quantity: Decimal
    selected_options: tuple[str, ...] = ()  # option value uids from the product's options


@dataclass(frozen=True)
class CartItemUpdate:
    uid: str
    quantity: Decimal  # 0 removes the line


@dataclass(frozen=True)
class AddressRequest:
    firstname: str
    lastname: str
    street: tuple[str, ...]
    city: str
    country_code: str
    postcode: str | None = None
    region: str | None = None  # code or name as typed; validation resolves it
    telephone: str | None = None
    company: str | None = None
    region_id: int | None = None  # set by validation when the country lists its regions
