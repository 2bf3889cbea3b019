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
    build_schema,
    execute,
)

import bff.sandbox.agreements as agreements
import bff.sandbox.carts as carts
import bff.sandbox.catalog as catalog
import bff.sandbox.customers as customers
import bff.sandbox.routes as routes
from bff.sandbox.context import RequestContext, RootResolver
from bff.sandbox.documents import DocumentCache, PreparedDocument
from bff.sandbox.errors import MagentoError, PreExecutionError
from bff.sandbox.execution_plans import Fallback, execute_plan
from bff.sandbox.limits import MAX_DEPTH

log = logging.getLogger("bff.sandbox")

QUERY_FIELDS: dict[str, RootResolver] = {
    **catalog.QUERY_FIELDS,
    **carts.QUERY_FIELDS,
    **customers.QUERY_FIELDS,
    **routes.QUERY_FIELDS,
    **agreements.QUERY_FIELDS,
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


@cache
def document_cache() -> DocumentCache:
    """The process's cache of prepared documents (the schema is fixed, so it never goes stale)."""
    return DocumentCache(sandbox_schema())


@dataclass(frozen=True)
class ParsedRequest:
    prepared: PreparedDocument
    operation_name: str | None
    variables: dict[str, Any]

    @property
    def document(self) -> DocumentNode:
        assert self.prepared.document is not None
        return self.prepared.document

    @property
    def operation(self) -> OperationDefinitionNode:
        assert self.prepared.operation is not None
        return self.prepared.operation

    @property
    def is_mutation(self) -> bool:
        return self.prepared.is_mutation

    @property
    def names(self) -> frozenset[str]:
        """The operation's name and its root field names: what faults are keyed by."""
        return self.prepared.names


def parse_request(payload: Mapping[str, Any]) -> ParsedRequest:
    """Parse and pick the operation (through the document cache); failures here are
    pre-execution errors (HTTP 500)."""
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise PreExecutionError("Syntax Error: Unexpected <EOF>")
    operation_name = payload.get("operationName") or None
    prepared = document_cache().get(query, operation_name)
    if prepared.syntax_error is not None:
        raise PreExecutionError(prepared.syntax_error)
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        raise PreExecutionError("Variables must be an object")
    if prepared.operation_error is not None:
        raise PreExecutionError(prepared.operation_error)
    return ParsedRequest(prepared, operation_name, variables)


def run(request: ParsedRequest, ctx: RequestContext) -> dict[str, Any]:
    """Validate and execute; returns the JSON body. Over-limit documents raise PreExecutionError.

    Limits and validation come from the document cache; a query runs on its compiled plan
    (``execution_plans``) and, when the plan falls back, on graphql-core with the request's
    cache tags and cacheability as they were before the attempt.
    """
    prepared = request.prepared
    if prepared.limit_error is not None:
        raise PreExecutionError(prepared.limit_error)
    if prepared.errors:
        return {"errors": [_format(e, category="graphql") for e in prepared.errors]}
    schema = sandbox_schema()
    tags, cacheable = set(ctx.cache_tags), ctx.cacheable
    try:
        return {"data": execute_plan(schema, prepared, ctx, request.variables)}
    except Fallback:
        ctx.cache_tags, ctx.cacheable = tags, cacheable
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


__all__ = ["MAX_DEPTH", "ParsedRequest", "document_cache", "parse_request", "run", "sandbox_schema"]
