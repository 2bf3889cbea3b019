"""The ``Store`` and ``Content-Currency`` headers, checked against what the shop offers.

A store view code that is well formed but unknown, or a currency the store view does not allow,
would make Magento refuse every request sent with it. Such a header is refused as
``BAD_USER_INPUT`` naming the header, before any other call is made with it and before it is
remembered in the session. The shop's store views and each store view's currencies are read
from Magento once and kept in process for ten minutes, so unknown codes cost no upstream call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bff.errors import BadUserInput

LOCALES_TTL_S = 600.0

StoreCodes = Callable[[], Awaitable[frozenset[str]]]
Currencies = Callable[[str | None], Awaitable[frozenset[str]]]


@dataclass(frozen=True)
class _Entry:
    expires_at: float
    values: frozenset[str]


class LocaleCache:
    """Store codes of the website and currencies per store view, with a time to live."""

    def __init__(self, now: Callable[[], float], ttl_s: float = LOCALES_TTL_S) -> None:
        self._now = now
        self._ttl_s = ttl_s
        self._entries: dict[str, _Entry] = {}

    async def _get(self, key: str, load: Callable[[], Awaitable[frozenset[str]]]) -> frozenset[str]:
        now = self._now()
        entry = self._entries.get(key)
        if entry is None or entry.expires_at <= now:
            entry = _Entry(now + self._ttl_s, await load())
            self._entries[key] = entry
        return entry.values

    async def check(
        self, store: str | None, currency: str | None, *, stores: StoreCodes, currencies: Currencies
    ) -> None:
        """Raise ``BadUserInput`` naming the header when ``store`` or ``currency`` is not offered.

        ``store``: the header's store view (None: the shopper's usual one); ``currency``: the
        header's currency, checked against the store view it will be used with."""
        if store is not None and store not in await self._get("stores", stores):
            raise BadUserInput(
                "The Store header names no store view of this shop: use a `storeCode` such as 'default'."
            )
        if currency is not None and currency not in await self._get(
            f"currencies:{store or ''}", lambda: currencies(store)
        ):
            raise BadUserInput("The Content-Currency header names a currency this store view does not offer.")
