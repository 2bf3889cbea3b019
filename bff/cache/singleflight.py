"""``SingleFlight``: concurrent callers with the same key share one run of the work.

The first caller of a key (the leader) starts the work as a task; callers arriving while it runs
(followers) await the same task; all of them get its result, or its exception raised again (the
same object). The key is forgotten as soon as the work ends, so this collapses only work that
is in flight at the same time, never caches.

Each caller awaits the task through ``asyncio.shield``: a cancelled caller (the leader's client
went away, a request timed out) stops waiting, while the work goes on for the others. Work
nobody waits for any more still runs to its end (its own timeouts bound it); an exception
nobody retrieves is taken off the task so asyncio does not report it.

Results are handed to every caller as they are: work whose result is mutable must give each
caller its own copy, or the callers must treat it as read-only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class SingleFlight(Generic[K, T]):
    def __init__(self) -> None:
        self._flights: dict[K, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        """How many keys are in flight."""
        return len(self._flights)

    async def run(self, key: K, work: Callable[[], Coroutine[Any, Any, T]]) -> tuple[T, bool]:
        """``(result, shared)``: ``shared`` is True for a follower (the work ran for another caller)."""
        task = self._flights.get(key)
        shared = task is not None
        if task is None:
            task = asyncio.create_task(self._fly(key, work))
            task.add_done_callback(_retrieve)
            self._flights[key] = task
        return await asyncio.shield(task), shared

    async def _fly(self, key: K, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        try:
            return await work()
        finally:
            del self._flights[key]  # only this task is ever registered under the key while it runs


def _retrieve(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()
