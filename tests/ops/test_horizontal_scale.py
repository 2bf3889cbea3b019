"""Two stateless replicas sharing one Redis behave as one BFF."""

from __future__ import annotations

import itertools
import threading
import time

import httpx

from tests.ops.conftest import ServeFactory
from tests.ops.test_serve import ADD, CHECKOUT, post
from tests.processes import Process

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
PRE_STOP_S = 0.4  # k8s/base uses 5 s; here it only has to cover the balancer update
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
    assert cart == {"cart": {"totalQuantity": "1"}, "checkout": {"ready": True}}
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


def test_stopping_one_replica_mid_traffic_loses_no_request(serve: ServeFactory, sandbox: Process) -> None:
    """Shoppers go through a balancer to both replicas. As on Kubernetes, a stopping replica is first
    taken out of the balancer (endpoint removal), the preStop sleep lets requests already routed to
    it arrive, then SIGTERM comes while they are still running: they finish, and nothing fails."""
    httpx.put(f"{sandbox.url}/__sandbox/faults", json={"operation": "products", "fault": {"latency_ms": 800}})
    query = '{ products(search: "bag") { totalCount } }'
    results: list[int] = []
    lock = threading.Lock()
    with serve() as a, serve() as b:
        rotation = [a, b]
        turn = itertools.count()

        def shopper() -> None:
            for _ in range(8):
                with lock:
                    replica = rotation[next(turn) % len(rotation)]
                response = post(replica, query)
                with lock:
                    results.append(response.json()["data"]["products"]["totalCount"])

        threads = [threading.Thread(target=shopper) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        with lock:
            rotation.remove(a)
        time.sleep(PRE_STOP_S)
        a.terminate()
        for t in threads:
            t.join(timeout=60)
        stopped = a.wait(timeout_s=30)
    assert len(results) == 6 * 8
    assert len(set(results)) == 1
    assert results[0] > 0
    assert stopped in (0, -15)
