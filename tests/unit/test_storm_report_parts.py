"""The checkout storm's report parts on outcomes built here: each request's outcome class, the
per-interval figures (bench.storm_timeline) and the progress lines (bench.storm_progress). The
report of a real storm is read in tests/ops/test_checkout_storm.py."""

from __future__ import annotations

import io

import pytest

from bench.storm_progress import StormProgress
from bench.storm_shopper import Answer, Call, ShopperOutcome, ShopperPlan
from bench.storm_timeline import (
    CODED_503,
    ERROR_CODE,
    HTTP_5XX,
    NO_ANSWER,
    OK,
    TIMEOUT,
    Point,
    StormTimeline,
    interval_width,
    intervals,
    outcome_of,
)
from tests.fake_clock import FakeClock


def plan(index: int) -> ShopperPlan:
    return ShopperPlan(index, f"s{index}@storm.example", "BAG-001", False, True, 1, f"k{index}", 0, "10.0.0.1", 1)


def checkout(latency_ms: float, at: float = 0.0, status: int | None = 200, failure: str | None = None) -> Call:
    return Call("checkout", 0, status, (), latency_ms, failure, False, "", at)


def shopper(index: int, *calls: Call, answer: Answer | None = None, setup_failure: str | None = None) -> ShopperOutcome:
    answers = [] if answer is None else [answer]
    return ShopperOutcome(plan(index), calls=list(calls), answers=answers, setup_failure=setup_failure)


@pytest.mark.parametrize(
    ("call", "outcome"),
    [
        (Call("checkout", 0, 200, (), 10.0), OK),
        (Call("checkout", 0, 200, ("EMAIL_TAKEN",), 10.0), ERROR_CODE),
        (Call("checkout", 0, 503, ("UPSTREAM_UNAVAILABLE",), 10.0, None, True), CODED_503),
        (Call("checkout", 0, 500, (), 10.0), HTTP_5XX),
        (Call("checkout", 0, None, (), 1500.0, "timeout"), TIMEOUT),
        (Call("checkout", 0, None, (), 3.0, "RemoteProtocolError"), NO_ANSWER),
    ],
)
def test_a_request_is_classed_by_what_its_client_saw(call: Call, outcome: str) -> None:
    assert outcome_of(call) == outcome


def test_the_timeline_puts_every_call_and_mark_in_seconds_since_the_storm_started() -> None:
    outcomes = [shopper(1, checkout(20.0, at=101.5)), shopper(2, checkout(30.0, at=100.25))]
    timeline = StormTimeline.of(outcomes, started=100.0, marks=[(103.0, "Redis killed")], lost_answers=[100.5])
    assert [(p.at_s, p.latency_ms) for p in timeline.points] == [(0.25, 30.0), (1.5, 20.0)]
    assert [(m.at_s, m.label) for m in timeline.marks] == [(3.0, "Redis killed")]
    assert timeline.lost_answers_s == [0.5]


def test_intervals_count_every_request_and_take_percentiles_of_answered_checkout_calls_only() -> None:
    points = [
        Point(0.1, 100.0, "checkout", OK),
        Point(0.2, 300.0, "placeOrder", OK),
        Point(0.3, 1500.0, "checkout", TIMEOUT),  # no answer: no latency of an answer
        Point(0.4, 5.0, "addToCart", OK),  # not a checkout call: counted, not in the percentiles
        Point(1.5, 200.0, "checkout", CODED_503),
    ]
    first, second = intervals(points, width_s=1.0, end_s=2.0)
    assert first.outcomes == {OK: 3, TIMEOUT: 1}
    assert first.checkout_ms == {"p50": 100.0, "p95": 300.0, "p99": 300.0}
    assert second.requests == 1
    assert second.checkout_ms["p50"] == 200.0


def test_an_interval_without_answered_checkout_calls_has_no_percentiles() -> None:
    (only,) = intervals([Point(0.1, 5.0, "addToCart", OK)], width_s=1.0, end_s=1.0)
    assert only.checkout_ms == {"p50": None, "p95": None, "p99": None}


def test_intervals_are_round_widths_cutting_the_run_into_about_thirty_slices() -> None:
    assert [interval_width(s) for s in (5.0, 15.0, 60.0, 130.0, 3600.0)] == [0.5, 0.5, 2.0, 5.0, 120.0]


def test_the_progress_line_counts_done_shoppers_by_what_they_were_told() -> None:
    clock = FakeClock(0.0)
    progress = StormProgress(io.StringIO(), total=10, clock=clock.now)
    progress.shopper_done(shopper(1, checkout(100.0), answer=Answer(True, "1")))
    progress.shopper_done(shopper(2, checkout(300.0), answer=Answer(False, None, ("OUT_OF_STOCK",))))
    progress.shopper_done(shopper(3, checkout(1500.0, status=None, failure="timeout")))
    progress.shopper_done(shopper(4, setup_failure="addToCart: UPSTREAM_UNAVAILABLE"))
    clock.advance(4.0)
    assert progress.line() == (
        "storm    4.0 s  4/10 shoppers done: ordered 1, refused 1, no answer yet 1, setup failed 1; checkout p95 300 ms"
    )


def test_off_a_terminal_progress_writes_one_line_per_report() -> None:
    stream = io.StringIO()
    progress = StormProgress(stream, total=2, clock=FakeClock(0.0).now)
    progress.report()
    progress.shopper_done(shopper(1, checkout(100.0), answer=Answer(True, "1")))
    progress.report()
    lines = stream.getvalue().splitlines()
    assert [line.split("shoppers done")[0].split()[-1] for line in lines] == ["0/2", "1/2"]
    assert "\r" not in stream.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_progress_redraws_one_bar_in_place() -> None:
    stream = Terminal()
    progress = StormProgress(stream, total=4, clock=FakeClock(0.0).now)
    progress.shopper_done(shopper(1, checkout(100.0), answer=Answer(True, "1")))
    progress.report()
    progress.report()
    written = stream.getvalue()
    assert "\n" not in written
    assert written.count("\r[") == 2
    assert "[######------------------] " in written  # 1 of 4 done: a quarter of the bar


def test_a_progress_note_starts_a_line_of_its_own_after_the_bar() -> None:
    stream = Terminal()
    progress = StormProgress(stream, total=1, clock=FakeClock(0.0).now)
    progress.report()
    progress.note("storm over")
    assert stream.getvalue().endswith("\x1b[K\nstorm    0.0 s  storm over\n")
