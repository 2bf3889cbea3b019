"""The README documents every error code the API can return."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from bff.errors import UserErrorCode
from bff.graphql.errors import CODES
from bff.settings import Settings, env_name

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize("code", [*CODES, *UserErrorCode])
def test_every_error_code_has_a_row_in_the_readme(code: str) -> None:
    assert f"| `{code}` |" in README


def _env_names(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[str]:
    names: list[str] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _env_names(annotation, (*prefix, key))
        else:
            names.append(env_name((*prefix, key)))
    return names


SETTINGS = _env_names(Settings)


@pytest.mark.parametrize("variable", SETTINGS)
def test_every_setting_is_documented_in_the_readme(variable: str) -> None:
    assert f"`{variable}`" in README


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    documented = set(re.findall(r"`(BFF_[A-Z0-9_]+)`", README))
    test_only = {"BFF_REQUIRE_MAGENTO_SCHEMA", "BFF_REQUIRE_TOOLS", "BFF_FUZZ_EXAMPLES", "BFF_FUZZ_SEED"}
    assert documented - set(SETTINGS) - test_only == set()


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "operations").glob("*.graphql"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_readme_states_each_example_operations_cost(path: Path) -> None:
    from bff.graphql.schema import build_schema
    from bff.limits.cost import document_cost
    from bff.magento.operations import operation_costs

    cost = document_cost(build_schema()._schema, path.read_text(), operation_costs())
    assert re.search(rf"\| `{path.stem}`[^|]*\| {cost} \|", README), f"README: {path.stem} costs {cost}"
