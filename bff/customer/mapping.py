"""Magento results → customer models (``Viewer``/``CustomerCart`` customer part, ``storeConfig``)."""

from __future__ import annotations

from typing import Any

from bff.customer.models import DEFAULT_TOKEN_LIFETIME_S, Customer, CustomerPolicy, OrderSummary
from bff.money import Money

SECONDS_PER_HOUR = 3600.0


def _order(data: dict[str, Any]) -> OrderSummary:
    total = (data.get("total") or {}).get("grand_total")
    return OrderSummary(
        number=str(data.get("number") or ""),
        placed_at=str(data.get("order_date") or ""),
        status=str(data.get("status") or ""),
        grand_total=Money.from_magento(total),
    )


def customer_from_magento(data: dict[str, Any]) -> Customer:
    """Map the ``customer { firstname lastname email orders { … } }`` selection."""
    orders = data.get("orders") or {}
    items = [o for o in orders.get("items") or () if o]
    return Customer(
        firstname=str(data.get("firstname") or ""),
        lastname=str(data.get("lastname") or ""),
        email=str(data.get("email") or ""),
        recent_orders=tuple(_order(o) for o in items),
        order_count=int(orders.get("total_count") or len(items)),
    )


def _positive_int(value: Any, default: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def policy_from_magento(data: dict[str, Any] | None) -> CustomerPolicy:
    """``storeConfig``'s customer settings; unset or unreadable values keep Magento's defaults.

    ``customer_access_token_lifetime`` is in hours (a Float)."""
    config = data or {}
    defaults = CustomerPolicy()
    lifetime = config.get("customer_access_token_lifetime")
    lifetime_s = DEFAULT_TOKEN_LIFETIME_S
    if isinstance(lifetime, int | float) and lifetime > 0:
        lifetime_s = float(lifetime) * SECONDS_PER_HOUR
    return CustomerPolicy(
        token_lifetime_s=lifetime_s,
        min_password_length=_positive_int(config.get("minimum_password_length"), defaults.min_password_length),
        required_character_classes=min(
            4, _positive_int(config.get("required_character_classes_number"), defaults.required_character_classes)
        ),
    )
