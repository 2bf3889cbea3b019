"""Random idempotency keys at checkout: whatever the key and however often the same request is
sent, at most one order is placed for it, every answer to it names the same order, and a key
the API refuses places none."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from bff.sandbox import SandboxState
from tests.api.test_checkout import CHECKOUT
from tests.fuzz.answers import assert_answered
from tests.fuzz.conftest import Secrets
from tests.fuzz.examples import campaign_seed, examples
from tests.fuzz.requests import post, wild_text
from tests.storefront import checkout_input

ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { userErrors { code } } }'

keys = st.from_regex(r"[A-Za-z0-9_:.\-]{8,128}", fullmatch=True) | wild_text  # well-formed, or anything


@examples(ci=15)
@campaign_seed
@given(key=keys, sends=st.integers(1, 3))
async def test_a_random_idempotency_key_places_at_most_one_order_and_every_answer_names_it(
    bff_app: Starlette, secrets: Secrets, sandbox_state: SandboxState, key: str, sends: int
) -> None:
    added = await assert_answered(bff_app, post({"query": ADD}, []), secrets())
    token = added.header("x-session-token")
    assert token is not None
    bearer = [(b"authorization", b"Bearer " + token.encode())]
    orders_before = len(sandbox_state.orders)
    numbers = set()
    for _ in range(sends):
        request = post({"query": CHECKOUT, "variables": {"input": checkout_input(key)}}, bearer)
        answer = json.loads((await assert_answered(bff_app, request, secrets())).body)
        checkout = (answer.get("data") or {}).get("checkout") or {}
        numbers.add((checkout.get("order") or {}).get("number"))
    placed = [o.number for o in sandbox_state.orders[orders_before:]]
    assert len(placed) <= 1
    assert numbers == ({placed[0]} if placed else {None})
