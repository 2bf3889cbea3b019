"""The service container handed to every request (built once per app by ``bff.app``)."""

from __future__ import annotations

from dataclasses import dataclass

from bff.cart.service import CartService
from bff.catalog.service import CatalogService
from bff.checkout.service import CheckoutService, IdempotencyObserver
from bff.clock import Clock
from bff.customer.service import CustomerService
from bff.events.publisher import EventPublisher
from bff.orders.status import OrderStatuses
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
    events: EventPublisher | None = None,
    order_statuses: OrderStatuses | None = None,
) -> Services:
    """``events``: the outbox publisher when ``BFF_EVENTS__ENABLED`` (None: no events);
    ``order_statuses``: what Magento's order webhook announced (None: no webhook)."""
    catalog = CatalogService(clock=clock)
    cart = CartService(catalog=catalog)
    checkout = CheckoutService(
        cart=cart,
        idempotency=idempotency,
        settings=settings.checkout,
        clock=clock,
        observer=idempotency_observer,
        events=events,
    )
    customer = CustomerService(cart=cart, clock=clock, events=events, statuses=order_statuses)
    return Services(catalog=catalog, cart=cart, customer=customer, checkout=checkout)
