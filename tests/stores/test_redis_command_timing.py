"""Every Redis command is timed: the client reports each one, by name, with how it failed, and the
metrics count them (``bff_redis_command_duration_seconds``, ``bff_redis_command_errors_total``).
Run against the real redis-server."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from bff.observability.metrics import Metrics, RedisCommandTimings
from bff.sessions.redis_connection import CommandFailure, CommandObserver, redis_from_url
from tests.servers import free_port

Heard = list[tuple[str, float, CommandFailure | None]]


def recorder(heard: Heard) -> CommandObserver:
    def observe(command: str, duration_s: float, failure: CommandFailure | None) -> None:
        heard.append((command, duration_s, failure))

    return observe


async def test_each_command_is_reported_by_its_lowercase_name_without_failure(redis_url: str) -> None:
    heard: Heard = []
    client = redis_from_url(redis_url, pool_size=2, pool_timeout_s=1.0, observer=recorder(heard))
    try:
        await client.set("timing:a", "1")
        assert await client.get("timing:a") == b"1"
    finally:
        await client.aclose()
    assert [(command, failure) for command, _, failure in heard] == [("set", None), ("get", None)]
    assert all(duration > 0 for _, duration, _ in heard)


async def test_an_error_reply_is_reported_as_a_reply_failure(redis_url: str) -> None:
    heard: Heard = []
    client = redis_from_url(redis_url, pool_size=2, pool_timeout_s=1.0, observer=recorder(heard))
    try:
        await client.set("timing:text", "not a number")
        with pytest.raises(ResponseError):
            await client.lpush("timing:text", "a list item")
    finally:
        await client.aclose()
    assert heard[-1][0] == "lpush"
    assert heard[-1][2] == "reply"


async def test_a_lua_script_loaded_on_first_use_is_not_a_failure(redis_url: str) -> None:
    heard: Heard = []
    client = redis_from_url(redis_url, pool_size=2, pool_timeout_s=1.0, observer=recorder(heard))
    try:
        await client.script_flush()
        script = client.register_script("return 7")
        assert await script() == 7
    finally:
        await client.aclose()
    assert [failure for _, _, failure in heard] == [None] * len(heard)


async def test_a_redis_that_cannot_be_reached_is_a_connection_failure() -> None:
    heard: Heard = []
    url = f"redis://127.0.0.1:{free_port()}/0"
    client = redis_from_url(url, pool_size=1, pool_timeout_s=1.0, observer=recorder(heard))
    try:
        with pytest.raises(RedisConnectionError):
            await client.get("timing:a")
    finally:
        await client.aclose()
    assert [(command, failure) for command, _, failure in heard] == [("get", "connection")]


async def test_the_metrics_hold_the_round_trips_and_the_failures_by_command(redis_url: str) -> None:
    metrics = Metrics()
    client = redis_from_url(redis_url, pool_size=2, pool_timeout_s=1.0, observer=RedisCommandTimings(metrics))
    try:
        await client.set("timing:text", "x")
        await client.get("timing:text")
        with pytest.raises(ResponseError):
            await client.lpush("timing:text", "a list item")
    finally:
        await client.aclose()
    sample = metrics.registry.get_sample_value
    assert sample("bff_redis_command_duration_seconds_count", {"command": "get"}) == 1
    assert sample("bff_redis_command_duration_seconds_count", {"command": "lpush"}) == 1
    assert sample("bff_redis_command_errors_total", {"command": "lpush", "failure": "reply"}) == 1
    assert sample("bff_redis_command_errors_total", {"command": "get", "failure": "reply"}) is None
