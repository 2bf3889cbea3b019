"""Time, injected: services and stores read a ``Clock`` so tests can move it (``tests`` has FakeClock)."""

from __future__ import annotations

import time
from typing import Final, Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (wall clock: used for expiry instants stored in records)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


SYSTEM_CLOCK: Final[Clock] = SystemClock()
