"""``MagentoClient``: the only code that speaks HTTP to Magento.

One pooled ``httpx.AsyncClient`` for the app's lifetime (``bff.app`` owns it). Every call sends a
document from ``operations/`` with Magento's headers (``Authorization``, ``Store``,
``Content-Currency``), the shopper's IP (``X-Forwarded-For``) and the request id, under explicit
timeouts (also enforced with ``asyncio.timeout``, so an in-process transport cannot hang us).
Each operation's policy (``operations/<domain>/policies.toml``) decides: reads declared with
``retry`` are retried on transport errors and 502/503/504, writes never are; ``timeout_s``
replaces the read timeout for that operation.

Public reads (``audience = "public"``, ``kind = "read"``; sent without a customer token) go as
**GET** with ``query``, ``operationName`` and ``variables`` (a JSON string, keys sorted so equal
variables give equal URLs) in the query string: only GET answers can come from the full-page
cache (Varnish/Fastly) in front of Magento (FACTS.md, "Endpoint, transport, caching"). A URL
longer than ``MAX_GET_URL`` goes as POST instead, since proxies refuse long request lines.
Private reads and all writes are POST. The answer's ``X-Magento-Tags`` (without Magento's
``FPC`` marker) is recorded in the call's ``UpstreamCall.tags``.

Instrumentation is passed in by ``bff.app`` and stays protocol-shaped here: ``observers`` see
every attempt (metrics), and an optional ``tracer`` wraps each attempt in a span and adds its
trace headers (``traceparent``) to the request.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from bff.errors import UpstreamFailed
from bff.magento.errors import MagentoUnavailable, error_from_magento
from bff.magento.operations import OperationDocument, operation
from bff.request_state import UpstreamCall
from bff.settings import MagentoSettings

RETRYABLE_STATUS = frozenset({502, 503, 504})
MAX_GET_URL = 8000  # characters; a longer public read is sent as POST
FPC_TAG = "FPC"  # Magento marks every full-page-cache answer with it; it names no entity


@dataclass
class CallContext:
    """Who the call is for. ``calls`` collects what was sent, for the request log."""

    customer_token: str | None = None
    store: str | None = None
    currency: str | None = None
    shopper_ip: str | None = None
    request_id: str | None = None
    calls: list[UpstreamCall] = field(default_factory=list)


Observer = Callable[[UpstreamCall], None]


class UpstreamTracer(Protocol):
    def upstream_span(self, operation: str, headers: dict[str, str]) -> AbstractContextManager[Observer]:
        """A span around one attempt; adds the trace headers to ``headers``; the yielded observer
        gets the attempt's ``UpstreamCall`` before the span ends."""
        ...


class MagentoClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: MagentoSettings,
        url: str,
        observers: Sequence[Observer] = (),
        tracer: UpstreamTracer | None = None,
    ) -> None:
        self._http = http
        self._settings = settings
        self._url = url
        self._observers = list(observers)
        self._tracer = tracer

    async def execute(
        self,
        name: str,
        variables: Mapping[str, Any] | None = None,
        ctx: CallContext | None = None,
        *,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        """Run operation ``name``; returns its ``data`` or raises a ``BffError``."""
        op = operation(name)
        ctx = ctx or CallContext()
        attempts = 1 + self._settings.query_retries if op.policy.retry else 1
        for attempt in range(1, attempts + 1):
            try:
                return await self._once(op, variables or {}, ctx, attempt, timeout_s)
            except MagentoUnavailable:
                if attempt == attempts:
                    raise
                await asyncio.sleep(0.05 * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _headers(self, ctx: CallContext) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if ctx.customer_token:
            headers["Authorization"] = f"Bearer {ctx.customer_token}"
        if ctx.store:
            headers["Store"] = ctx.store
        if ctx.currency:
            headers["Content-Currency"] = ctx.currency
        if ctx.shopper_ip:
            headers["X-Forwarded-For"] = ctx.shopper_ip
        if ctx.request_id:
            headers["X-Request-ID"] = ctx.request_id
        return headers

    async def _once(
        self,
        op: OperationDocument,
        variables: Mapping[str, Any],
        ctx: CallContext,
        attempt: int,
        timeout_s: float | None,
    ) -> dict[str, Any]:
        headers = self._headers(ctx)
        if self._tracer is None:
            return await self._send(op, variables, ctx, attempt, timeout_s, headers, ())
        with self._tracer.upstream_span(op.name, headers) as finish_span:
            return await self._send(op, variables, ctx, attempt, timeout_s, headers, (finish_span,))

    async def _send(
        self,
        op: OperationDocument,
        variables: Mapping[str, Any],
        ctx: CallContext,
        attempt: int,
        timeout_s: float | None,
        headers: dict[str, str],
        span_observers: Sequence[Observer],
    ) -> dict[str, Any]:
        budget = timeout_s or op.policy.timeout_s or self._settings.read_timeout_s
        timeout = httpx.Timeout(budget, connect=self._settings.connect_timeout_s)
        get_url = self._get_url(op, variables) if _sent_as_get(op, ctx) else None
        started = time.perf_counter()
        outcome = "ok"
        status: int | None = None
        tags: tuple[str, ...] = ()
        try:
            async with asyncio.timeout(budget + self._settings.connect_timeout_s):
                if get_url is not None:
                    response = await self._http.get(get_url, headers=headers, timeout=timeout)
                else:
                    payload = {"query": op.document, "operationName": op.name, "variables": dict(variables)}
                    headers["Content-Type"] = "application/json"
                    response = await self._http.post(self._url, json=payload, headers=headers, timeout=timeout)
            status = response.status_code
            tags = _cache_tags(response)
            if response.status_code in RETRYABLE_STATUS:
                outcome = f"http_{response.status_code}"
                raise MagentoUnavailable(operation=op.name, detail=f"HTTP {response.status_code}", maybe_executed=False)
            if response.status_code >= 500 and not _graphql_answer(response):
                outcome = f"http_{response.status_code}"
                raise MagentoUnavailable(operation=op.name, detail=f"HTTP {response.status_code}", maybe_executed=True)
            body = _json(response, op.name)
            if body.get("errors"):
                outcome = "graphql_error"
                raise error_from_magento(body["errors"], operation=op.name)
            if response.status_code != 200 or not isinstance(body.get("data"), dict):
                outcome = f"http_{response.status_code}"
                raise UpstreamFailed(operation=op.name, detail=f"HTTP {response.status_code} without data")
            data: dict[str, Any] = body["data"]
            return data
        except (TimeoutError, httpx.TimeoutException) as exc:
            outcome = "timeout"
            never_sent = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            raise MagentoUnavailable(operation=op.name, detail="timeout", maybe_executed=not never_sent) from exc
        except httpx.TransportError as exc:
            outcome = "unavailable"
            raise MagentoUnavailable(
                operation=op.name, detail=type(exc).__name__, maybe_executed=not isinstance(exc, httpx.ConnectError)
            ) from exc
        finally:
            call = UpstreamCall(op.name, time.perf_counter() - started, outcome, attempt, status, tags)
            ctx.calls.append(call)
            for observe in (*self._observers, *span_observers):
                observe(call)

    def _get_url(self, op: OperationDocument, variables: Mapping[str, Any]) -> str | None:
        """The GET URL of a public read, or None when it would be too long for proxies."""
        encoded = json.dumps(dict(variables), separators=(",", ":"), sort_keys=True)
        url = (
            f"{self._url}?query={quote(op.document, safe='')}&operationName={quote(op.name, safe='')}"
            f"&variables={quote(encoded, safe='')}"
        )
        return url if len(url) <= MAX_GET_URL else None


def _sent_as_get(op: OperationDocument, ctx: CallContext) -> bool:
    """Public reads go as GET (cacheable in front of Magento); nothing carrying a token does."""
    return op.policy.kind == "read" and op.policy.public and ctx.customer_token is None


def _cache_tags(response: httpx.Response) -> tuple[str, ...]:
    """Magento's cache tags of an answer (``X-Magento-Tags``), without the ``FPC`` marker."""
    header = response.headers.get("X-Magento-Tags")
    if not header:
        return ()
    return tuple(t for t in (part.strip() for part in header.split(",")) if t and t != FPC_TAG)


def _graphql_answer(response: httpx.Response) -> bool:
    """Whether a response carries a GraphQL answer (Magento answers its own failures so, also with 500)."""
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and ("errors" in body or "data" in body)


def _json(response: httpx.Response, operation_name: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise UpstreamFailed(operation=operation_name, detail=f"HTTP {response.status_code}, not JSON") from exc
    if not isinstance(body, dict):
        raise UpstreamFailed(operation=operation_name, detail="JSON body is not an object")
    return body
