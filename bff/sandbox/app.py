"""The sandbox's HTTP face: ``/graphql`` with Magento's transport rules, plus sandbox-only admin.

Magento rules reproduced (FACTS.md, "Endpoint, transport, caching" and "Request headers"):
POST bodies must be JSON; GET carries ``query``/``operationName``/``variables`` in the query
string and may not run mutations; pre-execution failures answer HTTP 500; ``Store`` and
``Content-Currency`` select the store view and currency; ``Authorization: Bearer`` selects the
customer (an unreadable, expired or revoked token runs the request as a guest); every
non-mutation response carries ``X-Magento-Cache-Id``; cacheable GET responses carry
``X-Magento-Tags`` and public cache headers.

Admin endpoints (they exist only in the sandbox, never in Magento or the BFF), under
``/__sandbox/``: ``faults`` (GET the plan, PUT ``{"operation": ..., "fault": {...}}``, DELETE
``?operation=``), ``orders`` (GET, placed orders), ``clock`` (POST ``{"advance_seconds": n}``,
only with a ``FakeClock``), ``health`` (GET), ``config`` (GET the store switches, POST a JSON object of
fields to change: ``bff.sandbox.config_admin``), ``catalog/products/{sku}`` (POST a price or stock change;
with a ``CacheHook`` the sandbox then sends the BFF a signed purge: ``bff.sandbox.catalog_admin``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

import bff.sandbox.customers as customers
from bff.sandbox.catalog_admin import AdminInputError, CacheHook, change_product
from bff.sandbox.clock import FakeClock
from bff.sandbox.config_admin import ConfigInputError, config_json, configure
from bff.sandbox.context import RequestContext
from bff.sandbox.errors import PreExecutionError
from bff.sandbox.execution import ParsedRequest, parse_request, run
from bff.sandbox.faults import Fault, FaultDecision, FaultPlan
from bff.sandbox.state import SandboxState

NO_CACHE = {"Cache-Control": "no-store, no-cache, must-revalidate, max-age=0", "Pragma": "no-cache"}
PUBLIC_TTL_S = 86400  # Magento's default full-page cache TTL


class DroppedConnection(Response):
    """Starts an answer, then breaks off: the client sees the connection close mid-response.

    Under a real server the raised error makes it close the socket; through
    ``httpx.ASGITransport`` the client receives the same ``httpx.RemoteProtocolError`` a real
    dropped connection gives.
    """

    def __init__(self) -> None:
        super().__init__()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"data":', "more_body": True})
        raise httpx.RemoteProtocolError("Server disconnected without sending a complete response")


def magento_error(message: str, status: int = 500, category: str = "graphql-input") -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"category": category}}]}
    return JSONResponse(body, status_code=status, headers=NO_CACHE)


async def _read_payload(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        params = request.query_params
        variables: Any = params.get("variables")
        if variables:
            try:
                variables = json.loads(variables)
            except ValueError as exc:
                raise PreExecutionError("Variables must be valid JSON") from exc
        return {
            "query": params.get("query"),
            "operationName": params.get("operationName"),
            "variables": variables or {},
        }
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise PreExecutionError("Request content type must be application/json")
    try:
        payload = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise PreExecutionError("Unable to parse the request body as JSON") from exc
    if not isinstance(payload, dict):
        raise PreExecutionError("Request body must be a JSON object")
    return payload


def _context(state: SandboxState, request: Request) -> RequestContext:
    headers = request.headers
    store_code = headers.get("store")
    if store_code:
        store = state.stores.get(store_code)
        if store is None:
            raise PreExecutionError(f"Requested store is not found ({store_code})")
    else:
        store = state.default_store
    currency = headers.get("content-currency") or store.default_display_currency
    if currency not in store.allowed_currencies:
        raise PreExecutionError("Please correct the target currency")
    token = None
    parts = headers.get("authorization", "").split(" ")
    if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1]:
        token = parts[1]
    customer = customers.customer_for_token(state, token) if token else None
    return RequestContext(
        state=state,
        store=store,
        currency=currency,
        customer=customer,
        token=token if customer else None,
        method=request.method,
    )


def _cache_id(ctx: RequestContext) -> str:
    """Stands in for Magento's hash over store, currency, customer group and logged-in flag."""
    group = "1" if ctx.customer else "0"
    factors = f"store={ctx.store.code}|currency={ctx.currency}|group={group}|logged_in={bool(ctx.customer)}"
    return hashlib.sha256(factors.encode()).hexdigest()


async def _fault_response(decision: FaultDecision) -> Response | None:
    if decision.delay_s:
        await asyncio.sleep(decision.delay_s)
    if decision.hang_s is not None:
        await asyncio.sleep(decision.hang_s)
        return DroppedConnection()
    if decision.drop:
        return DroppedConnection()
    if decision.fail_with == "http500":
        return magento_error("Internal server error", status=500, category="internal")
    if decision.fail_with == "html500":
        return HTMLResponse("<html><body><h1>500 Internal Server Error</h1></body></html>", status_code=500)
    if decision.fail_with == "http503":
        return PlainTextResponse("Service Unavailable", status_code=503, headers={"Retry-After": "1"})
    if decision.fail_with == "graphql":
        body = {"errors": [{"message": "Internal server error", "extensions": {"category": "internal"}}], "data": None}
        return JSONResponse(body, headers=NO_CACHE)
    return None


def create_sandbox_app(
    state: SandboxState, faults: FaultPlan | None = None, cache_hook: CacheHook | None = None
) -> Starlette:
    """The sandbox as an ASGI app serving ``state``; ``faults`` (a fresh plan by default) is live;
    ``cache_hook``: where catalog changes are reported (the BFF's invalidation hook)."""
    plan = faults if faults is not None else FaultPlan()

    async def graphql(request: Request) -> Response:
        try:
            payload = await _read_payload(request)
            ctx = _context(state, request)
            parsed: ParsedRequest = parse_request(payload)
            if parsed.is_mutation and request.method == "GET":
                raise PreExecutionError("Mutation requests allowed only for POST requests")
        except PreExecutionError as exc:
            return magento_error(exc.message)
        decision = plan.decide(parsed.names)
        early = await _fault_response(decision)
        if early is not None:
            return early
        try:
            body = run(parsed, ctx)
        except PreExecutionError as exc:
            return magento_error(exc.message, category="graphql")
        if decision.lose_response == "hang":
            await asyncio.sleep(decision.lose_hang_s)
        if decision.lose_response != "none":
            return DroppedConnection()
        headers: dict[str, str] = {}
        if parsed.is_mutation:
            headers.update(NO_CACHE)
        else:
            headers["X-Magento-Cache-Id"] = _cache_id(ctx)
            if request.method == "GET" and ctx.cacheable and "errors" not in body:
                headers["X-Magento-Tags"] = ",".join(["FPC", *sorted(ctx.cache_tags)])
                headers["Cache-Control"] = f"max-age={PUBLIC_TTL_S}, public, s-maxage={PUBLIC_TTL_S}"
            else:
                headers.update(NO_CACHE)
        return Response(orjson.dumps(body), headers=headers, media_type="application/json")

    async def get_faults(_: Request) -> Response:
        return JSONResponse({op: f.to_json() for op, f in plan.faults.items()})

    async def put_fault(request: Request) -> Response:
        try:
            data = await request.json()
            plan.set(str(data["operation"]), Fault.from_json(dict(data.get("fault") or {})))
        except (ValueError, KeyError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({op: f.to_json() for op, f in plan.faults.items()})

    async def delete_faults(request: Request) -> Response:
        plan.clear(request.query_params.get("operation"))
        return JSONResponse({op: f.to_json() for op, f in plan.faults.items()})

    async def orders(_: Request) -> Response:
        return JSONResponse(
            [
                {
                    "number": o.number,
                    "email": o.email,
                    "cart_id": o.cart_masked_id,
                    "store": o.store_code,
                    "currency": o.currency,
                    "grand_total": str(o.grand_total),
                    "customer_id": o.customer_id,
                }
                for o in state.orders
            ]
        )

    async def clock(request: Request) -> Response:
        if not isinstance(state.clock, FakeClock):
            return JSONResponse({"error": "the sandbox runs on the system clock"}, status_code=409)
        data = await request.json()
        state.clock.advance(float(data.get("advance_seconds", 0)))
        return JSONResponse({"now": state.clock.now()})

    async def get_config(_: Request) -> Response:
        return JSONResponse(config_json(state.config))

    async def post_config(request: Request) -> Response:
        try:
            changed = configure(state, await request.json())
        except (ConfigInputError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse(config_json(changed))

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def change(request: Request) -> Response:
        try:
            tags = change_product(state, request.path_params["sku"], await request.json())
        except KeyError:
            return JSONResponse({"error": "no such product"}, status_code=404)
        except (AdminInputError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        hook = None
        if cache_hook is not None:
            try:
                hook = await cache_hook.send(tags, int(state.clock.now()))
            except httpx.HTTPError:
                hook = 0  # the BFF did not answer: the change stays, its cache expires by TTL
        return JSONResponse({"tags": tags, "hook_status": hook})

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/__sandbox/faults", get_faults, methods=["GET"]),
        Route("/__sandbox/faults", put_fault, methods=["PUT", "POST"]),
        Route("/__sandbox/faults", delete_faults, methods=["DELETE"]),
        Route("/__sandbox/orders", orders, methods=["GET"]),
        Route("/__sandbox/clock", clock, methods=["POST"]),
        Route("/__sandbox/health", health, methods=["GET"]),
        Route("/__sandbox/config", get_config, methods=["GET"]),
        Route("/__sandbox/config", post_config, methods=["POST"]),
        Route("/__sandbox/catalog/products/{sku}", change, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = state
    app.state.faults = plan
    return app
