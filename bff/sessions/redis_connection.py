"""A Redis client from a URL: ``redis://``, ``rediss://`` (TLS) or ``redis+sentinel://``.

Sentinel URLs name the sentinels, the master's service name and the database::

    redis+sentinel://[:password@]sentinel-1:26379,sentinel-2:26379/mymaster/0

The password (if any) is used for the master; sentinels are reached without one, as most managed
Sentinel setups do. The client follows fail-overs: each connection asks the sentinels for the
current master.

Every client has a bounded, blocking connection pool: at most ``pool_size`` connections, and a
command that finds them all busy waits up to ``pool_timeout_s`` for one to be released before it
fails with ``redis.exceptions.ConnectionError("No connection available.")``. (redis-py's default
pool instead raises ``MaxConnectionsError`` at once when its 100 connections are busy.) For
Sentinel the master's pool is bounded and blocking the same way; the sentinels themselves are
asked through their own small clients.

**A restarted Redis costs no failed request.** After a restart every pooled connection that was
idle is dead, and its next command fails with a ``ConnectionError``. Every client therefore
retries a command that failed with a ``ConnectionError`` (on a new connection) up to
``CONNECTION_RETRIES`` times, after a short jittered backoff, and pings a connection idle for
more than ``HEALTH_CHECK_S`` before using it. A ``TimeoutError`` is *not* retried: Redis is hung,
and the request should fail within ``timeout_s`` (``BFF_REDIS_TIMEOUT_S``) rather than several
times that; and once ``HUNG_AFTER`` commands in a row timed out, the client's commands fail at
once for ``HUNG_PAUSE_S`` (a ``ConnectionError``, nothing sent), so a hung Redis costs requests a
few timeouts per pause rather than one per store each touches; the first command after the
pause tries Redis again. Every command the stores send is safe to send twice: plain reads and writes, and Lua
scripts written so a repeat has the effect of one (``bff.sessions.redis``: a claim names its
claimant), except that a rate-limit or throttle charge repeated after a lost reply counts twice.

**Every command is timed.** A client given a ``CommandObserver`` reports each command it sends
(``execute_command``: plain commands and Lua scripts; not the commands inside a pipeline) with
its name, its time from call to reply (waiting for a pooled connection and the retries
included) and, when it failed, the kind of failure: ``timeout``, ``connection`` (also a command
not sent during a pause) or ``reply`` (Redis answered with an error other than NOSCRIPT). ``bff.app`` passes the
metrics' observer (``bff_redis_command_duration_seconds``, ``bff_redis_command_errors_total``).
"""

from __future__ import annotations

import time
from typing import Any, Literal, Protocol

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bff.redis_url import sentinel_target

CONNECTION_RETRIES = 3  # a restart kills every idle pooled connection: each gets a new one
RETRY_BACKOFF_BASE_S = 0.01
RETRY_BACKOFF_CAP_S = 0.1
HEALTH_CHECK_S = 5  # a connection idle longer than this is pinged before its next command
HUNG_PAUSE_S = 0.5  # after HUNG_AFTER timeouts in a row, commands fail at once for this long
HUNG_AFTER = 3  # timeouts with no command answered in between: Redis is hung, not merely late


CommandFailure = Literal["timeout", "connection", "reply"]


class CommandObserver(Protocol):
    def __call__(self, command: str, duration_s: float, failure: CommandFailure | None) -> None: ...


def _failure(exc: RedisError) -> CommandFailure | None:
    """None for NOSCRIPT: redis-py loads the script and sends it again, as designed."""
    if isinstance(exc, NoScriptError):
        return None
    if isinstance(exc, RedisTimeoutError):
        return "timeout"
    return "connection" if isinstance(exc, RedisConnectionError) else "reply"


class PausingRedis(Redis):
    """A client that stops sending for ``HUNG_PAUSE_S`` once ``HUNG_AFTER`` commands in a row
    timed out. One late reply does not count as a hang: on a replica whose event loop is
    saturated a reply can be read after its timeout although Redis is well, and other commands
    answered in between reset the count; a hung Redis answers none. With an ``observer``, every
    command is reported to it (see the module's docstring)."""

    _paused_until = 0.0
    _timeouts_in_a_row = 0
    observer: CommandObserver | None = None

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if self.observer is None:
            return await self._send(*args, **options)
        command = str(args[0]).lower() if args else "unknown"
        started = time.perf_counter()
        try:
            answer = await self._send(*args, **options)
        except RedisError as exc:
            self.observer(command, time.perf_counter() - started, _failure(exc))
            raise
        self.observer(command, time.perf_counter() - started, None)
        return answer

    async def _send(self, *args: Any, **options: Any) -> Any:
        if self._paused_until and time.monotonic() < self._paused_until:
            raise RedisConnectionError("Redis did not answer a moment ago; not sent")
        try:
            answer = await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        except RedisTimeoutError:
            self._timeouts_in_a_row += 1
            if self._timeouts_in_a_row >= HUNG_AFTER:
                self._paused_until = time.monotonic() + HUNG_PAUSE_S
            raise
        self._timeouts_in_a_row = 0
        return answer


def _retry() -> Retry:
    """Connection errors only: a command on a dead connection is sent again on a fresh one."""
    return Retry(
        ExponentialWithJitterBackoff(base=RETRY_BACKOFF_BASE_S, cap=RETRY_BACKOFF_CAP_S),
        CONNECTION_RETRIES,
        supported_errors=(RedisConnectionError,),
    )


class BlockingSentinelConnectionPool(SentinelConnectionPool, BlockingConnectionPool):
    """The Sentinel master pool (connections go to the current master) with blocking checkout.

    ``SentinelConnectionPool`` passes its remaining keyword arguments up the MRO, so
    ``BlockingConnectionPool`` takes ``max_connections`` and ``timeout`` and supplies the waiting
    ``get_connection``/``release``.
    """


def redis_from_url(
    url: str,
    *,
    pool_size: int,
    pool_timeout_s: float,
    timeout_s: float = 0.25,
    observer: CommandObserver | None = None,
) -> Redis:
    """``timeout_s``: how long one command (or connecting) may take before it fails with a
    ``TimeoutError``; a hung Redis fails a request this fast. ``observer`` hears of every command."""
    client = _client(url, pool_size=pool_size, pool_timeout_s=pool_timeout_s, timeout_s=timeout_s)
    if isinstance(client, PausingRedis):
        client.observer = observer
    return client


def _client(url: str, *, pool_size: int, pool_timeout_s: float, timeout_s: float) -> Redis:
    if pool_size < 1:
        raise ValueError(f"pool_size must be at least 1, got {pool_size}")
    if not pool_timeout_s > 0:
        raise ValueError(f"pool_timeout_s must be positive, got {pool_timeout_s}")
    target = sentinel_target(url)
    if target is None:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=pool_timeout_s,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            health_check_interval=HEALTH_CHECK_S,
            retry=_retry(),
            retry_on_error=[RedisConnectionError],
        )
        return PausingRedis.from_pool(pool)  # the client owns the pool: aclose() closes it
    # redis-py leaves Sentinel's constructor untyped
    sentinel = Sentinel(target.hosts, socket_timeout=timeout_s, sentinel_kwargs={"socket_timeout": timeout_s})  # type: ignore[no-untyped-call]
    master: Redis = sentinel.master_for(
        target.service,
        redis_class=PausingRedis,
        connection_pool_class=BlockingSentinelConnectionPool,
        max_connections=pool_size,
        timeout=pool_timeout_s,
        db=target.db,
        password=target.password,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        health_check_interval=HEALTH_CHECK_S,
        retry=_retry(),
        retry_on_error=[RedisConnectionError],
    )
    return master
