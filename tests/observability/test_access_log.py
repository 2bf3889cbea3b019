"""One JSON line per request (event="request") with the request's id, operation, outcome and Magento calls."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import httpx
import pytest
import structlog

from bff.app import create_app
from bff.observability.logging import QUIET_LOGGERS, SILENCED_LOGGERS, configure_logging, stop_writer
from bff.sandbox import Fault, FaultPlan
from bff.settings import LogSettings, Settings
from tests.fake_clock import FakeClock
from tests.observability.conftest import LogCapture, capture_logs
from tests.recording import RecordingTransport

ADD = "mutation AddToCart($sku: String!) { addToCart(items: [{sku: $sku, quantity: 1}]) { userErrors { code } } }"
PRODUCTS = '{ products(search: "bag") { totalCount } }'
VIEWER = "{ viewer { customer { email } } }"


def timings_zeroed(line: dict[str, Any]) -> dict[str, Any]:
    """The line with its durations and timestamp replaced, so it can be compared whole."""
    fixed = {**line, "timestamp": "T", "duration_ms": 0}
    if "upstream" in fixed:
        fixed["upstream"] = [{**call, "ms": 0} for call in fixed["upstream"]]
        fixed["upstream_ms"] = 0
    return fixed


async def test_each_request_writes_exactly_one_access_log_line(client: httpx.AsyncClient, logs: LogCapture) -> None:
    await client.post("/graphql", json={"query": PRODUCTS})
    await client.get("/healthz")
    await client.post("/graphql", json={"query": ADD, "variables": {"sku": "BAG-001"}})
    assert [line["path"] for line in logs.requests()] == ["/graphql", "/healthz", "/graphql"]


async def test_the_access_log_line_has_the_request_fields(client: httpx.AsyncClient, logs: LogCapture) -> None:
    await client.post("/graphql", json={"query": ADD, "variables": {"sku": "BAG-001"}}, headers={"X-Request-ID": "r-1"})
    assert [timings_zeroed(line) for line in logs.requests()] == [
        {
            "event": "request",
            "level": "info",
            "logger": "bff.access",
            "timestamp": "T",
            "request_id": "r-1",
            "method": "POST",
            "path": "/graphql",
            "status": 200,
            "duration_ms": 0,
            "operation": "AddToCart",
            "operation_type": "mutation",
            "root_fields": ["addToCart"],
            "outcome": "OK",
            "cost": {"requested": 10, "actual": 6},
            "upstream": [
                {"operation": "CreateGuestCart", "ms": 0, "outcome": "ok"},
                {"operation": "AddProductsToCart", "ms": 0, "outcome": "ok"},
            ],
            "upstream_ms": 0,
        }
    ]


async def test_the_outcome_is_the_first_user_error_code(client: httpx.AsyncClient, logs: LogCapture) -> None:
    await client.post("/graphql", json={"query": ADD, "variables": {"sku": "NO-SUCH-SKU"}})
    assert logs.requests()[-1]["outcome"] == "PRODUCT_NOT_FOUND"


async def test_the_outcome_is_the_first_error_code(client: httpx.AsyncClient, logs: LogCapture) -> None:
    await client.post("/graphql", json={"query": "{ nope }"})
    assert (logs.requests()[-1]["outcome"], logs.requests()[-1]["status"]) == ("BAD_USER_INPUT", 200)


async def test_a_request_refused_before_execution_is_logged_with_its_code(
    client: httpx.AsyncClient, logs: LogCapture
) -> None:
    await client.post("/graphql", json={"query": PRODUCTS}, headers={"Store": "NOT A STORE"})
    line = logs.requests()[-1]
    assert (line["status"], line["outcome"], line["operation_type"]) == (400, "BAD_USER_INPUT", None)


async def test_upstream_failures_are_listed_with_their_outcome(
    client: httpx.AsyncClient, logs: LogCapture, faults: FaultPlan
) -> None:
    faults.set("products", Fault(error_rate=1.0, error="http503"))
    await client.post("/graphql", json={"query": PRODUCTS})
    line = logs.requests()[-1]
    assert line["outcome"] == "UPSTREAM_UNAVAILABLE"
    assert [(c["operation"], c["outcome"], c.get("attempt", 1)) for c in line["upstream"]] == [
        ("ProductListing", "http_503", 1),
        ("ProductListing", "http_503", 2),
    ]


async def test_probes_are_logged_at_debug_only(client: httpx.AsyncClient) -> None:
    for capture in capture_logs(LogSettings(level="INFO")):
        await client.get("/healthz")
        await client.post("/graphql", json={"query": PRODUCTS})
        assert [line["path"] for line in capture.requests()] == ["/graphql"]


async def test_every_line_is_one_json_object(client: httpx.AsyncClient, logs: LogCapture) -> None:
    await client.post("/graphql", json={"query": VIEWER})
    logging.getLogger("uvicorn.error").warning("multi\nline")
    assert all(isinstance(json.loads(line), dict) for line in logs.text.splitlines())


async def test_stdlib_records_are_rendered_as_json_through_the_same_processors(logs: LogCapture) -> None:
    logging.getLogger("uvicorn.error").warning("shutting down %s", "now", extra={"color_message": "\x1b[1m"})
    uvicorn = [line for line in logs.lines() if line["logger"] == "uvicorn.error"]
    assert [{k: v for k, v in line.items() if k != "timestamp"} for line in uvicorn] == [
        {"event": "shutting down now", "level": "warning", "logger": "uvicorn.error"}
    ]


async def test_console_output_is_one_readable_line_per_request(client: httpx.AsyncClient) -> None:
    for capture in capture_logs(LogSettings(level="INFO", json=False)):
        await client.post("/graphql", json={"query": ADD, "variables": {"sku": "NO-SUCH-SKU"}})
        [line] = capture.text.splitlines()
        assert "POST /graphql AddToCart → PRODUCT_NOT_FOUND 200 " in line
        assert "upstream='CreateGuestCart " in line
        with pytest.raises(json.JSONDecodeError):
            json.loads(line)


@pytest.fixture
def sampled_out(settings: Settings, upstream: RecordingTransport, clock: FakeClock) -> httpx.AsyncClient:
    """A client of an app that keeps no access line of a successful request (``sample_ok=0``)."""
    quiet = settings.model_copy(update={"log": LogSettings(sample_ok=0)})
    app = create_app(quiet, magento_transport=upstream, clock=clock)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test")


async def test_sampling_drops_lines_of_successful_requests(sampled_out: httpx.AsyncClient, logs: LogCapture) -> None:
    async with sampled_out:
        await sampled_out.post("/graphql", json={"query": PRODUCTS})
    assert logs.requests() == []


async def test_sampling_never_drops_a_failed_request(sampled_out: httpx.AsyncClient, logs: LogCapture) -> None:
    async with sampled_out:
        await sampled_out.post("/graphql", json={"query": ADD, "variables": {"sku": "NO-SUCH-SKU"}})
        await sampled_out.post("/graphql", json={"query": "{ storeConfg { storeCode } }"})
    assert [line["outcome"] for line in logs.requests()] == ["PRODUCT_NOT_FOUND", "BAD_USER_INPUT"]


def test_a_background_writer_writes_every_line_by_the_time_it_stops() -> None:
    stream = io.StringIO()
    levels = {name: logging.getLogger(name).level for name in ("", *QUIET_LOGGERS, *SILENCED_LOGGERS)}
    handler = configure_logging(LogSettings(background=True), stream=stream)
    try:
        for n in range(50):
            logging.getLogger("bff.test").info("line", extra={"n": n})
    finally:
        logging.getLogger().removeHandler(handler)
        stop_writer(handler)
        structlog.reset_defaults()
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    assert [json.loads(line)["n"] for line in stream.getvalue().splitlines()] == list(range(50))
