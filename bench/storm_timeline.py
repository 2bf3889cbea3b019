"""The checkout storm on a time axis: every request's outcome and latency, and what happened when.

``StormTimeline`` is what the storm's HTML report plots: each request the shoppers sent (its time
since the storm started, its latency, its operation and its outcome class) and the marks the
storm put on the axis: the lost-answer faults it armed, Redis killed and back, a replica killed,
and the end of the storm (faults cleared; the patient retries follow). ``intervals`` cuts it into
equal slices for per-interval percentiles and outcome counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bench.storm_reconcile import CHECKOUT_OPERATIONS, percentile
from bench.storm_shopper import Call, ShopperOutcome

# Outcome classes of one request, in the order the report stacks and colours them.
OK = "answered"
ERROR_CODE = "answered with an error code"
CODED_503 = "coded 503 (UPSTREAM_UNAVAILABLE)"
HTTP_5XX = "other 5xx"
TIMEOUT = "client timeout"
NO_ANSWER = "no answer (dropped)"
OUTCOMES = (OK, ERROR_CODE, CODED_503, HTTP_5XX, TIMEOUT, NO_ANSWER)


def outcome_of(call: Call) -> str:
    """The outcome class of one request, as its client saw it."""
    if call.failure == "timeout":
        return TIMEOUT
    if call.status is None:
        return NO_ANSWER
    if call.coded_503:
        return CODED_503
    if call.status >= 500 or call.failure is not None:
        return HTTP_5XX
    return ERROR_CODE if call.codes else OK


@dataclass(frozen=True)
class Point:
    at_s: float  # since the storm started
    latency_ms: float
    operation: str
    outcome: str

    @property
    def checkout(self) -> bool:
        return self.operation in CHECKOUT_OPERATIONS


@dataclass(frozen=True)
class Mark:
    at_s: float
    label: str  # "Redis killed", "Redis back", "bff-0 killed", "storm over: faults cleared"


@dataclass
class StormTimeline:
    """The storm's requests and marks; times are seconds since the first shopper started."""

    points: list[Point] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    lost_answers_s: list[float] = field(default_factory=list)  # a lost placeOrder answer armed then
    storm_s: float = 0.0  # the last shopper done: what follows are the patient retries

    @classmethod
    def of(
        cls,
        outcomes: Iterable[ShopperOutcome],
        started: float,
        marks: Iterable[tuple[float, str]] = (),
        lost_answers: Iterable[float] = (),
        storm_s: float = 0.0,
    ) -> StormTimeline:
        """From the shoppers' calls and the perf_counter() times of marks and armed faults."""
        points = [
            Point(round(c.at - started, 4), round(c.latency_ms, 2), c.operation, outcome_of(c))
            for o in outcomes
            for c in o.calls
        ]
        points.sort(key=lambda p: p.at_s)
        return cls(
            points=points,
            marks=sorted((Mark(round(at - started, 3), label) for at, label in marks), key=lambda m: m.at_s),
            lost_answers_s=sorted(round(at - started, 3) for at in lost_answers),
            storm_s=storm_s,
        )

    @property
    def end_s(self) -> float:
        last = max((p.at_s + p.latency_ms / 1000 for p in self.points), default=0.0)
        return max(last, self.storm_s, *(m.at_s for m in self.marks))


@dataclass(frozen=True)
class Interval:
    start_s: float
    width_s: float
    outcomes: dict[str, int]  # every request sent in it, by outcome class
    checkout_ms: dict[str, float | None]  # p50/p95/p99 of its answered checkout calls

    @property
    def requests(self) -> int:
        return sum(self.outcomes.values())


def interval_width(span_s: float, slices: int = 30) -> float:
    """A round width (0.5, 1, 2, 5, 10, 20, 30, 60 s ...) cutting ``span_s`` into about ``slices``."""
    target = max(span_s / slices, 0.5)
    for width in (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0):
        if width >= target:
            return width
    return 60.0 * math.ceil(target / 60.0)


def intervals(points: Sequence[Point], width_s: float, end_s: float) -> list[Interval]:
    """Equal slices from 0 to ``end_s``: request outcomes and checkout latency percentiles in each."""
    count = max(1, math.ceil(end_s / width_s))
    outcomes: list[Counter[str]] = [Counter() for _ in range(count)]
    latencies: list[list[float]] = [[] for _ in range(count)]
    for p in points:
        i = min(count - 1, max(0, int(p.at_s // width_s)))
        outcomes[i][p.outcome] += 1
        if p.checkout and p.outcome not in (TIMEOUT, NO_ANSWER):
            latencies[i].append(p.latency_ms)
    return [
        Interval(
            start_s=i * width_s,
            width_s=width_s,
            outcomes={o: outcomes[i][o] for o in OUTCOMES if outcomes[i][o]},
            checkout_ms={
                q: percentile(latencies[i], share) for q, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
            },
        )
        for i in range(count)
    ]
