"""What each Magento event does in the BFF. A handler gets the event's ``data`` (already verified,
not yet seen) and answers a small JSON-able summary; ``HookRefused`` 400 for data it cannot read.

* ``catalog``: ``{"tags": [...], "products": [ids], "categories": [ids]}``, the cache hook's body:
  the entries carrying those tags are purged (``ResponseCache.purge``; nothing without a cache).
* ``order``: ``{"number": "000000012", "status": "complete"}``, optionally with ``"label"`` (what
  the storefront shows, e.g. a custom status's label; default Magento's default label) and
  ``"updated_at"`` (the order's ``updated_at``, ``YYYY-MM-DD HH:MM:SS`` UTC; default: now). The
  announcement is recorded (``bff.orders.status``) so ``viewer.orders`` shows it even while
  Magento's read still answers the old status; the later of two announcements wins. Logged with
  number and status only, never the customer.
* ``customer``: ``{"email": "<the address the customer signs in with>", "change": "<kind>"}``.
  ``password``, ``email`` (send the old address), ``locked`` and ``deleted`` end every BFF session
  signed in as that customer (the store's customer index); ``other`` (a name, an address) ends
  none. The address is never logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from bff.cache.purge import tags_of
from bff.cache.responses import ResponseCache
from bff.clock import Clock
from bff.magento.times import utc_time
from bff.orders.status import AnnouncedStatus, OrderStatuses, default_label
from bff.sessions.models import customer_key_of
from bff.sessions.store import SessionStore
from bff.webhook_signature import HookRefused

log = logging.getLogger("bff.hooks")

Handler = Callable[[Any], Awaitable[dict[str, object]]]

_ORDER_NUMBER: Final = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_STATUS: Final = re.compile(r"^[a-z0-9_]{1,32}$")
ENDS_SESSIONS: Final = frozenset({"password", "email", "locked", "deleted"})
CUSTOMER_CHANGES: Final = ENDS_SESSIONS | {"other"}
ORDER_FIELDS: Final = frozenset({"number", "status", "label", "updated_at"})


def catalog_handler(cache: ResponseCache | None) -> Handler:
    async def catalog(data: Any) -> dict[str, object]:
        tags = tags_of(data)
        return {"purged": await cache.purge(tags) if cache is not None else 0}

    return catalog


def _announced(data: Any, now: float) -> tuple[str, AnnouncedStatus]:
    if not isinstance(data, dict) or not {"number", "status"} <= set(data) <= ORDER_FIELDS:
        shape = '{"number": "...", "status": "..."} (and optionally "label", "updated_at")'
        raise HookRefused(400, "BAD_USER_INPUT", f"The data must be {shape}.")
    number, status = data["number"], data["status"]
    if not (isinstance(number, str) and _ORDER_NUMBER.match(number) and isinstance(status, str)):
        raise HookRefused(400, "BAD_USER_INPUT", "`number` must be an order number and `status` a status code.")
    if not _STATUS.match(status):
        raise HookRefused(400, "BAD_USER_INPUT", "`status` must be a Magento status code such as `complete`.")
    label = data.get("label", default_label(status))
    if not (isinstance(label, str) and 0 < len(label.strip()) <= 64):
        raise HookRefused(400, "BAD_USER_INPUT", "`label` must be the status's label (1 to 64 characters).")
    at = now
    if "updated_at" in data:
        when = utc_time(data["updated_at"]) if isinstance(data["updated_at"], str) else None
        if when is None:
            raise HookRefused(400, "BAD_USER_INPUT", "`updated_at` must be Magento's `YYYY-MM-DD HH:MM:SS` (UTC).")
        at = when.timestamp()
    return number, AnnouncedStatus(status=status, label=label.strip(), at=at)


def order_handler(statuses: OrderStatuses, clock: Clock, ttl_s: int) -> Handler:
    async def order(data: Any) -> dict[str, object]:
        number, announced = _announced(data, clock.now())
        recorded = await statuses.record(number, announced, ttl_s)
        log.info(
            "order status changed in Magento",
            extra={"order_number": number, "status": announced.status, "recorded": recorded},
        )
        return {"status": announced.status, "recorded": recorded}

    return order


def customer_handler(sessions: SessionStore) -> Handler:
    async def customer(data: Any) -> dict[str, object]:
        if not isinstance(data, dict) or set(data) != {"email", "change"}:
            raise HookRefused(400, "BAD_USER_INPUT", 'The data must be {"email": "...", "change": "..."}.')
        email, change = data["email"], data["change"]
        if not (isinstance(email, str) and "@" in email and len(email) <= 254):
            raise HookRefused(400, "BAD_USER_INPUT", "`email` must be the customer's e-mail address.")
        if change not in CUSTOMER_CHANGES:
            raise HookRefused(400, "BAD_USER_INPUT", f"`change` must be one of {', '.join(sorted(CUSTOMER_CHANGES))}.")
        ended = await sessions.end_customer_sessions(customer_key_of(email)) if change in ENDS_SESSIONS else 0
        if ended:
            log.info("customer sessions ended by a Magento event", extra={"change": change, "sessions": ended})
        return {"sessions_ended": ended}

    return customer


def handlers(
    cache: ResponseCache | None, sessions: SessionStore, statuses: OrderStatuses, clock: Clock, *, status_ttl_s: int
) -> Mapping[str, Handler]:
    return {
        "catalog": catalog_handler(cache),
        "order": order_handler(statuses, clock, status_ttl_s),
        "customer": customer_handler(sessions),
    }
