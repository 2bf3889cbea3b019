"""An outbound domain event, as written to the outbox and delivered to endpoints."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any


def new_event_id() -> str:
    """A fresh event id (uuid4 hex): what consumers deduplicate on."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    data: dict[str, Any]
    id: str = field(default_factory=new_event_id)
    occurred_at: float = field(default_factory=time.time)

    def payload(self) -> dict[str, Any]:
        """The event as endpoints receive it (the body of a delivery), and as schema/events/ describes it."""
        return {"id": self.id, "type": self.type, "occurred_at": self.occurred_at, "data": self.data}
