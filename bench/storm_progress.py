"""The checkout storm's progress on stderr: a line per interval, or one redrawn bar on a terminal.

Each report says how long the storm has run, how many shoppers are done out of all, what those
were told (an order, a refusal, nothing definitive yet), the setups that failed, and the p95 of
their answered checkout calls so far. On a TTY the same text follows a bar and is redrawn in place
(``\\r``); elsewhere (CI logs, a pipe) it is one line per interval. ``note`` prints a line of its
own (the storm's phases). The final stdout summary is not touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TextIO

from bench.storm_reconcile import CHECKOUT_OPERATIONS, percentile
from bench.storm_shopper import ShopperOutcome

BAR_WIDTH = 24


class StormProgress:
    def __init__(self, stream: TextIO, total: int, clock: Callable[[], float], interval_s: float = 2.0) -> None:
        self.stream = stream
        self.total = total
        self.clock = clock
        self.interval_s = interval_s
        self.started = clock()
        self.tty = stream.isatty()
        self.done = 0
        self.placed = 0
        self.refused = 0
        self.setup_failed = 0
        self.no_answer = 0
        self.checkout_ms: list[float] = []
        self._bar_open = False

    def shopper_done(self, outcome: ShopperOutcome) -> None:
        self.done += 1
        answer = outcome.answer
        if outcome.setup_failure is not None:
            self.setup_failed += 1
        elif answer is None:
            self.no_answer += 1
        elif answer.placed:
            self.placed += 1
        else:
            self.refused += 1
        self.checkout_ms += [
            c.latency_ms for c in outcome.calls if c.operation in CHECKOUT_OPERATIONS and c.status is not None
        ]

    def line(self) -> str:
        p95 = percentile(self.checkout_ms, 0.95)
        return (
            f"storm {self.clock() - self.started:6.1f} s  {self.done}/{self.total} shoppers done: "
            f"ordered {self.placed}, refused {self.refused}, no answer yet {self.no_answer}, "
            f"setup failed {self.setup_failed}; checkout p95 {'-' if p95 is None else f'{p95:.0f}'} ms"
        )

    def report(self) -> None:
        if self.tty:
            filled = BAR_WIDTH * self.done // max(1, self.total)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            self.stream.write(f"\r[{bar}] {self.line()}\x1b[K")
            self._bar_open = True
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def note(self, what: str) -> None:
        """A line of its own (after the bar, if one is drawn)."""
        if self._bar_open:
            self.stream.write("\n")
            self._bar_open = False
        self.stream.write(f"storm {self.clock() - self.started:6.1f} s  {what}\n")
        self.stream.flush()

    async def every_interval(self) -> None:
        """Report every ``interval_s`` until cancelled."""
        while True:
            await asyncio.sleep(self.interval_s)
            self.report()
