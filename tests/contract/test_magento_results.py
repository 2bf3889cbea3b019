"""The typed results in bff/magento/results/ are exactly what the documents and Magento's schema give."""

from __future__ import annotations

import importlib

import pytest
from graphql import GraphQLSchema

from bff.magento.operations import Operation, all_operations
from tools.make_magento_results import OUT, generate


@pytest.fixture(scope="module")
def generated(magento_schema: GraphQLSchema) -> dict[str, str]:
    return generate(magento_schema)


def test_every_generated_module_is_committed_and_current(generated: dict[str, str]) -> None:
    stale = [name for name, text in generated.items() if (OUT / name).read_text(encoding="utf-8") != text]
    assert stale == [], "run: .venv/bin/python -m tools.make_magento_results"


def test_no_module_is_left_over_from_a_removed_folder(generated: dict[str, str]) -> None:
    assert sorted(p.name for p in OUT.glob("*.py")) == sorted(generated)


def test_every_operation_has_a_typed_handle_in_its_domain_module() -> None:
    handles = {
        (op.name, domain)
        for domain in {d.domain for d in all_operations().values()}
        for op in vars(importlib.import_module(f"bff.magento.results.{domain}")).values()
        if isinstance(op, Operation)
    }
    assert handles == {(op.name, op.domain) for op in all_operations().values()}
