"""Session tokens: 256 random bits handed to the client; only their SHA-256 is stored or logged."""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Final

TOKEN_BYTES: Final = 32
# token_urlsafe(32) gives 43 characters; accept a little slack either way, nothing absurd.
_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{40,64}")


def new_token() -> str:
    """A fresh session token (256 bits, URL-safe base64 without padding)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def session_id(token: str) -> str:
    """The id a session is stored under: hex SHA-256 of the token. The token itself is never kept."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: object) -> bool:
    """Cheap shape check, so garbage cookies or headers are ignored before any hashing or lookup."""
    return isinstance(value, str) and _TOKEN_SHAPE.fullmatch(value) is not None
