"""``CacheIds``: the X-Magento-Cache-Id last received per store view and currency, bounded."""

from __future__ import annotations

from bff.magento.cache_ids import CacheIds

ID_A, ID_B = "a" * 64, "b" * 64


def test_the_last_id_received_for_a_context_is_the_one_given() -> None:
    ids = CacheIds()
    ids.remember("de", "EUR", ID_A)
    ids.remember("de", "EUR", ID_B)
    assert ids.get("de", "EUR") == ID_B


def test_an_id_belongs_to_its_store_view_and_currency_only() -> None:
    ids = CacheIds()
    ids.remember("de", "EUR", ID_A)
    assert (ids.get("de", "USD"), ids.get("default", "EUR"), ids.get(None, None)) == (None, None, None)


def test_the_least_recently_received_context_is_forgotten_first() -> None:
    ids = CacheIds(max_contexts=2)
    ids.remember("a", None, ID_A)
    ids.remember("b", None, ID_A)
    ids.remember("a", None, ID_B)
    ids.remember("c", None, ID_A)
    assert [ids.get(s, None) for s in ("a", "b", "c")] == [ID_B, None, ID_A]


def test_a_value_that_cannot_be_a_cache_id_is_not_kept() -> None:
    ids = CacheIds()
    ids.remember("de", None, "x" * 500)
    ids.remember("en", None, "bad\r\nheader")
    assert (ids.get("de", None), ids.get("en", None)) == (None, None)
