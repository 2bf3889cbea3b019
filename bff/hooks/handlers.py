"""What each Magento event does in the BFF. A handler gets the event's ``data`` (already verified,
not yet seen) and answers a small JSON-able summary; ``HookRefused`` 400 for data it cannot read.

* ``catalog``: ``{"tags": [...], "products": [ids], "categories": [ids]}``, the cache hook's body:
  the entries carrying those tags are purged (``ResponseCache.purge``; nothing without a cache).
* ``order``: ``{"number": "000000012", "status": "complete"}``. ``viewer.orders`` reads Magento's
  ``customer { orders }`` on every request (the BFF caches no customer data), so Magento's new
  status is what the next read shows; the handler records the change in the log (number and status
  only, never the customer) and the hook metric, and keeps nothing.
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
from bff.sessions.models import customer_key_of
from bff.sessions.store import SessionStore
from bff.webhook_signature import HookRefused

log = logging.getLogger("bff.hooks")

Handler = Callable[[Any], Awaitable[dict[str, object]]]

_ORDER_NUMBER: Final = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_STATUS: Final = re.compile(r"^[a-z0-9_]{1,32}$")
ENDS_SESSIONS: Final = frozenset({"password", "email", "locked", "deleted"})
CUSTOMER_CHANGES: Final = ENDS_SESSIONS | {"other"}


def catalog_handler(cache: ResponseCache | None) -> Handler:
    async def catalog(data: Any) -> dict[str, object]:
        tags = tags_of(data)
        return {"purged": await cache.purge(tags) if cache is not None else 0}

    return catalog


async def order_status(data: Any) -> dict[str, object]:
    if not isinstance(data, dict) or set(data) != {"number", "status"}:
        raise HookRefused(400, "BAD_USER_INPUT", 'The data must be {"number": "...", "status": "..."}.')
    number, status = data["number"], data["status"]
    if not (isinstance(number, str) and _ORDER_NUMBER.match(number) and isinstance(status, str)):
        raise HookRefused(400, "BAD_USER_INPUT", "`number` must be an order number and `status` a status code.")
    if not _STATUS.match(status):
        raise HookRefused(400, "BAD_USER_INPUT", "`status` must be a Magento status code such as `complete`.")
    log.info("order status changed in Magento", extra={"order_number": number, "status": status})
    return {"status": status}


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


def handlers(cache: ResponseCache | None, sessions: SessionStore) -> Mapping[str, Handler]:
    return {"catalog": catalog_handler(cache), "order": order_status, "customer": customer_handler(sessions)}
