"""The README documents every error code the API can return."""

from __future__ import annotations

from pathlib import Path

import pytest

from bff.errors import UserErrorCode
from bff.graphql.errors import CODES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize("code", [*CODES, *UserErrorCode])
def test_every_error_code_has_a_row_in_the_readme(code: str) -> None:
    assert f"| `{code}` |" in README
