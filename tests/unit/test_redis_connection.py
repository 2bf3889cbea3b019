"""Redis URLs the BFF accepts: redis://, rediss:// and Sentinel."""

from __future__ import annotations

import pytest
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.sentinel import SentinelConnectionPool

from bff.sessions.redis_connection import redis_from_url


def test_a_plain_url_connects_to_that_server() -> None:
    client = redis_from_url("redis://cache.internal:6380/2", pool_size=7, pool_timeout_s=1.5)
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("cache.internal", 6380, 2)


def test_a_tls_url_uses_tls() -> None:
    client = redis_from_url("rediss://cache.internal:6380/0", pool_size=7, pool_timeout_s=1.5)
    assert "SSL" in client.connection_pool.connection_class.__name__


def test_a_sentinel_url_asks_the_sentinels_for_the_master() -> None:
    client = redis_from_url("redis+sentinel://:s3cret@s1:26379,s2/bff-master/3", pool_size=7, pool_timeout_s=1.5)
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
        redis_from_url("redis+sentinel://s1:26379", pool_size=7, pool_timeout_s=1.5)


@pytest.mark.parametrize(
    "url", ["redis://cache.internal:6379/0", "rediss://cache.internal:6380/0", "redis+sentinel://s1:26379/bff-master/0"]
)
def test_every_url_gets_a_blocking_pool_of_the_configured_size_and_wait(url: str) -> None:
    pool = redis_from_url(url, pool_size=7, pool_timeout_s=1.5).connection_pool
    assert isinstance(pool, BlockingConnectionPool)
    assert (pool.max_connections, pool.timeout) == (7, 1.5)


@pytest.mark.parametrize(
    ("pool_size", "pool_timeout_s", "message"),
    [(0, 1.0, "pool_size must be at least 1"), (1, 0.0, "pool_timeout_s must be positive")],
)
def test_a_pool_without_a_connection_or_without_a_bounded_wait_is_refused(
    pool_size: int, pool_timeout_s: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        redis_from_url("redis://cache.internal:6379/0", pool_size=pool_size, pool_timeout_s=pool_timeout_s)
