"""Naming a response-cache entry from the raw request, without parsing GraphQL on a hit.

**Key** (versioned prefix ``bff:v1:resp:``): a blake2b digest of

* the document: the normalized document's sha256 for a request that carries its text (parse and
  print happen once per distinct text, ``bff.cache.documents``), or the persisted-query hash for
  one that names its document by hash alone (``extensions.persistedQuery.sha256Hash``: APQ or a
  trusted-document id). With trusted documents on, a text is keyed by its exact sha256 instead
  (the manifest trusts exact texts; a reformatted text must not share a trusted one's entry);
* the operation name, and the variables as canonical JSON (orjson, sorted keys);
* the store view and currency (``Store``/``Content-Currency`` headers, else the ``bff_locale``
  cookie, else empty: the store's defaults);
* the customer group: every public Magento read is sent without the customer token, so Magento
  prices it for its NOT LOGGED IN group (id 0) whoever asks, and a signed-in shopper shares the
  guest entry. The group stays in the key so group pricing can be added without a key change;
* the negotiated response media type (from ``Accept``).

A request carrying both a query and a persisted hash (an APQ registration) is never looked up:
it must reach the view, which registers the document for later requests by hash.

A request is described once per distinct raw body (POST) or query string (GET): the memo
(bounded, small bodies only) turns a repeated request into one dict lookup, and the JSON is read
with orjson.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from urllib.parse import parse_qsl

import orjson

from bff.cache.documents import classify
from bff.document_cache import DocumentCache

KEY_PREFIX: Final = "bff:v1:resp:"
GUEST_GROUP: Final = "0"  # Magento's NOT LOGGED IN customer group: the price every public read gets
MEMO_ENTRIES: Final = 4096
MEMO_MAX_BYTES: Final = 8192  # larger requests are described each time (and are rare for catalog reads)


@dataclass(frozen=True, slots=True)
class Described:
    """What the cache needs of one request's GraphQL parameters."""

    document_id: str  # "doc:<normalized sha256>", "txt:<exact sha256>" or "pq:<persisted hash>"
    operation_name: str | None
    variables: bytes  # canonical JSON
    by_hash: bool  # the request named its document by hash alone
    cacheable: bool | None  # None: not known before the document ran (hash only)


def _persisted_hash(extensions: object) -> str | None:
    if not isinstance(extensions, dict):
        return None
    persisted = extensions.get("persistedQuery")
    value = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 128 else None


def _json_param(value: str | None) -> object:
    if value is None or value == "":
        return None
    return orjson.loads(value)


def _describe(params: dict[str, object], exact_text: bool, documents: DocumentCache) -> Described | None:
    query, name, variables = params.get("query"), params.get("operationName"), params.get("variables")
    extensions = params.get("extensions")
    if not isinstance(name, str | None) or not isinstance(variables, dict | None):
        return None
    if not isinstance(extensions, dict | None):  # the view refuses it: never answer it from the cache
        return None
    canonical = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    if isinstance(query, str):
        if _persisted_hash(extensions) is not None:
            return None  # an APQ registration: it must reach the view, which stores the document
        classified = classify(documents.get(query), name)
        if classified is None:
            return None
        document_id = (
            "txt:" + hashlib.sha256(query.encode()).hexdigest() if exact_text else "doc:" + classified.normalized_hash
        )
        return Described(document_id, name, canonical, False, classified.cacheable)
    if query is not None:
        return None
    wanted = _persisted_hash(extensions)
    if wanted is None:
        return None
    return Described("pq:" + wanted, name, canonical, True, None)


def describe(method: str, raw: bytes, *, exact_text: bool, documents: DocumentCache) -> Described | None:
    """A POST body or a GET query string described; None when the cache should not look (not an
    object, a batch, unreadable JSON or GraphQL, no document): the view answers those."""
    try:
        if method == "POST":
            params = orjson.loads(raw)
            if not isinstance(params, dict):
                return None
        else:
            pairs = dict(parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
            params = {
                "query": pairs.get("query"),
                "operationName": pairs.get("operationName") or None,
                "variables": _json_param(pairs.get("variables")),
                "extensions": _json_param(pairs.get("extensions")),
            }
        return _describe(params, exact_text, documents)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, UnicodeDecodeError, ValueError):
        return None  # unreadable, or variables nested too deep to canonicalize: the view answers it


class Descriptions:
    """``describe`` memoised by (method, raw bytes) in a bounded LRU."""

    def __init__(self, documents: DocumentCache, *, exact_text: bool, entries: int = MEMO_ENTRIES) -> None:
        self.documents = documents
        self.exact_text = exact_text
        self.entries = entries
        self._memo: OrderedDict[tuple[str, bytes], Described | None] = OrderedDict()

    def get(self, method: str, raw: bytes) -> Described | None:
        memo_key = (method, raw)
        try:
            found = self._memo[memo_key]
        except KeyError:
            pass
        else:
            self._memo.move_to_end(memo_key)
            return found
        described = describe(method, raw, exact_text=self.exact_text, documents=self.documents)
        if len(raw) <= MEMO_MAX_BYTES:
            self._memo[memo_key] = described
            if len(self._memo) > self.entries:
                self._memo.popitem(last=False)
        return described


@lru_cache(maxsize=MEMO_ENTRIES)
def response_key(described: Described, store: str | None, currency: str | None, group: str, media_type: str) -> str:
    """The entry's key (see the module docstring); memoised (a hit computes no digest)."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (
        described.document_id.encode(),
        (described.operation_name or "").encode(),
        described.variables,
        (store or "").encode(),
        (currency or "").encode(),
        group.encode(),
        media_type.encode(),
    ):
        digest.update(part)
        digest.update(b"\x00")
    return KEY_PREFIX + digest.hexdigest()
