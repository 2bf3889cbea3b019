"""``bff worker``'s composition: Redis, the signed HTTP delivery and ``bff.events.worker.Worker``,
stopped gracefully by SIGTERM or SIGINT (the delivery in hand is finished first)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

from bff.events.admin_redis import OutboxAdmin, connect
from bff.events.delivery import HttpDelivery
from bff.events.redis import RedisEventStreams
from bff.events.worker import MAX_BLOCK_S, Worker
from bff.observability.metrics import EventCounters, Metrics, MetricsServer
from bff.sessions.redis_connection import redis_from_url
from bff.settings import Settings


def consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def liveness_toucher(path: Path) -> Callable[[], None]:
    """Touches ``path`` (at most once a second): its age is how long the worker's loop has not turned."""
    last = 0.0

    def touch() -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= 1.0:
            path.touch()
            last = now

    return touch


async def run_worker_until_stopped(
    settings: Settings,
    *,
    metrics_host: str | None = None,
    metrics_port: int | None = None,
    liveness_file: Path | None = None,
) -> None:
    """The worker until SIGTERM/SIGINT; ``/metrics`` (with ``bff_events_lag``) on ``metrics_port`` or
    ``BFF_METRICS__PORT`` when one is given."""
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
    port = metrics_port or settings.metrics.port  # no port: no /metrics (nothing would scrape them)
    metrics = Metrics() if settings.metrics.enabled and port else None
    server = None
    if metrics is not None and port:
        metrics.events_lag.reader = OutboxAdmin(connect(settings.redis_url.get_secret_value())).pending_count
        server = MetricsServer(metrics, metrics_host or settings.server.host, port)
        server.start()
    worker = Worker(
        streams,
        delivery,
        events,
        consumer_name(),
        observer=EventCounters(metrics) if metrics is not None else None,
        alive=liveness_toucher(liveness_file) if liveness_file is not None else None,
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    try:
        await worker.run()
    finally:
        await delivery.aclose()
        await redis.aclose()
        if server is not None:
            await asyncio.to_thread(server.stop)
