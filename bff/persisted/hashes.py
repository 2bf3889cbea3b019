"""How persisted documents are named: the hex SHA-256 of the document text (Apollo's ``sha256Hash``)."""

from __future__ import annotations

import hashlib
import re
from typing import Final

_SHA256: Final = re.compile(r"[0-9a-f]{64}")


def document_hash(document: str) -> str:
    """The lower-case hex SHA-256 of the document's UTF-8 text, as Apollo's clients compute it."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def looks_like_sha256(value: str) -> bool:
    """Whether ``value`` has the shape of a ``document_hash`` (64 lower-case hex digits)."""
    return _SHA256.fullmatch(value) is not None
