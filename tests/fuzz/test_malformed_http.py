"""Malformed HTTP at the GraphQL endpoint: every answer is coded and clean (tests/fuzz/answers.py).

Bodies that are not JSON, not UTF-8 or JSON but not an object; the GraphQL parameters with wrong
types; strings that are huge or full of NULs, surrogates and RTL marks; nesting thousands deep in
``variables``, ``extensions``, ``query`` and the GraphQL document itself; odd and huge headers,
duplicated ones and lying ``Content-Length``; any method; and GET query strings that are not
well-formed (bad escapes, repeated parameters, bytes that are not UTF-8).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette

from tests.fuzz.answers import assert_answered
from tests.fuzz.asgi import RawRequest
from tests.fuzz.conftest import Secrets
from tests.fuzz.examples import campaign_seed, examples
from tests.fuzz.requests import (
    accept,
    content_type,
    header_bytes,
    json_values,
    persisted_extensions,
    post,
    session_headers,
    wild_text,
)

QUERIES = [
    "{ __typename }",
    '{ products(search: "bag") { totalCount } }',
    "query Q($n: Int!) { products(pageSize: $n) { totalCount } }",
    "query Q($s: String) { products(search: $s) { totalCount items { sku } } }",
    'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } } }',
    "mutation M($k: String!) { placeOrder(idempotencyKey: $k) { userErrors { code } } }",
    "{ cart { totalQuantity } customer { email } }",
]
NOT_UTF8 = [
    b"\xff",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\x80",
]  # stray, cut, surrogate, > U+10FFFF, overlong


@st.composite
def deep(draw: st.DrawFn) -> str:
    """JSON text nested ``depth`` deep in arrays or objects (or both), closed or not."""
    depth = draw(st.sampled_from([100, 254, 256, 500, 999, 1001, 5000, 20_000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"a":', "}]")]))
    tail = closer * depth if draw(st.booleans()) else ""
    return opener * depth + "1" + tail


@st.composite
def deep_values(draw: st.DrawFn) -> object:
    """A value nested in lists or objects, shallow enough for this process to encode (``deep`` goes further)."""
    value: object = draw(st.sampled_from([1, "x", None]))
    for _ in range(draw(st.sampled_from([100, 254, 256, 500, 700]))):
        value = [value] if draw(st.booleans()) else {"a": value}
    return value


@st.composite
def deep_document(draw: st.DrawFn) -> str:
    """A GraphQL document nested deep: selections, list literals, object literals or parentheses."""
    depth = draw(st.sampled_from([50, 500, 3000, 20_000]))
    kind = draw(st.sampled_from(["selections", "list", "object", "fragments"]))
    if kind == "selections":
        return "{ products " + "{ items " * depth + "}" * depth + " }"
    if kind == "list":
        return '{ products(search: "x", filter: {skus: ' + "[" * depth + '"a"' + "]" * depth + "}) { totalCount } }"
    if kind == "object":
        return "{ products(filter: " + "{a: " * depth + "1" + "}" * depth + ") { totalCount } }"
    names = [f"F{i}" for i in range(min(depth, 400))]
    spreads = " ".join(f"fragment {a} on Query {{ ...{b} }}" for a, b in itertools.pairwise(names))
    return f"{{ ...F0 }} {spreads} fragment {names[-1]} on Query {{ __typename }}"


@st.composite
def payloads(draw: st.DrawFn) -> object:
    """A GraphQL request object with each parameter drawn well-typed, wrong-typed, huge or deep."""
    payload: dict[str, Any] = {}
    query = draw(
        st.sampled_from(QUERIES)
        | json_values
        | deep_document()
        | wild_text.map(lambda t: '{ products(search: "' + t + '") { totalCount } }')
        | st.integers(1, 70_000).map(lambda n: "{ __typename " + " " * n + "}")
        | st.integers(1, 70_000).map(lambda n: '{ products(search: "' + "x" * n + '") { totalCount } }')
    )
    if draw(st.booleans()):
        payload["query"] = query
    for name, well_typed in (
        ("variables", st.fixed_dictionaries({"n": st.integers(), "s": wild_text, "k": wild_text})),
        ("operationName", st.sampled_from(["Q", "M", "", "Nope"]) | wild_text),
        ("extensions", persisted_extensions()),
    ):
        kind = draw(st.sampled_from(["absent", "well-typed", "any", "deep", "huge"]))
        if kind == "well-typed":
            payload[name] = draw(well_typed)
        elif kind == "any":
            payload[name] = draw(json_values)
        elif kind == "deep":
            payload[name] = draw(deep_values())
        elif kind == "huge":
            payload[name] = {"s": "x" * draw(st.integers(1, 70_000))}
    return payload


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """Request bodies: JSON objects as above, other JSON, raw bytes, bad UTF-8, deep JSON text, batches."""
    kind = draw(st.sampled_from(["payload", "payload", "json", "bytes", "bad-utf8", "deep", "batch", "text"]))
    if kind == "payload":
        return json.dumps(draw(payloads())).encode()
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "bad-utf8":
        text = json.dumps(draw(payloads())).encode()
        cut = draw(st.integers(0, len(text)))
        return text[:cut] + draw(st.sampled_from(NOT_UTF8)) + text[cut:]
    if kind == "deep":
        field = draw(st.sampled_from(["query", "variables", "extensions", "operationName"]))
        return ('{"query": "{ __typename }", "' + field + '": ' + draw(deep()) + "}").encode()
    if kind == "batch":
        return json.dumps(draw(st.lists(payloads(), max_size=3))).encode()
    return draw(wild_text).encode("utf-8", "surrogatepass")


@st.composite
def odd_headers(draw: st.DrawFn) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(
            st.sampled_from([
                b"content-type", b"accept", b"content-length", b"store", b"content-currency", b"x-forwarded-for",
                b"x-forwarded-for",
                b"x-request-id", b"x-api-key", b"origin", b"accept-language", b"cookie", b"if-none-match",
                b"accept-encoding", b"transfer-encoding", b"x-session-token", b"authorization",
            ])
            | st.binary(min_size=1, max_size=20)
        )  # fmt: skip
        value = draw(
            header_bytes
            | st.sampled_from([b"-1", b"99999999999999999999", b"0", b"1e3", b" 12", b"\xff", b"\xb2", b"1\xb9"])
            | st.integers(8_000, 70_000).map(lambda n: b"a" * n)
        )
        headers.append((name, value))
    return headers


@st.composite
def posts(draw: st.DrawFn) -> RawRequest:
    kind = draw(st.integers(0, 9))  # mostly (0-6) a JSON body that gets read; else an odd or no Content-Type
    headers = [(b"content-type", b"application/json" if kind < 7 else draw(content_type))] if kind < 9 else []
    headers += draw(odd_headers()) + draw(session_headers())
    wanted = draw(accept)
    if wanted is not None:
        headers.append((b"accept", wanted))
    peer = draw(st.sampled_from(["203.0.113.7", "127.0.0.1"]))  # from a trusted proxy, X-Forwarded-For counts
    return RawRequest("POST", headers=tuple(headers), body=draw(bodies()), client=peer)


@st.composite
def query_strings(draw: st.DrawFn) -> bytes:
    """GET parameters as raw bytes: encoded payloads, repeats, bad escapes, NULs, non-UTF-8 bytes."""
    parts: list[bytes] = []
    for _ in range(draw(st.integers(0, 5))):
        name = draw(st.sampled_from([b"query", b"variables", b"operationName", b"extensions", b"q%75ery", b""]))
        value = draw(
            st.sampled_from([q.encode() for q in QUERIES])
            | st.sampled_from([b"%ZZ", b"%", b"%f", b"%ff%fe", b"%00", b"%ed%a0%80", b"+", b"%7B", b"{", b"null"])
            | st.binary(max_size=40)
            | json_values.map(lambda v: json.dumps(v).encode())
            | deep().map(str.encode)
        )
        parts.append(name + draw(st.sampled_from([b"=", b"", b"=="])) + value)
    return draw(st.sampled_from([b"&", b";", b"&&"])).join(parts)


@st.composite
def gets(draw: st.DrawFn) -> RawRequest:
    headers = draw(odd_headers()) + draw(session_headers())
    wanted = draw(accept)
    if wanted is not None:
        headers.append((b"accept", wanted))
    peer = draw(st.sampled_from(["203.0.113.7", "127.0.0.1"]))
    return RawRequest("GET", query_string=draw(query_strings()), headers=tuple(headers), client=peer)


METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "get", "X"]


@examples(ci=60)
@campaign_seed
@given(request=posts())
async def test_a_malformed_post_gets_a_coded_clean_answer(
    bff_app: Starlette, secrets: Secrets, request: RawRequest
) -> None:
    await assert_answered(bff_app, request, secrets())


@examples(ci=60)
@campaign_seed
@given(request=gets())
async def test_a_malformed_get_gets_a_coded_clean_answer(
    bff_app: Starlette, secrets: Secrets, request: RawRequest
) -> None:
    await assert_answered(bff_app, request, secrets())


@examples(ci=30)
@campaign_seed
@given(method=st.sampled_from(METHODS), payload=payloads(), headers=odd_headers())
async def test_any_method_gets_a_coded_clean_answer(
    bff_app: Starlette, secrets: Secrets, method: str, payload: object, headers: list[tuple[bytes, bytes]]
) -> None:
    request = post(payload, headers)
    await assert_answered(bff_app, RawRequest(method, headers=request.headers, body=request.body), secrets())
