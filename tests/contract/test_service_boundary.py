"""Domain services speak in typed results and outcomes: no Magento field names or error strings.

Each domain's ``mapping.py`` is the one module that reads Magento's fields; ``bff/magento/outcomes``
turns Magento's error codes into enums. These tests read the services' source and fail on what
would mean digging through Magento's answers again: subscripts or ``.get`` with a string key,
a Magento response key, or one of Magento's enum values (error codes, stock statuses).
"""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest
from graphql import FieldNode, parse, visit
from graphql.language import Visitor

from bff.magento.operations import all_operations
from bff.magento.results import enums

SERVICES = sorted(Path("bff").glob("*/service.py"))


def _response_keys() -> set[str]:
    """Every key Magento answers for our documents that looks like Magento's (snake_case or camelCase)."""
    keys: set[str] = set()

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: object) -> None:
            keys.add((node.alias or node.name).value)

    for op in all_operations().values():
        visit(parse(op.document), Collect())
    return {k for k in keys if "_" in k.strip("_") or any(c.isupper() for c in k[1:])}


MAGENTO_KEYS = _response_keys()
MAGENTO_ENUM_VALUES = {
    value for name, alias in vars(enums).items() if typing.get_origin(alias) is typing.Literal
    and name != "CurrencyEnum"  # currency codes are the storefront's vocabulary too
    for value in typing.get_args(alias)
}  # fmt: skip


def _code_strings(tree: ast.Module) -> list[ast.Constant]:
    """String constants that are not docstrings and not keys of a dict literal (operation variables)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }  # fmt: skip
    variable_names = {id(k) for node in ast.walk(tree) if isinstance(node, ast.Dict) for k in node.keys if k}
    return [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and id(node) not in docstrings and id(node) not in variable_names
    ]  # fmt: skip


def test_the_rules_know_magentos_vocabulary() -> None:
    assert {"addProductsToCart", "user_errors", "stock_status", "customerCart"} <= MAGENTO_KEYS
    assert {"CART_NOT_ACTIVE", "GUEST_EMAIL_MISSING", "IN_STOCK", "ITEM_QTY"} <= MAGENTO_ENUM_VALUES
    assert len(SERVICES) == 4


@pytest.mark.parametrize("path", SERVICES, ids=str)
def test_a_service_does_not_dig_through_dicts(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    digs = [
        ast.unparse(node) for node in ast.walk(tree)
        if (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str))
        or (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))
    ]  # fmt: skip
    assert digs == []


@pytest.mark.parametrize("path", SERVICES, ids=str)
def test_a_service_names_no_magento_field(path: Path) -> None:
    strings = _code_strings(ast.parse(path.read_text(encoding="utf-8")))
    assert sorted({str(s.value) for s in strings} & MAGENTO_KEYS) == []


@pytest.mark.parametrize("path", SERVICES, ids=str)
def test_a_service_matches_no_magento_code_as_a_string(path: Path) -> None:
    strings = _code_strings(ast.parse(path.read_text(encoding="utf-8")))
    assert sorted({str(s.value) for s in strings} & MAGENTO_ENUM_VALUES) == []
