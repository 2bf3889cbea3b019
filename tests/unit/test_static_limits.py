"""Static limits, measured as the document would execute, before anything runs."""

from __future__ import annotations

import pytest

from bff.document_cache import Document
from bff.errors import QueryTooComplex
from bff.limits.static import MAX_SELECTIONS, check_document
from bff.settings import LimitsSettings

LIMITS = LimitsSettings(max_depth=5, max_aliases=10, max_root_fields=4, max_directives=3, max_tokens=400)


def refusal(query: str, limits: LimitsSettings = LIMITS) -> dict[str, object]:
    with pytest.raises(QueryTooComplex) as caught:
        check_document(Document(query), None, limits)
    return caught.value.extensions


def test_a_document_within_every_limit_is_parsed() -> None:
    parsed = check_document(Document("{ storeConfig { storeCode } cart { totalQuantity } }"), None, LIMITS)
    assert parsed is not None
    assert parsed.operations[None].depth == 2


def test_a_depth_bomb_is_refused_with_its_depth_and_the_limit() -> None:
    assert refusal("{ a { b { c { d { e { f } } } } } }") == {"measure": "depth", "value": 6, "limit": 5}


def test_depth_counts_through_fragments() -> None:
    query = "query { a { ...F } } fragment F on X { b { c { d { e { f } } } } }"
    assert refusal(query) == {"measure": "depth", "value": 6, "limit": 5}


def test_a_nesting_too_deep_to_parse_is_refused_before_parsing() -> None:
    limits = LimitsSettings(max_depth=5, max_tokens=10_000)
    assert refusal("{" + "a {" * 2000 + "}" * 2001, limits)["measure"] == "depth"


def test_aliases_are_counted_each_time_their_fragment_is_spread() -> None:
    query = "{ x { ...F ...F ...F } } fragment F on X { a1: a a2: a a3: a a4: a }"
    assert refusal(query) == {"measure": "aliases", "value": 12, "limit": 10}


def test_a_fragment_spread_alias_bomb_is_refused() -> None:
    fragments = " ".join(f"fragment F{i} on X {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 12))
    query = "{ x { ...F11 } } fragment F0 on X { a: b } " + fragments
    assert refusal(query, LimitsSettings(max_tokens=2000)) == {"measure": "aliases", "value": 2048, "limit": 15}


def test_a_fragment_bomb_is_measured_without_expanding_it() -> None:
    # 2**39 selections as executed: expanding them would never finish; each fragment is measured once.
    fragments = " ".join(f"fragment F{i} on X {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 40))
    query = "{ x { ...F39 } } fragment F0 on X { b } " + fragments
    assert refusal(query, LimitsSettings(max_tokens=2000)) == {
        "measure": "selections", "value": 2**39 + 1, "limit": MAX_SELECTIONS,
    }  # fmt: skip


def test_root_fields_are_counted_through_fragments() -> None:
    query = "{ a b ...F } fragment F on Query { c d e }"
    assert refusal(query) == {"measure": "rootFields", "value": 5, "limit": 4}


def test_directives_are_counted_in_the_whole_document() -> None:
    query = "{ a @include(if: true) b @skip(if: false) c @include(if: true) d @include(if: true) }"
    assert refusal(query) == {"measure": "directives", "value": 4, "limit": 3}


def test_too_many_tokens_are_refused() -> None:
    assert refusal("{ " + "a " * 500 + "}")["measure"] == "tokens"


def test_an_oversized_document_is_refused_by_its_size() -> None:
    limits = LimitsSettings(max_document_bytes=256)
    assert refusal("{ storeConfig { storeCode } }" + " " * 300, limits) == {
        "measure": "documentBytes", "value": 329, "limit": 256,
    }  # fmt: skip


def test_a_refusal_never_echoes_the_document() -> None:
    query = "{ secretField1 { b { c { d { e { f } } } } } }"
    with pytest.raises(QueryTooComplex) as caught:
        check_document(Document(query), None, LIMITS)
    assert "secretField1" not in caught.value.message
    assert caught.value.message == "The query is too complex: the depth (6) is over the limit (5)."


def test_a_fragment_cycle_does_not_hang_and_is_left_to_validation() -> None:
    assert check_document(Document("{ x { ...A } } fragment A on X { ...B } fragment B on X { ...A }"), None, LIMITS)


def test_a_document_that_does_not_parse_is_left_to_validation() -> None:
    assert check_document(Document("{ storeConfig { "), None, LIMITS) is None


def test_the_named_operation_is_measured() -> None:
    query = "query Small { a } query Deep { a { b { c { d { e { f } } } } } }"
    assert check_document(Document(query), "Small", LIMITS) is not None
    with pytest.raises(QueryTooComplex):
        check_document(Document(query), "Deep", LIMITS)
