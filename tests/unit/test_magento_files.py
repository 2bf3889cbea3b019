"""Contract tests skip without Magento's schema, unless CI requires it (then they fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.magento_files import magento_dir, require


def test_a_missing_schema_skips_with_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BFF_REQUIRE_MAGENTO_SCHEMA", raising=False)
    with pytest.raises(pytest.skip.Exception, match="MAGENTO_SCHEMA"):
        require(tmp_path / "schema.graphql")


def test_a_missing_schema_fails_when_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BFF_REQUIRE_MAGENTO_SCHEMA", "1")
    with pytest.raises(pytest.fail.Exception, match="MAGENTO_SCHEMA"):
        require(tmp_path / "schema.graphql")


def test_magento_schema_may_name_the_file_or_its_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text("type Query { a: Int }")
    monkeypatch.setenv("MAGENTO_SCHEMA", str(tmp_path / "schema.graphql"))
    assert magento_dir() == tmp_path
    monkeypatch.setenv("MAGENTO_SCHEMA", str(tmp_path))
    assert magento_dir() == tmp_path
