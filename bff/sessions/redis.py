"""Redis implementations of the session and idempotency stores (the only bff.sessions module that
imports ``redis``).

Keys (see ``store.py``):

* ``<prefix>:session:<id>``: session JSON, TTL = idle timeout, reset by every create/save/load
  (``SET … PX``, ``GETEX … PX``: a sliding expiry enforced by the server).
* ``<prefix>:idem:<sha256(scope)>:<sha256(key)>``: idempotency envelope (``codec.py``), TTL set when
  first claimed and never extended. Scope and key are hashed so client strings cannot shape keys.
* stream ``<prefix>:events``: the events outbox (``bff.events``); ``complete`` adds an order's
  event to it in the same script that records the result.
* channel ``<prefix>:idem-settled``: the name of a record that was completed or released, for
  duplicates waiting on it (``SettledNotices``).

Every idempotency write is one Lua script, so it is atomic across processes. Lease expiry is judged
against the ``now`` the caller's ``Clock`` passes in, not the server's time.

Connection errors propagate as ``redis.exceptions.ConnectionError``; only ``ping`` swallows them.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import Final

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

from bff.clock import Clock
from bff.errors import StoreUnavailable
from bff.events.models import Event
from bff.sessions.codec import (
    decode_record,
    decode_session,
    encode_record,
    encode_session,
    encode_value,
    format_instant,
)
from bff.sessions.models import Claim, ClaimOutcome, IdempotencyRecord, Session
from bff.sessions.settle import SettleWatch, SettleWatchers

DEFAULT_PREFIX: Final = "bff:v1"
RECORD_TTL_SECONDS: Final = 86_400.0
LISTEN_TIMEOUT_S: Final = 1.0  # how long one read of the notices channel waits
RESUBSCRIBE_S: Final = 0.5  # after the subscription dropped

# KEYS[1] record; ARGV: fingerprint, now, new lease_expires_at, fresh envelope, record TTL (ms),
# lease_seconds, claimant. Returns {outcome, envelope}. The claimant (random per claim) makes the
# script safe to send twice: the client sends it again when a connection drops before the reply
# (``redis_connection``), and a repeat of a claim that took effect is that claim, not "in progress".
_CLAIM: Final = """
local raw = redis.call('GET', KEYS[1])
if not raw then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
  return {'claimed', ARGV[4]}
end
local rec = cjson.decode(raw)
if rec.fingerprint ~= ARGV[1] then return {'conflict', raw} end
if rec.status == 'done' then return {'done', raw} end
if rec.claimant == ARGV[7] then return {'claimed', raw} end
if tonumber(rec.lease_expires_at) > tonumber(ARGV[2]) then return {'in_progress', raw} end
rec.claimant = ARGV[7]
rec.lease_expires_at = ARGV[3]
rec.lease_seconds = ARGV[6]
local updated = cjson.encode(rec)
redis.call('SET', KEYS[1], updated, 'KEEPTTL')
return {'claimed', updated}
"""

# KEYS[1] record; ARGV: step name, step data (JSON), now. Adds or replaces the step in place and
# renews the lease by the holder's lease_seconds (%.17g keeps the double exact).
_RECORD_STEP: Final = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.status ~= 'in_progress' then return 0 end
local steps = rec.steps
local found = false
for i = 1, #steps do
  if steps[i][1] == ARGV[1] then
    steps[i][2] = ARGV[2]
    found = true
    break
  end
end
if not found then steps[#steps + 1] = {ARGV[1], ARGV[2]} end
rec.steps = steps
rec.lease_expires_at = string.format('%.17g', tonumber(ARGV[3]) + tonumber(rec.lease_seconds))
redis.call('SET', KEYS[1], cjson.encode(rec), 'KEEPTTL')
return 1
"""

# KEYS[1] record; ARGV: result (JSON), the settled channel, then optionally the outbox stream, its
# approximate max length and the event's fields as name, value pairs. A record already done keeps
# its first result and adds no event; otherwise the event is XADDed in the same script, so it
# exists iff the result was recorded. Waiting duplicates are told on the channel.
_COMPLETE: Final = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.status ~= 'in_progress' then return 0 end
rec.status = 'done'
rec.result = ARGV[1]
redis.call('SET', KEYS[1], cjson.encode(rec), 'KEEPTTL')
if #ARGV > 2 then
  local entry = {ARGV[3], 'MAXLEN', '~', ARGV[4], '*'}
  for i = 5, #ARGV do entry[#entry + 1] = ARGV[i] end
  redis.call('XADD', unpack(entry))
end
redis.call('PUBLISH', ARGV[2], KEYS[1])
return 1
"""

# KEYS[1] record; ARGV: the settled channel. Ends the lease now and keeps the journal; waiting
# duplicates are told on the channel.
_RELEASE: Final = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.status ~= 'in_progress' then return 0 end
rec.lease_expires_at = '0.0'
redis.call('SET', KEYS[1], cjson.encode(rec), 'KEEPTTL')
redis.call('PUBLISH', ARGV[1], KEYS[1])
return 1
"""

_OUTCOMES: Final[dict[str, ClaimOutcome]] = {
    "claimed": "claimed",
    "in_progress": "in_progress",
    "done": "done",
    "conflict": "conflict",
}


def _milliseconds(seconds: float, name: str) -> int:
    if not seconds > 0:
        raise ValueError(f"{name} must be positive, got {seconds!r}")
    return max(1, math.ceil(seconds * 1000))


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@contextmanager
def _answering(operation: str) -> Iterator[None]:
    """Redis failures as ``StoreUnavailable`` (UPSTREAM_UNAVAILABLE: retryable, never INTERNAL)."""
    try:
        yield
    except (RedisError, OSError) as exc:
        raise StoreUnavailable(operation=operation, detail=type(exc).__name__) from exc


class RedisSessionStore:
    """``SessionStore`` on Redis with a server-side sliding idle timeout."""

    def __init__(self, redis: Redis, idle_ttl_seconds: float, prefix: str = DEFAULT_PREFIX) -> None:
        self._redis = redis
        self._idle_ms = _milliseconds(idle_ttl_seconds, "idle_ttl_seconds")
        self._prefix = f"{prefix}:session:"
        self._customers = f"{prefix}:customer-sessions:"

    def key(self, session_id: str) -> str:
        return self._prefix + session_id

    async def _index(self, session: Session) -> None:
        if session.customer_key is None:
            return
        index = self._customers + session.customer_key
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.sadd(index, session.id)
            pipe.pexpire(index, self._idle_ms)
            await pipe.execute()

    async def create(self, session: Session) -> None:
        with _answering("session.create"):
            await self._redis.set(self.key(session.id), encode_session(session), px=self._idle_ms)
            await self._index(session)

    async def load(self, session_id: str) -> Session | None:
        with _answering("session.load"):
            raw = await self._redis.getex(self.key(session_id), px=self._idle_ms)
        return None if raw is None else decode_session(raw)

    async def save(self, session: Session) -> None:
        """Overwrite and extend; a session that was deleted or has expired is not brought back
        (``XX``), so a request racing a sign-out cannot resurrect the signed-in session."""
        with _answering("session.save"):
            if await self._redis.set(self.key(session.id), encode_session(session), px=self._idle_ms, xx=True):
                await self._index(session)

    async def delete(self, session_id: str) -> None:
        with _answering("session.delete"):
            await self._redis.delete(self.key(session_id))

    async def end_customer_sessions(self, customer_key: str) -> int:
        """Deletes the indexed sessions that are still this customer's (a member may have signed
        out, or expired, since it was added), then the index."""
        index = self._customers + customer_key
        with _answering("session.end_customer_sessions"):
            ids = [_text(member) for member in await self._redis.smembers(index)]
            ended = []
            for sid in ids:
                raw = await self._redis.get(self.key(sid))
                if raw is not None and decode_session(raw).customer_key == customer_key:
                    ended.append(self.key(sid))
            if ended:
                await self._redis.delete(*ended)
            await self._redis.delete(index)
        return len(ended)

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False


class RedisIdempotencyStore:
    """``IdempotencyStore`` on Redis; each operation is one atomic Lua script."""

    def __init__(
        self,
        redis: Redis,
        clock: Clock,
        ttl_seconds: float = RECORD_TTL_SECONDS,
        prefix: str = DEFAULT_PREFIX,
        events_maxlen: int = 100_000,
    ) -> None:
        self._redis = redis
        self._events_stream = f"{prefix}:events"
        self._events_maxlen = events_maxlen
        self._clock = clock
        self._ttl_ms = _milliseconds(ttl_seconds, "ttl_seconds")
        self._prefix = f"{prefix}:idem:"
        self._claim = redis.register_script(_CLAIM)
        self._record_step = redis.register_script(_RECORD_STEP)
        self._complete = redis.register_script(_COMPLETE)
        self._release = redis.register_script(_RELEASE)
        self._notices = SettledNotices(redis, f"{prefix}:idem-settled")

    def key(self, scope: str, key: str) -> str:
        return f"{self._prefix}{_sha256(scope)}:{_sha256(key)}"

    async def claim(self, scope: str, key: str, fingerprint: str, lease_seconds: float) -> Claim:
        _milliseconds(lease_seconds, "lease_seconds")
        now = self._clock.now()
        lease_expires_at = now + lease_seconds
        fresh = IdempotencyRecord(key=key, fingerprint=fingerprint, lease_expires_at=lease_expires_at, created_at=now)
        claimant = secrets.token_hex(8)
        with _answering("idempotency.claim"):
            outcome, raw = await self._claim(
                keys=[self.key(scope, key)],
                args=[
                    fingerprint,
                    format_instant(now),
                    format_instant(lease_expires_at),
                    encode_record(fresh, lease_seconds, claimant),
                    self._ttl_ms,
                    format_instant(lease_seconds),
                    claimant,
                ],
            )
        record, _ = decode_record(raw)
        return Claim(_OUTCOMES[_text(outcome)], record)

    async def record_step(self, scope: str, key: str, step: str, data: object) -> None:
        with _answering("idempotency.record_step"):
            await self._record_step(
                keys=[self.key(scope, key)],
                args=[step, encode_value(data), format_instant(self._clock.now())],
            )

    async def complete(self, scope: str, key: str, result: dict[str, object], event: Event | None = None) -> None:
        """Mark done (and XADD ``event`` to the outbox in the same script); a record that is
        already done keeps its first result and adds no event."""
        args: list[str | int] = [encode_value(result), self._notices.channel]
        if event is not None:
            args += [self._events_stream, self._events_maxlen]
            for name, value in event.fields().items():
                args += [name, value]
        with _answering("idempotency.complete"):
            await self._complete(keys=[self.key(scope, key)], args=args)

    async def release(self, scope: str, key: str) -> None:
        with _answering("idempotency.release"):
            await self._release(keys=[self.key(scope, key)], args=[self._notices.channel])

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None:
        with _answering("idempotency.get"):
            raw = await self._redis.get(self.key(scope, key))
        return None if raw is None else decode_record(raw)[0]

    def watch(self, scope: str, key: str) -> AbstractContextManager[SettleWatch]:
        return self._notices.watch(self.key(scope, key))

    async def aclose(self) -> None:
        await self._notices.aclose()


class SettledNotices:
    """This process's subscription to the channel ``complete`` and ``release`` publish on.

    One pub/sub connection (taken from the pool for as long as anyone watches) carries the
    notices for every waiter in the process. It starts when a watch first waits, and when it drops
    (a Redis restart) it subscribes again after ``RESUBSCRIBE_S``. Whenever a subscription starts
    or drops, every waiter is woken to claim again, since a notice may have been missed meanwhile:
    so a waiter that watched before claiming never misses the end of the request it waits for.
    """

    def __init__(self, redis: Redis, channel: str) -> None:
        self._redis = redis
        self.channel = channel
        self._watchers = SettleWatchers(before_wait=self._ensure_listening)
        self._task: asyncio.Task[None] | None = None

    def watch(self, name: str) -> AbstractContextManager[SettleWatch]:
        return self._watchers.watch(name)

    def _ensure_listening(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="bff-idempotency-notices")

    async def _listen(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self._watchers.notify_all()  # notices sent while not subscribed were missed
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=LISTEN_TIMEOUT_S)
                    if message is not None and message.get("type") == "message":
                        self._watchers.notify(_text(message["data"]))
            except (RedisError, OSError):
                self._watchers.notify_all()
            finally:
                await _closed_quietly(pubsub)
            await asyncio.sleep(RESUBSCRIBE_S)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


async def _closed_quietly(pubsub: PubSub) -> None:
    with suppress(RedisError, OSError):
        await pubsub.aclose()  # type: ignore[no-untyped-call]
