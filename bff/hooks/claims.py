"""The store that makes a hook's signature and event id count once (``memory.py``, ``redis.py``).

Redis keys: ``bff:v1:hook-claim:<sha256(key)>`` → ``1``, set with ``NX`` and a TTL.
"""

from __future__ import annotations

from typing import Protocol


class ClaimsUnavailable(Exception):
    """The store did not answer (the hook answers 503; Magento sends the event again)."""


class Claims(Protocol):
    async def claim(self, key: str, ttl_s: int) -> bool:
        """True for the first claim of ``key`` within ``ttl_s``; False while it is held."""
        ...

    async def release(self, key: str) -> None:
        """Forget ``key`` (its handling failed: the event may be sent again)."""
        ...
