"""What a GraphQL request asked for, for logs, metrics and traces: operation name, type, root fields.

The view records the raw document and ``operationName`` in the request state; this module parses it
after the response has been sent (the access log runs then), so the answer is never delayed.
Small documents are cached (frontends send the same few documents over and over); huge ones are
cut off by a token limit instead of being parsed twice in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from graphql import GraphQLError, parse

from bff.limits.selections import root_field_names, selected_operation

CACHEABLE_CHARS: Final = 16_384
MAX_TOKENS: Final = 10_000


@dataclass(frozen=True, slots=True)
class OperationInfo:
    name: str | None  # the selected operation's name in the document; None when anonymous
    type: str | None  # "query", "mutation", "subscription"; None when no operation could be selected
    root_fields: tuple[str, ...] = ()  # field names (not aliases) selected at the root, in order


UNKNOWN: Final = OperationInfo(None, None)


def describe(query: object, operation_name: object) -> OperationInfo:
    if not isinstance(query, str) or not query:
        return UNKNOWN
    name = operation_name if isinstance(operation_name, str) else None
    if len(query) <= CACHEABLE_CHARS:
        return _describe_cached(query, name)
    return _describe(query, name)


@lru_cache(maxsize=512)
def _describe_cached(query: str, operation_name: str | None) -> OperationInfo:
    return _describe(query, operation_name)


def _describe(query: str, operation_name: str | None) -> OperationInfo:
    try:
        document = parse(query, no_location=True, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return UNKNOWN
    op = selected_operation(document, operation_name or None)
    if op is None:
        return UNKNOWN
    return OperationInfo(op.name.value if op.name else None, op.operation.value, root_field_names(document, op))


def metric_label(info: OperationInfo) -> str:
    """The operation's name; for an anonymous operation with one root field, that field; else
    ``anonymous`` (or ``other`` when nothing could be parsed). Callers also cap distinct values."""
    if info.type is None:
        return "other"
    if info.name:
        return info.name
    fields = [f for f in info.root_fields if not f.startswith("__")]
    return fields[0] if len(fields) == 1 else "anonymous"
