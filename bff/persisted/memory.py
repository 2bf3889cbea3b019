"""The in-process twin of the Redis document store, for development and tests.

Expiry instants come from the injected ``Clock``. The store is bounded: past ``max_bytes`` of
document text, the least recently used documents are dropped (a client re-registers a dropped
one on its next ``PersistedQueryNotFound``), so registrations cannot exhaust the process.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Final

from bff.clock import Clock

DEFAULT_MAX_BYTES: Final = 16 * 1024 * 1024


class MemoryDocumentStore:
    def __init__(self, clock: Clock, ttl_seconds: float, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if not ttl_seconds > 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds!r}")
        self._clock = clock
        self._ttl = float(ttl_seconds)
        self._max_bytes = max_bytes
        # hash → (document, size in bytes, expires_at), least recently used first
        self._documents: OrderedDict[str, tuple[str, int, float]] = OrderedDict()
        self._bytes = 0

    def _drop(self, document_hash: str) -> None:
        entry = self._documents.pop(document_hash, None)
        if entry is not None:
            self._bytes -= entry[1]

    async def get(self, document_hash: str) -> str | None:
        entry = self._documents.get(document_hash)
        if entry is None:
            return None
        if entry[2] <= self._clock.now():
            self._drop(document_hash)
            return None
        self._documents.move_to_end(document_hash)
        return entry[0]

    async def put(self, document_hash: str, document: str) -> None:
        size = len(document.encode("utf-8"))
        self._drop(document_hash)
        if size > self._max_bytes:
            return
        self._documents[document_hash] = (document, size, self._clock.now() + self._ttl)
        self._bytes += size
        while self._bytes > self._max_bytes:
            self._drop(next(iter(self._documents)))
