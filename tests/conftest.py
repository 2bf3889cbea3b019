"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import redis_sentinel, redis_server

pytest_plugins = ["tests.storefront_fixtures"]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server started for this test session on a free port."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def sentinel_url(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis Sentinel watching the test redis-server: a ``redis+sentinel://`` URL for it."""
    with redis_sentinel(tmp_path_factory.mktemp("sentinel"), redis_url) as url:
        yield url
