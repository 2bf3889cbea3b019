"""The retry budget (a token bucket of retries) and the jittered backoff (``bff.magento.retry_budget``)."""

from __future__ import annotations

import pytest

from bff.magento.retry_budget import RetryBudget, backoff_s


def test_a_full_budget_allows_its_burst_of_retries_then_refuses() -> None:
    budget = RetryBudget(ratio=0.1, burst=3)
    assert [budget.withdraw() for _ in range(4)] == [True, True, True, False]


def test_each_call_earns_its_ratio_of_a_retry() -> None:
    budget = RetryBudget(ratio=0.1, burst=2)
    while budget.withdraw():
        pass
    earned = []
    for _ in range(30):
        budget.deposit()
        earned.append(budget.withdraw())
    assert earned.count(True) == 3  # one retry per ten calls


def test_deposits_never_fill_the_bucket_beyond_its_burst() -> None:
    budget = RetryBudget(ratio=0.5, burst=2)
    for _ in range(100):
        budget.deposit()
    assert [budget.withdraw() for _ in range(3)] == [True, True, False]


@pytest.mark.parametrize(("retry", "full"), [(1, 0.05), (2, 0.1), (3, 0.2), (6, 1.0), (20, 1.0)])
@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999])
def test_the_backoff_lies_between_half_and_all_of_the_doubled_base_capped(retry: int, full: float, draw: float) -> None:
    wait = backoff_s(retry, base_s=0.05, cap_s=1.0, uniform=lambda: draw)
    assert full / 2 <= wait <= full


def test_the_backoff_is_jittered() -> None:
    waits = {backoff_s(3, base_s=0.05, cap_s=1.0) for _ in range(20)}
    assert len(waits) > 1
