"""``bff worker``'s composition: Redis, the signed HTTP delivery and ``bff.events.worker.Worker``,
stopped gracefully by SIGTERM or SIGINT (the delivery in hand is finished first)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket

from bff.events.delivery import HttpDelivery
from bff.events.redis import RedisEventStreams
from bff.events.worker import MAX_BLOCK_S, Worker
from bff.sessions.redis_connection import redis_from_url
from bff.settings import Settings


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


async def run_worker_until_stopped(settings: Settings) -> None:
    assert settings.redis_url is not None
    events = settings.events
    redis = redis_from_url(
        settings.redis_url.get_secret_value(),
        pool_size=4,
        pool_timeout_s=settings.redis_pool_timeout_s,
        timeout_s=MAX_BLOCK_S + settings.redis_timeout_s + 1.0,  # a blocking read waits up to MAX_BLOCK_S
    )
    secret = events.secret.get_secret_value() if events.secret is not None else "whsec_"
    delivery = HttpDelivery(secret, events.delivery_timeout_s)
    streams = RedisEventStreams(redis, maxlen=events.stream_maxlen)
    worker = Worker(streams, delivery, events, consumer_name())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    try:
        await worker.run()
    finally:
        await delivery.aclose()
        await redis.aclose()
