"""Global object identification: opaque ``id``s and ``interface Node``.

An id is the unpadded URL-safe base64 of ``Type:key`` (several keys joined by ``/``, each
percent-quoted), derived from keys that do not change: a product's SKU, a category's uid, an order
number, a cart line's uid. Clients treat ids as opaque; only ``node(id:)`` reads them.

The cart is the exception: ``Query.cart`` is always ``Cart:current`` ("the session's current cart"),
before the first add, after an order, across sign-in and sign-out, so a client cache that keyed the
cart by the first id it saw keeps updating it; and it never carries (or is derived from) Magento's
masked cart id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from urllib.parse import quote, unquote

import strawberry

from bff.errors import BadUserInput


@strawberry.interface(description="An object with a stable, opaque id: `node(id:)` fetches it again.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque and stable; the same object always has the same id.")


def node_id(type_name: str, *keys: str) -> strawberry.ID:
    raw = type_name + ":" + "/".join(quote(k, safe="") for k in keys)
    return strawberry.ID(base64.urlsafe_b64encode(raw.encode()).decode().rstrip("="))


def parse_node_id(value: str) -> tuple[str, tuple[str, ...]]:
    """The type name and keys of an id; BAD_USER_INPUT when ``value`` is not an id this API made."""
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadUserInput("`id` is not an id of this API.") from None
    type_name, colon, key = raw.partition(":")
    if not colon or not type_name or not key or node_id(type_name, *_keys(key)) != value:
        raise BadUserInput("`id` is not an id of this API.")
    return type_name, _keys(key)


def _keys(key: str) -> tuple[str, ...]:
    return tuple(unquote(k) for k in key.split("/"))


CURRENT_CART_ID = node_id("Cart", "current")


def customer_key(email: str) -> str:
    """A customer's key: a digest of the e-mail (Magento's storefront API has no customer uid)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
