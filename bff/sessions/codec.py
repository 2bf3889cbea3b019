"""JSON forms of ``Session`` and ``IdempotencyRecord``, shared by the memory and Redis stores.

A session is plain JSON of its dataclass fields.

An idempotency record is stored as an *envelope* that the Redis Lua scripts can rewrite with
``cjson`` without altering anything a caller wrote. ``cjson`` re-encodes numbers with 14 significant
digits, turns ``[]`` into ``{}`` and forgets object key order, so the envelope holds only strings,
arrays and null:

* ``steps`` is an array of ``[name, <json of data>]`` pairs in the order they were first recorded;
* ``result`` is ``<json of result>`` or null;
* the instants and ``lease_seconds`` are decimal strings (``repr`` of the float, exact).

``lease_seconds`` (the lease length of the current holder, used to renew it on ``record_step``)
and ``claimant`` (a random id of the current holder's claim) are storage detail and not part
of ``IdempotencyRecord``.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal

from bff.sessions.models import IdempotencyRecord, Session

_SESSION_FIELDS = frozenset(f.name for f in dataclasses.fields(Session))


def encode_value(value: object) -> str:
    """Compact JSON for caller data (step data, results); NaN and infinities are refused."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def format_instant(value: float) -> str:
    """A float as an exact decimal string (``float(format_instant(x)) == x``)."""
    return repr(float(value))


def encode_session(session: Session) -> str:
    return encode_value(dataclasses.asdict(session))


def decode_session(raw: str | bytes) -> Session:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("a stored session must be a JSON object")
    return Session(**{name: value for name, value in data.items() if name in _SESSION_FIELDS})


def encode_record(record: IdempotencyRecord, lease_seconds: float, claimant: str | None = None) -> str:
    """``claimant``: who holds the lease (Redis only: makes a repeated claim script a no-op)."""
    envelope = {
        "key": record.key,
        "fingerprint": record.fingerprint,
        "status": record.status,
        "steps": [[name, encode_value(data)] for name, data in record.steps.items()],
        "result": None if record.result is None else encode_value(record.result),
        "lease_expires_at": format_instant(record.lease_expires_at),
        "created_at": format_instant(record.created_at),
        "lease_seconds": format_instant(lease_seconds),
        "claimant": claimant,
    }
    return encode_value(envelope)


def decode_record(raw: str | bytes) -> tuple[IdempotencyRecord, float]:
    """The record and its current lease length."""
    env: dict[str, Any] = json.loads(raw)
    status: Literal["in_progress", "done"]
    if env["status"] == "done":
        status = "done"
    elif env["status"] == "in_progress":
        status = "in_progress"
    else:
        raise ValueError(f"unknown idempotency record status {env['status']!r}")
    # An empty steps array comes back from cjson as {}: both mean "no steps".
    steps = {name: json.loads(data) for name, data in (env["steps"] or [])}
    result = None if env["result"] is None else json.loads(env["result"])
    record = IdempotencyRecord(
        key=env["key"],
        fingerprint=env["fingerprint"],
        status=status,
        steps=steps,
        result=result,
        lease_expires_at=float(env["lease_expires_at"]),
        created_at=float(env["created_at"]),
    )
    return record, float(env["lease_seconds"])
