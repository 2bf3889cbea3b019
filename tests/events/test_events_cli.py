"""``bff events list|show|replay|purge`` against a real redis-server, on the shared stream layout."""

from __future__ import annotations

import json
from typing import cast

import pytest
import redis

from bff.cli import main
from bff.events.catalogue import cart_merged, checkout_failed, customer_registered
from bff.events.models import Event
from bff.events.streams import DEAD_LETTERS, GROUP, OUTBOX
from tests.servers import free_port


@pytest.fixture
def r(flushed_redis: redis.Redis, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> redis.Redis:
    """A client on the test redis-server (emptied), and BFF_REDIS_URL pointing the CLI at it."""
    monkeypatch.setenv("BFF_REDIS_URL", redis_url)
    return flushed_redis


def publish(r: redis.Redis, event: Event) -> str:
    return str(r.xadd(OUTBOX, event.fields()))  # type: ignore[arg-type]


def dead_letter(r: redis.Redis, event: Event, error: str = "HTTP 503") -> str:
    fields = {**event.fields(), "endpoint": "https://crm.example/hooks", "attempts": "8", "last_error": error}
    return str(r.xadd(DEAD_LETTERS, fields))  # type: ignore[arg-type]


def worker_reads(r: redis.Redis, count: int) -> None:
    """What a worker does first: join the group and take ``count`` entries (pending until acknowledged)."""
    r.xgroup_create(OUTBOX, GROUP, id="0", mkstream=True)
    r.xreadgroup(GROUP, "worker-1", {OUTBOX: ">"}, count=count)


def entries(r: redis.Redis, stream: str) -> list[tuple[str, dict[str, str]]]:
    return cast(list[tuple[str, dict[str, str]]], r.xrange(stream))


def bff_events(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    main(["events", *args])
    return capsys.readouterr().out


def test_list_counts_unacknowledged_and_unread_entries_as_pending(
    r: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    events = [cart_merged(1), cart_merged(2), cart_merged(3)]
    for event in events:
        publish(r, event)
    worker_reads(r, count=1)
    out = bff_events(capsys, "list")
    assert "pending: 3 " in out
    assert all(event.id in out for event in events)
    assert "deliveries=1" in out


def test_acknowledged_entries_are_not_pending(r: redis.Redis, capsys: pytest.CaptureFixture[str]) -> None:
    delivered = publish(r, cart_merged(1))
    waiting = cart_merged(2)
    publish(r, waiting)
    worker_reads(r, count=1)
    r.xack(OUTBOX, GROUP, delivered)
    out = bff_events(capsys, "list")
    assert "pending: 1 " in out
    assert waiting.id in out


def test_before_any_worker_joined_every_outbox_entry_is_pending(
    r: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(r, cart_merged(1))
    publish(r, cart_merged(2))
    assert "pending: 2 " in bff_events(capsys, "list")


def test_list_shows_dead_letters_with_their_attempts_endpoint_and_last_error(
    r: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    event = customer_registered("ada@example.com")
    dead_letter(r, event, error="HTTP 500 after 8 attempts")
    out = bff_events(capsys, "list")
    assert "dead-lettered: 1 " in out
    assert f"{event.id}  customer.registered" in out
    assert "attempts=8  endpoint=https://crm.example/hooks" in out
    assert "last error: HTTP 500 after 8 attempts" in out


def test_list_of_an_empty_outbox_says_zero_of_each(r: redis.Redis, capsys: pytest.CaptureFixture[str]) -> None:
    out = bff_events(capsys, "list")
    assert "pending: 0 " in out
    assert "dead-lettered: 0 " in out


def test_show_prints_the_event_with_its_data_and_delivery_details(
    r: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    event = checkout_failed(["OUT_OF_STOCK"])
    dead_letter(r, event)
    shown = json.loads(bff_events(capsys, "show", event.id))
    assert shown["state"] == "dead-lettered"
    assert shown["event"] == {"id": event.id, "type": "checkout.failed", "occurred_at": event.occurred_at,
                              "data": {"codes": ["OUT_OF_STOCK"]}}  # fmt: skip
    assert (shown["attempts"], shown["last_error"]) == ("8", "HTTP 503")


def test_show_finds_a_pending_event_too(r: redis.Redis, capsys: pytest.CaptureFixture[str]) -> None:
    event = cart_merged(4)
    publish(r, event)
    shown = json.loads(bff_events(capsys, "show", event.id))
    assert (shown["state"], shown["event"]["data"]) == ("pending", {"items": 4})


def test_show_of_an_unknown_id_fails_saying_so(r: redis.Redis) -> None:
    with pytest.raises(SystemExit, match="no pending or dead-lettered event 'nope'"):
        main(["events", "show", "nope"])


def test_replay_moves_one_dead_letter_to_the_outbox_with_the_same_event_id(
    r: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    replayed, kept = cart_merged(1), cart_merged(2)
    dead_letter(r, replayed)
    dead_letter(r, kept)
    assert "replayed 1 event(s)" in bff_events(capsys, "replay", replayed.id)
    [(_, fields)] = entries(r, OUTBOX)
    assert Event.from_fields(fields) == replayed  # the same id, type, time and data
    assert [f["id"] for _, f in entries(r, DEAD_LETTERS)] == [kept.id]


def test_replay_all_moves_every_dead_letter_and_leaves_none(r: redis.Redis, capsys: pytest.CaptureFixture[str]) -> None:
    events = [cart_merged(1), customer_registered("ada@example.com")]
    for event in events:
        dead_letter(r, event)
    assert "replayed 2 event(s)" in bff_events(capsys, "replay", "--all")
    assert [f["id"] for _, f in entries(r, OUTBOX)] == [e.id for e in events]
    assert r.xlen(DEAD_LETTERS) == 0


def test_a_replayed_entry_carries_the_event_and_its_endpoint_not_the_failure_details(
    r: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    event = cart_merged(1)
    dead_letter(r, event)
    bff_events(capsys, "replay", event.id)
    [(_, fields)] = entries(r, OUTBOX)
    assert sorted(fields) == ["data", "endpoint", "id", "occurred_at", "type"]
    assert fields["endpoint"] == "https://crm.example/hooks"


def test_replay_of_an_unknown_id_fails_and_moves_nothing(r: redis.Redis) -> None:
    dead_letter(r, cart_merged(1))
    with pytest.raises(SystemExit, match="no dead-lettered event 'nope'"):
        main(["events", "replay", "nope"])
    assert (r.xlen(DEAD_LETTERS), r.exists(OUTBOX)) == (1, 0)


def test_purge_without_confirmation_deletes_nothing(r: redis.Redis) -> None:
    dead_letter(r, cart_merged(1))
    with pytest.raises(SystemExit, match="would delete 1 dead letter"):
        main(["events", "purge"])
    assert r.xlen(DEAD_LETTERS) == 1


def test_purge_with_yes_deletes_the_dead_letters_and_leaves_the_outbox(
    r: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    dead_letter(r, cart_merged(1))
    dead_letter(r, cart_merged(2))
    publish(r, cart_merged(3))
    assert "purged 2 dead letter(s)" in bff_events(capsys, "purge", "--yes")
    assert (r.xlen(DEAD_LETTERS), r.xlen(OUTBOX)) == (0, 1)


def test_without_a_redis_url_the_command_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BFF_REDIS_URL", raising=False)
    with pytest.raises(SystemExit, match="BFF_REDIS_URL is not set"):
        main(["events", "list"])


def test_a_redis_that_does_not_answer_is_reported_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BFF_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(SystemExit, match="Redis did not answer"):
        main(["events", "list"])


def test_a_sentinel_url_reaches_the_current_master(
    r: redis.Redis, sentinel_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dead_letter(r, cart_merged(1))
    monkeypatch.setenv("BFF_REDIS_URL", sentinel_url)
    assert "dead-lettered: 1 " in bff_events(capsys, "list")
