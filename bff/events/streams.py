"""The outbox's stream layout (the shared spec): key names and the consumer group."""

from __future__ import annotations

from typing import Final

OUTBOX: Final = "bff:v1:events"
DEAD_LETTERS: Final = "bff:v1:events:dead"
GROUP: Final = "bff-workers"
