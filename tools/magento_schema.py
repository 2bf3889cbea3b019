"""Where Magento's real storefront schema is, and the schema built from it (tools and tests share this).

``MAGENTO_SCHEMA`` may point at ``schema.graphql`` itself or at the folder holding it; otherwise
``../shared/magento/`` beside the repository is used. The folder also holds
``default-install.graphql`` (the filter fields a default install adds at run time) and
``operations-sample/``. Nothing from it is ever copied into this repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from graphql import GraphQLSchema, build_schema

REPO = Path(__file__).resolve().parents[1]


def magento_dir() -> Path:
    configured = os.environ.get("MAGENTO_SCHEMA")
    if configured:
        path = Path(configured)
        return path.parent if path.is_file() else path
    return REPO.parent / "shared" / "magento"


def magento_sdl(folder: Path) -> str:
    """``schema.graphql`` plus ``default-install.graphql``: the schema a default install serves."""
    return (
        (folder / "schema.graphql").read_text(encoding="utf-8")
        + "\n"
        + (folder / "default-install.graphql").read_text(encoding="utf-8")
    )


def magento_schema(folder: Path) -> GraphQLSchema:
    return build_schema(magento_sdl(folder))
