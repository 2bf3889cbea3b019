"""`bff serve`: refuses bad settings by name, reports readiness, and shuts down without dropping work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from bff.checkout.service import PLACE_SENT
from bff.sessions.codec import decode_record
from tests.ops.conftest import ServeFactory
from tests.processes import REPO, Process
from tests.waiting import wait_until

ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } userErrors { code } } }'
CHECKOUT = """mutation C($key: String!) { checkout(input: {idempotencyKey: $key, email: "jane@example.com",
  shippingAddress: {firstname: "Jane", lastname: "Doe", street: ["1 Main St"], city: "Austin", region: "TX",
    postcode: "78701", countryCode: "US", telephone: "5125550100"},
  shippingMethod: {carrierCode: "flatrate", methodCode: "flatrate"}, paymentMethod: {code: "checkmo"}})
  { order { number } userErrors { code message } } }"""


def _serve_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BFF_")} | env
    return subprocess.run(
        [sys.executable, "-m", "bff", "serve"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_refuses_a_malformed_setting_and_names_the_variable() -> None:
    result = _serve_with({"BFF_MAGENTO__READ_TIMEOUT_S": "soon"})
    assert result.returncode != 0
    assert "BFF_MAGENTO__READ_TIMEOUT_S" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_insecure_production_settings_by_name() -> None:
    result = _serve_with({"BFF_ENVIRONMENT": "production", "BFF_REDIS_URL": "redis://:hunter2@redis:6379/0"})
    assert result.returncode != 0
    for variable in ("BFF_MAGENTO__URL", "BFF_INTROSPECTION", "BFF_GRAPHIQL"):
        assert variable in result.stderr
    assert "hunter2" not in result.stderr


def test_serve_refuses_a_bad_trusted_document_manifest_and_names_the_file(tmp_path: Path) -> None:
    manifest = tmp_path / "web-2.5.0.json"
    manifest.write_text('{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}')
    result = _serve_with(
        {"BFF_PERSISTED_QUERIES__TRUSTED_DOCUMENTS": "enforce", "BFF_PERSISTED_QUERIES__MANIFESTS": str(manifest)}
    )
    assert (result.returncode, result.stderr) == (
        1,
        f'bff serve: trusted-document manifest {manifest}: "version" must be 1\n',
    )


def test_a_production_replica_is_ready_with_redis_and_magento(serve: ServeFactory) -> None:
    with serve() as replica:
        response = httpx.get(f"{replica.url}/readyz")
    assert response.json() == {"status": "ready", "checks": {"redis": "ok", "magento": "ok"}}


def post(replica: Process, query: str, token: str | None = None, **variables: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        f"{replica.url}/graphql", json={"query": query, "variables": variables}, headers=headers, timeout=30
    )


def place_order_was_sent(redis_url: str) -> bool:
    """Whether a checkout's idempotency record journals that placeOrder went to Magento (it does
    so just before sending it)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return any(
            PLACE_SENT in decode_record(raw)[0].steps
            for raw in (client.get(key) for key in client.scan_iter("bff:v1:idem:*"))
            if raw is not None
        )
    finally:
        client.close()


def test_graceful_shutdown_lets_a_running_checkout_finish(
    serve: ServeFactory, sandbox: Process, flushed_redis: str
) -> None:
    httpx.put(f"{sandbox.url}/__sandbox/faults", json={"operation": "placeOrder", "fault": {"latency_ms": 1500}})
    with serve() as replica:
        token = post(replica, ADD).headers["X-Session-Token"]
        result: dict[str, httpx.Response] = {}
        running = threading.Thread(target=lambda: result.update(r=post(replica, CHECKOUT, token, key="graceful-1")))
        running.start()
        wait_until(lambda: place_order_was_sent(flushed_redis), what="the checkout has sent placeOrder to Magento")
        assert result == {}  # SIGTERM comes while the checkout waits for the sandbox's slow placeOrder
        replica.terminate()
        running.join(timeout=30)
        exit_code = replica.wait(timeout_s=30)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{replica.url}/healthz")
    assert result["r"].json()["data"]["checkout"]["order"]["number"] == "000000001"
    assert exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean shutdown
    assert "Traceback" not in replica.log()
    assert len(httpx.get(f"{sandbox.url}/__sandbox/orders").json()) == 1
