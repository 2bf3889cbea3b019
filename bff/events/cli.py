"""``bff events``: list, show, replay and purge the outbox's pending and dead-lettered events."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from bff.events.admin_redis import Entry, OutboxAdmin

DEFAULT_LIMIT = 20
EVENT_FIELDS = ("id", "type", "occurred_at", "data")


def _when(fields: dict[str, str]) -> str:
    try:
        return datetime.fromtimestamp(float(fields["occurred_at"]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, ValueError):
        return "-"


def _line(entry: Entry, *extra: str) -> str:
    return "  ".join((entry.event_id or "-", entry.fields.get("type", "-"), _when(entry.fields), *extra))


def list_events(admin: OutboxAdmin, limit: int, out: TextIO) -> None:
    pending, dead = admin.pending_count(), admin.dead_count()
    print(f"pending: {pending} (outbox {admin.outbox}, group {admin.group})", file=out)
    for entry in admin.pending(limit):
        print("  " + _line(entry, f"deliveries={entry.deliveries}"), file=out)
    print(f"dead-lettered: {dead} ({admin.dead})", file=out)
    for entry in admin.dead_letters(limit):
        f = entry.fields
        print("  " + _line(entry, f"attempts={f.get('attempts', '-')}", f"endpoint={f.get('endpoint', '-')}"), file=out)
        if f.get("last_error"):
            print(f"      last error: {f['last_error']}", file=out)
    if max(pending, dead) > limit:
        print(f"(at most {limit} of each shown; --limit N for more)", file=out)


def describe(entry: Entry) -> dict[str, Any]:
    """An entry as ``bff events show`` prints it: the event, where it sits, and any delivery details."""
    fields = dict(entry.fields)
    event: dict[str, Any] = {k: fields.pop(k) for k in EVENT_FIELDS if k in fields}
    if "data" in event:
        event["data"] = json.loads(event["data"])
    if "occurred_at" in event:
        event["occurred_at"] = float(event["occurred_at"])
    where = "dead-lettered" if entry.stream.endswith(":dead") else "pending"
    return {"state": where, "stream": entry.stream, "entry_id": entry.entry_id, "event": event, **fields}


def show_event(admin: OutboxAdmin, ref: str, out: TextIO) -> None:
    found = admin.find(ref)
    if not found:
        raise SystemExit(f"bff events show: no pending or dead-lettered event {ref!r}")
    for entry in found:
        print(json.dumps(describe(entry), indent=2, sort_keys=True), file=out)


def replay_events(admin: OutboxAdmin, ref: str | None, maxlen: int, out: TextIO) -> None:
    if ref is None:
        entries = admin.dead_letters()
    else:
        entries = [e for e in admin.find(ref) if e.stream == admin.dead]
        if not entries:
            raise SystemExit(f"bff events replay: no dead-lettered event {ref!r}")
    moved = admin.replay(entries, maxlen)
    print(f"replayed {moved} event(s) to {admin.outbox}", file=out)


def purge_events(admin: OutboxAdmin, confirmed: bool, out: TextIO) -> None:
    if not confirmed:
        raise SystemExit(
            f"bff events purge: would delete {admin.dead_count()} dead letter(s) for good; run again with --yes"
        )
    print(f"purged {admin.purge()} dead letter(s)", file=out)


def add_commands(events: argparse.ArgumentParser) -> None:
    commands = events.add_subparsers(dest="events_command", required=True)
    listing = commands.add_parser("list", help="pending and dead-lettered events, with counts")
    listing.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help=f"entries shown of each (default {DEFAULT_LIMIT})"
    )
    show = commands.add_parser("show", help="one event (by event id or stream entry id), as JSON")
    show.add_argument("id", metavar="ID")
    replay = commands.add_parser("replay", help="dead letters back to the outbox, with the same event id")
    which = replay.add_mutually_exclusive_group(required=True)
    which.add_argument("id", metavar="ID", nargs="?", help="the dead letter's event id")
    which.add_argument("--all", action="store_true", help="every dead letter")
    purge = commands.add_parser("purge", help="delete every dead letter")
    purge.add_argument("--yes", action="store_true", help="confirm: without it nothing is deleted")


def run(args: argparse.Namespace, admin: OutboxAdmin, maxlen: int, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    command = args.events_command
    if command == "list":
        list_events(admin, args.limit, out)
    elif command == "show":
        show_event(admin, args.id, out)
    elif command == "replay":
        replay_events(admin, None if args.all else args.id, maxlen, out)
    else:
        purge_events(admin, args.yes, out)
