"""A ``bff.clock.Clock`` that only moves when a test says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

START: Final = 1_767_225_600.0  # 2026-01-01T00:00:00Z


class FakeClock:
    def __init__(self, start: float = START) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float | timedelta) -> None:
        step = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        if step < 0:
            raise ValueError("a FakeClock never goes backwards")
        self._now += step
