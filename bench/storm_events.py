"""The storm's check of the events outbox: every order of the run has exactly one ``order.placed``
event (matched by e-mail, since a guest whose answer was lost has no number), and no event names an
order that does not exist or repeats another's id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import redis

from bff.events.catalogue import ORDER_PLACED
from bff.events.streams import OUTBOX

BATCH = 1000


def order_events(redis_url: str) -> list[dict[str, Any]]:
    """The ``order.placed`` entries of the outbox: {"id", "email", "number"}."""
    found: list[dict[str, Any]] = []
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        start = "-"
        while True:
            entries: list[tuple[str, dict[str, str]]] = client.xrange(OUTBOX, min=start, max="+", count=BATCH)  # type: ignore[assignment]
            for _, fields in entries:
                if fields.get("type") == ORDER_PLACED:
                    data = json.loads(fields.get("data") or "{}")
                    number = data.get("order_number")
                    found.append({"id": fields.get("id"), "email": data.get("email"), "number": number})
            if len(entries) < BATCH:
                return found
            start = "(" + entries[-1][0]
    finally:
        client.close()


def event_problems(
    orders: Iterable[Mapping[str, Any]], events: Iterable[Mapping[str, Any]], email_prefix: str
) -> list[str]:
    """What is wrong between this run's orders and its ``order.placed`` events (empty: all is well)."""
    ordered: dict[str, int] = {}
    for order in orders:
        email = str(order.get("email"))
        if email.startswith(email_prefix):
            ordered[email] = ordered.get(email, 0) + 1
    per_email: dict[str, int] = {}
    ids: set[str] = set()
    problems: list[str] = []
    for event in events:
        email = str(event.get("email"))
        if not email.startswith(email_prefix):
            continue
        if event["id"] in ids:
            problems.append(f"event id {event['id']} twice")
        ids.add(str(event["id"]))
        per_email[email] = per_email.get(email, 0) + 1
    for email in sorted(set(ordered) | set(per_email)):
        if per_email.get(email, 0) != ordered.get(email, 0):
            problems.append(f"{email}: {ordered.get(email, 0)} orders, {per_email.get(email, 0)} order.placed events")
    return problems
