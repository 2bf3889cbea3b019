"""``viewer { customer { orders(page, pageSize) } }`` end to end: the account's order history, paged."""

from __future__ import annotations

from typing import Any

import pytest

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.orders import add_orders
from tests.storefront_fixtures import Gql

RONI = {"email": "roni_cost@example.com", "password": "Roni-Cost-3"}
SIGN_IN = """mutation S($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { userErrors { code } } }"""
ORDERS = """query Orders($page: Int! = 1, $pageSize: Int! = 5) { viewer { customer {
  orders(page: $page, pageSize: $pageSize) {
    items { number grandTotal { value currency } } totalCount pageInfo { currentPage pageSize totalPages }
  } } } }"""


def numbers(*ids: int) -> list[dict[str, Any]]:
    return [{"number": f"{i:09d}", "grandTotal": {"value": "10.00", "currency": "USD"}} for i in ids]


async def orders(gql: Gql, **variables: int) -> Any:
    body = await gql(ORDERS, variables)
    assert "errors" not in body, body
    return body["data"]["viewer"]["customer"]["orders"]


@pytest.fixture
async def roni_with_seven_orders(gql: Gql, sandbox_state: SandboxState) -> None:
    add_orders(sandbox_state, RONI["email"], 7)
    assert (await gql(SIGN_IN, RONI))["data"]["signIn"]["userErrors"] == []


@pytest.mark.usefixtures("roni_with_seven_orders")
async def test_the_first_page_has_the_five_newest_orders(gql: Gql) -> None:
    assert await orders(gql) == {
        "items": numbers(7, 6, 5, 4, 3),
        "totalCount": 7,
        "pageInfo": {"currentPage": 1, "pageSize": 5, "totalPages": 2},
    }


@pytest.mark.usefixtures("roni_with_seven_orders")
async def test_a_later_page_has_the_older_orders(gql: Gql) -> None:
    assert await orders(gql, page=2, pageSize=3) == {
        "items": numbers(4, 3, 2),
        "totalCount": 7,
        "pageInfo": {"currentPage": 2, "pageSize": 3, "totalPages": 3},
    }


@pytest.mark.usefixtures("roni_with_seven_orders")
async def test_a_page_beyond_the_last_one_has_no_orders(gql: Gql) -> None:
    assert await orders(gql, page=4, pageSize=3) == {
        "items": [],
        "totalCount": 7,
        "pageInfo": {"currentPage": 4, "pageSize": 3, "totalPages": 3},
    }


@pytest.mark.usefixtures("roni_with_seven_orders")
async def test_the_default_first_page_comes_with_the_viewer_without_another_magento_call(
    gql: Gql, faults: FaultPlan
) -> None:
    faults.set("CustomerOrders", Fault(error_rate=1.0, error="graphql"))
    assert (await orders(gql))["items"] == numbers(7, 6, 5, 4, 3)


@pytest.mark.usefixtures("roni_with_seven_orders")
async def test_a_larger_first_page_asks_magento_for_it(gql: Gql) -> None:
    assert (await orders(gql, pageSize=10))["items"] == numbers(7, 6, 5, 4, 3, 2, 1)


@pytest.mark.usefixtures("roni_with_seven_orders")
@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"page": 0}, "`page` must be between 1 and 10000."),
        ({"pageSize": 0}, "`pageSize` must be between 1 and 50."),
        ({"pageSize": 51}, "`pageSize` must be between 1 and 50."),
    ],
)
async def test_page_and_page_size_out_of_bounds_are_bad_user_input(
    gql: Gql, variables: dict[str, int], message: str
) -> None:
    body = await gql(ORDERS, variables)
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [("BAD_USER_INPUT", message)]


async def test_a_customer_without_orders_has_an_empty_history(gql: Gql) -> None:
    await gql(SIGN_IN, RONI)
    assert await orders(gql, page=2) == {
        "items": [],
        "totalCount": 0,
        "pageInfo": {"currentPage": 2, "pageSize": 5, "totalPages": 0},
    }
