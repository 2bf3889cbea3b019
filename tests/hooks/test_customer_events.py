"""A ``customer`` event from Magento ends the BFF sessions of that customer where the change needs it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
import pytest
from starlette.applications import Starlette

from tests.fake_clock import FakeClock
from tests.hooks.conftest import code, send

RONI = {"email": "roni_cost@example.com", "password": "Roni-Cost-3"}
SIGN_IN = """mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { userErrors { code } }
}"""
VIEWER = "query { viewer { signedIn } }"


SignedIn = Callable[[], Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def signed_in(bff_app: Starlette) -> AsyncIterator[SignedIn]:
    """``await signed_in()``: a browser of its own (its own session cookie), signed in as Roni."""
    async with AsyncExitStack() as stack:

        async def browser() -> httpx.AsyncClient:
            transport = httpx.ASGITransport(app=bff_app)
            opened = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url="http://bff.test"))
            answer = await opened.post("/graphql", json={"query": SIGN_IN, "variables": RONI})
            assert answer.json()["data"]["signIn"]["userErrors"] == []
            return opened

        yield browser


async def is_signed_in(browser: httpx.AsyncClient) -> bool:
    return bool((await browser.post("/graphql", json={"query": VIEWER})).json()["data"]["viewer"]["signedIn"])


@pytest.mark.parametrize("change", ["password", "email", "locked", "deleted"])
async def test_a_change_that_ends_sessions_signs_out_every_browser_of_that_customer(
    signed_in: SignedIn, client: httpx.AsyncClient, clock: FakeClock, change: str
) -> None:
    phone, laptop = await signed_in(), await signed_in()
    answer = await send(
        client, "customer", {"id": f"c-{change}", "data": {"email": "Roni_Cost@example.com", "change": change}}, clock
    )
    assert answer.json()["sessions_ended"] == 2
    assert (await is_signed_in(phone), await is_signed_in(laptop)) == (False, False)


async def test_another_change_keeps_the_customer_signed_in(
    signed_in: SignedIn, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    phone = await signed_in()
    answer = await send(client, "customer", {"id": "c-1", "data": {"email": RONI["email"], "change": "other"}}, clock)
    assert answer.json()["sessions_ended"] == 0
    assert await is_signed_in(phone)


async def test_a_change_of_another_customer_keeps_this_one_signed_in(
    signed_in: SignedIn, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    phone = await signed_in()
    data = {"email": "john.doe@example.com", "change": "password"}
    assert (await send(client, "customer", {"id": "c-2", "data": data}, clock)).json()["sessions_ended"] == 0
    assert await is_signed_in(phone)


async def test_an_unknown_kind_of_change_is_bad_input(client: httpx.AsyncClient, clock: FakeClock) -> None:
    data = {"email": RONI["email"], "change": "birthday"}
    assert code(await send(client, "customer", {"id": "c-3", "data": data}, clock)) == (400, "BAD_USER_INPUT")
