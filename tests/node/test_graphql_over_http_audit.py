"""The graphql-http package's GraphQL-over-HTTP server audit (its `serverAudits`) against a running `bff dev`.

tests/node/package.json pins graphql-http; scripts/setup --with-node (run by scripts/test) installs
it with `npm ci`. Without Node or its packages the test is skipped, or fails with BFF_REQUIRE_TOOLS=1.
Every audit must pass: MUST, SHOULD and MAY. An audit the BFF fails on purpose would be listed in
EXCEPTIONS with its reason; there are none (the CSRF rule, JSON bodies only, and persisted-query
misses answered 200 are outside what the audit checks).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.processes import Process

HERE = Path(__file__).resolve().parent
AUDITS = 61  # graphql-http 1.23.1: every audit of serverAudits
EXCEPTIONS: dict[str, str] = {}  # audit id -> why the BFF answers otherwise


@pytest.fixture(scope="module")
def results(node: str, bff: Process) -> list[dict[str, Any]]:
    """Every audit's result: id, name, status ("ok", else "error", "warn" or "notice"), and why it failed."""
    command = [node, "http_audit.mjs", f"{bff.url}/graphql"]
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    audited: list[dict[str, Any]] = json.loads(done.stdout)["results"]
    return audited


def test_the_audit_runs_every_audit_of_the_pinned_graphql_http(results: list[dict[str, Any]]) -> None:
    assert len(results) == AUDITS


def test_every_audit_passes_but_the_documented_exceptions(results: list[dict[str, Any]]) -> None:
    failed = {r["id"]: r for r in results if r["status"] != "ok"}
    assert {id_: failed[id_] for id_ in failed.keys() - EXCEPTIONS.keys()} == {}
    assert sorted(failed) == sorted(EXCEPTIONS)


def test_no_must_fails(results: list[dict[str, Any]]) -> None:
    assert [r for r in results if r["name"].startswith("MUST") and r["status"] != "ok"] == []
