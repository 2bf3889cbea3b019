"""Tampered session tokens (sessions in process and in a real Redis: tests/fuzz/conftest.py): a
token that is not exactly the one issued is ignored (the shopper is new, with an empty cart),
never an error and never another session; the issued one still reaches its cart."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from tests.fuzz.answers import assert_answered
from tests.fuzz.conftest import Secrets
from tests.fuzz.examples import campaign_seed, examples
from tests.fuzz.requests import TOKEN_ALPHABET, post

ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'
CART = "{ cart { totalQuantity } }"


@st.composite
def tampering(draw: st.DrawFn) -> tuple[str, int, str]:
    """(how, where, with what): the edit ``tampered`` makes to a token."""
    how = draw(st.sampled_from(["none", "replace", "truncate", "append", "swapcase", "pad", "prefix"]))
    return how, draw(st.integers(0, 63)), draw(st.sampled_from(TOKEN_ALPHABET) | st.sampled_from([" ", "\x00", "é"]))


def tampered(token: str, edit: tuple[str, int, str]) -> str:
    how, at, char = edit
    at %= len(token)
    return {
        "none": token,
        "replace": token[:at] + char + token[at + 1 :],
        "truncate": token[:at],
        "append": token + char,
        "swapcase": token.swapcase(),
        "pad": f" {token} ",
        "prefix": char + token,
    }[how]


async def total_quantity(app: Starlette, headers: list[tuple[bytes, bytes]], secrets: Secrets) -> object:
    answer = await assert_answered(app, post({"query": CART}, headers), secrets())
    return json.loads(answer.body)["data"]["cart"]["totalQuantity"]


@examples(ci=15)
@campaign_seed
@given(edit=tampering(), place=st.sampled_from(["bearer", "cookie"]))
async def test_only_the_issued_session_token_reaches_its_cart(
    bff_app: Starlette, secrets: Secrets, edit: tuple[str, int, str], place: str
) -> None:
    added = await assert_answered(bff_app, post({"query": ADD}, []), secrets())
    token = added.header("x-session-token")
    assert token is not None
    sent = tampered(token, edit)
    value = sent.encode("utf-8")
    header = (b"authorization", b"Bearer " + value) if place == "bearer" else (b"cookie", b"bff_session=" + value)
    expected = 1 if sent.strip() == token else 0
    assert await total_quantity(bff_app, [header], secrets) == expected
