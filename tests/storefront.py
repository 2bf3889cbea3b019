"""Storefront API documents and inputs that several test packages use."""

from __future__ import annotations

from typing import Any

ADDRESS: dict[str, Any] = {
    "firstname": "Jane",
    "lastname": "Doe",
    "street": ["1 Main St"],
    "city": "Austin",
    "region": "TX",
    "postcode": "78701",
    "countryCode": "US",
    "telephone": "5125550100",
}


def checkout_input(key: str = "key-0001-checkout", **changes: Any) -> dict[str, Any]:
    """A complete guest `CheckoutInput` (flat rate, check/money order); ``changes`` override fields."""
    data: dict[str, Any] = {
        "idempotencyKey": key,
        "email": "jane@example.com",
        "shippingAddress": ADDRESS,
        "shippingMethod": {"carrierCode": "flatrate", "methodCode": "flatrate"},
        "paymentMethod": {"code": "checkmo"},
    }
    data.update(changes)
    return data
