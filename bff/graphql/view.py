"""``BffGraphQL``: Strawberry's ASGI view with the BFF's context, error codes and offline GraphiQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult

from bff.client_ip import shopper_ip
from bff.errors import BadUserInput
from bff.graphql.context import GraphQLContext
from bff.graphql.errors import coded_error
from bff.graphql.graphiql import graphiql_html
from bff.services import Services
from bff.sessions.handle import SessionHandle
from bff.sessions.middleware import SESSION_SCOPE_KEY
from bff.shopper import RequestMeta, Shopper


def _error_response(message: str, status: int, code: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


ShopperFactory = Callable[[SessionHandle, RequestMeta], Shopper]


class BffGraphQL(GraphQL[GraphQLContext, None]):
    def __init__(
        self,
        schema: BaseSchema,
        *,
        services: Services,
        make_shopper: ShopperFactory,
        trusted_proxies: Sequence[str],
        graphiql: bool,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None, allow_queries_via_get=True)
        self.services = services
        self.make_shopper = make_shopper
        self.trusted_proxies = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            scope["bff.meta"] = self._meta(request)
            response = await self.run(request)
        except BadUserInput as err:
            response = _error_response(err.message, 400, err.code)
        except HTTPException as exc:  # malformed requests: not JSON, mutation over GET, …
            response = _error_response(exc.reason, exc.status_code, "BAD_USER_INPUT")
        await response(scope, receive, send)

    def _meta(self, request: Request) -> RequestMeta:
        headers = request.headers
        peer = request.client.host if request.client else None
        return RequestMeta(
            store=headers.get("store") or None,
            currency=headers.get("content-currency") or None,
            shopper_ip=shopper_ip(peer, headers.get("x-forwarded-for"), self.trusted_proxies),
            request_id=request.scope.get("bff.request_id") or headers.get("x-request-id"),
        )

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> GraphQLContext:
        handle = request.scope[SESSION_SCOPE_KEY]
        assert isinstance(handle, SessionHandle)
        meta = request.scope["bff.meta"]
        shopper = self.make_shopper(handle, meta)
        await shopper.remember_locale()
        return GraphQLContext(shopper=shopper, services=self.services)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html(endpoint=str(request.url.path)))

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [coded_error(e) for e in result.errors]
        return process_result(result)
