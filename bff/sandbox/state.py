"""The sandbox's in-memory world: stores, catalog, CMS pages, URL redirects, carts, customers, tokens
and orders.

Everything lives in one ``SandboxState``; resolvers read and change it synchronously (no ``await``
inside a state change), so each GraphQL field runs atomically on the event loop, like a row lock.
Ids are deterministic: a fresh state seeded with the same ``SandboxConfig`` is identical.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from bff.sandbox.clock import SandboxClock, SystemClock


@lru_cache(maxsize=16384)
def uid(*parts: object) -> str:
    """Magento's uid encoding: base64 of the id (or of "kind/attr/value" for option values).

    Remembered (bounded): every answer encodes the same few thousand ids over and over."""
    return base64.b64encode("/".join(str(p) for p in parts).encode()).decode()


_CATALOG_CHANGES = [0]
_K = TypeVar("_K")
_V = TypeVar("_V")


def catalog_generation() -> int:
    """A number that changes whenever any product or category attribute is assigned (a sale's
    stock decrement, an admin price change, a test setting ``qty``): what derived catalog data
    (search results, facets) is keyed by, so it is recomputed only after a change."""
    return _CATALOG_CHANGES[0]


class _Tracked:
    """Counts every attribute assignment of a catalog entity into ``catalog_generation``."""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        _CATALOG_CHANGES[0] += 1


class CatalogDict(dict[_K, _V]):
    """``state.products`` / ``state.categories``: adding, replacing or removing an entry counts
    into ``catalog_generation`` like an attribute assignment does."""

    def __setitem__(self, key: _K, value: _V) -> None:
        super().__setitem__(key, value)
        _CATALOG_CHANGES[0] += 1

    def __delitem__(self, key: _K) -> None:
        super().__delitem__(key)
        _CATALOG_CHANGES[0] += 1

    def pop(self, *args: Any) -> Any:
        _CATALOG_CHANGES[0] += 1
        return super().pop(*args)

    def popitem(self) -> tuple[_K, _V]:
        _CATALOG_CHANGES[0] += 1
        return super().popitem()

    def clear(self) -> None:
        _CATALOG_CHANGES[0] += 1
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        _CATALOG_CHANGES[0] += 1
        super().update(*args, **kwargs)

    def setdefault(self, key: _K, default: Any = None) -> Any:
        _CATALOG_CHANGES[0] += 1
        return super().setdefault(key, default)


@dataclass(frozen=True)
class SandboxConfig:
    """Knobs of the sandbox's behaviour; the defaults are Magento's defaults where it has one."""

    seed: int = 2024
    product_count: int = 520  # the seed makes at least this many products (children included)
    customer_token_lifetime_minutes: int = 60  # webapi/jwtauth/customer_expiration
    free_shipping_threshold: Decimal = Decimal("100.00")  # in base currency, subtotal after discount
    flatrate_per_item: Decimal = Decimal("5.00")  # Magento's flatrate default: per item
    guest_checkout_enabled: bool = True
    max_login_failures: int = 6  # oauth/authentication_lock/max_failures_count
    lock_seconds: int = 1800  # oauth/authentication_lock/timeout
    show_out_of_stock: bool = False  # cataloginventory/options/show_out_of_stock
    # payment/<code>/active: OfflinePayments' and Payment's config.xml enable checkmo and free only
    payment_methods: tuple[str, ...] = ("checkmo", "free")
    # carriers/<code>/active: OfflineShipping's config.xml enables flatrate only
    shipping_methods: tuple[str, ...] = ("flatrate",)
    max_sale_qty: Decimal = Decimal(10000)  # cataloginventory/item_options/max_sale_qty
    enable_agreements: bool = False  # checkout/options/enable_agreements


@dataclass(frozen=True)
class StoreView:
    id: int
    code: str
    name: str
    locale: str
    base_currency: str
    default_display_currency: str
    allowed_currencies: tuple[str, ...]
    root_category_id: int
    is_default: bool = False
    website_code: str = "base"


@dataclass
class Category(_Tracked):
    id: int
    name: str
    url_key: str
    url_path: str
    parent_id: int
    level: int
    position: int
    path: str  # "1/2/5": ids from the tree root down to this category
    description: str = ""
    children: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class OptionValue:
    value_index: int
    label: str


@dataclass(frozen=True)
class ConfigurableOption:
    attribute_id: int
    attribute_code: str  # "color", "size"
    label: str
    values: tuple[OptionValue, ...]


@dataclass
class Product(_Tracked):
    id: int
    sku: str
    name: str
    url_key: str
    type_id: str  # "simple" | "configurable" | "virtual" (nothing to ship)
    price: Decimal  # regular price, base currency
    special_price: Decimal | None = None
    qty: int = 0  # salable quantity (simple products); configurable: sum of children
    category_ids: list[int] = field(default_factory=list)
    description: str = ""
    short_description: str = ""
    created_at: str = "2024-01-01 00:00:00"
    visible: bool = True  # False for configurable children (not listed on their own)
    parent_sku: str | None = None  # set on configurable children
    attributes: dict[str, int] = field(default_factory=dict)  # child: attribute_code -> value_index
    options: tuple[ConfigurableOption, ...] = ()  # configurable parents
    variant_skus: tuple[str, ...] = ()  # configurable parents

    @property
    def final_price(self) -> Decimal:
        if self.special_price is not None and self.special_price < self.price:
            return self.special_price
        return self.price


@dataclass
class Address:
    firstname: str
    lastname: str
    street: list[str]
    city: str
    postcode: str | None
    country_code: str
    telephone: str | None
    region_code: str | None = None
    region_label: str | None = None
    region_id: int | None = None
    company: str | None = None


@dataclass
class CartItem:
    id: int
    sku: str  # the simple product that ships (a configurable's child)
    quantity: Decimal
    parent_sku: str | None = None  # configurable parent, when added through options


@dataclass
class Cart:
    masked_id: str
    quote_id: int
    store_code: str
    customer_id: int | None = None
    items: list[CartItem] = field(default_factory=list)
    email: str | None = None
    coupon_code: str | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    shipping_method: tuple[str, str] | None = None  # (carrier_code, method_code)
    payment_method: str | None = None
    is_active: bool = True


@dataclass
class Customer:
    id: int
    email: str
    firstname: str
    lastname: str
    password: str  # the sandbox stores it plainly: it is a test double, never a real store
    is_subscribed: bool = False
    created_at: str = "2024-01-01 00:00:00"
    date_of_birth: str | None = None
    addresses: list[Address] = field(default_factory=list)
    failures: int = 0
    locked_until: float = 0.0


@dataclass
class CustomerToken:
    token: str
    customer_id: int
    expires_at: float
    revoked: bool = False


@dataclass(frozen=True)
class OrderLine:
    sku: str
    name: str
    url_key: str
    product_type: str
    quantity: Decimal
    price: Decimal  # per unit, order currency


@dataclass
class Order:
    id: int
    number: str  # increment id, "000000001"
    token: str  # guest order token (guestOrderByToken)
    cart_masked_id: str
    store_code: str
    currency: str
    customer_id: int | None
    email: str
    created_at: str
    lines: list[OrderLine]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    grand_total: Decimal
    shipping_method: tuple[str, str] | None
    payment_method: str
    shipping_address: Address | None
    billing_address: Address | None
    coupon_code: str | None = None
    status: str = "Pending"
    base_grand_total: Decimal | None = None  # in the base currency; None: same as grand_total


@dataclass(frozen=True)
class CmsPage:
    """A CMS page (Magento's ``cms_page``); its URL is its ``identifier``, with no suffix."""

    id: int
    identifier: str
    title: str
    content: str  # HTML
    content_heading: str = ""
    page_layout: str = "1column"
    meta_title: str = ""
    meta_description: str = ""
    meta_keywords: str = ""
    active: bool = True


@dataclass(frozen=True)
class UrlRedirect:
    """A custom URL rewrite with a redirect (Magento's ``url_rewrite`` row with ``redirect_type``
    301 or 302): ``request_path`` answers ``target_path``'s entity."""

    request_path: str
    target_path: str
    redirect_type: int  # 301 permanent, 302 temporary


@dataclass(frozen=True)
class CheckoutAgreement:
    """A terms-and-conditions text (Magento's ``checkout_agreement``); ``store_ids`` 0 means all stores."""

    id: int
    name: str
    content: str
    checkbox_text: str
    is_html: bool = False
    mode: str = "AUTO"  # "AUTO" (accepted by placing the order) | "MANUAL" (a checkbox to tick)
    content_height: str | None = None
    active: bool = True
    store_ids: tuple[int, ...] = (0,)


@dataclass
class SandboxState:
    """The whole sandbox world. ``seed.seeded_state`` builds the demo one."""

    config: SandboxConfig
    clock: SandboxClock = field(default_factory=SystemClock)
    stores: dict[str, StoreView] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)  # by sku
    product_ids: dict[int, str] = field(default_factory=dict)  # id -> sku
    carts: dict[str, Cart] = field(default_factory=dict)  # by masked id
    customers: dict[int, Customer] = field(default_factory=dict)
    tokens: dict[str, CustomerToken] = field(default_factory=dict)
    orders: list[Order] = field(default_factory=list)
    coupons: dict[str, tuple[str, Decimal]] = field(default_factory=dict)  # code -> (kind, amount)
    cms_pages: dict[str, CmsPage] = field(default_factory=dict)  # by identifier
    redirects: dict[str, UrlRedirect] = field(default_factory=dict)  # by request path
    agreements: list[CheckoutAgreement] = field(default_factory=list)  # shown with config.enable_agreements
    sequences: dict[str, int] = field(default_factory=dict)
    derived: dict[object, object] = field(default_factory=dict, repr=False, compare=False)  # catalog_search's

    def __post_init__(self) -> None:
        self.categories = CatalogDict(self.categories)
        self.products = CatalogDict(self.products)

    def __setattr__(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)
        if name == "config":  # a switch (show_out_of_stock) may change what the catalog shows
            _CATALOG_CHANGES[0] += 1

    def next_id(self, kind: str) -> int:
        value = self.sequences.get(kind, 0) + 1
        self.sequences[kind] = value
        return value

    @property
    def default_store(self) -> StoreView:
        return next(s for s in self.stores.values() if s.is_default)

    def customer_by_email(self, email: str) -> Customer | None:
        wanted = email.strip().lower()
        return next((c for c in self.customers.values() if c.email.lower() == wanted), None)
