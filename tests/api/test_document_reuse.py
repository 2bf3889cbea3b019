"""A document a frontend sends again is neither parsed nor validated again, and answered the same."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import strawberry.schema.schema

import bff.document_cache
import bff.graphql.validation
from tests.storefront_fixtures import Gql

LISTING = 'query Listing { products(search: "bag", pageSize: 2) { items { sku } } }'


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often the BFF (and Strawberry behind it) parsed and validated a document."""
    counts: Counter[str] = Counter()

    def counting(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return wrapper

    for module in (bff.document_cache, strawberry.schema.schema):
        monkeypatch.setattr(module, "parse", counting("parse", module.parse))
    for module in (bff.graphql.validation, strawberry.schema.schema):
        monkeypatch.setattr(module, "validate", counting("validate", module.validate))
    return counts


async def test_a_document_sent_again_is_parsed_and_validated_once(gql: Gql, counted: Counter[str]) -> None:
    answers = [await gql(LISTING) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert "errors" not in answers[0]
    assert counted == Counter({"parse": 1, "validate": 1})


async def test_a_document_sent_again_gets_the_same_validation_errors(gql: Gql) -> None:
    first, again = await gql("{ storeConfg { storeCode } }"), await gql("{ storeConfg { storeCode } }")
    assert first == again
    assert [e["extensions"]["code"] for e in first["errors"]] == ["BAD_USER_INPUT"]


async def test_a_syntax_error_is_reported_every_time(gql: Gql) -> None:
    first, again = await gql("{ storeConfig { "), await gql("{ storeConfig { ")
    assert first == again
    assert first["errors"][0]["message"].startswith("Syntax Error")
