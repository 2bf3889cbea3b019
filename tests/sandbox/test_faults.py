"""Fault injection: latency, error rates, hung and dropped connections, lost responses."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from bff.cli import build_parser, fault_plan_from_args
from bff.sandbox import Fault, FaultPlan, SandboxState

STORE_CONFIG = "query StoreCode { storeConfig { store_code } }"
CREATE_CART = "mutation CreateCart { createGuestCart { cart { id } } }"


async def _post(http: httpx.AsyncClient, query: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": query})


async def test_latency_delays_the_answer_by_at_least_the_configured_time(
    http: httpx.AsyncClient, faults: FaultPlan
) -> None:
    faults.set("StoreCode", Fault(latency_ms=50))
    started = time.monotonic()
    response = await _post(http, STORE_CONFIG)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.05


def test_jitter_adds_a_repeatable_random_delay_within_bounds() -> None:
    delays = [
        FaultPlan(seed=1, faults={"*": Fault(latency_ms=10, jitter_ms=5)}).decide({"x"}).delay_s for _ in range(2)
    ]
    assert delays[0] == delays[1]
    assert 0.010 <= delays[0] <= 0.015


async def test_error_rate_one_fails_every_matching_request_with_http_503(
    http: httpx.AsyncClient, faults: FaultPlan
) -> None:
    faults.set("createGuestCart", Fault(error_rate=1.0, error="http503"))
    assert (await _post(http, CREATE_CART)).status_code == 503
    assert (await _post(http, STORE_CONFIG)).status_code == 200


async def test_http500_errors_look_like_magento_internal_errors(http: httpx.AsyncClient, faults: FaultPlan) -> None:
    faults.set("StoreCode", Fault(error_rate=1.0, error="http500"))
    response = await _post(http, STORE_CONFIG)
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == "Internal server error"


async def test_graphql_errors_answer_200_with_an_errors_entry(http: httpx.AsyncClient, faults: FaultPlan) -> None:
    faults.set("StoreCode", Fault(error_rate=1.0, error="graphql"))
    response = await _post(http, STORE_CONFIG)
    assert response.status_code == 200
    assert response.json() == {
        "errors": [{"message": "Internal server error", "extensions": {"category": "internal"}}],
        "data": None,
    }


def test_error_rate_fails_about_that_share_of_requests() -> None:
    plan = FaultPlan(seed=3, faults={"*": Fault(error_rate=0.25)})
    failures = sum(plan.decide({"op"}).fail_with is not None for _ in range(2000))
    assert 400 < failures < 600


async def test_failed_requests_do_not_run(http: httpx.AsyncClient, faults: FaultPlan, state: SandboxState) -> None:
    faults.set("createGuestCart", Fault(error_rate=1.0))
    await _post(http, CREATE_CART)
    assert state.carts == {}


async def test_dropped_connections_reach_the_client_as_transport_errors(
    http: httpx.AsyncClient, faults: FaultPlan, state: SandboxState
) -> None:
    faults.set("createGuestCart", Fault(drop=True))
    with pytest.raises(httpx.TransportError):
        await _post(http, CREATE_CART)
    assert state.carts == {}


async def test_hung_requests_answer_nothing_until_dropped(http: httpx.AsyncClient, faults: FaultPlan) -> None:
    faults.set("StoreCode", Fault(hang=True, hang_seconds=0.05))
    with pytest.raises(httpx.TransportError):
        await _post(http, STORE_CONFIG)


async def test_hung_requests_time_out_a_client_over_real_http(live_sandbox: str, faults: FaultPlan) -> None:
    faults.set("StoreCode", Fault(hang=True, hang_seconds=5))
    async with httpx.AsyncClient(base_url=live_sandbox, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            await _post(client, STORE_CONFIG)


async def test_dropped_connections_over_real_http(live_sandbox: str, faults: FaultPlan) -> None:
    faults.set("StoreCode", Fault(drop=True))
    async with httpx.AsyncClient(base_url=live_sandbox) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await _post(client, STORE_CONFIG)


async def test_lost_responses_run_the_mutation_but_never_answer(
    http: httpx.AsyncClient, faults: FaultPlan, state: SandboxState
) -> None:
    faults.set("createGuestCart", Fault(lose_response="drop"))
    with pytest.raises(httpx.TransportError):
        await _post(http, CREATE_CART)
    assert len(state.carts) == 1


async def test_a_lost_response_by_hang_runs_the_mutation_and_drops_the_answer_after_hang_seconds(
    http: httpx.AsyncClient, faults: FaultPlan, state: SandboxState
) -> None:
    faults.set("createGuestCart", Fault(lose_response="hang", hang_seconds=0.05))
    with pytest.raises(httpx.TransportError):
        await asyncio.wait_for(_post(http, CREATE_CART), timeout=5)  # the 30 s default would time out here
    assert len(state.carts) == 1


async def test_a_fault_limited_to_n_times_stops_after_n_requests(http: httpx.AsyncClient, faults: FaultPlan) -> None:
    faults.set("StoreCode", Fault(error_rate=1.0, times=2))
    statuses = [(await _post(http, STORE_CONFIG)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


async def test_admin_endpoint_sets_lists_and_clears_faults(http: httpx.AsyncClient) -> None:
    put = await http.put("/__sandbox/faults", json={"operation": "StoreCode", "fault": {"error_rate": 1.0}})
    assert put.json()["StoreCode"]["error_rate"] == 1.0
    assert (await _post(http, STORE_CONFIG)).status_code == 503
    await http.delete("/__sandbox/faults")
    assert (await http.get("/__sandbox/faults")).json() == {}
    assert (await _post(http, STORE_CONFIG)).status_code == 200


async def test_admin_endpoint_rejects_unknown_fault_fields(http: httpx.AsyncClient) -> None:
    response = await http.put("/__sandbox/faults", json={"operation": "x", "fault": {"explode": True}})
    assert response.status_code == 400


def test_cli_flags_build_the_fault_plan() -> None:
    args = build_parser().parse_args(
        [
            "sandbox",
            "--latency",
            "placeOrder=200+50",
            "--error-rate",
            "*=0.1:graphql",
            "--hang",
            "BffCart",
            "--drop",
            "mergeCarts",
            "--lose-response",
            "placeOrder=hang",
        ]
    )
    plan = fault_plan_from_args(args)
    assert plan.faults == {
        "placeOrder": Fault(latency_ms=200, jitter_ms=50, lose_response="hang"),
        "*": Fault(error_rate=0.1, error="graphql"),
        "BffCart": Fault(hang=True),
        "mergeCarts": Fault(drop=True),
    }


def test_cli_rejects_an_error_rate_above_one() -> None:
    args = build_parser().parse_args(["sandbox", "--error-rate", "x=2"])
    with pytest.raises(SystemExit, match="error_rate"):
        fault_plan_from_args(args)
