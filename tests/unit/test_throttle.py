"""The leaky bucket's maths (bff/limits/throttle.py) and what a charge answers (bff/limits/buckets.py)."""

from __future__ import annotations

import pytest

from bff.errors import QueryTooComplex, Throttled
from bff.limits.buckets import Charge, settle
from bff.limits.throttle import Bucket, ThrottleStatus

BUCKET = Bucket(maximum=100, restore_rate=10.0)


def test_a_bucket_refills_at_its_restore_rate() -> None:
    assert BUCKET.level_after(20.0, 3.0) == 50.0


def test_a_bucket_never_refills_above_its_maximum() -> None:
    assert BUCKET.level_after(90.0, 5.0) == 100.0


def test_time_that_runs_backwards_restores_nothing() -> None:
    assert BUCKET.level_after(20.0, -5.0) == 20.0


def test_a_charge_fits_when_the_bucket_holds_the_whole_cost() -> None:
    assert BUCKET.fits(30.0, 30)
    assert not BUCKET.fits(29.5, 30)


def test_the_retry_after_is_the_time_to_restore_the_missing_points() -> None:
    assert BUCKET.retry_after_s(5.0, 30) == 2.5


def test_a_charge_that_fits_needs_no_wait() -> None:
    assert BUCKET.retry_after_s(30.0, 30) == 0.0


def test_a_cost_above_the_maximum_never_fits_however_long_one_waits() -> None:
    assert BUCKET.retry_after_s(100.0, 101) is None


def test_the_refill_time_is_the_time_until_the_bucket_is_full() -> None:
    assert BUCKET.refill_s(40.0) == 6.0


def test_the_status_rounds_the_level_down() -> None:
    assert BUCKET.status(49.9) == ThrottleStatus(maximum_available=100, currently_available=49, restore_rate=10.0)


def test_the_status_is_shaped_like_shopifys_throttle_status() -> None:
    assert BUCKET.status(49.9).as_extension() == {
        "maximumAvailable": 100,
        "currentlyAvailable": 49,
        "restoreRate": 10.0,
    }


@pytest.mark.parametrize(("maximum", "restore_rate"), [(0, 10.0), (100, 0.0), (100, -1.0), (100, float("inf"))])
def test_a_bucket_needs_a_positive_size_and_restore_rate(maximum: int, restore_rate: float) -> None:
    with pytest.raises(ValueError, match=r"^(a bucket holds|restore_rate must be)"):
        Bucket(maximum, restore_rate)


def test_a_charge_within_budget_takes_the_cost() -> None:
    charge, after = settle(BUCKET, 50.0, 30, enforce=True)
    assert (charge, after) == (Charge(True, True, 30, BUCKET.status(20.0), 0.0), 20.0)


def test_a_charge_over_budget_is_refused_and_takes_nothing() -> None:
    charge, after = settle(BUCKET, 10.0, 30, enforce=True)
    assert (charge, after) == (Charge(False, False, 0, BUCKET.status(10.0), 2.0), 10.0)


def test_in_measure_mode_a_charge_over_budget_runs_and_takes_nothing() -> None:
    charge, after = settle(BUCKET, 10.0, 30, enforce=False)
    assert (charge, after) == (Charge(True, False, 0, BUCKET.status(10.0), 2.0), 10.0)


def test_a_negative_cost_is_a_bug() -> None:
    with pytest.raises(ValueError, match=r"^a cost is never negative"):
        settle(BUCKET, 10.0, -1, enforce=True)


def test_the_refund_is_what_was_charged_and_not_spent() -> None:
    charge, _ = settle(BUCKET, 100.0, 30, enforce=True)
    assert [charge.refundable(actual) for actual in (0, 12, 30, 45)] == [30, 18, 0, 0]


def test_a_charge_that_took_nothing_refunds_nothing() -> None:
    charge, _ = settle(BUCKET, 10.0, 30, enforce=False)
    assert charge.refundable(5) == 0


def test_a_throttled_charge_answers_throttled_with_the_status_and_retry_after() -> None:
    charge, _ = settle(BUCKET, 10.0, 35, enforce=True)
    error = charge.refusal(35)
    assert isinstance(error, Throttled)
    assert (error.code, error.status) == ("THROTTLED", 429)
    assert error.message == (
        "Throttled: the query costs 35 points and 10 are available (restored at 10 per second). Retry in 3 s."
    )
    assert error.extensions == {
        "cost": {
            "requestedQueryCost": 35,
            "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 10, "restoreRate": 10.0},
        },
        "retryAfterSeconds": 3,
    }
    assert error.headers == {"Retry-After": "3"}


def test_a_retry_after_under_a_second_is_announced_as_one_second() -> None:
    charge, _ = settle(BUCKET, 29.0, 30, enforce=True)
    assert charge.refusal(30).headers == {"Retry-After": "1"}


def test_a_cost_above_the_maximum_answers_query_too_complex_without_retry_after() -> None:
    charge, _ = settle(BUCKET, 100.0, 250, enforce=True)
    error = charge.refusal(250)
    assert isinstance(error, QueryTooComplex)
    assert (error.code, error.status, error.headers) == ("QUERY_TOO_COMPLEX", 400, {})
    assert error.message == (
        "The query is too complex: its cost (250) is over the cost budget (100), so it can never run. "
        "Ask for fewer fields or smaller pages."
    )
    assert error.extensions == {
        "measure": "costBudget",
        "value": 250,
        "limit": 100,
        "cost": {
            "requestedQueryCost": 250,
            "throttleStatus": {"maximumAvailable": 100, "currentlyAvailable": 100, "restoreRate": 10.0},
        },
    }
