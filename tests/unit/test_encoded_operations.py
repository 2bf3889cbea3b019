"""``EncodedOperation``: the GET query string and POST body decode to the operation and its variables."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import httpx
from hypothesis import given
from hypothesis import strategies as st

from bff.magento.encoded import canonical_variables, encoded

LISTING = encoded("ProductListing")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
variables = st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=4)


@given(variables)
def test_the_get_query_string_decodes_to_the_operation_and_its_variables(values: dict[str, Any]) -> None:
    params = parse_qs(LISTING.get_query(canonical_variables(values)), keep_blank_values=True, strict_parsing=True)
    decoded = (params["query"], params["operationName"], json.loads(params["variables"][0]))
    assert decoded == ([LISTING.document], ["ProductListing"], values)


@given(variables)
def test_httpx_sends_the_get_query_string_unchanged(values: dict[str, Any]) -> None:
    query = LISTING.get_query(canonical_variables(values))
    assert httpx.URL(f"http://magento.test/graphql?{query}").query.decode() == query


@given(variables)
def test_the_post_body_decodes_to_the_operation_and_its_variables(values: dict[str, Any]) -> None:
    body = json.loads(LISTING.post_body(values))
    assert body == {"query": LISTING.document, "operationName": "ProductListing", "variables": values}


def test_equal_variables_in_another_order_encode_equally() -> None:
    assert canonical_variables({"a": 1, "b": {"d": 2, "c": 3}}) == canonical_variables({"b": {"c": 3, "d": 2}, "a": 1})
