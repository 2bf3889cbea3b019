"""Idempotency keys: what a valid key looks like and what a fingerprint covers."""

from __future__ import annotations

import re

import pytest

from bff.checkout.idempotency import fingerprint, validate_key
from bff.errors import BadUserInput


@pytest.mark.parametrize("key", ["3f2b9c1e-8d4a-4e1b-9c7f-2a6d5e4b3c21", "order:2026-11-26.001", "abcdefgh"])
def test_uuid_like_keys_are_accepted(key: str) -> None:
    validate_key(key)


@pytest.mark.parametrize("key", ["short", "x" * 129, "has space in it", "émoji-key-ü", ""])
def test_malformed_keys_are_bad_user_input(key: str) -> None:
    with pytest.raises(BadUserInput):
        validate_key(key)


def test_the_same_request_has_the_same_fingerprint() -> None:
    assert fingerprint("checkout", {"email": "a@b.c"}, "cart1") == fingerprint("checkout", {"email": "a@b.c"}, "cart1")


def test_a_different_cart_changes_the_fingerprint() -> None:
    assert fingerprint("placeOrder", {}, "cart1") != fingerprint("placeOrder", {}, "cart2")


def test_different_input_changes_the_fingerprint() -> None:
    assert fingerprint("checkout", {"email": "a@b.c"}, "c") != fingerprint("checkout", {"email": "x@b.c"}, "c")


def test_the_mutation_is_part_of_the_fingerprint() -> None:
    assert fingerprint("checkout", {}, "c") != fingerprint("placeOrder", {}, "c")


def test_a_fingerprint_is_a_sha256_hex_digest_that_does_not_spell_out_the_cart_id() -> None:
    hex_looking_cart_id = "0123456789abcdef0123456789abcdef"  # could hide inside a hex string
    fp = fingerprint("placeOrder", {}, hex_looking_cart_id)
    assert re.fullmatch(r"[0-9a-f]{64}", fp)
    assert hex_looking_cart_id not in fp
