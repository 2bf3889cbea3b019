"""One stored answer (``Entry``), its wire form in Redis, and what every entry store offers.

An entry is the answer's body bytes, its content type, a strong ``ETag`` (blake2b of the body),
the Magento cache tags it is purged by, and three instants: stored, fresh until (its TTL) and
stale until (TTL plus the stale-while-revalidate window). The headers every hit of the entry
sends are built once per entry (``base_headers``), so a hit only appends ``Age``, ``X-Cache`` and
``Cache-Control``.

Redis form: one string, a small orjson header line, ``\\n``, then the body bytes untouched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Final, Protocol

import orjson

VARY: Final = b"Store, Content-Currency, Accept"
MAX_TAG_HEADER: Final = 8000  # bytes of Cache-Tag/Surrogate-Key; a CDN refuses longer headers


class CacheUnavailable(Exception):
    """The shared cache store did not answer (the response cache then fails open)."""


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


@dataclass(slots=True)
class Entry:
    body: bytes
    content_type: str
    tags: tuple[str, ...]
    stored_at: float
    fresh_until: float
    stale_until: float
    etag: str = ""
    base_headers: list[tuple[bytes, bytes]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.etag:
            self.etag = etag_of(self.body)
        if not self.base_headers:
            self.base_headers = self._headers()

    def _headers(self) -> list[tuple[bytes, bytes]]:
        tags = " ".join(self.tags).encode()
        if len(tags) > MAX_TAG_HEADER:  # cut at a tag boundary
            tags = tags[:MAX_TAG_HEADER].rsplit(b" ", 1)[0]
        headers = [
            (b"content-type", self.content_type.encode()),
            (b"content-length", str(len(self.body)).encode()),
            (b"etag", self.etag.encode()),
            (b"vary", VARY),
        ]
        if tags:
            headers += [(b"cache-tag", tags.replace(b" ", b",")), (b"surrogate-key", tags)]
        return headers

    @property
    def size(self) -> int:
        return len(self.body) + 256

    def encode(self) -> bytes:
        head = orjson.dumps({
            "t": self.content_type, "g": list(self.tags), "s": self.stored_at,
            "f": self.fresh_until, "x": self.stale_until, "e": self.etag,
        })  # fmt: skip
        return head + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes) -> Entry | None:
        head, sep, body = raw.partition(b"\n")
        if not sep:
            return None
        try:
            h = orjson.loads(head)
            return cls(body, str(h["t"]), tuple(h["g"]), float(h["s"]), float(h["f"]), float(h["x"]), str(h["e"]))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None


class EntryStore(Protocol):
    """Where entries live: ``MemoryEntries`` or ``RedisEntries`` (both raise ``CacheUnavailable``)."""

    async def get(self, key: str) -> Entry | None: ...

    async def put(self, key: str, entry: Entry) -> None: ...

    async def purge(self, tags: list[str]) -> list[str]:
        """Remove every entry carrying one of ``tags``; the keys removed."""
        ...

    async def claim(self, token: str, ttl_s: int) -> bool:
        """True the first time ``token`` is claimed within ``ttl_s`` (the hook's replay guard)."""
        ...
