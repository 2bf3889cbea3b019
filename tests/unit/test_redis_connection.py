"""Redis URLs the BFF accepts: redis://, rediss:// and Sentinel."""

from __future__ import annotations

import pytest
from redis.asyncio.sentinel import SentinelConnectionPool

from bff.sessions.redis_connection import redis_from_url


def test_a_plain_url_connects_to_that_server() -> None:
    client = redis_from_url("redis://cache.internal:6380/2")
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("cache.internal", 6380, 2)


def test_a_tls_url_uses_tls() -> None:
    client = redis_from_url("rediss://cache.internal:6380/0")
    assert "SSL" in client.connection_pool.connection_class.__name__


def test_a_sentinel_url_asks_the_sentinels_for_the_master() -> None:
    client = redis_from_url("redis+sentinel://:s3cret@s1:26379,s2/bff-master/3")
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "bff-master"
    assert pool.connection_kwargs["db"] == 3
    assert pool.connection_kwargs["password"] == "s3cret"
    assert [
        (s.connection_pool.connection_kwargs["host"], s.connection_pool.connection_kwargs["port"])
        for s in pool.sentinel_manager.sentinels
    ] == [("s1", 26379), ("s2", 26379)]


def test_a_sentinel_url_without_a_service_name_is_refused() -> None:
    with pytest.raises(ValueError, match="service name"):
        redis_from_url("redis+sentinel://s1:26379")
