"""A Redis client from a URL: ``redis://``, ``rediss://`` (TLS) or ``redis+sentinel://``.

Sentinel URLs name the sentinels, the master's service name and the database::

    redis+sentinel://[:password@]sentinel-1:26379,sentinel-2:26379/mymaster/0

The password (if any) is used for the master; sentinels are reached without one, as most managed
Sentinel setups do. The client follows fail-overs: each connection asks the sentinels for the
current master.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from redis.asyncio import Redis
from redis.asyncio.sentinel import Sentinel

SENTINEL_SCHEME = "redis+sentinel"
DEFAULT_SENTINEL_PORT = 26379


def redis_from_url(url: str, *, socket_timeout_s: float = 2.0) -> Redis:
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        return Redis.from_url(
            url, socket_timeout=socket_timeout_s, socket_connect_timeout=socket_timeout_s, health_check_interval=30
        )
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
        service, db=db, password=password, socket_timeout=socket_timeout_s, socket_connect_timeout=socket_timeout_s
    )
    return master
