"""The domain events the storefront's mutations publish to the outbox (a real Redis stream), with
``BFF_EVENTS__ENABLED``; none when it is off."""

from __future__ import annotations

import json
from typing import Any

import pytest
import redis
from pydantic import SecretStr

from bff.settings import EventsSettings, SessionSettings, Settings
from tests.api.test_auth import ADA, ADD_TO_CART, RONI_LOGIN, SIGN_IN, SIGN_UP, payload
from tests.api.test_checkout import CHECKOUT
from tests.storefront import checkout_input
from tests.storefront_fixtures import Gql

BAG = [{"sku": "BAG-001", "quantity": 1}]


@pytest.fixture(params=[True, False], ids=["events-on", "events-off"])
def settings(request: pytest.FixtureRequest, redis_url: str) -> Settings:
    return Settings(
        environment="test",
        redis_url=SecretStr(redis_url),
        session=SessionSettings(cookie_secure=False),
        events=EventsSettings(enabled=request.param),
    )


def published(client: redis.Redis, settings: Settings) -> list[dict[str, Any]]:
    """The outbox's events (type and data), oldest first."""
    entries: Any = client.xrange("bff:v1:events")
    return [{"type": f["type"], "data": json.loads(f["data"])} for _, f in entries]


async def test_a_sign_up_publishes_customer_registered(
    gql: Gql, flushed_redis: redis.Redis, settings: Settings
) -> None:
    payload(await gql(SIGN_UP, {"input": ADA}), "signUp")
    expected = [{"type": "customer.registered", "data": {"email": ADA["email"]}}]
    assert published(flushed_redis, settings) == (expected if settings.events.enabled else [])


async def test_a_sign_in_that_merges_the_guest_cart_publishes_cart_merged(
    gql: Gql, flushed_redis: redis.Redis, settings: Settings
) -> None:
    payload(await gql(ADD_TO_CART, {"items": BAG}), "addToCart")
    payload(await gql(SIGN_IN, RONI_LOGIN), "signIn")
    expected = [{"type": "cart.merged", "data": {"items": 1}}]
    assert published(flushed_redis, settings) == (expected if settings.events.enabled else [])


async def test_a_refused_checkout_publishes_checkout_failed_with_its_codes(
    gql: Gql, flushed_redis: redis.Redis, settings: Settings
) -> None:
    payload(await gql(ADD_TO_CART, {"items": BAG}), "addToCart")
    wrong = checkout_input(shippingMethod={"carrierCode": "nope", "methodCode": "nope"})
    body = payload(await gql(CHECKOUT, {"input": wrong}), "checkout")
    codes = [e["code"] for e in body["userErrors"]]
    assert codes
    expected = [{"type": "checkout.failed", "data": {"codes": codes}}]
    assert published(flushed_redis, settings) == (expected if settings.events.enabled else [])


async def test_a_placed_order_publishes_order_placed_once_also_when_replayed(
    gql: Gql, flushed_redis: redis.Redis, settings: Settings
) -> None:
    payload(await gql(ADD_TO_CART, {"items": BAG}), "addToCart")
    first = payload(await gql(CHECKOUT, {"input": checkout_input()}), "checkout")
    again = payload(await gql(CHECKOUT, {"input": checkout_input()}), "checkout")
    assert first["order"] == again["order"]
    events = [
        (e["type"], e["data"]["order_number"], e["data"]["signed_in"]) for e in published(flushed_redis, settings)
    ]
    expected = [("order.placed", first["order"]["number"], False)]
    assert events == (expected if settings.events.enabled else [])
