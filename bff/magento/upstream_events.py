"""What the client's resilience machinery tells observers (metrics), protocol-shaped.

``bff.app`` passes an implementation from ``bff.observability``; this package never imports it.
Every method is called on a rare path only (a retry, a refusal, a breaker transition), never for
an ordinary call; the in-flight count and the breaker state are read by gauges instead
(``MagentoClient.inflight``, ``MagentoClient.breaker_state``).
"""

from __future__ import annotations

from typing import Literal, Protocol

from bff.magento.breaker import BreakerState

Rejection = Literal["breaker", "inflight", "deadline"]


class UpstreamEvents(Protocol):
    def on_retry(self, operation: str) -> None:
        """A read is being sent again."""
        ...

    def on_retry_budget_exhausted(self, operation: str) -> None:
        """A read could have been retried, but the retry budget was spent."""
        ...

    def on_rejected(self, reason: Rejection) -> None:
        """A call was refused before it was sent."""
        ...

    def on_breaker_transition(self, state: BreakerState) -> None: ...


class NoEvents:
    def on_retry(self, operation: str) -> None:
        return None

    def on_retry_budget_exhausted(self, operation: str) -> None:
        return None

    def on_rejected(self, reason: Rejection) -> None:
        return None

    def on_breaker_transition(self, state: BreakerState) -> None:
        return None
