"""Operations fixtures: a real `bff sandbox` process, and a way to start `bff serve` replicas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import redis

from tests.processes import Process, bff_process, serve_env

ServeFactory = Callable[..., AbstractContextManager[Process]]


@pytest.fixture
def flushed_redis(redis_url: str) -> str:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Process]:
    with bff_process(["sandbox"], {}, tmp_path, "/__sandbox/health") as p:
        yield p


@pytest.fixture
def serve(tmp_path: Path, flushed_redis: str, sandbox: Process) -> ServeFactory:
    """``with serve(**extra_env) as replica:`` starts one `bff serve` replica on the shared Redis."""

    def start(**extra: str) -> AbstractContextManager[Process]:
        env = serve_env(flushed_redis, f"{sandbox.url}/graphql", **extra)
        return bff_process(["serve"], env, tmp_path, "/healthz")

    return start
