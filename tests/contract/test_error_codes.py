"""The SDL's ErrorCode enum lists exactly the codes top-level errors carry."""

from __future__ import annotations

from bff.graphql.error_codes import ErrorCode
from bff.graphql.errors import CODES
from bff.graphql.export import current_sdl


def test_the_error_code_enum_lists_every_code_and_no_other() -> None:
    assert [c.name for c in ErrorCode] == list(CODES)


def test_the_error_code_enum_is_in_the_schema() -> None:
    assert "enum ErrorCode {" in current_sdl()
