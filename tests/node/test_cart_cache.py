"""Real clients against the storefront schema: Apollo Client 4's default cache keeps every watched
cart current with no typePolicies and no refetch, and GraphQL Code Generator types every documented
operation.

tests/node/package.json pins the clients; scripts/setup --with-node installs them with `npm ci`.
Without Node or its packages the tests are skipped, or fail with BFF_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bff.graphql.node import node_id
from tests.deploy.tools import missing, require_tool
from tests.processes import Process, bff_process

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CART_ID = node_id("Cart", "current")


@pytest.fixture(scope="module")
def node() -> str:
    path = require_tool("node", "nodejs", install="scripts/setup --with-node installs Debian's nodejs and npm")
    for package in ("@apollo/client", "@graphql-codegen/cli", "@graphql-codegen/client-preset", "typescript"):
        if not (HERE / "node_modules" / package).is_dir():
            missing(f"tests/node/node_modules/{package}", "scripts/setup --with-node runs npm ci in tests/node")
    return path


@pytest.fixture(scope="module")
def bff(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    with bff_process(["dev"], {}, tmp_path_factory.mktemp("bff-dev"), "/healthz") as process:
        yield process


@pytest.fixture(scope="module")
def steps(node: str, bff: Process) -> list[dict[str, Any]]:
    """What the watched queries showed after each step, as tests/node/cart_cache_client.mjs prints it."""
    command = [node, "cart_cache_client.mjs", f"{bff.url}/graphql"]
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)["steps"]
    return result


def _badge(total: float) -> dict[str, Any]:
    return {"__typename": "Cart", "id": CART_ID, "totalQuantity": total}


def test_each_step_sends_only_its_mutation_and_no_refetch(steps: list[dict[str, Any]]) -> None:
    assert [(s["step"], s["requests"], s["userErrors"]) for s in steps] == [
        ("watch", ["POST CartPage", "POST CartBadge"], []),
        ("addToCart", ["POST Add"], []),
        ("updateCartItems", ["POST Update"], []),
        ("removeCartItem", ["POST Remove"], []),
        ("checkout", ["POST Checkout"], []),
        ("addToCart again", ["POST Add"], []),
        ("signIn", ["POST SignIn"], []),
        ("signOut", ["POST SignOut"], []),
    ]


def test_the_cart_page_shows_the_cart_each_mutation_returned(steps: list[dict[str, Any]]) -> None:
    mutations = steps[1:]
    assert [s["CartPage"] for s in mutations] == [s["mutationCart"] for s in mutations]


def test_the_cart_page_shows_the_new_quantities_after_each_step(steps: list[dict[str, Any]]) -> None:
    shown = [(s["CartPage"]["totalQuantity"], [line["quantity"] for line in s["CartPage"]["items"]]) for s in steps]
    assert shown == [(0, []), (3, [2, 1]), (4, [3, 1]), (3, [3]), (0, []), (1, [1]), (1, [1]), (0, [])]


def test_the_header_badge_follows_every_step(steps: list[dict[str, Any]]) -> None:
    assert [s["CartBadge"] for s in steps] == [_badge(t) for t in (0, 3, 4, 3, 0, 1, 1, 0)]


def test_lines_keep_their_ids_while_the_cart_lasts(steps: list[dict[str, Any]]) -> None:
    added, updated, removed = (s["CartPage"]["items"] for s in steps[1:4])
    assert [line["id"] for line in updated] == [line["id"] for line in added]
    assert [line["id"] for line in removed] == [added[0]["id"]]


# --- GraphQL Code Generator -------------------------------------------------------------------

README_DOCUMENT = re.compile(r"```graphql\n(.*?)```", re.DOTALL)


def test_codegen_types_every_documented_operation_and_tsc_accepts_them(node: str, tmp_path: Path) -> None:
    readme = README_DOCUMENT.findall((REPO / "README.md").read_text())
    assert readme != []
    documents = sorted(str(p) for p in (REPO / "examples" / "operations").glob("*.graphql"))
    for i, text in enumerate(readme):
        (tmp_path / f"readme-{i}.graphql").write_text(text)
        documents.append(str(tmp_path / f"readme-{i}.graphql"))
    command = [node, "typegen.mjs", str(REPO / "schema" / "schema.graphql"), str(tmp_path / "out"), *documents]
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"documents": len(documents)}
    generated = (tmp_path / "out" / "gql" / "graphql.ts").read_text()
    assert "Decimal: { input: string; output: string; }" in generated
