"""``InflightCap``: at most ``limit`` upstream calls at once in this process.

A call takes a slot before it is sent and gives it back when its answer (or failure) is in.
When every slot is taken, the call waits in line, at most ``timeout_s`` (what is left of its
deadline); a call that gets no slot in time is refused (the client answers
``UPSTREAM_UNAVAILABLE`` without sending anything). A slot given back goes straight to the first
caller in line. ``inflight`` is read by the ``bff_upstream_inflight`` gauge.

The fast path (a slot free) is a comparison and an increment; nothing is allocated.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque


class InflightCap:
    __slots__ = ("_waiters", "inflight", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.inflight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    def try_enter(self) -> bool:
        if self.inflight < self.limit and not self._waiters:
            self.inflight += 1
            return True
        return False

    async def enter(self, timeout_s: float) -> bool:
        """Wait for a slot at most ``timeout_s``; True once it is held."""
        if self.try_enter():
            return True
        if timeout_s <= 0:
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout_s):
                await waiter
        except TimeoutError:
            return waiter.done() and not waiter.cancelled()  # a slot that arrived as time ran out is kept
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.leave()  # handed a slot while being cancelled: pass it on
            raise
        finally:
            if not waiter.done():
                waiter.cancel()
            with contextlib.suppress(ValueError):  # leave() took it already
                self._waiters.remove(waiter)
        return True

    def leave(self) -> None:
        """Give a slot back: to the first caller still waiting, else to the pool."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes on; ``inflight`` stays
                return
        self.inflight -= 1
