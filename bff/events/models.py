"""``Event``: one outbound domain event, and its outbox entry fields (the shared stream layout)."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any


def new_event_id() -> str:
    """A sortable id: milliseconds since the epoch (12 hex digits) then 80 random bits."""
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(10)}"


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]
    id: str = field(default_factory=new_event_id)
    occurred_at: float = field(default_factory=time.time)

    def fields(self) -> dict[str, str]:
        """The outbox entry's fields: ``id``, ``type``, ``occurred_at``, ``data`` (compact JSON)."""
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": repr(self.occurred_at),
            "data": json.dumps(self.data, separators=(",", ":"), sort_keys=True),
        }

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> Event:
        return cls(
            id=fields["id"],
            type=fields["type"],
            occurred_at=float(fields["occurred_at"]),
            data=json.loads(fields["data"]),
        )

    def body(self) -> bytes:
        """What a receiver is sent (the signed payload)."""
        payload = {"id": self.id, "type": self.type, "occurred_at": self.occurred_at, "data": self.data}
        return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
