"""Events fixtures: a flushed real Redis and the outbox streams on it."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis

from bff.events.redis import RedisEventStreams


@pytest.fixture
async def streams(redis_client: Redis) -> RedisEventStreams:
    streams = RedisEventStreams(redis_client, maxlen=1000)
    await streams.ensure_group()
    return streams


@pytest.fixture(autouse=True)
def uvicorn_loggers_restored() -> Iterator[None]:
    """The receivers' uvicorn installs its logging config (``uvicorn`` stops propagating): put the
    loggers back as they were, so later tests that capture ``uvicorn.error`` still see it."""
    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {
        n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate, logging.getLogger(n).level)
        for n in names
    }
    yield
    for name, (handlers, propagate, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(level)
