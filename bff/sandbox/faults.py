"""Injected faults, per operation: what QA and the reliability tests use to make Magento misbehave.

A fault is keyed by an operation name (the GraphQL ``operationName``) or a root field name
(``placeOrder``); ``*`` matches every request. Kinds:

* ``latency_ms`` (+ ``jitter_ms``, uniformly random in ``[0, jitter]``): added before answering;
* ``error_rate`` with ``error`` = ``graphql`` (HTTP 200 with an ``errors`` entry), ``http500``,
  ``http503`` or ``html500`` (an HTML error page with HTTP 500, as PHP-FPM or a proxy in front of
  Magento answers when PHP dies): that share of matching requests fails without running;
* ``hang``: the request gets no answer for ``hang_seconds`` and is then dropped (it does not run);
* ``drop``: the connection is closed without an answer (the request does not run);
* ``lose_response``: the request RUNS (an order is placed), then its answer is lost, by closing
  the connection (``"drop"``) or by answering nothing for ``hang_seconds`` and then closing it
  (``"hang"``): the "order placed, client timed out" case.

``times`` limits a fault to the next N matching requests (then it is removed). Randomness comes
from a ``random.Random`` seeded by the plan, so a run is repeatable.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ErrorKind = Literal["graphql", "http500", "http503", "html500"]
LoseMode = Literal["none", "drop", "hang"]


@dataclass
class Fault:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    error: ErrorKind = "http503"
    hang: bool = False
    drop: bool = False
    lose_response: LoseMode = "none"
    hang_seconds: float = 30.0
    times: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        if self.latency_ms < 0 or self.jitter_ms < 0 or self.hang_seconds < 0:
            raise ValueError("latency_ms, jitter_ms and hang_seconds must not be negative")
        if self.error not in ("graphql", "http500", "http503", "html500"):
            raise ValueError("error must be one of graphql, http500, http503, html500")
        if self.lose_response not in ("none", "drop", "hang"):
            raise ValueError("lose_response must be one of none, drop, hang")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request."""

    delay_s: float = 0.0
    fail_with: ErrorKind | None = None
    hang_s: float | None = None  # no answer for this long, then drop
    drop: bool = False
    lose_response: LoseMode = "none"
    lose_hang_s: float = 30.0  # lose_response "hang": how long the answer is withheld before the drop


@dataclass
class FaultPlan:
    seed: int = 7
    faults: dict[str, Fault] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def set(self, operation: str, fault: Fault) -> None:
        self.faults[operation] = fault

    def clear(self, operation: str | None = None) -> None:
        if operation is None:
            self.faults.clear()
        else:
            self.faults.pop(operation, None)

    def decide(self, names: Collection[str]) -> FaultDecision:
        """Combine the faults matching any of ``names`` (and ``*``) into one decision."""
        matching = [(key, f) for key, f in self.faults.items() if key == "*" or key in names]
        if not matching:
            return FaultDecision()
        delay = 0.0
        fail: ErrorKind | None = None
        hang: float | None = None
        drop = False
        lose: LoseMode = "none"
        lose_hang = 30.0
        for key, fault in matching:
            delay += (fault.latency_ms + self._random.uniform(0, fault.jitter_ms)) / 1000
            if fault.error_rate and self._random.random() < fault.error_rate:
                fail = fault.error
            if fault.hang:
                hang = fault.hang_seconds
            drop = drop or fault.drop
            if fault.lose_response != "none":
                lose = fault.lose_response
                lose_hang = fault.hang_seconds
            if fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    del self.faults[key]
        return FaultDecision(
            delay_s=delay, fail_with=fail, hang_s=hang, drop=drop, lose_response=lose, lose_hang_s=lose_hang
        )
