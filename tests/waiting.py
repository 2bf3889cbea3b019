"""Waiting for a condition instead of sleeping a fixed time: poll a predicate until a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


def wait_until(condition: Callable[[], bool], *, what: str, timeout_s: float = 10.0, interval_s: float = 0.01) -> None:
    """Return as soon as ``condition()`` is true; raise ``TimeoutError`` naming ``what`` once it has
    stayed false for ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"still not true after {timeout_s}s: {what}")
        time.sleep(interval_s)


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, what: str, timeout_s: float = 10.0, interval_s: float = 0.01
) -> None:
    """``wait_until`` for async conditions (an awaitable predicate), sleeping without blocking the loop."""
    deadline = time.monotonic() + timeout_s
    while not await condition():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"still not true after {timeout_s}s: {what}")
        await asyncio.sleep(interval_s)
