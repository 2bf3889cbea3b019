"""The checkout storm at CI size: 50 shoppers through 2 `bff serve` replicas, one real Redis and one
sandbox process, with faults on (bench.checkout_storm), never place a second order, lose one, tell
a wrong number, answer an uncoded 5xx or say INTERNAL; every order has exactly one `order.placed`
event in the outbox; also when Redis crashes mid-storm."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bench.checkout_storm import StormConfig, StormResult, run_storm

CI_SIZE = StormConfig(shoppers=50, replicas=2, seed=11)  # after the storm, shoppers retry for up to 70 s (a lease)


def verdict(result: StormResult) -> dict[str, object]:
    r = result.reconciliation
    return {
        "orders": r.orders,
        "setup failed": r.setup_failed,
        "refused": r.refused,
        "duplicates": r.duplicates,
        "lost": r.lost,
        "mismatched": r.mismatched,
        "stuck": r.stuck,
        "5xx": r.http_5xx,
        "INTERNAL": r.internal,
        "problems": r.problems,
        "order.placed events": result.order_events,
        "event problems": result.event_problems,
    }


def expected() -> dict[str, object]:
    return {
        "orders": CI_SIZE.shoppers,
        "setup failed": 0,
        "refused": 0,
        "duplicates": 0,
        "lost": 0,
        "mismatched": 0,
        "stuck": 0,
        "5xx": 0,
        "INTERNAL": 0,
        "problems": [],
        "order.placed events": CI_SIZE.shoppers,  # one per order, in the outbox written with its result
        "event problems": [],
    }


def test_a_storm_with_faults_places_exactly_one_order_per_shopper_and_tells_each_its_number(tmp_path: Path) -> None:
    result = run_storm(CI_SIZE, tmp_path)
    assert verdict(result) == expected()
    assert result.reconciliation.client_timeouts > 0  # the faults did lose answers: retries were exercised


def test_a_storm_survives_a_redis_crash_mid_storm_without_a_lost_or_second_order(tmp_path: Path) -> None:
    result = run_storm(replace(CI_SIZE, restart_redis_at_s=1.5), tmp_path)
    assert result.redis_restarts == 1
    assert result.duration_s > 1.5 + CI_SIZE.redis_down_s  # the crash came while shoppers were checking out
    assert verdict(result) == expected()
