"""The service container handed to every request (built once per app by ``bff.app``)."""

from __future__ import annotations

from dataclasses import dataclass

from bff.cart.service import CartService
from bff.catalog.service import CatalogService
from bff.checkout.service import CheckoutService, IdempotencyObserver
from bff.clock import Clock
from bff.customer.service import CustomerService
from bff.sessions.store import IdempotencyStore
from bff.settings import Settings


@dataclass(frozen=True)
class Services:
    catalog: CatalogService
    cart: CartService
    customer: CustomerService
    checkout: CheckoutService


def build_services(
    settings: Settings,
    idempotency: IdempotencyStore,
    clock: Clock,
    *,
    idempotency_observer: IdempotencyObserver | None = None,
) -> Services:
    catalog = CatalogService(clock=clock)
    cart = CartService(catalog=catalog)
    checkout = CheckoutService(
        cart=cart, idempotency=idempotency, settings=settings.checkout, clock=clock, observer=idempotency_observer
    )
    return Services(catalog=catalog, cart=cart, customer=CustomerService(cart=cart, clock=clock), checkout=checkout)
