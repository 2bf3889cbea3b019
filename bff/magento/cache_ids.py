"""``CacheIds``: the ``X-Magento-Cache-Id`` last received per store view and currency (per process).

Magento answers every query with ``X-Magento-Cache-Id``, a hash of the factors its full-page
cache varies on (store, currency, customer group, logged-in flag); the Varnish config Magento
ships keys GraphQL entries on the *request's* ``X-Magento-Cache-Id`` (FACTS.md, "Endpoint,
transport, caching"). Sending back the id last received for the same context makes our GET reads
share Varnish's entries with each other (and with storefronts that do the same).

Only guest contexts are kept: the BFF sends public reads without a customer token, so they are
always a guest's; a customer's id depends on their group and would only be sent by a request
that is never cached (private reads are POST). The map is bounded: the least recently received
context is forgotten first (the number of store views times currencies is small, but the headers
that select them come from clients).
"""

from __future__ import annotations

from collections import OrderedDict

MAX_CONTEXTS = 256
MAX_ID_LENGTH = 128  # Magento's is a SHA-256 hex digest; anything much longer is not one


class CacheIds:
    def __init__(self, max_contexts: int = MAX_CONTEXTS) -> None:
        self._ids: OrderedDict[tuple[str | None, str | None], str] = OrderedDict()
        self._max = max_contexts

    def get(self, store: str | None, currency: str | None) -> str | None:
        """The id last received for a guest of ``store`` and ``currency`` (None: the defaults)."""
        return self._ids.get((store, currency))

    def remember(self, store: str | None, currency: str | None, cache_id: str) -> None:
        if not cache_id or len(cache_id) > MAX_ID_LENGTH or not cache_id.isascii() or not cache_id.isprintable():
            return
        key = (store, currency)
        self._ids[key] = cache_id
        self._ids.move_to_end(key)
        while len(self._ids) > self._max:
            self._ids.popitem(last=False)
