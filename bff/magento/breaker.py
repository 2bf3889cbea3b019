"""``CircuitBreaker``: stop calling an upstream that is down, and find out when it is back.

One breaker per upstream (per Magento base URL; ``MagentoClient`` owns it). States:

* **closed**: calls go. It opens after ``failures`` consecutive unavailable answers, or when at
  least ``failure_ratio`` of the calls in the current window (``window_s``, counted from the first
  failure after the last window ended; at least ``min_calls`` calls) were unavailable.
* **open**: calls fail fast (the client answers ``UPSTREAM_UNAVAILABLE``) for ``cool_down_s``.
* **half-open**: after the cool-down, one call (the probe) goes; the others still fail fast. The
  probe's success closes the breaker, its failure opens it for another cool-down.

Only unavailability counts as a failure (timeouts, transport errors, 502/503/504, a 500 that is
not a GraphQL answer); a GraphQL error means Magento answered, so it counts as a success. The
caller reports each admitted call exactly once: ``record_success``, ``record_failure`` or, when
it ended without a verdict (cancelled, no in-flight slot), ``release``.

Checking a closed breaker is one attribute read (``state is CLOSED``); a success in the closed
state is two attribute writes. Single-threaded by design (one event loop per process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import IntEnum


class BreakerState(IntEnum):
    """The values are the ``bff_upstream_breaker_state`` gauge's."""

    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2


CLOSED = BreakerState.CLOSED
OPEN = BreakerState.OPEN
HALF_OPEN = BreakerState.HALF_OPEN

Transition = Callable[[BreakerState], None]


class CircuitBreaker:
    __slots__ = (
        "_calls",
        "_consecutive",
        "_cool_down_s",
        "_failed",
        "_failure_ratio",
        "_failures",
        "_min_calls",
        "_now",
        "_on_transition",
        "_open_until",
        "_probing",
        "_window_end",
        "_window_s",
        "state",
    )

    def __init__(
        self,
        *,
        failures: int,
        failure_ratio: float,
        min_calls: int,
        window_s: float,
        cool_down_s: float,
        now: Callable[[], float] = time.monotonic,
        on_transition: Transition | None = None,
    ) -> None:
        self.state = CLOSED
        self._failures = failures
        self._failure_ratio = failure_ratio
        self._min_calls = min_calls
        self._window_s = window_s
        self._cool_down_s = cool_down_s
        self._now = now
        self._on_transition = on_transition
        self._consecutive = 0
        self._calls = 0  # in the current window (successes and failures)
        self._failed = 0
        self._window_end = 0.0
        self._open_until = 0.0
        self._probing = False

    def admit(self) -> bool:
        """Whether a call may go now (the caller checks ``state is CLOSED`` first, the fast path)."""
        if self.state is CLOSED:
            return True
        if self.state is OPEN:
            if self._now() < self._open_until:
                return False
            self._move(HALF_OPEN)
        if self._probing:
            return False
        self._probing = True
        return True

    def record_success(self) -> None:
        if self.state is CLOSED:
            self._consecutive = 0
            self._calls += 1
            return
        self._probing = False
        self._reset_counts()
        self._move(CLOSED)

    def record_failure(self) -> None:
        if self.state is HALF_OPEN:
            self._open()
            return
        if self.state is OPEN:  # a call admitted before the breaker opened
            return
        now = self._now()
        if now >= self._window_end:
            self._window_end = now + self._window_s
            self._calls = self._failed = 0
        self._consecutive += 1
        self._calls += 1
        self._failed += 1
        if self._consecutive >= self._failures or (
            self._calls >= self._min_calls and self._failed >= self._failure_ratio * self._calls
        ):
            self._open()

    def release(self) -> None:
        """An admitted call ended without telling anything about the upstream."""
        if self.state is HALF_OPEN:
            self._probing = False

    def _open(self) -> None:
        self._probing = False
        self._open_until = self._now() + self._cool_down_s
        self._reset_counts()
        self._move(OPEN)

    def _reset_counts(self) -> None:
        self._consecutive = self._calls = self._failed = 0
        self._window_end = 0.0

    def _move(self, state: BreakerState) -> None:
        if state is self.state:
            return
        self.state = state
        if self._on_transition is not None:
            self._on_transition(state)
