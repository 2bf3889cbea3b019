"""Idempotency writes that must land although the store failed: an order's result, a release.

Once Magento has placed an order, the shopper is told so, whatever the store says. If recording
the result then fails (Redis down, hung or restarting), the write is kept here and retried in the
background, with backoff from ``FIRST_BACKOFF_S`` up to ``MAX_BACKOFF_S``, for up to
``RETRY_FOR_S``. Meanwhile the key stays in progress under its lease, so a retry of the request
(on any replica) waits for it; when the write lands, the store's notice wakes that retry, which
replays the real order number. The same holds for releasing a key after a failure: a release
that did not land is retried, so a retry does not wait out the whole lease.

If the process stops first, ``aclose`` (the app's shutdown) gives each write one last try; a
write still not done is logged, and the lease runs out: the next retry then asks Magento whether
the cart was ordered, as for any lost answer (``CheckoutService``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Final

from bff.errors import StoreUnavailable

log = logging.getLogger("bff.checkout")

FIRST_BACKOFF_S: Final = 0.05
MAX_BACKOFF_S: Final = 1.0
RETRY_FOR_S: Final = 900.0
LAST_TRY_S: Final = 1.0  # at shutdown, per write

Write = Callable[[], Awaitable[None]]


class PendingWrites:
    def __init__(self, *, retry_for_s: float = RETRY_FOR_S) -> None:
        self._retry_for_s = retry_for_s
        self._tasks: dict[asyncio.Task[None], tuple[str, Write]] = {}

    def keep(self, what: str, write: Write) -> None:
        """Retry ``write`` in the background until it lands (``what`` names it in logs: no key or token)."""
        task = asyncio.get_running_loop().create_task(self._retry(what, write), name=f"bff-pending-{what}")
        self._tasks[task] = (what, write)
        task.add_done_callback(self._tasks.pop)

    def __len__(self) -> int:
        return len(self._tasks)

    async def _retry(self, what: str, write: Write) -> None:
        give_up_at = time.monotonic() + self._retry_for_s
        backoff = FIRST_BACKOFF_S
        while True:
            await asyncio.sleep(backoff)
            try:
                await write()
            except StoreUnavailable:
                if time.monotonic() >= give_up_at:
                    log.error("gave up recording %s: the store did not answer for %.0f s", what, self._retry_for_s)
                    return
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            log.info("recorded %s once the store answered again", what)
            return

    async def aclose(self) -> None:
        """One last try for every write still pending, then stop."""
        pending = list(self._tasks.items())
        for task, _ in pending:
            task.cancel()
        for task, (what, write) in pending:
            with suppress(asyncio.CancelledError):
                await task
            try:
                async with asyncio.timeout(LAST_TRY_S):
                    await write()
            except (StoreUnavailable, TimeoutError):
                log.error("could not record %s before shutdown", what)
