"""Strategies for the parts of a request that the fuzz tests vary around a GraphQL payload:
session credentials, Accept and Content-Type headers, persisted-query extensions, and the
encoding of a payload as a POST body or a GET query string."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hypothesis import strategies as st

from tests.fuzz.asgi import RawRequest

TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

#: Any text, lone surrogates, NUL, RTL and zero-width marks included.
wild_text = st.text(st.characters(codec=None), max_size=40) | st.sampled_from(
    ["\x00", "\u202e\u202d", "\u200f\u200b\ufeff", "\ud800", "\udfff", "e\u0301" * 8, "\U0010ffff", "%00", "\r\n"]
)
#: Header value bytes: anything, from the latin-1 a header is read as to CR, LF and NUL.
header_bytes = st.binary(max_size=80) | wild_text.map(lambda s: s.encode("utf-8", "surrogatepass"))

token_shaped = st.text(st.sampled_from(TOKEN_ALPHABET), min_size=40, max_size=64)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | wild_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(wild_text, inner, max_size=4),
    max_leaves=12,
)


@st.composite
def session_headers(draw: st.DrawFn, min_size: int = 0) -> list[tuple[bytes, bytes]]:
    """None (unless ``min_size``), or garbage / well-shaped but unknown session credentials, in the
    places a client sends them and one it does not (``X-Session-Token`` is a response header)."""
    headers: list[tuple[bytes, bytes]] = []
    value = draw(token_shaped.map(str.encode) | header_bytes)
    places = st.sampled_from(["token", "bearer", "auth", "cookie", "raw-cookie"])
    for place in draw(st.lists(places, min_size=min_size, max_size=3)):
        if place == "token":
            headers.append((b"x-session-token", value))
        elif place == "bearer":
            headers.append((b"authorization", b"Bearer " + value))
        elif place == "auth":
            headers.append((b"authorization", draw(st.sampled_from([b"Basic ", b"bearer", b"", b"Bearer  "])) + value))
        elif place == "cookie":
            headers.append((b"cookie", b"bff_session=" + value))
        else:
            headers.append((b"cookie", value))
    return headers


accept = st.sampled_from([
    None, b"application/json", b"application/graphql-response+json", b"*/*", b"text/html", b"application/xml",
    b"application/json;q=0", b"application/graphql-response+json;q=0.5, application/json;q=0.9", b"", b";;;",
    b"application/*", b"text/*;q=x",
]) | header_bytes  # fmt: skip

content_type = st.sampled_from([
    b"application/json", b"application/json; charset=utf-8", b"APPLICATION/JSON", b"application/json; charset=latin-1",
    b"application/json; charset=utf-16", b"application/json;;", b"application/graphql", b"text/plain",
    b"multipart/form-data; boundary=x", b"application/x-www-form-urlencoded", b"",
]) | header_bytes  # fmt: skip


#: Store view and currency: headers, and the locale cookie (read on the cache's hit path, no session).
locale_headers = st.lists(
    st.tuples(st.just(b"store"), st.sampled_from([b"default", b"de", b"fr", b"nope", b"DEFAULT"]))
    | st.tuples(st.just(b"content-currency"), st.sampled_from([b"EUR", b"USD", b"GBP", b"eur", b"XXX"]))
    | st.tuples(
        st.just(b"cookie"),
        (st.sampled_from([b"default.EUR", b".USD", b"de.", b".", b"x" * 40 + b".EUR"]) | header_bytes).map(
            lambda v: b"bff_locale=" + v
        ),
    ),
    max_size=2,
)


@st.composite
def persisted_extensions(draw: st.DrawFn, query: str | None = None) -> dict[str, Any]:
    """An APQ extension: well-formed (a random SHA-256 hex, or ``query``'s own), or not (wrong
    types, lengths, versions)."""
    hashes = st.text("0123456789abcdef", min_size=64, max_size=64) | wild_text | json_values
    if query is not None:
        hashes = st.just(hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()) | hashes
    sha = draw(hashes)
    version = draw(st.sampled_from([1, 2, 0, "1", None, -1, 1.5]) | json_values)
    persisted: Any = draw(st.sampled_from(["full", "no-version", "no-hash", "garbage"]))
    if persisted == "full":
        persisted = {"version": version, "sha256Hash": sha}
    elif persisted == "no-version":
        persisted = {"sha256Hash": sha}
    elif persisted == "no-hash":
        persisted = {"version": version}
    else:
        persisted = draw(json_values)
    return {"persistedQuery": persisted}


def post(payload: object, headers: list[tuple[bytes, bytes]], ctype: bytes | None = b"application/json") -> RawRequest:
    body = json.dumps(payload).encode()
    head = [(b"content-type", ctype)] if ctype is not None else []
    return RawRequest("POST", headers=(*head, *headers), body=body)


def get(payload: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> RawRequest:
    """``payload`` as GET parameters; ``variables`` and ``extensions`` JSON-encoded, as clients send them."""
    params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
    return RawRequest("GET", query_string=urlencode(params, errors="surrogatepass").encode(), headers=tuple(headers))


def wants_graphiql(request: RawRequest) -> bool:
    """A GET without ``query`` or ``extensions`` from a browser: answered with GraphiQL's page."""
    accept_value = next((v for k, v in request.headers if k.lower() == b"accept"), b"").decode("latin-1")
    named = {name for name, _ in parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)}
    return (
        request.method == "GET"
        and "query" not in named
        and "extensions" not in named
        and ("text/html" in accept_value or "*/*" in accept_value)
    )
