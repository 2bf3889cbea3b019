"""What Magento answers the BFF per storefront selection: the bytes of each upstream answer.

The BFF runs in-process in front of the built-in sandbox; a transport between them counts the
bytes of every answer (the cart has three lines and a shipping address). Each case prints the
upstream bytes of its selection, of the same request with every part fetched (what the BFF sent
before its documents followed the selection: the same operation with its switches at their
defaults, or ``GetCart`` for a cart summary, sent in the same run), and their ratio; then the
sandbox's time to answer each (best of 30 in process, a stand-in for Magento's work per answer)
and that ratio.
Usage: ``.venv/bin/python bench/upstream_bytes.py``
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import httpx

from bff.app import create_app
from bff.magento.operations import all_operations
from bff.sandbox import create_sandbox_app
from bff.sandbox.seed import seeded_state
from bff.settings import SessionSettings, Settings

REPO = Path(__file__).resolve().parent.parent
LISTINGS = {
    "listing: items { sku name }": "{ products(pageSize: 20) { items { sku name } } }",
    "listing: totalCount items { sku name }": "{ products(pageSize: 20) { totalCount items { sku name } } }",
    "listing: tiles with price and image": "{ products(pageSize: 20) { totalCount items { sku name "
    "image { url } price { final { value currency } } } } }",
    "listing: facets only": "{ products(pageSize: 20) { facets { attribute label options { value count } } } }",
}
CART = {
    "cart: totalQuantity": "{ cart { totalQuantity } }",
    "cart: lines and totals (mini-cart)": "{ cart { totalQuantity items { quantity product { sku name } } "
    "prices { grandTotal { value } } } }",
    "cart: the cart page (examples/operations)": (REPO / "examples" / "operations" / "Cart.graphql").read_text(),
}
ROUNDS = 30  # answers per document; the best one is printed
SWITCHES = {"totals", "items", "sortFields", "facets", "images", "prices", "options", "lines", "shipping"}
SHIPPING_ADDRESS = """mutation { setShippingAddress(address: {firstname: "Jane", lastname: "Doe",
  street: ["1 Main St"], city: "Austin", region: "TX", postcode: "78701", countryCode: "US",
  telephone: "5125550100"}) { cart { id } } }"""
ADD = 'mutation { addToCart(items: [{sku: "%s", quantity: 2}]) { cart { totalQuantity } } }'


class Counting(httpx.AsyncBaseTransport):
    """Passes requests on; keeps (operation name, request, answer bytes) of each."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.calls: list[tuple[str, httpx.Request, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        self.calls.append((_operation(request), request, len(body)))
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def _operation(request: httpx.Request) -> str:
    if request.method == "GET":
        return str(request.url.params.get("operationName"))
    return str(json.loads(request.content).get("operationName"))


def _payload(request: httpx.Request) -> dict[str, object]:
    if request.method == "GET":
        params = request.url.params
        return {"query": params["query"], "operationName": params.get("operationName"),
                "variables": json.loads(params.get("variables") or "{}")}  # fmt: skip
    payload: dict[str, object] = json.loads(request.content)
    return payload


def _whole_payload(request: httpx.Request) -> dict[str, object]:
    """The same operation with every switch at its default (everything fetched); for
    ``CartSummary``, ``GetCart`` (the whole cart, what every cart read fetched before)."""
    payload = _payload(request)
    variables = {k: v for k, v in dict(payload.get("variables") or {}).items() if k not in SWITCHES}  # type: ignore[call-overload]
    if payload.get("operationName") == "CartSummary":
        payload = {"query": all_operations()["GetCart"].document, "operationName": "GetCart"}
    return {**payload, "variables": variables}


async def _sandbox_ms(
    sandbox: httpx.AsyncClient, payload: dict[str, object], headers: dict[str, str]
) -> tuple[int, float]:
    """(answer bytes, best wall ms of ``ROUNDS`` answers) of the in-process sandbox: its work per answer."""
    best, size = float("inf"), 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = await sandbox.post("/graphql", json=payload, headers=headers)
        best = min(best, time.perf_counter() - started)
        size = len(response.content)
    return size, best * 1000


async def main() -> None:
    state = seeded_state()
    sandbox_app = create_sandbox_app(state)
    counting = Counting(httpx.ASGITransport(app=sandbox_app))
    settings = Settings(environment="test", session=SessionSettings(cookie_secure=False))
    app = create_app(settings, magento_transport=counting)
    print(f"{'case':42} {'operation':14} {'bytes':>6} {'all parts':>9} {'ratio':>5} "
          f"{'sandbox ms':>10} {'all parts':>9} {'ratio':>5}")  # fmt: skip
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as bff,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url="http://sandbox") as sandbox,
    ):
        for sku in ("BAG-001", "BAG-002", "FREEBIE"):
            await bff.post("/graphql", json={"query": ADD % sku})
        await bff.post("/graphql", json={"query": SHIPPING_ADDRESS})
        for name, query in {**LISTINGS, **CART}.items():
            counting.calls.clear()
            response = await bff.post("/graphql", json={"query": query})
            assert "errors" not in response.json(), response.text
            for operation, request, _ in list(counting.calls):
                headers = dict(request.headers)
                size, ms = await _sandbox_ms(sandbox, _payload(request), headers)
                whole, whole_ms = await _sandbox_ms(sandbox, _whole_payload(request), headers)
                print(f"{name:42} {operation:14} {size:6d} {whole:9d} {whole / size:5.2f} "
                      f"{ms:10.2f} {whole_ms:9.2f} {whole_ms / ms:5.2f}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
