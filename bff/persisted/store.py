"""The store of automatic persisted queries. ``memory.py`` and ``redis.py`` implement it with the
same semantics; ``tests/stores/`` runs one contract suite against both.

Redis key layout (versioned like the session stores' keys):

* ``bff:v1:apq:<sha256(document)>`` → the document text; TTL = ``BFF_PERSISTED_QUERIES__APQ_TTL_S``
  from its registration (registering it again starts the TTL again; reads do not extend it).

Only documents whose hash was verified and that ran are stored (``PersistedDocuments.register``).
"""

from __future__ import annotations

from typing import Protocol


class DocumentStore(Protocol):
    async def get(self, document_hash: str) -> str | None:
        """The document registered under ``document_hash``, or None when unknown or expired.
        Raises ``DocumentStoreUnavailable`` when the store cannot be reached."""
        ...

    async def put(self, document_hash: str, document: str) -> None:
        """Register ``document`` under its hash for the store's TTL (``DocumentStoreUnavailable``
        when the store cannot be reached)."""
        ...
