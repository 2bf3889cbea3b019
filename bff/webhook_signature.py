"""The signature of Magento's webhooks to the BFF: one verification for every ``/hooks/magento/…`` route.

``X-Bff-Timestamp`` (unix seconds) and ``X-Bff-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<raw body>"`` with the shared secret. ``verified`` refuses a missing or wrong
signature (``HOOK_SIGNATURE_INVALID``, compared with ``hmac.compare_digest``) and a timestamp more
than the replay window away from the BFF's clock (``HOOK_TIMESTAMP_EXPIRED``). Remembering used
signatures (``HOOK_REPLAYED``) is the caller's: it owns the store.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Final

import orjson

TIMESTAMP_HEADER: Final = "x-bff-timestamp"
SIGNATURE_HEADER: Final = "x-bff-signature"
MAX_BODY_BYTES: Final = 256 * 1024


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Bff-Signature`` value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class HookRefused(Exception):
    """A hook request answered with ``status`` and a coded error (never processed)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> bytes:
        return orjson.dumps({"errors": [{"message": self.message, "extensions": {"code": self.code}}]})


def too_large(body: bytes) -> None:
    if len(body) > MAX_BODY_BYTES:
        raise HookRefused(413, "BAD_USER_INPUT", f"The body is larger than {MAX_BODY_BYTES} bytes.")


def verified(headers: Mapping[str, str], body: bytes, secret: str | None, now: float, window_s: int) -> str:
    """The request's signature, once it is valid and fresh (raises ``HookRefused`` 401 otherwise)."""
    invalid = HookRefused(401, "HOOK_SIGNATURE_INVALID", "The request is not signed with the webhook secret.")
    timestamp, signature = headers.get(TIMESTAMP_HEADER, ""), headers.get(SIGNATURE_HEADER, "")
    # isascii: str.isdigit() also accepts "²" (a latin-1 header byte), which int() refuses.
    if secret is None or not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise invalid
    if not signature:
        raise invalid
    if not hmac.compare_digest(sign(secret, int(timestamp), body).encode(), signature.encode()):
        raise invalid
    if abs(now - int(timestamp)) > window_s:
        raise HookRefused(401, "HOOK_TIMESTAMP_EXPIRED", "The timestamp is outside the replay window.")
    return signature
