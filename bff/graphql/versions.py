"""Released storefront SDLs and the rule that keeps clients working across releases.

Each release's SDL is frozen as ``schema/versions/<version>.graphql`` (``bff schema release``);
``schema/CHANGELOG.md`` has a ``## <version>`` section per release. The rule
(``release_problems``), checked by ``tests/contract/test_schema_versions.py`` against the current
SDL and the project's version:

* a breaking change (graphql-core's ``find_breaking_changes``: a removed field, a type change,
  a new required argument, …) against the latest release needs a higher version than that
  release, and the changelog's section for that version must say ``Breaking``;
* the version never goes below the latest release.

``bff schema diff`` prints every breaking and dangerous change against the latest release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graphql import build_schema, find_breaking_changes, find_dangerous_changes

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def version_key(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(f"{version!r} is not a version such as 0.2.0")
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch)


@dataclass(frozen=True, slots=True)
class SchemaChange:
    severity: Literal["breaking", "dangerous"]
    kind: str  # graphql-core's change type, e.g. FIELD_REMOVED
    description: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.kind}: {self.description}"


def schema_changes(old_sdl: str, new_sdl: str) -> list[SchemaChange]:
    """What changed for clients from ``old_sdl`` to ``new_sdl``."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    breaking = [SchemaChange("breaking", c.type.name, c.description) for c in find_breaking_changes(old, new)]
    dangerous = [SchemaChange("dangerous", c.type.name, c.description) for c in find_dangerous_changes(old, new)]
    return breaking + dangerous


def releases(directory: Path) -> list[tuple[str, Path]]:
    """The frozen releases, oldest first."""
    found = [(p.stem, p) for p in directory.glob("*.graphql") if _VERSION.match(p.stem)]
    return sorted(found, key=lambda release: version_key(release[0]))


def _section(changelog: str, version: str) -> str | None:
    match = re.search(rf"^## {re.escape(version)}\b.*?(?=^## |\Z)", changelog, flags=re.MULTILINE | re.DOTALL)
    return match.group(0) if match else None


def release_problems(current_sdl: str, directory: Path, version: str, changelog: str) -> list[str]:
    """Why the current SDL may not ship as ``version`` (empty when it may)."""
    frozen = releases(directory)
    if not frozen:
        return []
    latest, path = frozen[-1]
    if version_key(version) < version_key(latest):
        return [f"version {version} is below the latest release {latest}"]
    breaking = [c for c in schema_changes(path.read_text(encoding="utf-8"), current_sdl) if c.severity == "breaking"]
    if not breaking:
        return []
    if version == latest:
        return [f"{c} (against {latest}): bump the version and say so in the changelog" for c in breaking]
    section = _section(changelog, version)
    if section is None or "Breaking" not in section:
        return [f"{len(breaking)} breaking change(s) against {latest}: the changelog's ## {version} must say Breaking"]
    return []
