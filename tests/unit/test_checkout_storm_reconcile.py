"""The checkout storm's reconciliation (bench.storm_reconcile): each kind of defect is found and
counted, honest answers are not. No storm runs here (tests/ops/test_checkout_storm.py runs one)."""

from __future__ import annotations

from typing import Any

from bench.checkout_storm import config_from, parse_args
from bench.storm_events import event_problems
from bench.storm_reconcile import percentile, reconcile
from bench.storm_shopper import Answer, Call, ShopperOutcome, ShopperPlan

PLACED = Answer(placed=True, number="000000001")


def shopper(index: int = 1, *answers: Answer, calls: tuple[Call, ...] = (), **fields: Any) -> ShopperOutcome:
    plan = ShopperPlan(
        index=index,
        email=f"s{index}@storm.example",
        sku="BAG-001",
        customer=False,
        one_call=True,
        submits=1,
        key=f"k{index}",
        home=0,
        ip="10.0.0.1",
        rng_seed=1,
    )
    return ShopperOutcome(plan, calls=list(calls), answers=list(answers), **fields)


def order(index: int = 1, number: str = "000000001") -> dict[str, Any]:
    return {"number": number, "email": f"s{index}@storm.example", "cart_id": f"cart{index}"}


def call(status: int | None, *codes: str, coded_503: bool = False, operation: str = "checkout") -> Call:
    return Call(operation, 0, status, codes, 10.0, None if status else "timeout", coded_503)


def test_a_shopper_told_its_order_number_is_no_defect() -> None:
    r = reconcile([shopper(1, PLACED)], [order(1)])
    assert (r.orders, r.failed, r.problems) == (1, False, [])


def test_two_orders_for_one_shopper_are_a_duplicate() -> None:
    r = reconcile([shopper(1, PLACED)], [order(1), order(1, "000000002")])
    assert (r.duplicates, r.failed) == (1, True)


def test_a_shopper_told_of_a_failure_whose_order_exists_is_lost() -> None:
    r = reconcile([shopper(1, Answer(placed=False, number=None, codes=("ORDER_FAILED",)))], [order(1)])
    assert (r.lost, r.refused, r.failed) == (1, 1, True)


def test_a_shopper_told_of_an_order_that_does_not_exist_is_lost() -> None:
    assert reconcile([shopper(1, PLACED)], []).lost == 1


def test_an_order_of_no_shopper_is_lost() -> None:
    assert reconcile([shopper(1, PLACED)], [order(1), order(9, "000000002")]).lost == 1


def test_orders_of_other_runs_are_counted_apart_not_judged() -> None:
    earlier = {"number": "000000009", "email": "storm-1-aaaaaa-1@storm.example"}
    r = reconcile([shopper(1, PLACED)], [order(1), earlier], email_prefix="s1@")
    assert (r.orders, r.other_orders, r.lost, r.failed) == (1, 1, 0, False)


def test_a_shopper_told_another_number_than_its_order_is_mismatched() -> None:
    assert reconcile([shopper(1, PLACED)], [order(1, "000000007")]).mismatched == 1


def test_a_double_submitter_told_two_different_numbers_is_mismatched() -> None:
    answers = (PLACED, Answer(placed=True, number="000000002"))
    assert reconcile([shopper(1, *answers)], [order(1)]).mismatched == 1


def test_a_shopper_without_a_definitive_answer_and_without_an_order_is_stuck_not_lost() -> None:
    r = reconcile([shopper(1, last_error="UPSTREAM_UNAVAILABLE")], [])
    assert (r.unresolved, r.stuck, r.lost, r.failed) == (1, 1, 0, True)


def test_a_shopper_answered_only_after_the_storm_is_unresolved_but_no_defect() -> None:
    r = reconcile([shopper(1, PLACED, settled_late=True)], [order(1)])
    assert (r.unresolved, r.settled_late, r.stuck, r.failed) == (1, 1, 0, False)


def test_an_order_reported_with_number_null_is_numberless_not_a_defect() -> None:
    r = reconcile([shopper(1, Answer(placed=True, number=None))], [order(1)])
    assert (r.numberless, r.failed) == (1, False)


def test_a_coded_503_is_no_5xx_defect_but_an_uncoded_500_and_internal_are() -> None:
    calls = (call(503, "UPSTREAM_UNAVAILABLE", coded_503=True), call(500), call(200, "INTERNAL"), call(None))
    r = reconcile([shopper(1, PLACED, calls=calls)], [order(1)])
    assert (r.coded_503, r.http_5xx, r.internal, r.client_timeouts) == (1, 1, 1, 1)
    assert r.error_mix == {"UPSTREAM_UNAVAILABLE": 1, "INTERNAL": 1, "timeout": 1}


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [percentile(values, q) for q in (0.5, 0.9, 0.99)] == [50.0, 90.0, 99.0]
    assert percentile([], 0.5) is None


def test_the_command_line_sets_shoppers_replicas_a_redis_restart_and_a_replica_kill() -> None:
    argv = ["--shoppers", "1000", "--replicas", "3", "--restart-redis-at", "5", "--kill-replica-at", "7"]
    config = config_from(parse_args(argv))
    assert (config.shoppers, config.replicas, config.restart_redis_at_s, config.kill_replica_at_s) == (
        1000,
        3,
        5.0,
        7.0,
    )
    assert config.faults is not None
    assert config_from(parse_args(["--no-faults"])).faults is None


def test_every_order_with_one_order_placed_event_has_no_event_problem() -> None:
    orders = [{"email": "storm-1-a-1@x"}, {"email": "storm-1-a-2@x"}]
    events = [{"id": "e1", "email": "storm-1-a-1@x"}, {"id": "e2", "email": "storm-1-a-2@x"}]
    assert event_problems(orders, events, "storm-1-a-") == []


def test_an_order_without_its_event_and_a_repeated_event_id_are_event_problems() -> None:
    orders = [{"email": "storm-1-a-1@x"}, {"email": "storm-1-a-2@x"}]
    events = [{"id": "e1", "email": "storm-1-a-1@x"}, {"id": "e1", "email": "storm-1-a-1@x"}]
    assert event_problems(orders, events, "storm-1-a-") == [
        "event id e1 twice",
        "storm-1-a-1@x: 1 orders, 2 order.placed events",
        "storm-1-a-2@x: 1 orders, 0 order.placed events",
    ]


def test_events_of_other_runs_are_not_judged() -> None:
    assert event_problems([], [{"id": "e9", "email": "storm-9-b-1@x"}], "storm-1-a-") == []
