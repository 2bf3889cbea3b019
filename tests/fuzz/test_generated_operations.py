"""Generated storefront operations through the public HTTP API: every answer is coded and clean.

Documents come from hypothesis-graphql over the committed schema (schema/schema.graphql):
queries and mutations with generated arguments, valid ones (``Mode.POSITIVE``) and ones with a
single schema violation (``Mode.NEGATIVE``), strings with NUL bytes and (``codec=None``) lone
surrogates. They are sent as POST or GET, with their arguments inline or lifted into variables,
with garbage or unknown session credentials, ``Store`` and ``Content-Currency`` headers, odd
``Accept`` headers and persisted-query extensions (random, or the document's own hash: registered,
then sent alone). The properties are in tests/fuzz/answers.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hypothesis_graphql as hg
from graphql import IntValueNode, StringValueNode, build_schema
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from bff.cache.documents import PUBLIC_ROOT_FIELDS
from tests.fuzz.answers import assert_answered
from tests.fuzz.asgi import RawRequest
from tests.fuzz.conftest import Secrets
from tests.fuzz.examples import campaign_seed, examples
from tests.fuzz.requests import accept, get, locale_headers, persisted_extensions, post, session_headers
from tests.fuzz.variables import lifted
from tests.storefront_fixtures import without_cost

SCHEMA = build_schema((Path(__file__).parents[2] / "schema" / "schema.graphql").read_text())

#: ``Decimal`` literals (``filter.priceFrom``/``priceTo``): decimal strings, odd ones (NaN, huge
#: exponents, separators), and numbers; hypothesis-graphql leaves custom scalars out without one.
decimals = st.one_of(
    st.decimals(places=None).map(str),
    st.sampled_from(["NaN", "-Infinity", "1e999999999", "1E-999999999", "-0", "1_000", " 5", "", "0x10", "5.00"]),
).map(lambda text: StringValueNode(value=text)) | st.integers().map(lambda n: IntValueNode(value=str(n)))
SCALARS = {"Decimal": decimals}

documents = st.one_of(
    hg.from_schema(SCHEMA, custom_scalars=SCALARS),
    hg.from_schema(SCHEMA, custom_scalars=SCALARS, codec=None),
    hg.from_schema(SCHEMA, custom_scalars=SCALARS, mode=hg.Mode.NEGATIVE),
    hg.from_schema(SCHEMA, custom_scalars=SCALARS, mode=hg.Mode.NEGATIVE, codec=None),
)


@st.composite
def operations(draw: st.DrawFn) -> list[RawRequest]:
    """One request, or two: an APQ registration (query and hash), then the hash alone."""
    document = draw(documents)
    payload: dict[str, Any] = {"query": document}
    if draw(st.booleans()):
        payload["query"], payload["variables"] = lifted(SCHEMA, document)
    then_by_hash = False
    if draw(st.sampled_from([False, False, True])):
        payload["extensions"] = draw(persisted_extensions(payload["query"]))
        then_by_hash = draw(st.booleans())
    headers = draw(session_headers()) + draw(locale_headers)
    wanted = draw(accept)
    if wanted is not None:
        headers.append((b"accept", wanted))
    send = get if draw(st.sampled_from(["POST", "POST", "POST", "GET"])) == "GET" else post
    if not then_by_hash:
        return [send(payload, headers)]
    by_hash = {k: v for k, v in payload.items() if k != "query"}
    return [post(payload, headers), send(by_hash, headers)]


@examples(ci=60)
@campaign_seed
@given(requests=operations())
async def test_a_generated_operation_gets_a_coded_clean_answer(
    bff_app: Starlette, secrets: Secrets, requests: list[RawRequest]
) -> None:
    for request in requests:
        await assert_answered(bff_app, request, secrets())


PUBLIC_FIELDS = sorted(PUBLIC_ROOT_FIELDS - {"__typename"})


@examples(ci=30)
@campaign_seed
@given(document=hg.queries(SCHEMA, fields=PUBLIC_FIELDS), headers=session_headers(min_size=1))
async def test_garbage_credentials_are_ignored_a_catalog_read_answers_as_for_a_new_shopper(
    bff_app: Starlette, secrets: Secrets, document: str, headers: list[tuple[bytes, bytes]]
) -> None:
    # With credentials first: its answer, if stored, is what the anonymous read gets from the cache.
    with_garbage = await assert_answered(bff_app, post({"query": document}, headers), secrets())
    anonymous = await assert_answered(bff_app, post({"query": document}, []), secrets())
    assert with_garbage.status == anonymous.status
    assert without_cost(json.loads(with_garbage.body)) == without_cost(json.loads(anonymous.body))
