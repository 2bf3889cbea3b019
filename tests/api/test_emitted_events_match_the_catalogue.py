"""What the storefront's mutations really write to the outbox matches schema/events/<type>.json."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis
from jsonschema import Draft202012Validator
from pydantic import SecretStr

from bff.events.catalogue import schema_file
from bff.events.models import Event
from bff.settings import EventsSettings, SessionSettings, Settings
from tests.api.test_auth import ADA, ADD_TO_CART, RONI_LOGIN, SIGN_IN, SIGN_UP
from tests.api.test_checkout import CHECKOUT
from tests.storefront import checkout_input
from tests.storefront_fixtures import Gql

SCHEMAS = Path(__file__).resolve().parents[2] / "schema" / "events"
BAG = [{"sku": "BAG-001", "quantity": 1}]


@pytest.fixture
def settings(redis_url: str) -> Settings:
    return Settings(
        environment="test",
        redis_url=SecretStr(redis_url),
        session=SessionSettings(cookie_secure=False),
        events=EventsSettings(enabled=True),
    )


async def sign_up(gql: Gql) -> None:
    await gql(SIGN_UP, {"input": ADA})


async def merge_a_guest_cart(gql: Gql) -> None:
    await gql(ADD_TO_CART, {"items": BAG})
    await gql(SIGN_IN, RONI_LOGIN)


async def refused_checkout(gql: Gql) -> None:
    await gql(ADD_TO_CART, {"items": BAG})
    await gql(CHECKOUT, {"input": checkout_input(shippingMethod={"carrierCode": "nope", "methodCode": "nope"})})


async def guest_order(gql: Gql) -> None:
    await gql(ADD_TO_CART, {"items": BAG})
    await gql(CHECKOUT, {"input": checkout_input()})


SCENARIOS: dict[str, tuple[Callable[[Gql], Awaitable[None]], str]] = {
    "signUp": (sign_up, "customer.registered"),
    "signIn merging a guest cart": (merge_a_guest_cart, "cart.merged"),
    "refused checkout": (refused_checkout, "checkout.failed"),
    "placed checkout": (guest_order, "order.placed"),
}


def emitted(flushed_redis: redis.Redis) -> list[dict[str, Any]]:
    """The bodies receivers would be sent for every outbox entry."""
    entries: Any = flushed_redis.xrange("bff:v1:events")
    return [json.loads(Event.from_fields(fields).body()) for _, fields in entries]


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
async def test_the_event_a_mutation_writes_is_valid_against_its_schema(
    gql: Gql, flushed_redis: redis.Redis, scenario: tuple[Callable[[Gql], Awaitable[None]], str]
) -> None:
    run, expected_type = scenario
    await run(gql)
    bodies = emitted(flushed_redis)
    assert [b["type"] for b in bodies] == [expected_type]
    schema = json.loads((SCHEMAS / schema_file(expected_type)).read_text(encoding="utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(bodies[0])] == []
