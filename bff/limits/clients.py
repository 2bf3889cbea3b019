"""Who is charged for a request's cost, and with which budget.

In this order:

1. an ``X-Api-Key`` header naming a configured partner (``BFF_THROTTLE__API_KEYS``): the client
   ``key:<partner name>`` with that partner's budget. The presented key is compared with every
   configured one through their SHA-256 digests, in constant time, and never logged or echoed;
   a key that matches no partner is refused (``InvalidApiKey``: ``UNAUTHENTICATED``, HTTP 401)
   rather than charged as a shopper, so a revoked or mistyped key fails loudly. A header that is
   present but empty is such a key.
2. the shopper's session: ``session:<session id>`` (the id is already the token's SHA-256);
3. the shopper's IP (as ``bff.client_ip.shopper_ip`` derives it behind trusted proxies):
   ``ip:<address>``, or ``ip:unknown`` when there is none (all such requests share one budget).

Shoppers (2 and 3) share the default budget (``BFF_THROTTLE__MAXIMUM``, ``__RESTORE_RATE``).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import NamedTuple

from bff.errors import InvalidApiKey
from bff.limits.throttle import Bucket
from bff.settings import ThrottleSettings

API_KEY_HEADER = "x-api-key"


class Client(NamedTuple):
    id: str
    bucket: Bucket


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def _partner(settings: ThrottleSettings, api_key: str) -> Client | None:
    presented = _digest(api_key)
    found: Client | None = None
    for name, budget in settings.api_keys.items():  # every key is compared: no early exit
        if hmac.compare_digest(presented, _digest(budget.key.get_secret_value())) and found is None:
            found = Client(f"key:{name}", Bucket(budget.maximum, budget.restore_rate))
    return found


def client_identity(
    settings: ThrottleSettings, *, api_key: str | None, session_id: str | None, ip: str | None
) -> Client:
    """The client charged for a request (see the module docstring); raises ``InvalidApiKey`` for
    an ``api_key`` that is no partner's."""
    if api_key is not None:
        partner = _partner(settings, api_key)
        if partner is None:
            raise InvalidApiKey("The X-Api-Key header is not a valid API key.", headers={"WWW-Authenticate": "ApiKey"})
        return partner
    shopper = Bucket(settings.maximum, settings.restore_rate)
    if session_id:
        return Client(f"session:{session_id}", shopper)
    return Client(f"ip:{ip or 'unknown'}", shopper)
