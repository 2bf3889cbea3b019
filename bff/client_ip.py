"""The shopper's IP: the peer address, or (only behind trusted proxies) the last untrusted hop."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(t, strict=False) for t in trusted)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def shopper_ip(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str | None:
    """Walk ``X-Forwarded-For`` right to left while hops are trusted proxies.

    A client can put anything in the header, so only entries appended by our own proxies count:
    the first untrusted address from the right is the shopper. Without a trusted peer the
    header is ignored entirely.
    """
    networks = _networks(tuple(trusted))
    if peer is None or not _is_trusted(peer, networks) or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return hops[0] if hops else peer
