"""The event types the BFF emits, their JSON Schema files, and the one place building each event's data.

Every event's ``data`` is built here, so ``schema/events/<type>.json`` (checked against these builders by
tests/events/test_catalogue.py) describes exactly what endpoints receive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal
from typing import Final

from bff.events.models import Event

ORDER_PLACED: Final = "order.placed"
CUSTOMER_REGISTERED: Final = "customer.registered"
CART_MERGED: Final = "cart.merged"
CHECKOUT_FAILED: Final = "checkout.failed"

EVENT_TYPES: Final = (ORDER_PLACED, CUSTOMER_REGISTERED, CART_MERGED, CHECKOUT_FAILED)


def schema_file(event_type: str) -> str:
    """The JSON Schema file of an event type, relative to the repository's ``schema/events/``."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    return f"{event_type}.json"


def idempotency_key_hash(key: str) -> str:
    """The sha256 hex of an idempotency key: events carry this, never the key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def order_placed(
    *,
    order_number: str | None,
    email: str,
    grand_total: Decimal,
    currency: str,
    signed_in: bool,
    idempotency_key: str,
) -> Event:
    return Event(
        type=ORDER_PLACED,
        data={
            "order_number": order_number,
            "email": email,
            "grand_total": {"value": str(grand_total), "currency": currency},
            "signed_in": signed_in,
            "idempotency_key_hash": idempotency_key_hash(idempotency_key),
        },
    )


def customer_registered(*, email: str) -> Event:
    return Event(type=CUSTOMER_REGISTERED, data={"email": email})


def cart_merged(*, items: int) -> Event:
    return Event(type=CART_MERGED, data={"items": items})


def checkout_failed(*, codes: Sequence[str]) -> Event:
    return Event(type=CHECKOUT_FAILED, data={"codes": list(codes)})
