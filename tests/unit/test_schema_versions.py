"""The release rule: breaking changes against the latest frozen SDL need a new version and a changelog entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bff.cli import main
from bff.graphql.versions import release_problems, releases, schema_changes

V1 = "type Query { cart: Cart! }\ntype Cart { totalQuantity: String! email: String }\n"
V2_ADDS = "type Query { cart: Cart! }\ntype Cart { totalQuantity: String! email: String id: ID! }\n"
V2_BREAKS = "type Query { cart: Cart! }\ntype Cart { totalQuantity: Float! email: String }\n"


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    (tmp_path / "0.1.0.graphql").write_text(V1)
    (tmp_path / "0.0.9.graphql").write_text(V1)
    return tmp_path


def test_releases_are_ordered_by_version_not_by_name(tmp_path: Path) -> None:
    for name in ("0.10.0", "0.9.0", "0.2.0"):
        (tmp_path / f"{name}.graphql").write_text(V1)
    assert [v for v, _ in releases(tmp_path)] == ["0.2.0", "0.9.0", "0.10.0"]


def test_a_changed_field_type_is_breaking() -> None:
    assert [str(c) for c in schema_changes(V1, V2_BREAKS)] == [
        "breaking: FIELD_CHANGED_KIND: Field Cart.totalQuantity changed type from String! to Float!."
    ]


def test_an_added_field_is_no_problem_under_the_same_version(versions: Path) -> None:
    assert release_problems(V2_ADDS, versions, "0.1.0", "") == []


def test_a_breaking_change_under_the_released_version_is_refused(versions: Path) -> None:
    assert release_problems(V2_BREAKS, versions, "0.1.0", "") == [
        "breaking: FIELD_CHANGED_KIND: Field Cart.totalQuantity changed type from String! to Float!. (against 0.1.0): "
        "bump the version and say so in the changelog"
    ]


def test_a_breaking_change_needs_the_changelog_to_say_so(versions: Path) -> None:
    assert release_problems(V2_BREAKS, versions, "0.2.0", "## 0.2.0\n\nNew fields.\n") == [
        "1 breaking change(s) against 0.1.0: the changelog's ## 0.2.0 must say Breaking"
    ]
    assert release_problems(V2_BREAKS, versions, "0.2.0", "## 0.2.0\n\nBreaking: quantities are Float.\n") == []


def test_the_version_never_goes_below_the_latest_release(versions: Path) -> None:
    assert release_problems(V1, versions, "0.0.5", "") == ["version 0.0.5 is below the latest release 0.1.0"]


def test_without_a_release_nothing_is_refused(tmp_path: Path) -> None:
    assert release_problems(V2_BREAKS, tmp_path, "0.1.0", "") == []


def test_bff_schema_diff_prints_the_changes_and_fails_on_breaking_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.graphql"
    old.write_text("type Query { gone: String }\n")
    with pytest.raises(SystemExit) as exited:
        main(["schema", "diff", "--against", str(old), "--versions", str(tmp_path)])
    assert exited.value.code == 1
    assert "breaking: FIELD_REMOVED: Field Query.gone was removed." in capsys.readouterr().out


def test_bff_schema_release_freezes_the_current_schema_once(tmp_path: Path) -> None:
    from importlib.metadata import version

    from bff.graphql.export import current_sdl

    main(["schema", "release", "--versions", str(tmp_path)])
    assert (tmp_path / f"{version('bff')}.graphql").read_text() == current_sdl()
    with pytest.raises(SystemExit, match="exists"):
        main(["schema", "release", "--versions", str(tmp_path)])
