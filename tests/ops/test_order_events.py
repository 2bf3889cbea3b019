"""``order.placed`` through real `bff serve` processes, a real Redis and the sandbox: the event
exists once for every order placed, also when the BFF is SIGKILLed right after answering, and
under ~50 concurrent checkouts with double submits."""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter
from typing import Any

import httpx
import redis

from tests.ops.conftest import ServeFactory
from tests.ops.test_horizontal_scale import orders
from tests.ops.test_serve import ADD, CHECKOUT, post
from tests.processes import Process

EVENTS_ON = {"BFF_EVENTS__ENABLED": "true"}
SHOPPERS = 50


def order_events(redis_url: str) -> list[dict[str, Any]]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        entries: Any = client.xrange("bff:v1:events")
    finally:
        client.close()
    return [fields | {"data": json.loads(fields["data"])} for _, fields in entries if fields["type"] == "order.placed"]


def test_an_order_answered_just_before_the_bff_is_killed_has_its_event_once(
    serve: ServeFactory, sandbox: Process, flushed_redis: str
) -> None:
    with serve(**EVENTS_ON) as replica:
        token = post(replica, ADD).headers["X-Session-Token"]
        order = post(replica, CHECKOUT, token, key="killed-after-1").json()["data"]["checkout"]["order"]
        replica.proc.send_signal(signal.SIGKILL)
        replica.proc.wait(timeout=10)
    with serve(**EVENTS_ON) as again:  # the shopper's retry replays the order and adds no event
        replayed = post(again, CHECKOUT, token, key="killed-after-1").json()["data"]["checkout"]["order"]
    assert replayed == order
    (event,) = order_events(flushed_redis)
    assert event["data"]["order_number"] == order["number"]
    assert event["data"]["email"] == "jane@example.com"
    assert len(orders(sandbox)) == 1


async def _shopper(client: httpx.AsyncClient, url: str, i: int) -> str | None:
    add = await client.post(f"{url}/graphql", json={"query": ADD})
    headers = {"Authorization": f"Bearer {add.headers['X-Session-Token']}"}
    body = {"query": CHECKOUT, "variables": {"key": f"events-storm-{i}"}}
    submits = 2 if i % 3 == 0 else 1  # a double submit of the same key, at once
    answers = await asyncio.gather(*(client.post(f"{url}/graphql", json=body, headers=headers) for _ in range(submits)))
    assert all(a.json()["data"] for a in answers), [a.text for a in answers]
    numbers = {(a.json()["data"]["checkout"]["order"] or {}).get("number") for a in answers}
    assert len(numbers) == 1, numbers
    return numbers.pop()


async def _storm(url: str) -> list[str | None]:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=SHOPPERS)) as client:
        return await asyncio.gather(*(_shopper(client, url, i) for i in range(SHOPPERS)))


def test_every_order_of_concurrent_checkouts_yields_exactly_one_order_placed_event(
    serve: ServeFactory, sandbox: Process, flushed_redis: str
) -> None:
    with serve(**EVENTS_ON) as replica:
        numbers = asyncio.run(_storm(replica.url))
    events = order_events(flushed_redis)
    placed = [str(o["number"]) for o in orders(sandbox)]
    assert sorted(placed) == sorted(str(n) for n in numbers)
    assert len(set(placed)) == SHOPPERS
    assert Counter(e["data"]["order_number"] for e in events) == Counter(placed)  # one event per order
    assert len({e["id"] for e in events}) == SHOPPERS
