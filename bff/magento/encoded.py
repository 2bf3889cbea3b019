"""``EncodedOperation``: what the client sends for one operation, encoded once per process.

A document never changes at run time, so its wire forms are built once (``encoded(name)``) and
each call only encodes its variables (orjson) and joins bytes or strings:

* the document is stripped of ignored characters (whitespace, commas, comments: the same
  operation, a third of the size), so GET URLs stay short;
* ``get_query``: the GET query string ``query=…&operationName=…&variables=…``, form-encoded with
  ``+`` for spaces and only the characters RFC 3986 forbids in a query (or that separate its
  parameters) percent-encoded; the variables go as JSON with sorted keys, so equal variables give
  equal URLs (one Varnish entry) and equal flight keys (``canonical_variables``);
* ``post_body``: the JSON body, its ``query`` and ``operationName`` members pre-encoded bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote_plus

import orjson
from graphql.utilities import strip_ignored_characters

from bff.magento.operations import OperationDocument, operation

QUERY_SAFE = "!$'()*,;:@/?"  # sub-delims and pchar kept as they are (not "&", "=", "+": they separate)


def canonical_variables(variables: Mapping[str, object]) -> bytes:
    """Variables as JSON with sorted keys: equal variables, equal bytes."""
    return orjson.dumps(variables if isinstance(variables, dict) else dict(variables), option=orjson.OPT_SORT_KEYS)


@dataclass(frozen=True, slots=True)
class EncodedOperation:
    operation: OperationDocument
    document: str  # without ignored characters
    query_prefix: str  # "query=…&operationName=…&variables="
    body_prefix: bytes  # b'{"query":"…","operationName":"…","variables":'

    def get_query(self, variables_json: bytes) -> str:
        """The GET query string, ``variables_json`` from ``canonical_variables``."""
        return self.query_prefix + quote_plus(variables_json, safe=QUERY_SAFE)

    def post_body(self, variables: Mapping[str, object]) -> bytes:
        data = variables if isinstance(variables, dict) else dict(variables)
        return self.body_prefix + orjson.dumps(data) + b"}"


@cache
def encoded(name: str) -> EncodedOperation:
    op = operation(name)
    document = strip_ignored_characters(op.document)
    query_prefix = (
        f"query={quote_plus(document, safe=QUERY_SAFE)}&operationName={quote_plus(op.name, safe=QUERY_SAFE)}&variables="
    )
    body_prefix = (
        b'{"query":' + orjson.dumps(document) + b',"operationName":' + orjson.dumps(op.name) + b',"variables":'
    )
    return EncodedOperation(op, document, query_prefix, body_prefix)
