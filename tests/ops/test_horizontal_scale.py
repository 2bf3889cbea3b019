"""Two stateless replicas sharing one Redis behave as one BFF."""

from __future__ import annotations

import itertools
import threading

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.conftest import ServeFactory
from tests.ops.test_serve import ADD, CHECKOUT, post
from tests.processes import Process
from tests.waiting import wait_until

STEPS = [
    ('mutation { setGuestEmail(email: "jane@example.com") { userErrors { code } } }', {}),
    (
        "mutation A($a: AddressInput!) { setShippingAddress(address: $a) { userErrors { code } } }",
        {
            "a": {
                "firstname": "Jane",
                "lastname": "Doe",
                "street": ["1 Main St"],
                "city": "Austin",
                "region": "TX",
                "postcode": "78701",
                "countryCode": "US",
                "telephone": "5125550100",
            }
        },
    ),
    ("mutation { setBillingAddress(sameAsShipping: true) { userErrors { code } } }", {}),
    ('mutation { setShippingMethod(carrierCode: "flatrate", methodCode: "flatrate") { userErrors { code } } }', {}),
    ('mutation { setPaymentMethod(code: "checkmo") { userErrors { code } } }', {}),
]
PLACE = "mutation P($key: String!) { placeOrder(idempotencyKey: $key) { order { number } userErrors { code } } }"


def orders(sandbox: Process) -> list[dict[str, object]]:
    result: list[dict[str, object]] = httpx.get(f"{sandbox.url}/__sandbox/orders").json()
    return result


def test_a_session_started_on_one_replica_checks_out_through_the_other(serve: ServeFactory, sandbox: Process) -> None:
    with serve() as a, serve() as b:
        token = post(a, ADD).headers["X-Session-Token"]
        replicas = itertools.cycle([b, a])
        for document, variables in STEPS:
            body = post(next(replicas), document, token, **variables).json()
            assert next(iter(body["data"].values()))["userErrors"] == []
        cart = post(b, "{ cart { totalQuantity } checkout { ready } }", token).json()["data"]
        placed = post(a, PLACE, token, key="two-replicas-1").json()["data"]["placeOrder"]
    assert cart == {"cart": {"totalQuantity": 1}, "checkout": {"ready": True}}
    assert placed["order"]["number"] == orders(sandbox)[0]["number"]


def test_a_place_order_retried_on_the_other_replica_replays_the_same_order(
    serve: ServeFactory, sandbox: Process
) -> None:
    with serve() as a, serve() as b:
        token = post(a, ADD).headers["X-Session-Token"]
        first = post(a, CHECKOUT, token, key="retry-elsewhere-1").json()["data"]["checkout"]["order"]
        again = post(b, CHECKOUT, token, key="retry-elsewhere-1").json()["data"]["checkout"]["order"]
    assert first == again
    assert len(orders(sandbox)) == 1


def graphql_requests(replica: Process) -> tuple[int, int]:
    """(in flight, answered) GraphQL requests of a replica, from its /metrics (the scrape itself,
    in flight while it is answered, is not counted)."""
    in_flight = answered = 0
    for family in text_string_to_metric_families(httpx.get(f"{replica.url}/metrics").text):
        for sample in family.samples:
            if sample.name == "bff_inflight_requests":
                in_flight = int(sample.value) - 1
            elif sample.name == "bff_requests_total":
                answered += int(sample.value)
    return in_flight, answered


def test_stopping_one_replica_mid_traffic_loses_no_request(serve: ServeFactory, sandbox: Process) -> None:
    """Shoppers go through a balancer to both replicas. As on Kubernetes, a stopping replica is first
    taken out of the balancer (endpoint removal), the preStop pause lets requests already routed to
    it arrive (here: the test waits until the replica has received every one of them), then SIGTERM
    comes while they are still running: they finish, and nothing fails."""
    httpx.put(f"{sandbox.url}/__sandbox/faults", json={"operation": "products", "fault": {"latency_ms": 800}})
    query = '{ products(search: "bag") { totalCount } }'
    results: list[int] = []
    lock = threading.Lock()
    with serve() as a, serve() as b:
        rotation = [a, b]
        turn = itertools.count()
        routed_to_a = 0

        def shopper() -> None:
            nonlocal routed_to_a
            for _ in range(8):
                with lock:
                    replica = rotation[next(turn) % len(rotation)]
                    if replica is a:
                        routed_to_a += 1
                response = post(replica, query)
                with lock:
                    results.append(response.json()["data"]["products"]["totalCount"])

        threads = [threading.Thread(target=shopper) for _ in range(6)]
        for t in threads:
            t.start()
        wait_until(
            lambda: graphql_requests(a)[0] > 0 and graphql_requests(b)[0] > 0, what="both replicas serve shoppers"
        )
        with lock:
            rotation.remove(a)
            routed = routed_to_a
        wait_until(lambda: sum(graphql_requests(a)) == routed, what=f"replica a received the {routed} routed to it")
        assert graphql_requests(a)[0] > 0  # SIGTERM comes while requests are still running on it
        a.terminate()
        for t in threads:
            t.join(timeout=60)
        stopped = a.wait(timeout_s=30)
    assert len(results) == 6 * 8
    assert len(set(results)) == 1
    assert results[0] > 0
    assert stopped in (0, -15)
