"""A real Apollo Client 4 (its persisted-queries link over HttpLink, in Node) against a running `bff dev`.

tests/node/package.json pins the client; scripts/setup --with-node (run by scripts/test) installs
it with `npm ci`. Without Node or its packages the test is skipped, or fails with BFF_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bff.persisted.hashes import document_hash
from tests.processes import Process

HERE = Path(__file__).resolve().parent
# Apollo Client 4 sends Accept: application/graphql-response+json,application/json;q=0.9
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json; charset=utf-8"
PRODUCT = {"product": {"__typename": "Product", "sku": "BAG-001", "name": "Joust Duffle Bag"}}


@pytest.fixture(scope="module")
def run(node: str, bff: Process) -> dict[str, Any]:
    """What the client printed: every HTTP exchange of two identical queries, and their data."""
    command = [node, "apq_client.mjs", f"{bff.url}/graphql"]
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_link_registers_an_unknown_query_after_persisted_query_not_found(run: dict[str, Any]) -> None:
    first, registration = run["exchanges"][:2]
    assert first == {
        "method": "GET",
        "query": None,
        "sha256Hash": registration["sha256Hash"],
        "status": 200,
        "contentType": GRAPHQL_RESPONSE_JSON,
        "cacheControl": "private, no-store",
        "vary": "Origin",
        "errorCodes": ["PERSISTED_QUERY_NOT_FOUND"],
    }
    assert registration == {
        "method": "POST",
        "query": "query Product($sku: String!) {\n  product(sku: $sku) {\n    sku\n    name\n    __typename\n  }\n}",
        "sha256Hash": document_hash(registration["query"]),
        "status": 200,
        "contentType": GRAPHQL_RESPONSE_JSON,
        "cacheControl": None,
        "vary": "Origin",
        "errorCodes": [],
    }


def test_the_same_query_again_is_served_by_hash_over_get_with_public_cache_headers(run: dict[str, Any]) -> None:
    registration, again = run["exchanges"][1:]
    assert again == {
        "method": "GET",
        "query": None,
        "sha256Hash": registration["sha256Hash"],
        "status": 200,
        "contentType": GRAPHQL_RESPONSE_JSON,
        "cacheControl": "public, max-age=300",
        "vary": "Store, Content-Currency, Accept, Origin",
        "errorCodes": [],
    }


def test_both_queries_get_the_product(run: dict[str, Any]) -> None:
    assert run["results"] == [PRODUCT, PRODUCT]
