"""``BffGraphQL``: Strawberry's ASGI view with the BFF's context, admission and error codes.

**Admission.** A GraphQL request is admitted in one place, ``BffGraphQL.admit``, called once per
operation right before execution (``execute_single``). In order, it records the operation in
the request state (for logs, metrics and traces), runs ``Admission`` (static limits, cost, rate
limits and the cost budget: ``bff.graphql.admission``), refuses locale headers the shop does not
offer (``BAD_USER_INPUT``), and remembers valid ones in the session. Every answer carries
``extensions.cost``. Before the view runs anything, the request body is limited in size; the
response cache will be the outer ASGI layer named in ``bff.app.middleware_chain``.

**Persisted documents** are the exception: they are resolved before admission, while the request
is parsed (``parse_http_body``, ``bff.graphql.persisted``), so admission and execution see the
document a hash names. After execution, an APQ registration is stored and the cache headers are
set (``Cache-Control: public`` only for persisted GETs of public catalog reads; every other GET
is ``private, no-store``).

**GraphQL over HTTP.** The response media type is negotiated from ``Accept`` before anything
else (``bff.graphql.http_negotiation``): ``application/graphql-response+json`` when the client
prefers it, else ``application/json`` (also for no ``Accept`` and ``*/*``); an ``Accept`` that
allows neither is answered 406 (``BAD_USER_INPUT``) unless the request is a browser asking for
GraphiQL. Every answer of the endpoint, refusals included, carries the negotiated type. With
``application/graphql-response+json`` a request error (parse, validation, variable coercion) is
HTTP 400 without ``data``, and a mutation over GET is 405; with ``application/json`` both stay as
they were (200 with the errors, 400). Refusals keep their status in both (limits 400/413/429,
persisted-query misses 200, documents in no manifest 403). Request bodies are JSON only, whatever
``Accept`` says. A publicly cacheable answer varies on ``Accept`` too.

Answers are JSON encoded by orjson (``bff.graphql.json_bytes``): the same JSON values, UTF-8.

Everything this view learns goes into the request's ``RequestState`` (``bff.request_state``):
the meta (headers, shopper IP, request id) and the ``GraphQLRecord`` (document, operation name,
outcome code: "OK", the first error's ``extensions.code``, or the first ``userErrors`` code).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from bff.client_ip import shopper_ip
from bff.document_cache import DocumentCache
from bff.errors import BadUserInput, BodyTooLarge, RequestRefused, UpstreamUnavailable
from bff.graphql.admission import Admission, cost_extension
from bff.graphql.context import GraphQLContext, graphql_context
from bff.graphql.errors import coded_error
from bff.graphql.graphiql import graphiql_html
from bff.graphql.http_negotiation import CONTENT_TYPES, GRAPHQL_RESPONSE_JSON, JSON, is_request_error, negotiate
from bff.graphql.json_bytes import dumps, loads
from bff.graphql.persisted import PRIVATE, PersistedQueries
from bff.limits.clients import API_KEY_HEADER
from bff.request_state import GraphQLRecord, RequestMeta, RequestState, UpstreamCall, request_state
from bff.services import Services
from bff.sessions.handle import SessionHandle
from bff.shopper import Shopper

NOT_JSON: Final = (
    "The request must be JSON: UTF-8 text without lone surrogates, numbers a double can hold, nested at most"
    " 1,024 deep."
)
_EXCHANGE: Final = "bff.graphql.exchange"  # the ASGI scope key of the request's ``Exchange``


@dataclass
class Exchange:
    """What this view decided about one HTTP request's answer (kept in the ASGI scope)."""

    media_type: str  # the negotiated response media type (JSON when the Accept allows neither)
    request_error: bool = False  # the GraphQL response is a request error (nothing executed)


def _exchange(scope: Scope) -> Exchange:
    exchange = scope.get(_EXCHANGE)
    return exchange if isinstance(exchange, Exchange) else Exchange(JSON)


def _error_response(
    message: str,
    status: int,
    code: str,
    media_type: str,
    extensions: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
    state: RequestState | None = None,
) -> Response:
    body: dict[str, object] = {"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]}
    if state is not None and state.cost is not None:
        body["extensions"] = {"cost": cost_extension(state.cost)}
    return Response(dumps(body), status_code=status, headers=headers, media_type=CONTENT_TYPES[media_type])


ShopperFactory = Callable[[SessionHandle, RequestMeta, list[UpstreamCall]], Shopper]


class BffGraphQL(GraphQL[GraphQLContext, None]):
    def __init__(
        self,
        schema: BaseSchema,
        *,
        services: Services,
        admission: Admission,
        make_shopper: ShopperFactory,
        trusted_proxies: Sequence[str],
        graphiql: bool,
        persisted: PersistedQueries | None = None,
        documents: DocumentCache | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None, allow_queries_via_get=True)
        self.services = services
        self.admission = admission
        self.make_shopper = make_shopper
        self.trusted_proxies = tuple(trusted_proxies)
        self.persisted = persisted  # None: hashes are not understood (APQ and trusted documents off)
        self.documents = documents if documents is not None else DocumentCache()  # the schema's, from bff.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, _limited(receive, self.admission.limits.max_body_bytes))
        state = request_state(scope)
        record = state.graphql = GraphQLRecord()
        negotiated = negotiate(request.headers.get("accept"))
        exchange = scope[_EXCHANGE] = Exchange(negotiated or JSON)
        media_type = exchange.media_type
        try:
            _check_length(request, self.admission.limits.max_body_bytes)
            state.meta = self._meta(request, state)
            if negotiated is None and not self.should_render_graphql_ide(self.request_adapter_class(request)):
                raise HTTPException(406, f"The Accept header allows neither {GRAPHQL_RESPONSE_JSON} nor {JSON}.")
            if request.method == "POST" and _media_type(request.headers.get("content-type")) != "application/json":
                # Only JSON bodies: a form, text/plain or multipart POST (what a cross-site page can
                # send without a CORS preflight) never runs an operation.
                raise HTTPException(400, "Unsupported content type")
            response = _present(await self.run(request), exchange)
        except RequestRefused as err:  # limits, throttling, persisted queries: nothing ran
            record.outcome = err.code
            response = _error_response(
                err.message, err.status, err.code, media_type, err.extensions, err.headers, state
            )
        except BadUserInput as err:
            record.outcome = err.code
            response = _error_response(err.message, 400, err.code, media_type)
        except UpstreamUnavailable as err:  # a store did not answer before the operation ran
            record.outcome = err.code
            response = _error_response(err.message, 503, err.code, media_type, headers={"Retry-After": "1"})
        except HTTPException as exc:  # malformed requests: not JSON, mutation over GET, …
            record.outcome = "BAD_USER_INPUT"
            status, headers = exc.status_code, None
            if media_type == GRAPHQL_RESPONSE_JSON and _is_operation_over_get(request, exc):
                status, headers = 405, {"Allow": "POST"}  # the spec's answer; the method the operation needs
            elif request.method not in ("GET", "POST"):
                status, headers = 405, {"Allow": "GET, POST"}
            response = _error_response(exc.reason, status, "BAD_USER_INPUT", media_type, headers=headers)
        if request.method == "GET":  # only persisted public reads say otherwise (bff.graphql.persisted)
            response.headers.setdefault("Cache-Control", PRIVATE)
        await response(scope, receive, send)

    def _meta(self, request: Request, state: RequestState) -> RequestMeta:
        headers = request.headers
        peer = request.client.host if request.client else None
        return RequestMeta(
            store=headers.get("store") or None,
            currency=headers.get("content-currency") or None,
            shopper_ip=shopper_ip(peer, headers.get("x-forwarded-for"), self.trusted_proxies),
            request_id=state.request_id or headers.get("x-request-id"),
            api_key=headers.get(API_KEY_HEADER),
        )

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> GraphQLContext:
        state = request_state(request.scope)
        if state.session is None or state.meta is None:
            raise RuntimeError("BffGraphQL runs behind SessionMiddleware (see bff.app.middleware_chain)")
        shopper = self.make_shopper(state.session, state.meta, state.calls)
        return graphql_context(shopper, self.services)

    async def admit(self, state: RequestState, context: GraphQLContext, request_data: GraphQLRequestData) -> None:
        """The one place a GraphQL operation is admitted (see the module docstring)."""
        query = request_data.query
        document = self.documents.get(query) if query else None
        if state.graphql is not None:
            state.graphql.query = query
            state.graphql.document = document
            state.graphql.operation_name = request_data.operation_name
        await self.admission.admit(state, document, request_data.operation_name, request_data.variables)
        shopper = context.shopper
        await self.services.catalog.check_locale(shopper, shopper.meta.store, shopper.meta.currency)
        await shopper.remember_locale()

    def encode_json(self, data: object) -> bytes:
        """Answers are encoded by orjson (``bff.graphql.json_bytes``)."""
        return dumps(data)

    def parse_json(self, data: str | bytes) -> object:
        """A request's JSON by orjson (``bff.graphql.json_bytes.loads``); what it refuses is
        ``BAD_USER_INPUT``. The stdlib decoder Strawberry uses would let a lone surrogate
        (``"\\ud800"``) through to fail later as ``INTERNAL``, and recurse past Python's limit."""
        try:
            return loads(data)
        except ValueError as exc:  # orjson.JSONDecodeError
            raise HTTPException(400, NOT_JSON) from exc

    async def render_graphql_ide(self, request: Request) -> Response:
        # The path as routed: ``request.url`` would decode the query string as strict UTF-8 (a raw
        # byte such as 0x80 in it must not turn the page into a 500).
        return HTMLResponse(graphiql_html(endpoint=request.scope["path"]))

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET that names a persisted document (extensions, no query) is an operation, not a browser.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(request)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Strawberry's parsing (GET parameters or JSON body, decoded by ``parse_json``), then the
        document a hash names.

        A body that is JSON but not an object (``"hello"``, ``42``, ``null``) is ``BAD_USER_INPUT``,
        never a server error; so is an ``operationName`` that is not a string (Strawberry checks the
        other parameters)."""
        try:
            data = await super().parse_http_body(request)
        except (AttributeError, TypeError) as exc:
            raise HTTPException(400, "The request body must be a JSON object with a `query`.") from exc
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(
                    400, "The GraphQL operation's `operationName` must be a string or null, if provided."
                )
        if self.persisted is None:
            return data
        if isinstance(data, list):
            return [await self.persisted.resolve(item) for item in data]
        return await self.persisted.resolve(data)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: GraphQLContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        state = request_state(request.scope)
        await self.admit(state, context, request_data)
        for name, value in state.response_headers.items():
            sub_response.headers[name] = value
        result = await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)
        if self.persisted is not None:
            await self.persisted.ran(state, request.method, request_data, result, sub_response.headers)
        return result

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        exchange = _exchange(request.scope)
        exchange.request_error = is_request_error(result.data, result.errors)
        if result.errors:
            result.errors = [coded_error(e) for e in result.errors]
        response = process_result(result)
        if exchange.request_error and exchange.media_type == GRAPHQL_RESPONSE_JSON:
            del response["data"]  # the spec: a request error has no data entry (and is HTTP 400)
        state = request_state(request.scope)
        record = state.graphql
        if record is not None:
            record.outcome = outcome_code(response)
            await self.admission.finish(state, record.document, record.operation_name, result.data)
        if state.cost is not None:
            response["extensions"] = {**(response.get("extensions") or {}), "cost": cost_extension(state.cost)}
        return response


def _present(response: Response, exchange: Exchange) -> Response:
    """A GraphQL answer of ``run`` with the negotiated media type and its status (GraphiQL's page as it is)."""
    if isinstance(response, HTMLResponse):
        return response
    response.headers["content-type"] = CONTENT_TYPES[exchange.media_type]
    if exchange.request_error and exchange.media_type == GRAPHQL_RESPONSE_JSON:
        response.status_code = 400
    if response.headers.get("cache-control", "").startswith("public"):
        # What a shared cache stores depends on the Accept header too (media type and status).
        vary = response.headers.get("vary")
        response.headers["vary"] = f"{vary}, Accept" if vary else "Accept"
    return response


def _is_operation_over_get(request: Request, exc: HTTPException) -> bool:
    """Strawberry's refusal of an operation GET may not run (a mutation): ``InvalidOperationTypeError``."""
    return request.method == "GET" and isinstance(exc.__cause__, InvalidOperationTypeError)


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"The request body is larger than {limit} bytes.", extensions={"limit": limit})


def _check_length(request: Request, limit: int) -> None:
    """Refuse a body announced as too large before reading any of it."""
    declared = request.headers.get("content-length")
    # isascii: str.isdigit() also accepts "²" (the latin-1 reading of byte 0xB2), which int() refuses.
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive``, refusing a body (chunked or lying about its length) once it passes ``limit`` bytes."""
    seen = 0

    async def receive_limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    return receive_limited


def _media_type(content_type: str | None) -> str:
    """``type/subtype`` of a Content-Type header, lower-cased, without its parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def outcome_code(response: GraphQLHTTPResponse) -> str:
    """The first error's ``extensions.code``, else the first ``userErrors`` code of a root field, else OK."""
    errors = response.get("errors")
    if errors:
        first = errors[0]
        extensions = first.get("extensions") if isinstance(first, dict) else None
        code = extensions.get("code") if isinstance(extensions, dict) else None
        return code if isinstance(code, str) else "INTERNAL"
    data = response.get("data")
    if isinstance(data, dict):
        for payload in data.values():
            user_errors = payload.get("userErrors") if isinstance(payload, dict) else None
            if isinstance(user_errors, list) and user_errors and isinstance(user_errors[0], dict):
                code = user_errors[0].get("code")
                if isinstance(code, str):
                    return code
    return "OK"
