"""The circuit breaker's state machine (``bff.magento.breaker``), on a clock the test moves."""

from __future__ import annotations

from bff.magento.breaker import CLOSED, HALF_OPEN, OPEN, BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def breaker(clock: Clock, transitions: list[BreakerState] | None = None, **overrides: float) -> CircuitBreaker:
    settings: dict[str, float] = {"failures": 3, "failure_ratio": 0.5, "min_calls": 10, "window_s": 10.0,
                                  "cool_down_s": 5.0} | overrides  # fmt: skip
    return CircuitBreaker(
        failures=int(settings["failures"]),
        failure_ratio=settings["failure_ratio"],
        min_calls=int(settings["min_calls"]),
        window_s=settings["window_s"],
        cool_down_s=settings["cool_down_s"],
        now=clock,
        on_transition=transitions.append if transitions is not None else None,
    )


def opened(clock: Clock) -> CircuitBreaker:
    b = breaker(clock)
    for _ in range(3):
        b.record_failure()
    return b


def test_a_new_breaker_is_closed_and_admits_calls() -> None:
    b = breaker(Clock())
    assert (b.state, b.admit()) == (CLOSED, True)


def test_it_opens_after_the_consecutive_failures() -> None:
    b = breaker(Clock())
    b.record_failure()
    b.record_failure()
    assert b.state is CLOSED
    b.record_failure()
    assert b.state is OPEN


def test_a_success_between_failures_starts_the_count_again() -> None:
    b = breaker(Clock())
    for _ in range(2):
        b.record_failure()
    b.record_success()
    for _ in range(2):
        b.record_failure()
    assert b.state is CLOSED


def test_it_opens_on_the_failure_ratio_in_a_window_without_consecutive_failures() -> None:
    b = breaker(Clock(), failures=100, min_calls=10)
    for _ in range(5):
        b.record_failure()
        b.record_success()
    assert b.state is CLOSED
    b.record_failure()
    assert b.state is OPEN  # 6 of 11 calls in the window failed: past the ratio 0.5


def test_the_ratio_needs_the_minimum_number_of_calls() -> None:
    b = breaker(Clock(), failures=100, min_calls=10)
    for _ in range(4):
        b.record_failure()
        b.record_success()
    assert b.state is CLOSED  # 4 of 8: too few calls to judge


def test_failures_of_an_earlier_window_do_not_count() -> None:
    clock = Clock()
    b = breaker(clock, failures=100, min_calls=4)
    b.record_failure()
    b.record_success()
    clock.t += 11  # the window is over
    b.record_success()
    b.record_failure()
    assert b.state is CLOSED  # this window: 1 failure of 1 call so far (too few calls)


def test_an_open_breaker_refuses_calls_during_the_cool_down() -> None:
    clock = Clock()
    b = opened(clock)
    clock.t += 4.9
    assert b.admit() is False


def test_after_the_cool_down_one_probe_goes_and_the_others_are_refused() -> None:
    clock = Clock()
    b = opened(clock)
    clock.t += 5
    assert [b.admit(), b.admit()] == [True, False]
    assert b.state is HALF_OPEN


def test_a_successful_probe_closes_the_breaker() -> None:
    clock = Clock()
    b = opened(clock)
    clock.t += 5
    b.admit()
    b.record_success()
    assert (b.state, b.admit()) == (CLOSED, True)


def test_a_failed_probe_opens_it_for_another_cool_down() -> None:
    clock = Clock()
    b = opened(clock)
    clock.t += 5
    b.admit()
    b.record_failure()
    clock.t += 4.9
    assert (b.state, b.admit()) == (OPEN, False)


def test_a_probe_that_ended_without_a_verdict_lets_the_next_probe_go() -> None:
    clock = Clock()
    b = opened(clock)
    clock.t += 5
    b.admit()
    b.release()
    assert b.admit() is True


def test_a_closed_breaker_starts_counting_afresh() -> None:
    clock = Clock()
    b = opened(clock)
    clock.t += 5
    b.admit()
    b.record_success()
    b.record_failure()
    b.record_failure()
    assert b.state is CLOSED


def test_each_transition_is_reported_once() -> None:
    clock = Clock()
    transitions: list[BreakerState] = []
    b = breaker(clock, transitions)
    for _ in range(4):
        b.record_failure()  # the fourth, while open, changes nothing
    clock.t += 5
    b.admit()
    b.record_success()
    assert transitions == [OPEN, HALF_OPEN, CLOSED]
