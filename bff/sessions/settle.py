"""Waking a duplicate checkout when the request it waits for settles.

A request that finds its idempotency key held by another (``in_progress``) waits for that one to
finish. Rather than ask the store again every few milliseconds, it *watches* the key: the store
notifies the watch when the key is completed or released (``complete``/``release``), in this
process (the memory store) or in any process sharing the Redis (a pub/sub message), and the
waiter claims again at once. A watch also wakes when the notices may have been missed (Redis'
subscription dropped), and the waiter always wakes after its own poll interval, so a lost notice
costs a bounded delay, never a hang.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _nothing() -> None:
    return None


class SettleWatch:
    """One waiter's view of one key."""

    __slots__ = ("_before_wait", "_event")

    def __init__(self, before_wait: Callable[[], None] = _nothing) -> None:
        self._event = asyncio.Event()
        self._before_wait = before_wait

    def notify(self) -> None:
        self._event.set()

    async def wait(self, timeout_s: float) -> bool:
        """Until notified (True) or ``timeout_s`` passed (False); a notice is consumed."""
        self._before_wait()
        if timeout_s > 0:
            try:
                async with asyncio.timeout(timeout_s):
                    await self._event.wait()
            except TimeoutError:
                return False
        notified = self._event.is_set()
        self._event.clear()
        return notified


class SettleWatchers:
    """The watches of one process, by store key. ``before_wait`` runs whenever a watch starts
    waiting (the Redis store starts its subscription then: most claims never wait)."""

    def __init__(self, before_wait: Callable[[], None] = _nothing) -> None:
        self._watches: dict[str, set[SettleWatch]] = {}
        self._before_wait = before_wait

    @contextmanager
    def watch(self, name: str) -> Iterator[SettleWatch]:
        watch = SettleWatch(self._before_wait)
        self._watches.setdefault(name, set()).add(watch)
        try:
            yield watch
        finally:
            watches = self._watches.get(name)
            if watches is not None:
                watches.discard(watch)
                if not watches:
                    del self._watches[name]

    def notify(self, name: str) -> None:
        for watch in self._watches.get(name, ()):
            watch.notify()

    def notify_all(self) -> None:
        """Notices may have been missed: every waiter looks again."""
        for watches in self._watches.values():
            for watch in watches:
                watch.notify()

    def __len__(self) -> int:
        return sum(len(w) for w in self._watches.values())
