"""``PersistedDocuments``: which document a request runs, when it names one by hash.

Apollo's automatic persisted queries (APQ), as ``@apollo/client``'s ``PersistedQueryLink`` speaks
them: the request carries ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``
(over GET, ``extensions`` is a JSON query parameter) and, at first, no ``query``:

* a known hash runs the stored document;
* an unknown hash is ``PersistedQueryNotFound`` (code ``PERSISTED_QUERY_NOT_FOUND``, HTTP 200): the
  link re-sends the operation by POST with the query and the hash;
* the query with its hash is a registration: the hash must be the SHA-256 of the query text
  (else ``BAD_USER_INPUT``, nothing stored), and the document is stored once it has run
  (``register``), so documents that do not parse, validate or pass admission are never stored;
* with APQ off, any hash is ``PersistedQueryNotSupported`` (``PERSISTED_QUERY_NOT_SUPPORTED``,
  200): the link then sends plain queries.

Trusted documents (manifests, ``bff.persisted.manifests``) are looked up by the same hash (a
manifest id) before the APQ store. Modes: ``off`` ignores manifests; ``allow`` runs manifest
documents by id and any other document too; ``enforce`` runs only manifest documents (by id, or
sent as their exact text): anything else is ``DocumentNotTrusted`` (``PERSISTED_QUERY_NOT_IN_LIST``,
403), and the APQ store is not used at all. Errors never echo the client's document or hash.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from bff.errors import (
    BadUserInput,
    DocumentNotTrusted,
    DocumentStoreUnavailable,
    PersistedQueryNotFound,
    PersistedQueryNotSupported,
)
from bff.persisted.hashes import document_hash, looks_like_sha256
from bff.persisted.manifests import TrustedDocuments
from bff.persisted.store import DocumentStore

log = logging.getLogger("bff.persisted")

TrustMode = Literal["off", "allow", "enforce"]

MAX_ID_LENGTH: Final = 128
NOT_FOUND: Final = "PersistedQueryNotFound"  # the message Apollo's clients look for
NOT_SUPPORTED: Final = "PersistedQueryNotSupported"
NOT_TRUSTED: Final = "Only trusted documents run here, and this one is in no manifest."
HASH_MISMATCH: Final = "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query."
MALFORMED: Final = 'extensions.persistedQuery must be {"version": 1, "sha256Hash": "<hex SHA-256 of the query>"}.'
BAD_VERSION: Final = "Unsupported persisted query version: only version 1 exists."
# A client or CDN must never keep the "send the query" answer: the next request would miss again.
UNCACHED: Final = {"Cache-Control": "private, no-store"}


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a request runs: ``query`` (None: the request has no document at all)."""

    query: str | None
    document_hash: str | None = None  # the hash or manifest id the request named
    by_hash: bool = False  # the request sent only the hash; the document came from the server
    register: bool = False  # an APQ registration: store the document once it has run


def requested_hash(extensions: Mapping[str, object] | None) -> str | None:
    """The ``sha256Hash`` of the request's ``persistedQuery`` extension, if it has one."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, Mapping):
        raise BadUserInput(MALFORMED)
    version = persisted.get("version")
    if isinstance(version, bool) or version != 1:
        raise BadUserInput(BAD_VERSION)
    value = persisted.get("sha256Hash")
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_LENGTH:
        raise BadUserInput(MALFORMED)
    return value


class PersistedDocuments:
    def __init__(self, store: DocumentStore, trusted: TrustedDocuments, *, apq: bool, mode: TrustMode) -> None:
        self.store = store
        self.trusted = trusted
        self.apq = apq
        self.mode = mode

    def _manifest_document(self, document_id: str) -> str | None:
        return self.trusted.get(document_id) if self.mode != "off" else None

    async def resolve(self, query: str | None, extensions: Mapping[str, object] | None) -> Resolution:
        """The document the request runs; raises a coded ``RequestRefused``/``BadUserInput``."""
        wanted = requested_hash(extensions)
        if wanted is None:
            if query is not None and self.mode == "enforce" and not self.trusted.trusts(query):
                raise DocumentNotTrusted(NOT_TRUSTED)
            return Resolution(query)
        trusted = self._manifest_document(wanted)
        if query is None:
            return await self._by_hash(wanted, trusted)
        if document_hash(query) != wanted and trusted != query:
            raise BadUserInput(HASH_MISMATCH)
        if trusted is not None or (self.mode != "off" and self.trusted.trusts(query)):
            return Resolution(query, wanted)
        if self.mode == "enforce":
            raise DocumentNotTrusted(NOT_TRUSTED)
        if not self.apq:
            raise PersistedQueryNotSupported(NOT_SUPPORTED, headers=UNCACHED)
        return Resolution(query, wanted, register=True)

    async def _by_hash(self, wanted: str, trusted: str | None) -> Resolution:
        if trusted is not None:
            return Resolution(trusted, wanted, by_hash=True)
        if self.mode == "enforce":
            raise DocumentNotTrusted(NOT_TRUSTED)
        if not self.apq:
            raise PersistedQueryNotSupported(NOT_SUPPORTED, headers=UNCACHED)
        stored = await self.store.get(wanted) if looks_like_sha256(wanted) else None
        if stored is None:
            raise PersistedQueryNotFound(NOT_FOUND, headers=UNCACHED)
        return Resolution(stored, wanted, by_hash=True)

    async def register(self, resolution: Resolution) -> None:
        """Store an APQ registration that has run; a store failure only costs the client one more
        ``PersistedQueryNotFound`` later, so it is logged, not raised."""
        if not (resolution.register and resolution.document_hash and resolution.query is not None):
            return
        try:
            await self.store.put(resolution.document_hash, resolution.query)
        except DocumentStoreUnavailable:
            log.warning("persisted query not registered: the document store did not answer")
