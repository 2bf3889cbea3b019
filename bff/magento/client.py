"""``MagentoClient``: the only code that speaks HTTP to Magento.

One pooled ``httpx.AsyncClient`` for the app's lifetime (``bff.app`` owns it). Every call sends a
document from ``operations/`` with Magento's headers (``Authorization``, ``Store``,
``Content-Currency``), the shopper's IP (``X-Forwarded-For``) and the request id, under explicit
timeouts (also enforced with ``asyncio.timeout``, so an in-process transport cannot hang us).
Each operation's policy (``operations/<domain>/policies.toml``) decides: reads declared with
``retry`` are retried on transport errors and 502/503/504, writes never are; ``timeout_s``
replaces the read timeout for that operation.

Upstream resilience (settings ``BFF_MAGENTO__…``; every refusal is ``UPSTREAM_UNAVAILABLE``, raised
as ``MagentoUnavailable(maybe_executed=False)``, since nothing was sent):

* **Deadlines.** A call's deadline is its start plus its timeout (the operation's read timeout or
  the caller's ``timeout_s``, plus the connect timeout); every attempt and backoff of the call fits
  in it, so a read that timed out is not sent again. The *request's* deadline travels on
  ``CallContext.deadline``: a ``time.monotonic()`` instant that ``bff.shopper.Shopper`` sets once
  per GraphQL request (``BFF_MAGENTO__REQUEST_DEADLINE_S`` from its creation) and puts on every
  call's context; the checkout extends it for placing an order (``Gateway.extend_deadline``). A
  read's deadline is cut to the request's; a write is never cut short (a write stopped halfway
  has an unknown outcome), but none is started once the request's deadline has passed.
* **Retries** (reads only) wait a jittered exponential backoff, start only while
  ``retry_min_left_s`` of the call's deadline is left after it, and each takes a token from the
  process's ``RetryBudget`` (retries stay about ``retry_budget_ratio`` of retryable calls).
* **Circuit breaker** (``CircuitBreaker``, one per client, i.e. per Magento URL): unavailable
  answers open it; while open, calls fail fast; after the cool-down one probe goes.
* **In-flight cap** (``InflightCap``, ``max_inflight``, by default the httpx pool's size): an
  attempt holds a slot while it is sent; waiting for one counts against the call's deadline.

Observers hear of retries, refusals and breaker transitions through ``UpstreamEvents``; the
in-flight count and breaker state are read by gauges (``inflight``, ``breaker_state``).

Public reads (``audience = "public"``, ``kind = "read"``; sent without a customer token) go as
**GET** with ``query``, ``operationName`` and ``variables`` (a JSON string, keys sorted so equal
variables give equal URLs) in the query string: only GET answers can come from the full-page
cache (Varnish/Fastly) in front of Magento (FACTS.md, "Endpoint, transport, caching"). A URL
longer than ``MAX_GET_URL`` goes as POST instead, since proxies refuse long request lines.
Private reads and all writes are POST. The answer's ``X-Magento-Tags`` (without Magento's
``FPC`` marker) is recorded in the call's ``UpstreamCall.tags``; its ``X-Magento-Cache-Id`` is
remembered per store view and currency (``CacheIds``) and sent back on the next GET for them,
as the Varnish config Magento ships keys its entries on it.

Identical public reads in flight at the same time in this process (same operation, variables,
store view, currency, cache id and timeout) share one upstream call (``SingleFlight``; off with
``BFF_MAGENTO__SINGLE_FLIGHT=false``). The call runs as a task, so a leader whose request is
cancelled does not fail the others; it carries the leader's request id and shopper IP (a public
read's answer depends on neither). Every request still records an ``UpstreamCall``: the
leader its attempts, a follower one entry with ``shared=True`` (its wait, the leader's outcome),
which observers (metrics, spans) never see, since no request was sent for it. A follower gets
its own copy of the answer (decoded again from the same bytes), so no request can change
another's data.

Nothing is built per call that can be built once: each operation's wire forms
(``bff.magento.encoded``), its ``httpx.Timeout`` and retry count are prepared on first use;
variables are encoded and answers decoded with orjson; a GET URL is assembled from the parsed
base URL without httpx parsing the long query string again (checked against httpx's own parse
at start-up, else httpx parses it).

Instrumentation is passed in by ``bff.app`` and stays protocol-shaped here: ``observers`` see
every attempt (metrics), and an optional ``tracer`` wraps each attempt in a span and adds its
trace headers (``traceparent``) to the request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, NoReturn, Protocol

import httpx
import orjson

from bff.cache.singleflight import SingleFlight
from bff.errors import BffError, UpstreamFailed
from bff.magento.breaker import CLOSED, BreakerState, CircuitBreaker
from bff.magento.cache_ids import CacheIds
from bff.magento.encoded import EncodedOperation, canonical_variables, encoded
from bff.magento.errors import MagentoUnavailable, error_from_magento
from bff.magento.inflight import InflightCap
from bff.magento.retry_budget import RetryBudget, backoff_s
from bff.magento.upstream_events import NoEvents, Rejection, UpstreamEvents
from bff.request_state import UpstreamCall
from bff.settings import MagentoSettings

RETRYABLE_STATUS = frozenset({502, 503, 504})
MAX_GET_URL = 8000  # characters; a longer public read is sent as POST
FPC_TAG = "FPC"  # Magento marks every full-page-cache answer with it; it names no entity
ACCEPT = {"Accept": "application/json"}
JSON_BODY = {"Accept": "application/json", "Content-Type": "application/json"}


@dataclass
class CallContext:
    """Who the call is for. ``calls`` collects what was sent, for the request log. ``deadline``:
    the request's deadline, a ``time.monotonic()`` instant (None: only each call's own)."""

    customer_token: str | None = None
    store: str | None = None
    currency: str | None = None
    shopper_ip: str | None = None
    request_id: str | None = None
    calls: list[UpstreamCall] = field(default_factory=list)
    deadline: float | None = None


Observer = Callable[[UpstreamCall], None]


class UpstreamTracer(Protocol):
    def upstream_span(
        self, operation: str, headers: dict[str, str], method: str = "POST"
    ) -> AbstractContextManager[Observer]:
        """A span around one attempt (``method``: GET or POST); adds the trace headers to
        ``headers``; the yielded observer gets the attempt's ``UpstreamCall`` before the span ends."""
        ...


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What does not change between calls of one operation."""

    wire: EncodedOperation
    attempts: int
    read: bool
    public_read: bool
    budget_s: float  # the read timeout
    timeout: httpx.Timeout


@dataclass(frozen=True, slots=True)
class _Outgoing:
    """One call's request, the same for each of its attempts (headers are built per attempt)."""

    method: str
    url: httpx.URL | str
    content: bytes | None
    base_headers: Mapping[str, str]
    cache_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Answer:
    data: dict[str, Any]
    content: bytes  # the JSON body ``data`` was decoded from


@dataclass(frozen=True, slots=True)
class _Flight:
    """A shared public read's outcome: its answer or error, and its last attempt."""

    answer: _Answer | None
    error: Exception | None
    last: UpstreamCall | None


FlightKey = tuple[str, bytes, str | None, str | None, str | None, float | None]


class MagentoClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: MagentoSettings,
        url: str,
        observers: Sequence[Observer] = (),
        tracer: UpstreamTracer | None = None,
        events: UpstreamEvents | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        """``now``: the breaker's clock (monotonic seconds; tests pass a fake one)."""
        self._http = http
        self._settings = settings
        self._url = url
        self._observers = list(observers)
        self._tracer = tracer
        self._prepared: dict[str, _Prepared] = {}
        self._timeouts: dict[float, httpx.Timeout] = {}
        self._cache_ids = CacheIds()
        self._flights: SingleFlight[FlightKey, _Flight] | None = SingleFlight() if settings.single_flight else None
        self._base = httpx.URL(url)
        self._query_separator = "&" if "?" in url else "?"
        self._fast_urls = self._query_separator == "?" and _fast_url_matches_httpx(self._base)
        s = settings
        self._events: UpstreamEvents = events or NoEvents()
        self._breaker = CircuitBreaker(
            failures=s.breaker_failures,
            failure_ratio=s.breaker_failure_ratio,
            min_calls=s.breaker_min_calls,
            window_s=s.breaker_window_s,
            cool_down_s=s.breaker_cool_down_s,
            now=now,
            on_transition=self._events.on_breaker_transition,
        )
        self._retry_budget = RetryBudget(ratio=s.retry_budget_ratio, burst=s.retry_budget_burst)
        self._cap = InflightCap(s.max_inflight or s.pool_size)

    @property
    def inflight(self) -> int:
        """Upstream calls being sent now (the ``bff_upstream_inflight`` gauge)."""
        return self._cap.inflight

    @property
    def breaker_state(self) -> BreakerState:
        return self._breaker.state

    async def execute(
        self,
        name: str,
        variables: Mapping[str, Any] | None = None,
        ctx: CallContext | None = None,
        *,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        """Run operation ``name``; returns its ``data`` or raises a ``BffError``."""
        p = self._prepared.get(name) or self._prepare(name)
        ctx = ctx or CallContext()
        variables = variables or {}
        if p.public_read and ctx.customer_token is None:
            return await self._public_read(p, variables, ctx, timeout_s)
        outgoing = _Outgoing("POST", self._url, p.wire.post_body(variables), JSON_BODY)
        return (await self._attempts(p, outgoing, ctx, timeout_s, ())).data

    def _prepare(self, name: str) -> _Prepared:
        wire = encoded(name)
        policy = wire.operation.policy
        budget = policy.timeout_s or self._settings.read_timeout_s
        prepared = _Prepared(
            wire=wire,
            attempts=1 + self._settings.query_retries if policy.retry else 1,
            read=policy.kind == "read",
            public_read=policy.kind == "read" and policy.public,
            budget_s=budget,
            timeout=self._timeout(budget),
        )
        self._prepared[name] = prepared
        return prepared

    def _timeout(self, budget_s: float) -> httpx.Timeout:
        timeout = self._timeouts.get(budget_s)
        if timeout is None:
            timeout = self._timeouts[budget_s] = httpx.Timeout(budget_s, connect=self._settings.connect_timeout_s)
        return timeout

    async def _public_read(
        self, p: _Prepared, variables: Mapping[str, Any], ctx: CallContext, timeout_s: float | None
    ) -> dict[str, Any]:
        variables_json = canonical_variables(variables)
        query = p.wire.get_query(variables_json)
        cache_id = self._cache_ids.get(ctx.store, ctx.currency)
        if len(self._url) + 1 + len(query) <= MAX_GET_URL:
            outgoing = _Outgoing("GET", self._get_url(query), None, ACCEPT, cache_id)
        else:
            outgoing = _Outgoing("POST", self._url, p.wire.post_body(variables), JSON_BODY)
        if self._flights is None:
            return (await self._attempts(p, outgoing, ctx, timeout_s, ())).data
        key: FlightKey = (p.wire.operation.name, variables_json, ctx.store, ctx.currency, cache_id, timeout_s)
        started = time.perf_counter()
        flight, shared = await self._flights.run(key, lambda: self._fly(p, outgoing, ctx, timeout_s))
        if not shared:
            if flight.error is not None:
                raise flight.error
            assert flight.answer is not None
            return flight.answer.data
        if flight.last is not None:
            ctx.calls.append(dataclasses.replace(flight.last, duration_s=time.perf_counter() - started, shared=True))
        if flight.error is not None:
            raise flight.error
        assert flight.answer is not None
        data: dict[str, Any] = orjson.loads(flight.answer.content)["data"]
        return data

    async def _fly(self, p: _Prepared, outgoing: _Outgoing, ctx: CallContext, timeout_s: float | None) -> _Flight:
        attempts: list[UpstreamCall] = []
        try:
            answer = await self._attempts(p, outgoing, ctx, timeout_s, (attempts.append,))
        except Exception as exc:  # every follower gets the same error
            return _Flight(None, exc, attempts[-1] if attempts else None)
        return _Flight(answer, None, attempts[-1])

    def _get_url(self, query: str) -> httpx.URL | str:
        if self._fast_urls:
            return _with_query(self._base, query)
        return f"{self._url}{self._query_separator}{query}"

    async def _attempts(
        self,
        p: _Prepared,
        outgoing: _Outgoing,
        ctx: CallContext,
        timeout_s: float | None,
        extra: Sequence[Observer],
    ) -> _Answer:
        budget, http_timeout = (timeout_s, self._timeout(timeout_s)) if timeout_s else (p.budget_s, p.timeout)
        now = time.monotonic()
        deadline = now + budget + self._settings.connect_timeout_s  # the call's: every attempt fits in it
        if ctx.deadline is not None:
            if ctx.deadline <= now:
                self._refuse(p, ctx, 1, "deadline")
            if p.read and ctx.deadline < deadline:
                deadline = ctx.deadline
        if p.attempts > 1:
            self._retry_budget.deposit()
        breaker, cap = self._breaker, self._cap
        attempt, retry_in = 1, 0.0
        while True:
            if breaker.state is not CLOSED and not breaker.admit():
                self._refuse(p, ctx, attempt, "breaker")
            if not cap.try_enter():
                await self._wait_for_slot(p, ctx, attempt, deadline)
            try:
                answer = await self._once(p, outgoing, ctx, attempt, http_timeout, extra, deadline)
            except MagentoUnavailable:
                breaker.record_failure()
                delay = self._retry_delay(p, attempt, deadline)
                if delay is None:
                    raise
                retry_in = delay
            except BffError:
                breaker.record_success()  # Magento answered (a GraphQL error): it is there
                raise
            except BaseException:
                breaker.release()
                raise
            else:
                breaker.record_success()
                return answer
            finally:
                cap.leave()
            self._events.on_retry(p.wire.operation.name)
            await asyncio.sleep(retry_in)
            attempt += 1

    async def _wait_for_slot(self, p: _Prepared, ctx: CallContext, attempt: int, deadline: float) -> None:
        """Hold an in-flight slot (every one was taken), or refuse the call: no slot in time, or
        none of the deadline left once it came."""
        if await self._cap.enter(deadline - time.monotonic()):
            if deadline - time.monotonic() > 0:
                return
            self._cap.leave()
        self._breaker.release()
        self._refuse(p, ctx, attempt, "inflight")

    def _retry_delay(self, p: _Prepared, attempt: int, deadline: float) -> float | None:
        """The backoff before sending a failed read again; None: it is not retried (a write, no
        attempts or deadline left, or the retry budget spent)."""
        if attempt >= p.attempts:
            return None
        s = self._settings
        delay = backoff_s(attempt, base_s=s.retry_backoff_s, cap_s=s.retry_backoff_max_s)
        if deadline - time.monotonic() - delay < s.retry_min_left_s:
            return None
        if not self._retry_budget.withdraw():
            self._events.on_retry_budget_exhausted(p.wire.operation.name)
            return None
        return delay

    def _refuse(self, p: _Prepared, ctx: CallContext, attempt: int, reason: Rejection) -> NoReturn:
        """Refuse the call unsent; the request log shows it (``refused_<reason>``), observers do not
        (nothing was sent), ``UpstreamEvents.on_rejected`` counts it."""
        self._events.on_rejected(reason)
        ctx.calls.append(UpstreamCall(p.wire.operation.name, 0.0, _REFUSED_OUTCOME[reason], attempt))
        raise MagentoUnavailable(operation=p.wire.operation.name, detail=_REFUSED[reason], maybe_executed=False)

    def _headers(self, outgoing: _Outgoing, ctx: CallContext) -> dict[str, str]:
        headers = dict(outgoing.base_headers)
        if ctx.customer_token:
            headers["Authorization"] = f"Bearer {ctx.customer_token}"
        if ctx.store:
            headers["Store"] = ctx.store
        if ctx.currency:
            headers["Content-Currency"] = ctx.currency
        if outgoing.cache_id:
            headers["X-Magento-Cache-Id"] = outgoing.cache_id
        if ctx.shopper_ip:
            headers["X-Forwarded-For"] = ctx.shopper_ip
        if ctx.request_id:
            headers["X-Request-ID"] = ctx.request_id
        return headers

    async def _once(
        self,
        p: _Prepared,
        outgoing: _Outgoing,
        ctx: CallContext,
        attempt: int,
        http_timeout: httpx.Timeout,
        extra: Sequence[Observer],
        deadline: float,
    ) -> _Answer:
        headers = self._headers(outgoing, ctx)
        if self._tracer is None:
            return await self._send(p, outgoing, ctx, attempt, http_timeout, headers, extra, deadline)
        with self._tracer.upstream_span(p.wire.operation.name, headers, outgoing.method) as finish_span:
            extra = (*extra, finish_span)
            return await self._send(p, outgoing, ctx, attempt, http_timeout, headers, extra, deadline)

    async def _send(
        self,
        p: _Prepared,
        outgoing: _Outgoing,
        ctx: CallContext,
        attempt: int,
        http_timeout: httpx.Timeout,
        headers: dict[str, str],
        extra: Sequence[Observer],
        deadline: float,
    ) -> _Answer:
        """One attempt, given up at ``deadline`` (the call's, a ``time.monotonic()`` instant)."""
        name = p.wire.operation.name
        started = time.perf_counter()
        outcome = "ok"
        status: int | None = None
        tags: tuple[str, ...] = ()
        try:
            async with asyncio.timeout(deadline - time.monotonic()):
                response = await self._http.request(
                    outgoing.method, outgoing.url, content=outgoing.content, headers=headers, timeout=http_timeout
                )
            status = response.status_code
            tags = _cache_tags(response)
            if ctx.customer_token is None:
                cache_id = response.headers.get("X-Magento-Cache-Id")
                if cache_id:
                    self._cache_ids.remember(ctx.store, ctx.currency, cache_id)
            if status in RETRYABLE_STATUS:
                outcome = f"http_{status}"
                raise MagentoUnavailable(operation=name, detail=f"HTTP {status}", maybe_executed=False)
            content = response.content
            body = _decoded(content)
            if status >= 500 and not (isinstance(body, dict) and ("errors" in body or "data" in body)):
                outcome = f"http_{status}"  # not a GraphQL answer (Magento answers its own failures so, also with 500)
                raise MagentoUnavailable(operation=name, detail=f"HTTP {status}", maybe_executed=True)
            if body is _NOT_JSON:
                raise UpstreamFailed(operation=name, detail=f"HTTP {status}, not JSON")
            if not isinstance(body, dict):
                raise UpstreamFailed(operation=name, detail="JSON body is not an object")
            if body.get("errors"):
                outcome = "graphql_error"
                raise error_from_magento(body["errors"], operation=name)
            data = body.get("data")
            if status != 200 or not isinstance(data, dict):
                outcome = f"http_{status}"
                raise UpstreamFailed(operation=name, detail=f"HTTP {status} without data")
            return _Answer(data, content)
        except (TimeoutError, httpx.TimeoutException) as exc:
            outcome = "timeout"
            never_sent = isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            raise MagentoUnavailable(operation=name, detail="timeout", maybe_executed=not never_sent) from exc
        except httpx.TransportError as exc:
            outcome = "unavailable"
            raise MagentoUnavailable(
                operation=name, detail=type(exc).__name__, maybe_executed=not isinstance(exc, httpx.ConnectError)
            ) from exc
        finally:
            call = UpstreamCall(name, time.perf_counter() - started, outcome, attempt, status, tags)
            ctx.calls.append(call)
            for observe in self._observers:
                observe(call)
            for observe in extra:
                observe(call)


_NOT_JSON: Any = object()
_REFUSED_OUTCOME: dict[Rejection, str] = {r: f"refused_{r}" for r in ("breaker", "inflight", "deadline")}
_REFUSED: dict[Rejection, str] = {
    "breaker": "circuit breaker open: not sent",
    "inflight": "no in-flight slot before the deadline: not sent",
    "deadline": "request deadline passed: not sent",
}


def _decoded(content: bytes) -> Any:
    """The JSON value of a body, or ``_NOT_JSON``."""
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _cache_tags(response: httpx.Response) -> tuple[str, ...]:
    """Magento's cache tags of an answer (``X-Magento-Tags``), without the ``FPC`` marker."""
    header = response.headers.get("X-Magento-Tags")
    if not header:
        return ()
    return tuple(t for t in (part.strip() for part in header.split(",")) if t and t != FPC_TAG)


def _with_query(base: httpx.URL, query: str) -> httpx.URL:
    """``base`` with ``query``, without httpx parsing and re-quoting the query again (about 0.1 ms
    for a listing's). ``query`` must already be in the form httpx would give it: ``EncodedOperation``
    percent-encodes everything outside httpx's query-safe set (``_fast_url_matches_httpx`` checks)."""
    url = httpx.URL.__new__(httpx.URL)
    url._uri_reference = base._uri_reference._replace(query=query)
    return url


def _fast_url_matches_httpx(base: httpx.URL) -> bool:
    """Whether ``_with_query`` builds what httpx's own parse does (httpx's internals may change)."""
    sample = encoded("StoreConfig").get_query(canonical_variables({"a": 'b "c" & d+e #f %g/?{}[]é'}))
    try:
        return str(_with_query(base, sample)) == str(httpx.URL(f"{base}?{sample}"))
    except (AttributeError, TypeError):
        return False
