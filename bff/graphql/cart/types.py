"""Cart types of the storefront schema (thin: built from ``bff.cart.models`` with ``from_model``)."""

from __future__ import annotations

import strawberry

from bff.cart import models
from bff.cart.models import CartRefused
from bff.errors import UserErrorCode, UserFacingError, UserProblem
from bff.graphql.context import Info
from bff.graphql.node import CURRENT_CART_ID, Node, node_id
from bff.graphql.primitives import Money, UserError


@strawberry.type(description="A configurable option chosen for a cart line, e.g. Color: Red.")
class SelectedOption:
    option_uid: strawberry.ID
    value_uid: strawberry.ID
    label: str
    value: str


@strawberry.type(description="The product a cart line holds.")
class CartProduct:
    sku: str
    name: str
    url_key: str | None
    thumbnail: str | None = strawberry.field(description="Image URL.")
    variant_sku: str | None = strawberry.field(description="The chosen variant of a configurable product.")


@strawberry.type
class CartLinePrices:
    price: Money
    row_total: Money
    discount: Money


@strawberry.type(description="A line of the cart (a product, its options and quantity).")
class CartLine(Node):
    uid: strawberry.ID = strawberry.field(description="Send it to `updateCartItems` and `removeCartItem`.")
    quantity: float = strawberry.field(description="A number, e.g. 2 or 1.5 (products sold by weight or length).")
    product: CartProduct
    prices: CartLinePrices
    selected_options: list[SelectedOption]
    available: bool = strawberry.field(description="False when the line can no longer be bought as is.")
    problems: list[UserErrorCode] = strawberry.field(
        description="Why the line cannot be bought as it is (e.g. INSUFFICIENT_STOCK); empty when it can."
    )

    @classmethod
    def from_model(cls, m: models.CartLine) -> CartLine:
        return cls(
            id=node_id("CartLine", m.uid),
            uid=strawberry.ID(m.uid),
            quantity=float(m.quantity),
            product=CartProduct(
                sku=m.sku, name=m.name, url_key=m.url_key, thumbnail=m.thumbnail_url, variant_sku=m.variant_sku
            ),
            prices=CartLinePrices(
                price=Money.from_model(m.price),
                row_total=Money.from_model(m.row_total),
                discount=Money.from_model(m.discount),
            ),
            selected_options=[
                SelectedOption(
                    option_uid=strawberry.ID(o.option_uid),
                    value_uid=strawberry.ID(o.value_uid),
                    label=o.label,
                    value=o.value,
                )
                for o in m.options
            ],
            available=m.available,
            problems=list(m.problems),
        )


@strawberry.type
class Discount:
    label: str
    amount: Money


@strawberry.type
class CartPrices:
    subtotal: Money
    subtotal_including_tax: Money
    discounts: list[Discount]
    shipping: Money | None = strawberry.field(description="Null until a shipping method is chosen.")
    tax: Money
    grand_total: Money

    @classmethod
    def from_model(cls, m: models.CartPrices) -> CartPrices:
        return cls(
            subtotal=Money.from_model(m.subtotal),
            subtotal_including_tax=Money.from_model(m.subtotal_including_tax),
            discounts=[Discount(label=d.label, amount=Money.from_model(d.amount)) for d in m.discounts],
            shipping=Money.from_model(m.shipping) if m.shipping else None,
            tax=Money.from_model(m.tax),
            grand_total=Money.from_model(m.grand_total),
        )


@strawberry.type(description="An address of the cart: its shipping or its billing address.")
class Address(Node):
    firstname: str
    lastname: str
    company: str | None
    street: list[str]
    city: str
    region: str | None = strawberry.field(description="Region name, e.g. Texas.")
    region_code: str | None
    postcode: str | None
    country_code: str
    telephone: str | None

    @classmethod
    def from_model(cls, m: models.Address | None, role: str) -> Address | None:
        """``role``: ``shipping`` or ``billing``, the address's key in the current cart."""
        if m is None:
            return None
        return cls(
            id=node_id("Address", "cart", role),
            firstname=m.firstname,
            lastname=m.lastname,
            company=m.company,
            street=list(m.street),
            city=m.city,
            region=m.region,
            region_code=m.region_code,
            postcode=m.postcode,
            country_code=m.country_code,
            telephone=m.telephone,
        )


@strawberry.type
class ShippingMethod:
    carrier_code: str
    method_code: str
    carrier_title: str
    method_title: str
    amount: Money

    @classmethod
    def from_model(cls, m: models.ShippingMethod | None) -> ShippingMethod | None:
        return cls.of(m) if m is not None else None

    @classmethod
    def of(cls, m: models.ShippingMethod) -> ShippingMethod:
        return cls(
            carrier_code=m.carrier_code,
            method_code=m.method_code,
            carrier_title=m.carrier_title,
            method_title=m.method_title,
            amount=Money.from_model(m.amount),
        )


@strawberry.type
class PaymentMethod:
    code: str
    title: str

    @classmethod
    def from_model(cls, m: models.PaymentMethod | None) -> PaymentMethod | None:
        return cls(code=m.code, title=m.title) if m else None


@strawberry.type(
    description="The shopper's cart. Empty (and free of any Magento call) until something is added. "
    'Its `id` means "the session\'s current cart": the same before the first add, after an order and '
    "across sign-in and sign-out (lines and orders have ids of their own)."
)
class Cart(Node):
    items: list[CartLine]
    total_quantity: float = strawberry.field(description="The sum of the lines' quantities.")
    prices: CartPrices
    applied_coupons: list[str]
    email: str | None
    shipping_address: Address | None
    billing_address: Address | None
    selected_shipping_method: ShippingMethod | None
    selected_payment_method: PaymentMethod | None
    is_virtual: bool
    available_shipping_methods: list[ShippingMethod] = strawberry.field(
        default_factory=list,
        description="What the store offers for the shipping address (empty until one is set).",
    )
    available_payment_methods: list[PaymentMethod] = strawberry.field(
        default_factory=list, description="What the store accepts for this cart."
    )

    @classmethod
    def from_model(cls, m: models.Cart) -> Cart:
        return cls(
            id=CURRENT_CART_ID,
            available_shipping_methods=[ShippingMethod.of(s) for s in m.available_shipping_methods if s.available],
            available_payment_methods=[PaymentMethod(code=p.code, title=p.title) for p in m.available_payment_methods],
            items=[CartLine.from_model(line) for line in m.lines],
            total_quantity=float(m.total_quantity),
            prices=CartPrices.from_model(m.prices),
            applied_coupons=list(m.applied_coupons),
            email=m.email,
            shipping_address=Address.from_model(m.shipping_address, "shipping"),
            billing_address=Address.from_model(m.billing_address, "billing"),
            selected_shipping_method=ShippingMethod.from_model(m.selected_shipping_method),
            selected_payment_method=PaymentMethod.from_model(m.selected_payment_method),
            is_virtual=m.is_virtual,
        )


async def payload_cart(known: models.Cart | None, info: Info) -> Cart:
    """A payload's cart: the one the service answered with; else (a refusal raised before the
    service had the cart, e.g. an input check) the session's cart, read now (no Magento call while
    the session has none)."""
    model = known if known is not None else await info.context.services.cart.get(info.context.shopper)
    return Cart.from_model(model)


async def _cart_payload_cart(root: CartPayload, info: Info) -> Cart:
    return await payload_cart(root.known_cart, info)


@strawberry.type(
    description="The result of a cart mutation: the cart as it is now (unchanged when the request was refused), "
    "and what went wrong or what the BFF did."
)
class CartPayload:
    user_errors: list[UserError]
    cart: Cart = strawberry.field(
        resolver=_cart_payload_cart,
        description="The session's cart as it is now, also when lines or the whole request were refused.",
    )
    known_cart: strawberry.Private[models.Cart | None] = None

    @classmethod
    def from_error(cls, error: UserFacingError) -> CartPayload:
        known = error.cart if isinstance(error, CartRefused) else None
        return cls(user_errors=[UserError.from_problem(p) for p in error.problems], known_cart=known)

    @classmethod
    def of(cls, cart: models.Cart, notices: list[UserProblem] | tuple[UserProblem, ...] = ()) -> CartPayload:
        return cls(user_errors=[UserError.from_problem(p) for p in notices], known_cart=cart)
