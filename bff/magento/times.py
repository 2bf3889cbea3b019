"""Magento's date-time strings as aware ``datetime`` values.

Magento stores order dates in UTC (``sales_order.created_at``) and answers them as
``YYYY-MM-DD HH:MM:SS`` without an offset (``CustomerOrder.order_date``).
"""

from __future__ import annotations

from datetime import UTC, datetime

MAGENTO_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_time(value: str | None) -> datetime | None:
    """``"2026-11-26 22:19:55"`` → ``datetime(2026, 11, 26, 22, 19, 55, tzinfo=UTC)``; None when
    missing or not in Magento's format."""
    if not value:
        return None
    try:
        return datetime.strptime(value, MAGENTO_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
