"""X-Request-ID: accepted when well-formed, generated otherwise, returned, forwarded, logged."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from bff.observability.request_id import request_id_from
from tests.observability.conftest import LogCapture
from tests.recording import RecordingTransport

PRODUCTS = '{ products(search: "bag") { totalCount } }'
SIGN_IN = 'mutation { signIn(email: "roni_cost@example.com", password: "Roni-Cost-3") { viewer { signedIn } } }'
GENERATED = re.compile(r"[0-9a-f]{32}")


async def test_a_well_formed_client_request_id_is_kept_and_returned(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": PRODUCTS}, headers={"X-Request-ID": "web:checkout-42.a_b"})
    assert response.headers["X-Request-ID"] == "web:checkout-42.a_b"


async def test_a_request_id_is_generated_when_none_is_sent(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": PRODUCTS})
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


@pytest.mark.parametrize("bad", [b"has spaces", b"x" * 129, b"semi;colon", b"", "\u00fcn\u00ef".encode()])
async def test_a_malformed_request_id_is_replaced_by_a_generated_one(client: httpx.AsyncClient, bad: bytes) -> None:
    response = await client.post("/graphql", json={"query": PRODUCTS}, headers={b"X-Request-ID": bad})
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_generated_request_ids_are_distinct() -> None:
    ids = {request_id_from(None) for _ in range(1000)}
    assert len(ids) == 1000
    assert all(GENERATED.fullmatch(i) for i in ids)


def test_a_request_id_of_128_allowed_characters_is_accepted() -> None:
    assert request_id_from("a" * 128) == "a" * 128


async def test_every_response_carries_a_request_id_also_outside_graphql(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "probe-1"})
    assert response.headers["X-Request-ID"] == "probe-1"


async def test_the_client_request_id_is_forwarded_to_magento(
    client: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    await client.post("/graphql", json={"query": PRODUCTS}, headers={"X-Request-ID": "req-12345"})
    assert [r.headers["X-Request-ID"] for r in upstream.requests] == ["req-12345"]


async def test_a_generated_request_id_is_forwarded_to_magento(
    client: httpx.AsyncClient, upstream: RecordingTransport
) -> None:
    response = await client.post("/graphql", json={"query": PRODUCTS}, headers={"X-Request-ID": "not valid"})
    assert upstream.requests[-1].headers["X-Request-ID"] == response.headers["X-Request-ID"]


async def test_the_request_id_is_on_every_log_line_of_the_request(client: httpx.AsyncClient, logs: LogCapture) -> None:
    await client.post("/graphql", json={"query": SIGN_IN}, headers={"X-Request-ID": "req-sign-in"})
    lines = logs.lines()
    assert {line["event"] for line in lines} >= {"customer signed in", "request"}
    assert {line.get("request_id") for line in lines} == {"req-sign-in"}


async def test_the_request_id_is_not_bound_after_the_request(client: httpx.AsyncClient, logs: LogCapture) -> None:
    await client.post("/graphql", json={"query": PRODUCTS}, headers={"X-Request-ID": "req-done"})
    logging.getLogger("bff.test").info("between requests")
    assert "request_id" not in logs.lines()[-1]
