"""``dumps``: JSON bytes of a GraphQL answer, by orjson (several times faster than the stdlib);
``loads``: the JSON of a request (its body, or a GET's ``variables`` and ``extensions``), by orjson.

The text is the same JSON value as ``json.dumps`` gives: compact, UTF-8 (non-ASCII characters as
themselves rather than ``\\u`` escapes, as Starlette's ``JSONResponse`` already sent them), money
as the decimal strings the schema's scalars produce. What orjson refuses and the stdlib accepts
(integers past 64 bits, non-string keys) falls back to the stdlib, so no answer fails for it.
"""

from __future__ import annotations

import json

import orjson


def dumps(data: object) -> bytes:
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def loads(data: str | bytes) -> object:
    """Standard JSON only, or ``orjson.JSONDecodeError`` (a ``json.JSONDecodeError``): text that
    is not UTF-8, a lone surrogate escape (``"\\ud800"``: no UTF-8 text holds one, so nothing
    after the view could encode it), ``NaN``, a number beyond a double, or nesting past 1,024 is
    refused. Integers past 64 bits are read as floats (GraphQL's ``Int`` has 32)."""
    return orjson.loads(data)
