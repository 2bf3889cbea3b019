"""GraphQL answers are encoded by orjson: the same JSON values the stdlib gives, UTF-8."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bff.graphql.json_bytes import dumps

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_an_answer_decodes_to_the_value_encoded(value: object) -> None:
    assert json.loads(dumps(value)) == value


def test_non_ascii_text_is_sent_as_itself_in_utf8() -> None:
    assert dumps({"name": "Sac à dos €"}) == '{"name":"Sac à dos €"}'.encode()


def test_an_integer_past_64_bits_still_encodes() -> None:
    assert json.loads(dumps({"n": 2**70})) == {"n": 2**70}
