"""The non-secret locale cookie ``bff_locale``: the store view and currency a session remembers.

The session middleware sets it whenever the session's remembered store/currency differs from
what the request's cookie said (and clears it when the session remembers none), so the response
cache (``bff.cache.responses``) can key a hit by the shopper's locale without a Redis session
lookup. It is not a credential: it only says which public catalog answer the shopper sees, and a
client that changes it gets the same answer as with the matching ``Store``/``Content-Currency``
headers. Value: ``<store code>.<currency>``, either part may be empty (``default.EUR``, ``.USD``).
"""

from __future__ import annotations

import re
from typing import Final

COOKIE_NAME: Final = "bff_locale"
_VALUE: Final = re.compile(r"^([a-z][a-z0-9_]{0,31})?\.([A-Z]{3})?$")
_IN_HEADER: Final = re.compile(r"(?:^|;)\s*bff_locale=([^;]*)")


def encode(store: str | None, currency: str | None) -> str | None:
    """The cookie value for a remembered locale; None when nothing is remembered."""
    if store is None and currency is None:
        return None
    return f"{store or ''}.{currency or ''}"


def decode(value: str | None) -> tuple[str | None, str | None]:
    """(store, currency) of a cookie value; (None, None) for a missing or malformed one."""
    if not value:
        return None, None
    match = _VALUE.match(value)
    if match is None:
        return None, None
    return match.group(1) or None, match.group(2) or None


def from_cookie_header(header: str | None) -> str | None:
    """The raw ``bff_locale`` value in a ``Cookie`` header (no full cookie parsing: the hit path)."""
    if not header or COOKIE_NAME not in header:
        return None
    match = _IN_HEADER.search(header)
    return match.group(1).strip() if match else None
