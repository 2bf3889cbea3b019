"""The process's one cache of GraphQL documents: parsed once, facts derived once, bounded."""

from __future__ import annotations

from bff.document_cache import Document, DocumentCache

QUERY = "{ storeConfig { storeCode } }"


def test_a_document_sent_again_is_the_same_parsed_document() -> None:
    cache = DocumentCache()
    first, again = cache.get(QUERY), cache.get(QUERY)
    assert first is again
    assert first.ast is not None
    assert first.ast is again.ast


def test_a_fact_is_computed_once_per_document() -> None:
    calls: list[str] = []

    def fact(document: Document) -> int:
        calls.append(document.text)
        return len(document.text)

    document = DocumentCache().get(QUERY)
    assert (document.derive(fact), document.derive(fact)) == (len(QUERY), len(QUERY))
    assert calls == [QUERY]


def test_the_least_recently_used_document_is_dropped_past_the_size() -> None:
    cache = DocumentCache(max_entries=2)
    a, b = cache.get("{ a }"), cache.get("{ b }")
    cache.get("{ a }")  # used again: "{ b }" is now the least recently used
    cache.get("{ c }")
    assert len(cache) == 2
    assert cache.get("{ a }") is a
    assert cache.get("{ b }") is not b


def test_a_document_longer_than_the_limit_is_never_kept() -> None:
    cache = DocumentCache(max_chars=10)
    long = "{ storeConfig { storeCode } }"
    assert cache.get(long) is not cache.get(long)
    assert len(cache) == 0


def test_a_document_that_does_not_parse_has_no_ast() -> None:
    assert Document("{ storeConfig { ").ast is None


def test_a_document_past_the_token_limit_is_not_parsed() -> None:
    document = Document("{ " + " ".join(f"f{i}: a" for i in range(100)) + " }", max_tokens=50)
    assert document.ast is None


def test_nesting_too_deep_for_the_parser_counts_as_not_parsing() -> None:
    text = "{ a " * 1500 + "}" * 1500  # within the token limit
    assert Document(text).ast is None
