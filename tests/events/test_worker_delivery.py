"""``Worker`` against a real Redis and real HTTP receivers on loopback: retried until delivered
once, dead-lettered after the last attempt and replayed, signed per Standard Webhooks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from pydantic import SecretStr

from bff.events.catalogue import cart_merged
from bff.events.delivery import HttpDelivery, secret_key, signature
from bff.events.models import Event
from bff.events.redis import RedisEventStreams
from bff.events.worker import Worker, backoff_s
from bff.settings import EventsSettings
from tests.events.receivers import SECRET, Receiver
from tests.servers import free_port, uvicorn_server


class Counts:
    def __init__(self) -> None:
        self.delivered = self.retried = self.dead = 0

    def on_delivered(self, event_type: str) -> None:
        self.delivered += 1

    def on_retried(self, event_type: str) -> None:
        self.retried += 1

    def on_dead(self, event_type: str) -> None:
        self.dead += 1


def settings(*urls: str, max_attempts: int = 8) -> EventsSettings:
    return EventsSettings(
        enabled=True,
        endpoints={"cart.merged": list(urls)},
        secret=SecretStr(SECRET),
        max_attempts=max_attempts,
        backoff_base_s=0.01,
        backoff_cap_s=0.02,
        claim_idle_s=30,
        delivery_timeout_s=2,
    )


def worker(streams: RedisEventStreams, config: EventsSettings, counts: Counts) -> Worker:
    return Worker(streams, HttpDelivery(SECRET, config.delivery_timeout_s), config, "test-worker", observer=counts)


async def steps_until(w: Worker, done: Callable[[], bool], *, limit: int = 50) -> None:
    for _ in range(limit):
        if done():
            return
        await w.step()
    raise AssertionError("the condition did not come true")


def test_the_signature_matches_the_standard_webhooks_reference_vector() -> None:
    key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    sent = signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert sent == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_backoff_doubles_per_attempt_up_to_the_cap_with_jitter_below_it() -> None:
    config = EventsSettings(backoff_base_s=1, backoff_cap_s=5)
    assert [backoff_s(config, n, rng=lambda: 1.0) for n in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert [backoff_s(config, n, rng=lambda: 0.0) for n in (1, 2, 3, 4)] == [0.5, 1, 2, 2.5]


async def test_an_event_for_a_receiver_that_is_down_is_retried_then_delivered_once_when_it_is_up(
    streams: RedisEventStreams,
) -> None:
    port, receiver, counts = free_port(), Receiver(), Counts()
    w = worker(streams, settings(f"http://127.0.0.1:{port}/hook"), counts)
    event = cart_merged(2)
    await streams.publish(event)
    await steps_until(w, lambda: counts.retried >= 2)  # connection refused, twice
    with uvicorn_server(receiver.app(), port):
        await steps_until(w, lambda: counts.delivered == 1)
        for _ in range(3):
            await w.step()
    assert receiver.delivered(event.id) == 1
    assert [r.signed for r in receiver.received] == [True]
    assert json.loads(receiver.received[0].body) == {
        "id": event.id,
        "type": "cart.merged",
        "occurred_at": event.occurred_at,
        "data": {"items": 2},
    }
    assert await streams.pending_count() == 0


async def test_an_event_a_receiver_always_refuses_is_dead_lettered_after_the_last_attempt(
    streams: RedisEventStreams,
) -> None:
    receiver, counts = Receiver(always_fail=True), Counts()
    with uvicorn_server(receiver.app()) as url:
        w = worker(streams, settings(f"{url}/hook", max_attempts=3), counts)
        event = cart_merged(1)
        await streams.publish(event)
        await steps_until(w, lambda: counts.dead == 1)
        for _ in range(2):
            await w.step()
    assert len(receiver.received) == 3
    (letter,) = await streams.dead_letters()
    assert letter.event() == event
    assert (letter.fields["endpoint"], letter.fields["attempts"], letter.fields["last_error"]) == (
        f"{url}/hook",
        "3",
        "HTTP 503",
    )
    assert await streams.pending_count() == 0


async def test_a_replayed_dead_letter_is_delivered_once_with_the_same_id_after_the_receiver_recovers(
    streams: RedisEventStreams,
) -> None:
    receiver, counts = Receiver(always_fail=True), Counts()
    with uvicorn_server(receiver.app()) as url:
        w = worker(streams, settings(f"{url}/hook", max_attempts=2), counts)
        event = cart_merged(1)
        await streams.publish(event)
        await steps_until(w, lambda: counts.dead == 1)
        receiver.always_fail = False
        (letter,) = await streams.dead_letters()
        assert await streams.replay_dead(letter.entry_id)
        await steps_until(w, lambda: counts.delivered == 1)
    assert receiver.delivered(event.id) == 1
    assert await streams.dead_letters() == []


async def test_an_endpoint_that_took_the_event_is_not_sent_it_again_while_another_is_retried(
    streams: RedisEventStreams,
) -> None:
    good, flaky, counts = Receiver(), Receiver(fail_first=2), Counts()
    with uvicorn_server(good.app()) as good_url, uvicorn_server(flaky.app()) as flaky_url:
        w = worker(streams, settings(f"{good_url}/hook", f"{flaky_url}/hook"), counts)
        event = cart_merged(3)
        await streams.publish(event)
        await steps_until(w, lambda: counts.delivered == 1)
    assert (len(good.received), good.delivered(event.id)) == (1, 1)
    assert (len(flaky.received), flaky.delivered(event.id)) == (3, 1)


async def test_a_waiting_retry_does_not_hold_up_newer_events(streams: RedisEventStreams) -> None:
    receiver, counts = Receiver(fail_first=1), Counts()
    config = settings(max_attempts=3).model_copy(update={"backoff_base_s": 60.0, "backoff_cap_s": 60.0})
    with uvicorn_server(receiver.app()) as url:
        config = config.model_copy(update={"endpoints": {"cart.merged": [f"{url}/hook"]}})
        w = worker(streams, config, counts)
        first, second = cart_merged(1), cart_merged(2)
        await streams.publish(first)
        await steps_until(w, lambda: counts.retried == 1)  # first now waits a minute
        started = time.monotonic()
        await streams.publish(second)
        await steps_until(w, lambda: counts.delivered == 1)
    assert receiver.delivered(second.id) == 1
    assert receiver.delivered(first.id) == 0
    assert time.monotonic() - started < 30  # a behaviour bound: the retry waits 60 s


def test_events_round_trip_through_their_outbox_fields() -> None:
    event = Event("checkout.failed", {"codes": ["OUT_OF_STOCK"]})
    assert Event.from_fields(event.fields()) == event


async def test_a_worker_full_of_waiting_retries_reads_no_new_events_until_one_leaves(
    streams: RedisEventStreams,
) -> None:
    receiver, counts = Receiver(always_fail=True), Counts()
    config = settings(max_attempts=2).model_copy(update={"backoff_base_s": 1.0, "backoff_cap_s": 1.0})
    with uvicorn_server(receiver.app()) as url:
        config = config.model_copy(update={"endpoints": {"cart.merged": [f"{url}/hook"]}})
        w = Worker(streams, HttpDelivery(SECRET, 2), config, "test-worker", observer=counts, max_held=1)
        first, second = cart_merged(1), cart_merged(2)
        await streams.publish(first)
        await streams.publish(second)
        await steps_until(w, lambda: counts.retried == 1)
        await w.step()  # first waits for its retry: second stays unread
        assert [r.webhook_id for r in receiver.received] == [first.id]
        await steps_until(w, lambda: counts.dead == 2)
    assert [r.webhook_id for r in receiver.received] == [first.id, first.id, second.id, second.id]
