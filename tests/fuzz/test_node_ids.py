"""``node(id:)`` with ids this API could have made (the right encoding) around keys it never
made: every type name a fetcher knows, and others, with 0-3 keys of any text. Each answer is
coded and clean; a node found is the one asked for."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from bff.graphql.node import node_id
from tests.fuzz.answers import assert_answered
from tests.fuzz.conftest import Secrets
from tests.fuzz.examples import campaign_seed, examples
from tests.fuzz.requests import post

NODE = "query ($id: ID!) { node(id: $id) { id __typename } }"
TYPES = ["Cart", "CartLine", "Address", "Product", "ProductVariant", "Category", "Customer", "Order", "Nope", ""]
#: Keys as a client could tamper them: any text (surrogates excluded: no id's UTF-8 holds one), and real-looking ones.
keys = st.text(st.characters(exclude_categories=["Cs"]), max_size=40) | st.sampled_from(
    ["current", "BAG-001", "MQ==", "1", "-1", "0", "..", "%", "/", "\x00", "jane@example.com", "9" * 400]
)


@examples(ci=30)
@campaign_seed
@given(type_name=st.sampled_from(TYPES), parts=st.lists(keys, max_size=3))
async def test_a_node_id_around_any_keys_gets_a_coded_answer_naming_that_node_or_none(
    bff_app: Starlette, secrets: Secrets, type_name: str, parts: list[str]
) -> None:
    asked = str(node_id(type_name, *parts))
    answer = await assert_answered(bff_app, post({"query": NODE, "variables": {"id": asked}}, []), secrets())
    node = (json.loads(answer.body).get("data") or {}).get("node")
    assert node is None or node["id"] == asked
