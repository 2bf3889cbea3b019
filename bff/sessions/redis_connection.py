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
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool

SENTINEL_SCHEME = "redis+sentinel"
DEFAULT_SENTINEL_PORT = 26379


class BlockingSentinelConnectionPool(SentinelConnectionPool, BlockingConnectionPool):
    """The Sentinel master pool (connections go to the current master) with blocking checkout.

    ``SentinelConnectionPool`` passes its remaining keyword arguments up the MRO, so
    ``BlockingConnectionPool`` takes ``max_connections`` and ``timeout`` and supplies the waiting
    ``get_connection``/``release``.
    """


def redis_from_url(url: str, *, pool_size: int, pool_timeout_s: float, socket_timeout_s: float = 2.0) -> Redis:
    if pool_size < 1:
        raise ValueError(f"pool_size must be at least 1, got {pool_size}")
    if not pool_timeout_s > 0:
        raise ValueError(f"pool_timeout_s must be positive, got {pool_timeout_s}")
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=pool_size,
            timeout=pool_timeout_s,
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=socket_timeout_s,
            health_check_interval=30,
        )
        return Redis.from_pool(pool)  # the client owns the pool: aclose() closes it
    hosts: list[tuple[str, int]] = []
    for item in parts.netloc.rsplit("@", 1)[-1].split(","):
        host, _, port = item.partition(":")
        if host:
            hosts.append((host, int(port or DEFAULT_SENTINEL_PORT)))
    path = [p for p in parts.path.split("/") if p]
    if not hosts or not path:
        raise ValueError("a Sentinel URL needs hosts and a service name: redis+sentinel://host:26379/mymaster/0")
    service, db = path[0], int(path[1]) if len(path) > 1 else 0
    password = unquote(parts.password) if parts.password else None
    # redis-py leaves Sentinel's constructor untyped
    sentinel = Sentinel(hosts, socket_timeout=socket_timeout_s, sentinel_kwargs={"socket_timeout": socket_timeout_s})  # type: ignore[no-untyped-call]
    master: Redis = sentinel.master_for(
        service,
        connection_pool_class=BlockingSentinelConnectionPool,
        max_connections=pool_size,
        timeout=pool_timeout_s,
        db=db,
        password=password,
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=socket_timeout_s,
    )
    return master
