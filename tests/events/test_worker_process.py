"""``bff worker`` as a real process: SIGKILLed mid-delivery, its event is redelivered by another
worker after the claim timeout; SIGTERMed mid-delivery, it finishes that delivery, then exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from bff.events.catalogue import customer_registered
from bff.events.redis import GROUP
from tests.events.receivers import SECRET, Receiver
from tests.processes import REPO
from tests.servers import uvicorn_server
from tests.waiting import wait_until

STREAM = "bff:v1:events"


@contextmanager
def worker_process(redis_url: str, hook_url: str, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BFF_")} | {
        "BFF_REDIS_URL": redis_url,
        "BFF_EVENTS__ENDPOINTS": f'{{"*": ["{hook_url}"]}}',
        "BFF_EVENTS__SECRET": SECRET,
        "BFF_EVENTS__CLAIM_IDLE_S": "1",
        "BFF_EVENTS__DELIVERY_TIMEOUT_S": "0.9",
        "BFF_EVENTS__BACKOFF_BASE_S": "0.05",
    }
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bff", "worker"], cwd=REPO, env=env, stdout=log, stderr=log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def publish(redis_url: str) -> str:
    event = customer_registered("new@example.com")
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.xadd(STREAM, event.fields())  # type: ignore[arg-type]
    client.close()
    return event.id


def pending(redis_url: str) -> int:
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xpending(STREAM, GROUP)["pending"])
    finally:
        client.close()


def test_an_event_in_a_killed_workers_hands_is_delivered_by_another_worker(redis_url: str, tmp_path: Path) -> None:
    receiver = Receiver(hold_first_s=5.0)
    event_id = publish(redis_url)
    with uvicorn_server(receiver.app()) as url:
        with worker_process(redis_url, f"{url}/hook", tmp_path / "a.log") as first:
            wait_until(lambda: len(receiver.received) == 1, what="the first worker is delivering", timeout_s=20)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        receiver.released.set()
        with worker_process(redis_url, f"{url}/hook", tmp_path / "b.log"):
            wait_until(lambda: receiver.delivered(event_id) == 1, what="redelivered by the second worker", timeout_s=20)
            wait_until(lambda: pending(redis_url) == 0, what="the event acknowledged")
    assert [r.webhook_id for r in receiver.received] == [event_id, event_id]


def test_a_terminated_worker_finishes_the_delivery_in_hand_then_exits(redis_url: str, tmp_path: Path) -> None:
    receiver = Receiver(hold_first_s=0.5)
    publish(redis_url)
    with uvicorn_server(receiver.app()) as url, worker_process(redis_url, f"{url}/hook", tmp_path / "w.log") as proc:
        wait_until(lambda: len(receiver.received) == 1, what="the worker is delivering", timeout_s=20)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert pending(redis_url) == 0  # the held delivery was answered 2xx and acknowledged before exiting
