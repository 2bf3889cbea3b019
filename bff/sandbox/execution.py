"""Runs one GraphQL request against the sandbox schema, with Magento's limits and error format."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    execute,
    parse,
    validate,
)

import bff.sandbox.carts as carts
import bff.sandbox.catalog as catalog
import bff.sandbox.customers as customers
import bff.sandbox.routes as routes
from bff.sandbox.context import RequestContext, RootResolver
from bff.sandbox.errors import MagentoError, PreExecutionError
from bff.sandbox.limits import MAX_DEPTH, limit_errors, measure

log = logging.getLogger("bff.sandbox")

QUERY_FIELDS: dict[str, RootResolver] = {
    **catalog.QUERY_FIELDS,
    **carts.QUERY_FIELDS,
    **customers.QUERY_FIELDS,
    **routes.QUERY_FIELDS,
}
MUTATION_FIELDS: dict[str, RootResolver] = {**carts.MUTATION_FIELDS, **customers.MUTATION_FIELDS}


@cache
def sandbox_schema() -> GraphQLSchema:
    """The executable schema: Magento's SDL subset with the root resolvers attached."""
    sdl = resources.files("bff.sandbox").joinpath("schema.graphql").read_text(encoding="utf-8")
    schema = build_schema(sdl)
    for type_, resolvers in ((schema.query_type, QUERY_FIELDS), (schema.mutation_type, MUTATION_FIELDS)):
        assert type_ is not None
        missing = set(type_.fields) - set(resolvers)
        assert not missing, f"no sandbox resolver for {type_.name}.{sorted(missing)}"
        for name, field in type_.fields.items():
            field.resolve = resolvers[name]
    return schema


@dataclass(frozen=True)
class ParsedRequest:
    document: DocumentNode
    operation_name: str | None
    variables: dict[str, Any]
    operation: OperationDefinitionNode

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation == OperationType.MUTATION

    @property
    def names(self) -> set[str]:
        """The operation's name and its root field names: what faults are keyed by."""
        names = {sel.name.value for sel in self.operation.selection_set.selections if hasattr(sel, "name")}
        if self.operation.name is not None:
            names.add(self.operation.name.value)
        return names


def parse_request(payload: Mapping[str, Any]) -> ParsedRequest:
    """Parse and pick the operation; failures here are pre-execution errors (HTTP 500)."""
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise PreExecutionError("Syntax Error: Unexpected <EOF>")
    try:
        document = parse(query)
    except GraphQLError as exc:
        raise PreExecutionError(exc.message) from exc
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        raise PreExecutionError("Variables must be an object")
    operation_name = payload.get("operationName") or None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        chosen = [op for op in operations if op.name is not None and op.name.value == operation_name]
    else:
        chosen = operations if len(operations) == 1 else []
    if not chosen:
        raise PreExecutionError(
            f'Unknown operation named "{operation_name}".'
            if operation_name
            else "Must provide operation name if query contains multiple operations."
        )
    return ParsedRequest(document, operation_name, variables, chosen[0])


def run(request: ParsedRequest, ctx: RequestContext) -> dict[str, Any]:
    """Validate and execute; returns the JSON body. Over-limit documents raise PreExecutionError."""
    over = limit_errors(measure(request.document, request.operation_name))
    field_count_errors = [e for e in over if not e.startswith("Max query depth")]
    if field_count_errors:
        raise PreExecutionError(field_count_errors[0])
    schema = sandbox_schema()
    errors = validate(schema, request.document)
    if not errors and over:
        errors = [GraphQLError(over[0])]
    if errors:
        return {"errors": [_format(e, category="graphql") for e in errors]}
    result = execute(
        schema,
        request.document,
        context_value=ctx,
        variable_values=request.variables,
        operation_name=request.operation_name,
    )
    assert isinstance(result, ExecutionResult), "sandbox resolvers are synchronous"
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [_format(e) for e in result.errors]
    body["data"] = result.data
    return body


def _format(error: GraphQLError, *, category: str | None = None) -> dict[str, Any]:
    """Magento's error entry; an unexpected exception shows as "Internal server error"."""
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError | MagentoError):
        log.exception("sandbox resolver failed", exc_info=original)
        entry: dict[str, Any] = {"message": "Internal server error", "extensions": {"category": "internal"}}
    else:
        entry = {"message": error.message}
        extensions = dict(error.extensions or {})
        if original is not None and isinstance(original, GraphQLError) and original.extensions:
            extensions.update(original.extensions)
        extensions.setdefault("category", category or "graphql")
        entry["extensions"] = extensions
    if error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        entry["path"] = list(error.path)
    return entry


__all__ = ["MAX_DEPTH", "ParsedRequest", "parse_request", "run", "sandbox_schema"]
