"""The current storefront SDL may ship as the project's version (see bff/graphql/versions.py)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from bff.graphql.export import current_sdl
from bff.graphql.versions import release_problems

SCHEMA = Path(__file__).resolve().parents[2] / "schema"


def test_the_current_schema_keeps_the_release_rule() -> None:
    changelog = (SCHEMA / "CHANGELOG.md").read_text(encoding="utf-8")
    assert release_problems(current_sdl(), SCHEMA / "versions", version("bff"), changelog) == []
