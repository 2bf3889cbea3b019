"""Cross-site request forgery: another site can make the shopper's browser send the session cookie
with a "simple" request, one that needs no CORS preflight: a POST whose Content-Type is
``text/plain``, ``application/x-www-form-urlencoded`` or ``multipart/form-data`` (an HTML form, or
``fetch`` in no-cors mode), or a GET (a link; ``SameSite=Lax`` cookies go along on top-level
navigations). None of them may run a mutation: the BFF reads mutations only from JSON POST bodies,
which browsers never send cross-site without a preflight that CORS refuses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest

from bff.settings import SessionSettings, Settings
from tests.storefront_fixtures import without_cost

COOKIE = "bff_session"
ADD = 'mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } userErrors { code } } }'
CART = "{ cart { totalQuantity } }"
JSON_BODY = json.dumps({"query": ADD})
BOUNDARY = "----forged7MA4YWxkTrZu0gW"
MULTIPART_BODY = (
    "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in [("query", ADD), ("operations", JSON_BODY), ("map", "{}")]  # plain form and upload spec
    )
    + f"--{BOUNDARY}--\r\n"
)
SHOP = "https://shop.example"
CROSS_SITE = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


@dataclass(frozen=True)
class Forged:
    method: str
    content_type: str | None = None
    body: str | None = None
    refused_with: str = "Unsupported content type"  # the message of the BAD_USER_INPUT error

    async def send(self, client: httpx.AsyncClient) -> httpx.Response:
        headers = dict(CROSS_SITE)
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        params = {"query": ADD} if self.method == "GET" else None
        return await client.request(self.method, "/graphql", content=self.body, params=params, headers=headers)


FORGED = {
    "text/plain": Forged("POST", "text/plain;charset=UTF-8", JSON_BODY),
    "urlencoded form": Forged("POST", "application/x-www-form-urlencoded", urlencode({"query": ADD})),
    "multipart form": Forged("POST", f"multipart/form-data; boundary={BOUNDARY}", MULTIPART_BODY),
    "text/plain naming json in a parameter": Forged("POST", "text/plain; charset=application/json", JSON_BODY),
    "a link (GET)": Forged("GET", refused_with="mutations are not allowed when using GET"),
}


async def cart_quantity(client: httpx.AsyncClient) -> float:
    body = (await client.post("/graphql", json={"query": CART})).json()
    quantity: float = body["data"]["cart"]["totalQuantity"]
    return quantity


@pytest.fixture
def settings() -> Settings:
    """The shop's own site may call the BFF with credentials; no other origin may."""
    return Settings(environment="test", cors_origins=[SHOP], session=SessionSettings(cookie_secure=False))


@pytest.fixture
async def shopper(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A browser whose session (held by the cookie alone) has one bag in the cart."""
    added = without_cost((await client.post("/graphql", json={"query": ADD})).json())
    assert added == {"data": {"addToCart": {"cart": {"totalQuantity": 1}, "userErrors": []}}}
    assert list(client.cookies) == [COOKIE]
    return client


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
async def test_a_forged_cross_site_mutation_leaves_the_cart_unchanged(
    shopper: httpx.AsyncClient, forged: Forged
) -> None:
    await forged.send(shopper)
    assert await cart_quantity(shopper) == 1


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
async def test_a_forged_cross_site_mutation_is_refused_with_a_coded_error_and_no_data(
    shopper: httpx.AsyncClient, forged: Forged
) -> None:
    response = await forged.send(shopper)
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": forged.refused_with, "extensions": {"code": "BAD_USER_INPUT"}}]}


async def test_a_json_post_from_another_site_is_stopped_at_the_cors_preflight(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers={**CROSS_SITE, **PREFLIGHT})
    assert (response.status_code, response.text) == (400, "Disallowed CORS origin")
    assert "access-control-allow-origin" not in response.headers


async def test_the_shops_own_site_passes_the_cors_preflight_with_credentials(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers={"Origin": SHOP, **PREFLIGHT})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    assert response.headers["access-control-allow-credentials"] == "true"


async def test_a_post_whose_media_type_only_mentions_json_is_not_read_as_json(shopper: httpx.AsyncClient) -> None:
    response = await Forged("POST", "text/plain, application/json", JSON_BODY).send(shopper)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"message": "Unsupported content type", "extensions": {"code": "BAD_USER_INPUT"}}]
    }
    assert await cart_quantity(shopper) == 1
