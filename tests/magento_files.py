"""Where the tests find Magento's real schema and sample operations (never copied into the repo).

``MAGENTO_SCHEMA`` may point at ``schema.graphql`` itself or at the folder holding it; otherwise
``../shared/magento/`` beside the repository is used. When absent, tests that need it skip with a
reason, unless ``BFF_REQUIRE_MAGENTO_SCHEMA=1`` (``.ci/run`` sets it): then they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.magento_schema import magento_dir

__all__ = ["magento_dir", "require"]


def require(path: Path) -> Path:
    """``path`` if it exists; otherwise skip (or fail when the schema is required)."""
    if path.exists():
        return path
    reason = (
        f"Magento reference file {path} is missing: set MAGENTO_SCHEMA to the folder holding "
        "Magento's schema.graphql, default-install.graphql and operations-sample/"
    )
    if os.environ.get("BFF_REQUIRE_MAGENTO_SCHEMA") == "1":
        pytest.fail(reason)
    pytest.skip(reason)
