"""An ``order`` event from Magento: ``viewer.orders`` shows the announced status, even while
Magento's read still answers the old one (here: the sandbox, whose orders stay "Pending")."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bff.sandbox import SandboxState
from tests.fake_clock import FakeClock
from tests.hooks.conftest import code, send
from tests.orders import add_orders
from tests.storefront_fixtures import Gql

RONI = {"email": "roni_cost@example.com", "password": "Roni-Cost-3"}
SIGN_IN = """mutation S($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { userErrors { code } } }"""
ORDERS = """query Orders($page: Int! = 1, $pageSize: Int! = 5) {
  viewer { customer { orders(page: $page, pageSize: $pageSize) { items { number status } } } } }"""
STATUS_TTL_S = 900  # BFF_WEBHOOK_ORDER_STATUS_TTL_S's default


@pytest.fixture
async def numbers(gql: Gql, sandbox_state: SandboxState) -> list[str]:
    """Roni, signed in, with two orders that Magento answers as "Pending": their numbers, oldest first."""
    add_orders(sandbox_state, RONI["email"], 2)
    assert (await gql(SIGN_IN, RONI))["data"]["signIn"]["userErrors"] == []
    return [o.number for o in sandbox_state.orders]


async def statuses(gql: Gql, page: int = 1, page_size: int = 5) -> dict[str, str]:
    body: dict[str, Any] = await gql(ORDERS, {"page": page, "pageSize": page_size})
    assert "errors" not in body, body
    return {o["number"]: o["status"] for o in body["data"]["viewer"]["customer"]["orders"]["items"]}


async def announce(client: httpx.AsyncClient, clock: FakeClock, event_id: str, **data: str) -> httpx.Response:
    return await send(client, "order", {"id": event_id, "data": data}, clock)


async def test_an_announced_status_shows_in_viewer_orders_while_magento_still_answers_the_old_one(
    gql: Gql, client: httpx.AsyncClient, clock: FakeClock, numbers: list[str]
) -> None:
    first, second = numbers
    answer = await announce(client, clock, "o-1", number=first, status="complete")
    assert answer.json()["recorded"] is True
    assert await statuses(gql) == {second: "Pending", first: "Complete"}


async def test_an_announced_status_shows_on_a_later_page_too(
    gql: Gql, client: httpx.AsyncClient, clock: FakeClock, numbers: list[str]
) -> None:
    await announce(client, clock, "o-1", number=numbers[0], status="processing")
    assert await statuses(gql, page=2, page_size=1) == {numbers[0]: "Processing"}


async def test_the_label_magento_sends_is_what_the_storefront_shows(
    gql: Gql, client: httpx.AsyncClient, clock: FakeClock, numbers: list[str]
) -> None:
    await announce(client, clock, "o-1", number=numbers[0], status="ready_for_pickup", label="Ready in store")
    assert (await statuses(gql))[numbers[0]] == "Ready in store"


async def test_a_custom_status_without_a_label_shows_its_code_in_words(
    gql: Gql, client: httpx.AsyncClient, clock: FakeClock, numbers: list[str]
) -> None:
    await announce(client, clock, "o-1", number=numbers[0], status="ready_for_pickup")
    assert (await statuses(gql))[numbers[0]] == "Ready For Pickup"


async def test_magentos_own_status_shows_again_once_the_announcement_has_expired(
    gql: Gql, client: httpx.AsyncClient, clock: FakeClock, numbers: list[str]
) -> None:
    await announce(client, clock, "o-1", number=numbers[0], status="complete")
    clock.advance(STATUS_TTL_S)
    assert (await statuses(gql))[numbers[0]] == "Pending"


async def test_an_earlier_change_arriving_after_a_later_one_does_not_replace_it(
    gql: Gql, client: httpx.AsyncClient, clock: FakeClock, numbers: list[str]
) -> None:
    first = numbers[0]
    await announce(client, clock, "o-2", number=first, status="complete", updated_at="2026-11-02 09:00:00")
    late = await announce(client, clock, "o-1", number=first, status="processing", updated_at="2026-11-02 08:00:00")
    assert late.json()["recorded"] is False
    assert (await statuses(gql))[numbers[0]] == "Complete"


async def test_an_updated_at_not_in_magentos_format_is_bad_input(client: httpx.AsyncClient, clock: FakeClock) -> None:
    answer = await announce(client, clock, "o-1", number="000000001", status="complete", updated_at="yesterday")
    assert code(answer) == (400, "BAD_USER_INPUT")
