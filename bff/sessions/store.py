"""The store contracts. ``memory.py`` and ``redis.py`` implement them with the same semantics;
``tests/stores/`` runs one contract suite against both.

Redis key layout (versioned so a format change can coexist with old keys during a rollout):

* ``bff:v1:session:<sha256(token)>`` → JSON of ``Session``; TTL = idle timeout (sliding)
* ``bff:v1:customer-sessions:<customer_key>`` → set of session ids signed in as that customer;
  TTL = idle timeout, renewed by each of their writes (members are checked when used)
* ``bff:v1:idem:<scope>:<key>`` → JSON of ``IdempotencyRecord``; TTL = 24 h
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from bff.events.models import Event
from bff.sessions.models import Claim, IdempotencyRecord, Session
from bff.sessions.settle import SettleWatch


class SessionStore(Protocol):
    async def create(self, session: Session) -> None:
        """Store a new session (its ``id`` is already the token's hash)."""
        ...

    async def load(self, session_id: str) -> Session | None:
        """The session, or None when unknown or expired; a hit extends the idle timeout."""
        ...

    async def save(self, session: Session) -> None:
        """Overwrite an existing session and extend its idle timeout."""
        ...

    async def delete(self, session_id: str) -> None: ...

    async def end_customer_sessions(self, customer_key: str) -> int:
        """Delete every live session signed in as this customer (``Session.customer_key``); how many."""
        ...

    async def ping(self) -> bool:
        """Whether the store can be reached (readiness)."""
        ...


class IdempotencyStore(Protocol):
    async def claim(self, scope: str, key: str, fingerprint: str, lease_seconds: float) -> Claim:
        """Atomically claim ``key`` within ``scope`` (e.g. the session) for a request.

        * ``claimed``: nobody had it (or the previous holder's lease expired with the same
          fingerprint): the caller now holds it; ``record`` carries any journal to resume from.
        * ``in_progress``: another caller holds a live lease with the same fingerprint.
        * ``done``: finished earlier; ``record.result`` is the answer to replay.
        * ``conflict``: the key was used with a different fingerprint.
        """
        ...

    async def record_step(self, scope: str, key: str, step: str, data: object) -> None:
        """Add a completed step to the journal (and renew the lease)."""
        ...

    async def complete(self, scope: str, key: str, result: dict[str, object], event: Event | None = None) -> None:
        """Mark done with the result to replay; kept for the record TTL (24 h). ``event`` is
        added to the events outbox in the same atomic step, only when the record moves to done
        (so a repeat adds nothing): the event exists iff the result was recorded."""
        ...

    async def release(self, scope: str, key: str) -> None:
        """Give the key up without a result (the request failed before anything irreversible):
        the journal is kept and the next claim with the same fingerprint resumes from it."""
        ...

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None: ...

    def watch(self, scope: str, key: str) -> AbstractContextManager[SettleWatch]:
        """Watch ``key``: the watch is notified when it is completed or released, by any process
        sharing the store (``bff.sessions.settle``). Enter it before claiming, so no notice is missed."""
        ...

    async def aclose(self) -> None:
        """Stop what the store runs in the background (the app's shutdown)."""
        ...
