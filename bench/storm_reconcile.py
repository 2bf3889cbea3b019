"""The checkout storm's verdict: the sandbox's orders set against what every shopper was told.

Orders are matched to shoppers by e-mail (every shopper has its own, guest or customer). Figures:

* ``orders``: this run's orders in the sandbox (earlier runs' are ``other_orders``);
  ``duplicates``: orders beyond the first for one shopper;
* ``lost``: a shopper told of an order that does not exist, told of a failure (or, even after the
  retries that follow the storm, of nothing) while an order exists, or an order of no shopper;
* ``mismatched``: a shopper told a number that is not its order's, or told two different things;
* ``unresolved``: no answer that said what happened within the shopper's retries during the storm
  (the last answer was a timeout, a dropped connection or a coded retryable error); reported,
  not a failure by itself: ``stuck`` are those still without one after the patient retries that
  follow the storm with the faults cleared (the shopper coming back, for up to a lease), and fail;
* ``numberless``: an order placed and reported, but with ``number: null`` (a guest's lost answer);
* ``http_5xx``: 5xx answers other than the documented coded ``UPSTREAM_UNAVAILABLE`` 503
  (``coded_503``); ``internal``: errors coded ``INTERNAL``;
* the error mix: every ``extensions.code`` and ``userErrors`` code, and client-side failures
  (``timeout``, a transport error's name, ``not-json``), with their counts;
* latency of the checkout call (``placeOrder`` or ``checkout``, answered ones) and the time from a
  shopper's first checkout call to its first definitive answer.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.storm_shopper import Answer, ShopperOutcome

CHECKOUT_OPERATIONS = frozenset({"placeOrder", "checkout"})


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _spread(values: Sequence[float]) -> dict[str, float | None]:
    return {
        "p50": percentile(values, 0.50),
        "p90": percentile(values, 0.90),
        "p99": percentile(values, 0.99),
        "max": max(values) if values else None,
    }


@dataclass
class Reconciliation:
    shoppers: int = 0
    checked_out: int = 0  # reached the checkout call
    setup_failed: int = 0  # a cart or checkout step never succeeded (no checkout call)
    orders: int = 0
    other_orders: int = 0  # in the sandbox, of other runs (another e-mail prefix): not judged
    duplicates: int = 0
    lost: int = 0
    mismatched: int = 0
    unresolved: int = 0
    stuck: int = 0
    numberless: int = 0
    settled_late: int = 0  # shoppers whose definitive answer came from the retry after the storm
    refused: int = 0  # definitive answers without an order (userErrors), by shopper
    requests: int = 0
    http_5xx: int = 0
    coded_503: int = 0
    internal: int = 0
    client_timeouts: int = 0
    error_mix: dict[str, int] = field(default_factory=dict)
    checkout_call_ms: dict[str, float | None] = field(default_factory=dict)
    time_to_answer_ms: dict[str, float | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # one line per shopper or order at fault

    @property
    def failed(self) -> bool:
        """Whether the storm found a defect (the exit status)."""
        return any((self.duplicates, self.lost, self.mismatched, self.stuck, self.http_5xx, self.internal))

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"failed": self.failed}


def _disagree(answers: Sequence[Answer]) -> bool:
    placed = {a.placed for a in answers}
    numbers = {a.number for a in answers if a.number is not None}
    return len(placed) > 1 or len(numbers) > 1


def _judge(r: Reconciliation, outcome: ShopperOutcome, orders: Sequence[Mapping[str, Any]]) -> None:
    who = f"shopper {outcome.plan.index} ({outcome.plan.email}, key {outcome.plan.key})"
    numbers = [str(o.get("number")) for o in orders]
    if len(orders) > 1:
        r.duplicates += len(orders) - 1
        r.problems.append(f"duplicate: {who} has orders {numbers}")
    answer = outcome.answer
    if outcome.setup_failure is not None:
        if orders:
            r.lost += 1
            r.problems.append(f"lost: {who} never checked out ({outcome.setup_failure}) but has orders {numbers}")
        return
    if answer is None or outcome.settled_late:
        r.unresolved += 1
    if answer is None:
        r.stuck += 1
        last = outcome.calls[-1].request_id if outcome.calls else "-"
        r.problems.append(f"stuck: {who} got no definitive answer, last {outcome.last_error} (request {last})")
        if orders:
            r.lost += 1
            r.problems.append(f"lost: {who} was never told of its orders {numbers}")
        return
    if outcome.settled_late:
        r.settled_late += 1
    if _disagree(outcome.answers):
        r.mismatched += 1
        r.problems.append(f"mismatched: {who} was told different things: {outcome.answers}")
    if not answer.placed:
        r.refused += 1
        if orders:
            r.lost += 1
            r.problems.append(f"lost: {who} was told {answer.codes} but has orders {numbers}")
        return
    if not orders:
        r.lost += 1
        r.problems.append(f"lost: {who} was told order {answer.number} but has none")
    elif answer.number is None:
        r.numberless += 1
    elif answer.number not in numbers:
        r.mismatched += 1
        r.problems.append(f"mismatched: {who} was told {answer.number}, has {numbers}")


def reconcile(
    outcomes: Sequence[ShopperOutcome], orders: Iterable[Mapping[str, Any]], email_prefix: str = ""
) -> Reconciliation:
    """The verdict on ``outcomes``; only orders whose e-mail starts with ``email_prefix`` (this run's
    shoppers') are judged, the others are counted in ``other_orders``."""
    by_email: dict[str, list[Mapping[str, Any]]] = {}
    r = Reconciliation(shoppers=len(outcomes))
    for order in orders:
        email = str(order.get("email"))
        if not email.startswith(email_prefix):
            r.other_orders += 1
            continue
        r.orders += 1
        by_email.setdefault(email, []).append(order)
    for outcome in outcomes:
        if outcome.setup_failure is None:
            r.checked_out += 1
        else:
            r.setup_failed += 1
        _judge(r, outcome, by_email.pop(outcome.plan.email, []))
    for email, stray in by_email.items():
        r.lost += len(stray)
        r.problems.append(f"lost: orders {[o.get('number') for o in stray]} for {email}, no shopper of this storm")
    mix: Counter[str] = Counter()
    checkout_ms: list[float] = []
    for outcome in outcomes:
        for call in outcome.calls:
            r.requests += 1
            mix.update(call.codes)
            if call.failure is not None:
                mix[call.failure] += 1
            if call.status is not None and call.status >= 500:
                if call.coded_503:
                    r.coded_503 += 1
                else:
                    r.http_5xx += 1
            r.internal += call.codes.count("INTERNAL")
            if call.operation in CHECKOUT_OPERATIONS:
                if call.status is not None:
                    checkout_ms.append(call.latency_ms)
                elif call.failure == "timeout":
                    r.client_timeouts += 1
    r.error_mix = dict(mix.most_common())
    r.checkout_call_ms = _spread(checkout_ms)
    r.time_to_answer_ms = _spread([o.resolved_after_s * 1000 for o in outcomes if o.resolved_after_s is not None])
    return r
