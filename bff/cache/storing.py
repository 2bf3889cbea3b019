"""Whether an answer may be stored, and the entry it becomes (TTL and tags from the operations).

Stored only when all of these hold:

* HTTP 200, a JSON body with ``data`` and no ``errors``, and no ``Set-Cookie`` in the answer;
* the request issued no session token (a fresh session must never be handed to another shopper);
* the document the view ran (``RequestState.graphql``) is cacheable (``bff.cache.documents``);
* every Magento operation it called is a public read with a cache TTL (one private or uncached
  call and nothing is stored); the entry's TTL is the smallest ``cache_ttl_s`` among them, or
  ``default_ttl_s`` when it called none (``{ __typename }``);
* the locale it was answered for is the key's: a part of the key without a header (nor a locale
  cookie, whose parts the layer passes on as headers) is the store's default, so the session
  must not have supplied one.

Tags: the Magento tags of every call (``UpstreamCall.tags``, Magento's ``X-Magento-Tags``) plus
each operation's declared tag prefixes (``cat_p``, ``cat_c``, …), so a bare prefix purges every
entry of that kind. ``extensions.cost.throttleStatus`` (one client's bucket) is removed from the
stored body; the rest of the body is kept byte for byte when there is nothing to remove.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from bff.cache.documents import classify
from bff.cache.entries import Entry
from bff.clock import Clock
from bff.request_state import RequestState


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """The cache's view of one Magento operation's policy (``OperationPolicy``)."""

    public: bool
    ttl_s: int
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Locale:
    """The store view and currency a key was built for, and whether each came from a header."""

    store: str | None
    currency: str | None
    store_from_header: bool
    currency_from_header: bool

    @property
    def from_cookie(self) -> bool:
        return (self.store is not None and not self.store_from_header) or (
            self.currency is not None and not self.currency_from_header
        )


def _locale_matches(state: RequestState, locale: Locale) -> bool:
    session = state.session.current if state.session is not None else None
    store = session.store if session is not None else None
    currency = session.currency if session is not None else None
    return (locale.store_from_header or store == locale.store) and (
        locale.currency_from_header or currency == locale.currency
    )


def _stored_body(body: bytes) -> bytes | None:
    try:
        parsed: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(parsed, dict) or "errors" in parsed or parsed.get("data") is None:
        return None
    cost = (parsed.get("extensions") or {}).get("cost")
    if isinstance(cost, dict) and "throttleStatus" in cost:
        del cost["throttleStatus"]
        return orjson.dumps(parsed)
    return body


class Storing:
    def __init__(self, policies: Mapping[str, CachePolicy], clock: Clock, *, default_ttl_s: int, stale_s: int) -> None:
        self.policies = policies
        self.clock = clock
        self.default_ttl_s = default_ttl_s
        self.stale_s = stale_s

    def lifetime(self, state: RequestState) -> tuple[int, tuple[str, ...]] | None:
        """(TTL, tags) from the calls the request made; None when one of them was not cacheable."""
        ttls: list[int] = []
        tags: set[str] = set()
        for call in state.calls:
            policy = self.policies.get(call.operation)
            if policy is None or not policy.public or policy.ttl_s <= 0:
                return None
            ttls.append(policy.ttl_s)
            tags.update(policy.tags)
            tags.update(call.tags)
        return (min(ttls) if ttls else self.default_ttl_s), tuple(sorted(tags))

    def entry(
        self, state: RequestState, status: int, headers: list[tuple[bytes, bytes]], body: bytes, locale: Locale
    ) -> Entry | None:
        """The entry this answer becomes, or None (see the module docstring)."""
        if status != 200 or any(name.lower() == b"set-cookie" for name, _ in headers):
            return None
        if state.session is not None and state.session.issued_token is not None:
            return None
        record = state.graphql
        if record is None or record.document is None:
            return None
        classified = classify(record.document, record.operation_name)
        if classified is None or not classified.cacheable or not _locale_matches(state, locale):
            return None
        lifetime = self.lifetime(state)
        if lifetime is None:
            return None
        stored = _stored_body(body)
        if stored is None:
            return None
        content_type = next((v.decode("latin-1") for n, v in headers if n.lower() == b"content-type"), "")
        ttl, tags = lifetime
        now = self.clock.now()
        return Entry(stored, content_type, tags, now, now + ttl, now + ttl + self.stale_s)
