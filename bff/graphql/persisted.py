"""The view's side of persisted documents: resolve them while the request is parsed, register
them once they ran, and tell CDNs which answers they may keep.

``BffGraphQL.parse_http_body`` hands every parsed request to ``PersistedQueries.resolve``, so
``request_data.query`` already holds the document when admission (``BffGraphQL.admit``) and
execution see it. After execution, ``PersistedQueries.ran`` stores an APQ registration and sets
the cache headers.

**The CDN rule.** A GET that named its document by hash alone (an APQ hit or a manifest id),
whose operation selects only public catalog reads (``PUBLIC_ROOT_FIELDS``, ``bff.cache.documents``), ran without errors,
issued no session token, and whose store view and currency did not come from the session
(each is a request header, or the session remembers none, or there is no session) is answered
``Cache-Control: public, max-age=<public_max_age_s>`` with ``Vary: Store, Content-Currency, Accept``.
Every other GET is ``private, no-store``; POST answers never get a public cache header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from starlette.datastructures import MutableHeaders
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from bff.cache.documents import PUBLIC_ROOT_FIELDS as PUBLIC_ROOT_FIELDS  # re-exported
from bff.document_cache import Document
from bff.document_operations import operations
from bff.persisted.documents import PersistedDocuments, Resolution
from bff.request_state import RequestMeta, RequestState
from bff.sessions.models import Session

PRIVATE: Final = "private, no-store"
VARY: Final = "Store, Content-Currency"


@dataclass
class PersistedRequestData(GraphQLRequestData):
    """Strawberry's request data with how its document was found."""

    resolution: Resolution | None = None


def root_fields(document: Document, operation_name: str | None) -> frozenset[str] | None:
    """The root fields the query operation may select (through fragments, whatever the
    directives); None for a mutation, an unknown operation or a document that does not parse."""
    operation = document.derive(operations).get(operation_name)
    if operation is None or operation.type != "query":
        return None
    return frozenset(operation.root_fields)


def locale_from_request(session: Session | None, meta: RequestMeta) -> bool:
    """Whether the store view and currency of the answer come from the request, not the session."""
    if session is None:
        return True
    return (meta.store is not None or session.store is None) and (meta.currency is not None or session.currency is None)


class PersistedQueries:
    """What ``BffGraphQL`` does with persisted documents (``persisted=`` in its constructor)."""

    def __init__(self, documents: PersistedDocuments, *, public_max_age_s: int) -> None:
        if public_max_age_s < 1:
            raise ValueError(f"public_max_age_s must be at least 1, got {public_max_age_s}")
        self.documents = documents
        self.public_cache_control = f"public, max-age={public_max_age_s}"

    async def resolve(self, data: GraphQLRequestData) -> PersistedRequestData:
        """``data`` with the document it names (raises the coded persisted-query errors)."""
        resolution = await self.documents.resolve(data.query, data.extensions)
        return PersistedRequestData(
            query=resolution.query,
            variables=data.variables,
            operation_name=data.operation_name,
            extensions=data.extensions,
            protocol=data.protocol,
            resolution=resolution,
        )

    def publicly_cacheable(
        self, state: RequestState, method: str, request_data: GraphQLRequestData, result: ExecutionResult
    ) -> bool:
        resolution = request_data.resolution if isinstance(request_data, PersistedRequestData) else None
        if method != "GET" or resolution is None or not resolution.by_hash or resolution.query is None:
            return False
        if result.errors or state.session is None or state.session.issued_token is not None or state.meta is None:
            return False
        if not locale_from_request(state.session.current, state.meta):
            return False
        document = state.graphql.document if state.graphql is not None else None
        if document is None or document.text != resolution.query:
            return False
        fields = root_fields(document, request_data.operation_name)
        return fields is not None and fields <= PUBLIC_ROOT_FIELDS

    async def ran(
        self,
        state: RequestState,
        method: str,
        request_data: GraphQLRequestData,
        result: ExecutionResult,
        headers: MutableHeaders,
    ) -> None:
        """After execution: register an APQ document that parsed and validated (every error of
        such a result has a path), and mark a publicly cacheable answer (the view makes every
        other GET ``PRIVATE``)."""
        resolution = request_data.resolution if isinstance(request_data, PersistedRequestData) else None
        if resolution is not None and all(error.path for error in result.errors or ()):
            await self.documents.register(resolution)
        if self.publicly_cacheable(state, method, request_data, result):
            headers["Cache-Control"] = self.public_cache_control
            headers["Vary"] = VARY
