"""What the BFF really sends Magento for a storefront request, recorded in-process.

The direct-to-sandbox scenarios must send the BFF's own upstream request (its document, variables,
method and headers, whatever the BFF's code makes of them today or after a change), not a copy
kept in the benchmark that drifts. So before the run the BFF app is built in this process with a
recording transport in front of an in-process sandbox, a storefront request is made, and the
upstream request it caused is kept for replay against the real sandbox process.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import httpx

from bench.wrk import HttpRequest
from bff.app import create_app
from bff.sandbox import create_sandbox_app
from bff.sandbox.seed import seeded_state
from bff.settings import Settings

# Headers a replay keeps; the rest (host, length, user agent, request ids, forwarding) is per request.
REPLAYED_HEADERS = frozenset({"content-type", "accept", "store", "content-currency", "x-magento-cache-id"})


@dataclass(frozen=True)
class UpstreamRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: str

    @property
    def operation_name(self) -> str | None:
        if self.body:
            name = json.loads(self.body).get("operationName")
            return str(name) if name else None
        query = self.path.partition("?")[2]
        names = parse_qs(query).get("operationName")
        return names[0] if names else None

    def replaced(self, old: str, new: str) -> UpstreamRequest:
        """The same request with ``old`` (e.g. the in-process sandbox's cart id) replaced by ``new``."""
        return UpstreamRequest(self.method, self.path.replace(old, new), self.headers, self.body.replace(old, new))

    def http_request(self) -> HttpRequest:
        return HttpRequest(self.method, self.path, self.headers, self.body)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Forwards every request to ``inner`` and keeps a copy of it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[UpstreamRequest] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        path = request.url.raw_path.decode()
        headers = {k.lower(): v for k, v in request.headers.items() if k.lower() in REPLAYED_HEADERS}
        self.requests.append(UpstreamRequest(request.method, path, headers, body.decode()))
        return await self.inner.handle_async_request(request)


def pick(calls: Sequence[UpstreamRequest], name: str) -> UpstreamRequest:
    """The call named ``name``, or the only call made."""
    named = [c for c in calls if c.operation_name == name]
    if named:
        return named[-1]
    if len(calls) == 1:
        return calls[0]
    raise RuntimeError(f"expected one upstream call ({name}), the BFF made {[c.operation_name for c in calls]}")


@dataclass(frozen=True)
class Captured:
    listing: UpstreamRequest
    cart: UpstreamRequest
    cart_id: str  # the in-process sandbox's masked id inside ``cart``, to be replaced by a real one


async def capture(
    settings: Settings,
    listing_body: dict[str, Any],
    warm_listing_body: dict[str, Any],
    add_to_cart_body: dict[str, Any],
    cart_body: dict[str, Any],
) -> Captured:
    """Make each storefront request once after a warm-up (locale caches filled), keep its upstream call."""
    logging.getLogger("bff").setLevel(logging.ERROR)  # its warnings about in-process stores are for operators
    state = seeded_state()
    recorder = RecordingTransport(httpx.ASGITransport(app=create_sandbox_app(state)))
    app = create_app(settings, magento_transport=recorder)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bff.bench") as client:

            async def calls_of(body: dict[str, Any]) -> list[UpstreamRequest]:
                before = len(recorder.requests)
                response = await client.post("/graphql", json=body)
                answer = response.json()
                if response.status_code != 200 or answer.get("errors"):
                    raise RuntimeError(f"capture: {body.get('operationName')} failed: {response.text[:500]}")
                return recorder.requests[before:]

            await calls_of(warm_listing_body)
            listing = pick(await calls_of(listing_body), "ProductListing")
            await calls_of(add_to_cart_body)
            await calls_of(cart_body)
            cart = pick(await calls_of(cart_body), "CartSummary")
    finally:
        await app.state.magento_http.aclose()
    cart_ids = [cart_id for cart_id in state.carts if cart_id in cart.body or cart_id in cart.path]
    if len(cart_ids) != 1:
        raise RuntimeError("capture: the cart read names no (or several) sandbox carts")
    return Captured(listing, cart, cart_ids[0])
