"""How many retries the client may send, and how long it waits before each.

``RetryBudget`` is a token bucket shared by every call of a process: each call that may be
retried deposits ``ratio`` of a token (up to ``burst`` tokens), each retry withdraws a whole one.
So retries stay at most about ``ratio`` of recent retryable calls (10 % by default) once the
burst is spent: when Magento fails, the BFF does not multiply its load. The bucket starts full,
so a process with little traffic can still retry a lone failure.

``backoff_s`` is exponential backoff with jitter: before retry ``n`` (1 for the first), a wait
drawn uniformly from ``[d/2, d]`` with ``d = min(cap, base * 2**(n-1))``, so replicas that failed
together do not retry together.
"""

from __future__ import annotations

import random
from collections.abc import Callable

_WHOLE = 1.0 - 1e-9  # ten deposits of 0.1 make a token, float sums notwithstanding


class RetryBudget:
    __slots__ = ("_burst", "_ratio", "tokens")

    def __init__(self, *, ratio: float, burst: float) -> None:
        self._ratio = ratio
        self._burst = burst
        self.tokens = burst

    def deposit(self) -> None:
        """One retryable call was made."""
        tokens = self.tokens + self._ratio
        self.tokens = tokens if tokens < self._burst else self._burst

    def withdraw(self) -> bool:
        """Take a token for one retry; False (and nothing taken) when the budget is spent."""
        if self.tokens < _WHOLE:
            return False
        self.tokens -= 1.0
        return True


def backoff_s(retry: int, *, base_s: float, cap_s: float, uniform: Callable[[], float] = random.random) -> float:
    """The wait before retry number ``retry`` (1-based), in ``[d/2, d]``, ``d = min(cap, base·2^(retry-1))``."""
    full: float = min(cap_s, base_s * 2.0 ** (retry - 1))
    return full / 2 + uniform() * full / 2
