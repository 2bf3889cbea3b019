"""The event types the BFF emits, their ``data`` builders and their JSON Schema files
(``schema/events/<type>.json``)."""

from __future__ import annotations

import hashlib
from typing import Final

from bff.events.models import Event

ORDER_PLACED: Final = "order.placed"
CUSTOMER_REGISTERED: Final = "customer.registered"
CART_MERGED: Final = "cart.merged"
CHECKOUT_FAILED: Final = "checkout.failed"

EVENT_TYPES: Final = (ORDER_PLACED, CUSTOMER_REGISTERED, CART_MERGED, CHECKOUT_FAILED)


def schema_file(event_type: str) -> str:
    return f"{event_type}.json"


def order_placed(
    *, number: str | None, email: str | None, total: str, currency: str, signed_in: bool, idempotency_key: str
) -> Event:
    """The key itself is never in the event: only its SHA-256."""
    return Event(
        ORDER_PLACED,
        {
            "order_number": number,
            "email": email,
            "grand_total": {"value": total, "currency": currency},
            "signed_in": signed_in,
            "idempotency_key_hash": hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest(),
        },
    )


def customer_registered(email: str) -> Event:
    return Event(CUSTOMER_REGISTERED, {"email": email})


def cart_merged(items: int) -> Event:
    return Event(CART_MERGED, {"items": items})


def checkout_failed(codes: list[str]) -> Event:
    return Event(CHECKOUT_FAILED, {"codes": codes})
