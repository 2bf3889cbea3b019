"""What a ``redis+sentinel://`` URL names (no Redis client here; the stores' modules connect)::

redis+sentinel://[:password@]sentinel-1:26379,sentinel-2:26379/mymaster/0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit

SENTINEL_SCHEME: Final = "redis+sentinel"
DEFAULT_SENTINEL_PORT: Final = 26379


@dataclass(frozen=True)
class SentinelTarget:
    hosts: list[tuple[str, int]]  # the sentinels
    service: str  # the master's service name
    db: int
    password: str | None  # the master's (sentinels are reached without one)


def sentinel_target(url: str) -> SentinelTarget | None:
    """The sentinels, service, database and password of a Sentinel URL; None for any other scheme.
    Raises ``ValueError`` for a Sentinel URL without hosts or service name."""
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        return None
    hosts: list[tuple[str, int]] = []
    for item in parts.netloc.rsplit("@", 1)[-1].split(","):
        host, _, port = item.partition(":")
        if host:
            hosts.append((host, int(port or DEFAULT_SENTINEL_PORT)))
    path = [p for p in parts.path.split("/") if p]
    if not hosts or not path:
        raise ValueError("a Sentinel URL needs hosts and a service name: redis+sentinel://host:26379/mymaster/0")
    password = unquote(parts.password) if parts.password else None
    return SentinelTarget(hosts=hosts, service=path[0], db=int(path[1]) if len(path) > 1 else 0, password=password)
