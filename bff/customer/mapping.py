"""Magento's customer answers (generated views) → customer models; sign-up → Magento's input.

The only module of the customer package that names Magento's fields.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bff.cart.mapping import cart_from_magento
from bff.cart.models import CartLine
from bff.customer.models import (
    DEFAULT_TOKEN_LIFETIME_S,
    Customer,
    CustomerPolicy,
    OrderPage,
    OrderSummary,
    SignUp,
)
from bff.magento.money import money
from bff.magento.results.customer import (
    CreateCustomerVariables,
    CustomerOrdersResult,
    CustomerPolicyResult,
    CustomerWithCartResult,
    GenerateCustomerTokenResult,
    GuestCartToMergeResult,
    ViewerResult,
)
from bff.magento.results.fragments import CustomerOrderSummary, CustomerSummary
from bff.magento.times import utc_time

SECONDS_PER_HOUR = 3600.0
UNKNOWN_TIME = datetime(1970, 1, 1, tzinfo=UTC)  # an order date Magento did not answer in its format


def _order(data: CustomerOrderSummary) -> OrderSummary:
    return OrderSummary(
        number=data.number or "",
        placed_at=utc_time(data.order_date) or UNKNOWN_TIME,
        status=data.status or "",
        grand_total=money(data.total.grand_total if data.total else None),
    )


def customer_from_magento(data: CustomerSummary) -> Customer:
    """Map the ``CustomerSummary`` selection (name, e-mail, recent orders)."""
    orders = data.orders
    items = [o for o in (orders.items if orders else ()) if o is not None]
    return Customer(
        firstname=data.firstname or "",
        lastname=data.lastname or "",
        email=data.email or "",
        recent_orders=tuple(_order(o) for o in items),
        order_count=int((orders.total_count if orders else None) or len(items)),
    )


def order_page_from_magento(result: CustomerOrdersResult, page: int, page_size: int) -> OrderPage:
    """The page asked for. Magento answers its last page for a page beyond it (and says so in
    ``page_info.current_page``): that is an empty page here."""
    orders = result.customer.orders if result.customer else None
    total = int((orders.total_count if orders else None) or 0)
    info = orders.page_info if orders else None
    answered = int((info.current_page if info else None) or page)
    items = [o for o in (orders.items if orders else ()) if o is not None] if answered == page else []
    return OrderPage(
        items=tuple(_order(o) for o in items),
        total_count=total,
        current_page=page,
        page_size=page_size,
        total_pages=-(-total // page_size),
    )


def viewer_customer(result: ViewerResult | CustomerWithCartResult) -> Customer | None:
    """The signed-in customer in a ``Viewer`` or ``CustomerWithCart`` answer."""
    return customer_from_magento(result.customer) if result.customer is not None else None


def customer_cart_id(result: CustomerWithCartResult) -> str | None:
    """The masked id of the customer's active cart."""
    return result.customerCart.id or None


def issued_token(result: GenerateCustomerTokenResult) -> str | None:
    issued = result.generateCustomerToken
    return (issued.token or None) if issued is not None else None


def guest_lines(result: GuestCartToMergeResult) -> tuple[CartLine, ...]:
    return cart_from_magento(result.cart).lines if result.cart is not None else ()


def sign_up_variables(signup: SignUp) -> CreateCustomerVariables:
    """``createCustomerV2``'s input."""
    return {
        "input": {
            "firstname": signup.firstname,
            "lastname": signup.lastname,
            "email": signup.email,
            "password": signup.password,
            "is_subscribed": signup.newsletter,
        }
    }


def _positive_int(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def policy_from_magento(result: CustomerPolicyResult) -> CustomerPolicy:
    """``storeConfig``'s customer settings; unset or unreadable values keep Magento's defaults.

    ``customer_access_token_lifetime`` is in hours (a Float)."""
    config = result.storeConfig
    defaults = CustomerPolicy()
    if config is None:
        return defaults
    lifetime = config.customer_access_token_lifetime
    lifetime_s = DEFAULT_TOKEN_LIFETIME_S
    if isinstance(lifetime, int | float) and lifetime > 0:
        lifetime_s = float(lifetime) * SECONDS_PER_HOUR
    return CustomerPolicy(
        token_lifetime_s=lifetime_s,
        min_password_length=_positive_int(config.minimum_password_length, defaults.min_password_length),
        required_character_classes=min(
            4, _positive_int(config.required_character_classes_number, defaults.required_character_classes)
        ),
    )
