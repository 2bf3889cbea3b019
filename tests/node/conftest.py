"""Fixtures of the Node client tests: the node binary (with tests/node's packages installed) and a
running ``bff dev`` on a free loopback port, one per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.deploy.tools import missing, require_tool
from tests.processes import Process, bff_process

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def node() -> str:
    path = require_tool("node", "nodejs", install="scripts/setup --with-node installs Debian's nodejs and npm")
    if not (HERE / "node_modules").is_dir():
        missing("tests/node/node_modules", "scripts/setup --with-node runs npm ci in tests/node")
    return path


@pytest.fixture(scope="module")
def bff(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    with bff_process(["dev"], {}, tmp_path_factory.mktemp("bff-dev"), "/healthz") as process:
        yield process
