"""Inputs and small helpers the service tests share (the fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from bff.cart.models import AddressRequest, Cart, CartItemRequest
from bff.checkout.service import CheckoutRequest
from bff.customer.models import Credentials
from bff.errors import UserErrorCode, UserProblem
from bff.magento.operations import Request
from bff.request_state import RequestMeta
from bff.services import Services
from bff.shopper import Shopper


class NewShopper(Protocol):
    """Another new visitor's first request (no session yet), sending ``meta``'s headers."""

    def __call__(self, meta: RequestMeta | None = None) -> Shopper: ...


NextRequest = Callable[[Shopper], Awaitable[Shopper]]  # the same visitor's next request

RONI = Credentials.of("roni_cost@example.com", "Roni-Cost-3")

ADDRESS = AddressRequest(
    firstname="Jane",
    lastname="Doe",
    street=("1 Main St",),
    city="Austin",
    country_code="US",
    postcode="78701",
    region="TX",
    telephone="5125550100",
)


def item(sku: str, quantity: int = 1) -> CartItemRequest:
    return CartItemRequest(sku, Decimal(quantity))


BASE_CHECKOUT = CheckoutRequest(
    idempotency_key="key-0001-checkout",
    email="jane@example.com",
    shipping_address=ADDRESS,
    shipping_method=("flatrate", "flatrate"),
    payment_method="checkmo",
)


def checkout_request(**changes: Any) -> CheckoutRequest:
    """A complete guest checkout (flat rate, check/money order); ``changes`` override fields."""
    return replace(BASE_CHECKOUT, **changes)


def called(shopper: Shopper) -> list[str]:
    """The Magento operations ``shopper`` sent, in order (one entry per attempt)."""
    return [call.operation for call in shopper.calls]


def codes(problems: Iterable[UserProblem]) -> list[UserErrorCode]:
    return [problem.code for problem in problems]


def quantities(cart: Cart) -> dict[str, Decimal]:
    """The cart's lines as SKU → quantity."""
    return {line.sku: line.quantity for line in cart.lines}


async def add(services: Services, shopper: Shopper, *skus: str) -> Cart:
    """Add one of each SKU (all accepted) and answer the cart."""
    outcome = await services.cart.add_items(shopper, [item(sku) for sku in skus])
    assert outcome.notices == ()
    return outcome.cart


T = TypeVar("T")
Hook = Callable[[Request[Any]], None]


class HookedShopper(Shopper):
    """``base``'s request, running ``before[name](request)`` just before each call of operation
    ``name``: how a test changes Magento between two calls that one service method makes."""

    def __init__(self, base: Shopper, before: Mapping[str, Hook]) -> None:
        super().__init__(base.session, base.magento, base.meta, calls=base.calls)
        self._before = before

    async def call(self, request: Request[T], *, as_customer: bool = True, timeout_s: float | None = None) -> T:
        hook = self._before.get(request.operation.name)
        if hook is not None:
            hook(request)
        return await super().call(request, as_customer=as_customer, timeout_s=timeout_s)
