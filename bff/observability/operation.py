"""What a GraphQL request asked for, for logs, metrics and traces: operation name, type, root fields.

The view keeps the request's ``Document`` (``bff.document_cache``) in its ``GraphQLRecord``; this
module reads the operations fact of that document (``bff.document_operations.operations``), which
the whole process shares: the access log parses nothing, and a document is described once. It
runs after the response has been sent, so the answer is never delayed; a document too large to
parse (past ``bff.document_cache.MAX_TOKENS``) is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bff.document_cache import Document
from bff.document_operations import operations


@dataclass(frozen=True, slots=True)
class OperationInfo:
    name: str | None  # the selected operation's name in the document; None when anonymous
    type: str | None  # "query", "mutation", "subscription"; None when no operation could be selected
    root_fields: tuple[str, ...] = ()  # field names (not aliases) selected at the root, in order


UNKNOWN: Final = OperationInfo(None, None)


def describe(document: Document | None, operation_name: object) -> OperationInfo:
    if document is None or not document.text:
        return UNKNOWN
    name = operation_name if isinstance(operation_name, str) and operation_name else None
    op = document.derive(operations).get(name)
    return UNKNOWN if op is None else OperationInfo(op.name, op.type, op.root_fields)


def metric_label(info: OperationInfo) -> str:
    """The operation's name; for an anonymous operation with one root field, that field; else
    ``anonymous`` (or ``other`` when nothing could be parsed). Callers also cap distinct values."""
    if info.type is None:
        return "other"
    if info.name:
        return info.name
    fields = [f for f in info.root_fields if not f.startswith("__")]
    return fields[0] if len(fields) == 1 else "anonymous"
