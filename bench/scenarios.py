"""The benchmark's scenarios: what each one sends, to which server, and how it is prepared.

The storefront listing is one document (20 tiles with prices and stock, paging, facets) in three
forms: uncached, cached by persisted GET (Apollo's APQ ``?extensions=`` form, a fixed hash), and
cached by POST of the same document. What keeps the uncached one uncached, documented here for the
response cache: each request sends ``filter.priceTo`` with a number unique in the whole run (at
least 10^8, above every price, so the answer is the same products), a variable that every cache
key must include; nothing else (no ``Cache-Control`` request header) is relied on. The cached
forms send ``priceTo: "1000000"`` (the same products again), so all three ask for one listing.

The cart read is the storefront's cart page (``examples/operations/Cart.graphql``) of a session
whose cart holds three lines, sent with the session cookie. Its direct counterpart is the Magento
request the BFF sends for it (captured, see ``bench.capture``) for a cart with the same lines. The
pair compares latencies, so it runs on one connection (``--latency-connections``): with 16, a
p50 would mostly be the time spent queued behind the other 15 requests.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from bench.capture import Captured
from bench.processes import REPO
from bench.wrk import UNIQUE, HttpRequest
from bff.magento.client import MagentoClient
from bff.settings import MagentoSettings

LISTING = """query BenchListing($filter: ProductFilterInput) {
  products(filter: $filter, page: 1, pageSize: 20) {
    totalCount
    pageInfo { currentPage totalPages }
    items {
      id sku name urlKey thumbnail { url label } inStock
      price { regular { value currency } final { value currency } }
    }
    facets { attribute label options { label value count } }
  }
}"""
LISTING_HASH = hashlib.sha256(LISTING.encode()).hexdigest()
FIXED_FILTER = {"priceTo": "1000000"}
UNIQUE_BASE = 100_000_000  # every unique priceTo is above every price (and below the BFF's 10^9 maximum)
UNIQUE_STRIDE = 1_000_000  # each wrk run counts up from its own multiple of this
CART = (REPO / "examples" / "operations" / "Cart.graphql").read_text()
ADD_TO_CART = (REPO / "examples" / "operations" / "AddToCart.graphql").read_text()
CART_LINES = [{"sku": "BAG-001", "quantity": 2}, {"sku": "BAG-002", "quantity": 1}, {"sku": "FREEBIE", "quantity": 1}]
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def listing_body(filter_: dict[str, str]) -> dict[str, Any]:
    return {"query": LISTING, "operationName": "BenchListing", "variables": {"filter": filter_}}


def uncached_listing_body() -> str:
    return json.dumps(listing_body({"priceTo": UNIQUE}))


def cart_body() -> dict[str, Any]:
    return {"query": CART, "operationName": "Cart", "variables": {}}


def add_to_cart_body() -> dict[str, Any]:
    return {"query": ADD_TO_CART, "operationName": "AddToCart", "variables": {"items": CART_LINES}}


def persisted_listing_path() -> str:
    params = {
        "operationName": "BenchListing",
        "variables": json.dumps({"filter": FIXED_FILTER}, separators=(",", ":")),
        "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": LISTING_HASH}}, separators=(",", ":")),
    }
    return "/graphql?" + urlencode(params)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    server: str  # the name of the server it loads
    request: HttpRequest  # UNIQUE in its body: replaced per request
    latency: bool = False  # measured on --latency-connections (one by default): p50 is then a request's own


def graphql_answer(response: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON of a successful GraphQL answer (status 200, no errors), else a RuntimeError naming ``what``."""
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or body.get("errors") or "data" not in body:
        raise RuntimeError(f"{what}: HTTP {response.status_code}: {response.text[:500]}")
    return body


def register_persisted_listing(bff_url: str) -> bytes:
    """Register the listing's hash (APQ: the query with its hash), then GET it by hash; the bytes of
    that answer are what the static floor serves."""
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": LISTING_HASH}}
    body = listing_body(FIXED_FILTER) | {"extensions": extensions}
    graphql_answer(httpx.post(bff_url + "/graphql", json=body, timeout=30), "APQ registration")
    response = httpx.get(bff_url + persisted_listing_path(), headers=JSON_HEADERS, timeout=30)
    graphql_answer(response, "persisted GET of the listing")
    return response.content


def start_bff_session(bff_url: str) -> str:
    """A session whose cart holds ``CART_LINES``; its ``Cookie`` header value."""
    response = httpx.post(bff_url + "/graphql", json=add_to_cart_body(), timeout=30)
    answer = graphql_answer(response, "addToCart through the BFF")
    if answer["data"]["addToCart"]["userErrors"]:
        raise RuntimeError(f"addToCart through the BFF: {answer['data']['addToCart']['userErrors']}")
    cookie = str(response.headers.get("set-cookie", "")).split(";", 1)[0]
    if "=" not in cookie:
        raise RuntimeError("addToCart through the BFF set no session cookie")
    return cookie


async def direct_cart_id(sandbox_url: str) -> str:
    """A guest cart in the sandbox with ``CART_LINES``, made with the BFF's own Magento operations."""
    async with httpx.AsyncClient(timeout=30) as http:
        magento = MagentoClient(http, MagentoSettings(), sandbox_url + "/graphql")
        created = await magento.execute("CreateGuestCart")
        cart_id: str = created["createGuestCart"]["cart"]["id"]
        await magento.execute("AddProductsToCart", {"cartId": cart_id, "items": CART_LINES})
        return cart_id


def scenarios(captured: Captured, cookie: str, sandbox_cart_id: str) -> list[Scenario]:
    post = {"Content-Type": "application/json", "Accept": "application/json"}
    fixed = json.dumps(listing_body(FIXED_FILTER))
    return [
        Scenario("floor", "static floor (same bytes as the cached listing)", "floor", HttpRequest("GET", "/")),
        Scenario("sandbox_listing", "listing direct to the sandbox", "sandbox", captured.listing.http_request()),
        Scenario(
            "bff_listing_uncached",
            "listing through the BFF, uncached (unique priceTo)",
            "bff",
            HttpRequest("POST", "/graphql", post, uncached_listing_body()),
        ),
        Scenario(
            "bff_listing_cached_get",
            "listing through the BFF, persisted GET (fixed hash)",
            "bff",
            HttpRequest("GET", persisted_listing_path(), {"Accept": "application/json"}),
        ),
        Scenario(
            "bff_listing_cached_post",
            "listing through the BFF, POST of the same document",
            "bff",
            HttpRequest("POST", "/graphql", post, fixed),
        ),
        Scenario(
            "sandbox_cart",
            "cart read direct to the sandbox (CartSummary)",
            "sandbox",
            captured.cart.replaced(captured.cart_id, sandbox_cart_id).http_request(),
            latency=True,
        ),
        Scenario(
            "bff_cart",
            "cart read through the BFF (session cookie)",
            "bff",
            HttpRequest("POST", "/graphql", post | {"Cookie": cookie}, json.dumps(cart_body())),
            latency=True,
        ),
    ]


def check(scenario: Scenario, base_url: str) -> None:
    """One request of ``scenario`` by hand: it must be a successful answer before it is measured."""
    r = scenario.request
    body = r.body.replace(UNIQUE, str(UNIQUE_BASE - 1))  # as measured requests send, yet not one of theirs
    response = httpx.request(r.method, base_url + r.path, headers=r.headers, content=body or None, timeout=30)
    graphql_answer(response, scenario.title)
