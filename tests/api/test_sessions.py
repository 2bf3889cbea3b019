"""Session custody: the client holds only an opaque token; everything Magento lives server-side."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.sandbox import SandboxState
from bff.sessions.tokens import session_id
from bff.settings import Settings
from tests.fake_clock import FakeClock
from tests.storefront_fixtures import Gql, without_cost

ADD = """mutation { addToCart(items: [{sku: "BAG-001", quantity: 1}]) {
  cart { totalQuantity } userErrors { code } } }"""
CART = "{ cart { totalQuantity } }"


def _post(query: str) -> dict[str, object]:
    return {"query": query}


async def test_no_session_is_created_until_one_is_needed(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=_post(CART), headers={"Origin": "http://127.0.0.1:3000"})
    assert "set-cookie" not in response.headers
    assert without_cost(response.json()) == {"data": {"cart": {"totalQuantity": 0}}}


async def test_browsers_get_an_http_only_same_site_cookie_and_no_token_header(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=_post(ADD), headers={"Origin": "http://127.0.0.1:3000"})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("bff_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "X-Session-Token" not in response.headers


async def _cookie_for(environment: str, sandbox_app: Starlette) -> str:
    app = create_app(Settings(environment=environment), magento_transport=httpx.ASGITransport(app=sandbox_app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bff.test") as c:
        response = await c.post("/graphql", json=_post(ADD))
    return response.headers["set-cookie"]


async def test_the_cookie_is_secure_outside_development(sandbox_app: Starlette) -> None:
    assert "; Secure" in await _cookie_for("test", sandbox_app)


async def test_development_cookies_work_on_plain_http_localhost(sandbox_app: Starlette) -> None:
    assert "Secure" not in await _cookie_for("development", sandbox_app)


async def test_the_cookie_carries_the_session_between_requests(gql: Gql) -> None:
    await gql(ADD)
    assert (await gql(CART))["data"]["cart"]["totalQuantity"] == 1


async def test_mobile_clients_get_the_token_in_a_header_and_use_it_as_bearer(bff_app: Starlette) -> None:
    transport = httpx.ASGITransport(app=bff_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bff.test") as app_client:
        first = await app_client.post("/graphql", json=_post(ADD))
        token = first.headers["X-Session-Token"]
        app_client.cookies.clear()
        again = await app_client.post("/graphql", json=_post(CART), headers={"Authorization": f"Bearer {token}"})
    assert without_cost(again.json()) == {"data": {"cart": {"totalQuantity": 1}}}
    assert "set-cookie" not in again.headers


async def test_only_a_hash_of_the_token_is_stored(client: httpx.AsyncClient, bff_app: Starlette) -> None:
    await client.post("/graphql", json=_post(ADD))
    token = client.cookies["bff_session"]
    sessions = bff_app.state.sessions
    assert await sessions.load(session_id(token)) is not None
    assert await sessions.load(token) is None


async def test_an_unknown_or_malformed_token_is_ignored_and_a_new_session_starts(client: httpx.AsyncClient) -> None:
    for bogus in ("not-a-token", "A" * 43, "x" * 5000):
        response = await client.post("/graphql", json=_post(CART), headers={"Authorization": f"Bearer {bogus}"})
        assert without_cost(response.json()) == {"data": {"cart": {"totalQuantity": 0}}}


async def test_an_idle_session_expires(gql: Gql, clock: FakeClock) -> None:
    await gql(ADD)
    clock.advance(7 * 24 * 3600 + 1)
    assert (await gql(CART))["data"]["cart"]["totalQuantity"] == 0


async def test_using_a_session_keeps_it_alive(gql: Gql, clock: FakeClock) -> None:
    await gql(ADD)
    for _ in range(3):
        clock.advance(5 * 24 * 3600)
        assert (await gql(CART))["data"]["cart"]["totalQuantity"] == 1


async def test_store_and_currency_headers_are_remembered_in_the_session(gql: Gql, sandbox_state: SandboxState) -> None:
    await gql(ADD, headers={"Store": "de", "Content-Currency": "EUR"})
    cart = await gql("{ cart { prices { grandTotal { currency } } } }")
    assert cart["data"]["cart"]["prices"]["grandTotal"]["currency"] == "EUR"
    assert next(iter(sandbox_state.carts.values())).store_code == "de"


async def test_malformed_store_headers_are_bad_user_input(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=_post(CART), headers={"Store": "../../etc"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


STORE_CODE = "{ storeConfig { storeCode defaultDisplayCurrency } }"


async def test_an_unknown_store_view_is_bad_user_input_naming_the_header(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=_post(STORE_CODE), headers={"Store": "nowhere"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "Store header" in error["message"]


async def test_an_unsupported_currency_is_bad_user_input_naming_the_header(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json=_post(STORE_CODE), headers={"Content-Currency": "JPY"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "Content-Currency header" in error["message"]


async def test_a_currency_is_checked_against_the_store_view_it_is_sent_with(gql: Gql) -> None:
    body = await gql(STORE_CODE, headers={"Store": "de", "Content-Currency": "EUR"})
    assert body["data"] == {"storeConfig": {"storeCode": "de", "defaultDisplayCurrency": "EUR"}}


async def test_refused_store_and_currency_headers_are_not_remembered(gql: Gql, client: httpx.AsyncClient) -> None:
    await gql(ADD)
    for headers in ({"Store": "nowhere"}, {"Content-Currency": "JPY"}):
        refused = await client.post("/graphql", json=_post(CART), headers=headers)
        assert refused.status_code == 400
    assert (await gql(STORE_CODE))["data"] == {"storeConfig": {"storeCode": "default", "defaultDisplayCurrency": "USD"}}
    assert (await gql(CART))["data"] == {"cart": {"totalQuantity": 1}}


async def test_the_leak_scan_catches_a_masked_cart_id(gql: Gql, sandbox_state: SandboxState) -> None:
    from tests.api.conftest import assert_no_magento_secrets

    await gql(ADD)
    [cart_id] = sandbox_state.carts
    leaking = httpx.Response(200, text=f'{{"id": "{cart_id}"}}', request=httpx.Request("POST", "http://bff.test/"))
    with pytest.raises(AssertionError, match="leaked"):
        assert_no_magento_secrets([leaking], sandbox_state)


async def test_every_bff_response_is_recorded_for_the_leak_scan(gql: Gql, responses: list[httpx.Response]) -> None:
    await gql(ADD)
    await gql(CART)
    assert [r.request.url.path for r in responses] == ["/graphql", "/graphql"]
