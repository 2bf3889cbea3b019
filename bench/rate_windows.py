"""The fixed-window rate limits of one request: the ``limits`` package's strategy vs. our script.

Starts redis-server (pinned to ``--server-cpu``), then checks in one process, interleaved in rounds:

* ``limits``: what ``rate.RateLimits`` did before ``RedisWindowCounter``: for each of a request's
  fixed windows (per IP and per session) ``FixedWindowRateLimiter.hit``, then
  ``get_window_stats``, each round of them gathered concurrently (two rounds, about six commands);
* ``script``: ``RedisWindowCounter.hit`` for the same windows (one EVALSHA).

Prints, per request, the client's CPU ms (``time.process_time``), Redis's CPU ms (``/proc``), the
wall-clock µs with one request in flight, and the ratios. Not part of the test suite; run
``.venv/bin/python -m bench.rate_windows [--requests N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from limits import parse
from limits.aio.strategies import FixedWindowRateLimiter
from redis.asyncio import Redis

from bench import processes
from bff.limits.redis import RedisWindowCounter, redis_rate_storage
from bff.limits.windows import Window

Check = Callable[[int], Awaitable[object]]


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 1/100 s


async def measure(check: Check, requests: int, redis_pid: int) -> tuple[float, float, float]:
    """(client CPU ms, Redis CPU ms, wall µs) per request."""
    redis_before, cpu_before, wall_before = cpu_s(redis_pid), time.process_time(), time.perf_counter()
    for n in range(requests):
        await check(n)
    wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
    return cpu * 1000 / requests, (cpu_s(redis_pid) - redis_before) * 1000 / requests, wall * 1e6 / requests


async def run(port: int, redis_pid: int, requests: int, rounds: int) -> None:
    redis = Redis(port=port)
    limits = [
        (parse("1000000000/minute"), ("per_ip", "a" * 64)),
        (parse("1000000000/minute"), ("per_session", "b" * 64)),
    ]
    strategy = FixedWindowRateLimiter(redis_rate_storage(redis))
    counter = RedisWindowCounter(redis)
    windows = [Window(item.key_for(*ids), item.get_expiry() * 1000) for item, ids in limits]

    async def with_limits(_: int) -> object:
        await asyncio.gather(*(strategy.hit(item, *ids) for item, ids in limits))
        return await asyncio.gather(*(strategy.get_window_stats(item, *ids) for item, ids in limits))

    async def with_script(_: int) -> object:
        return await counter.hit(windows)

    checks: dict[str, Check] = {"limits": with_limits, "script": with_script}
    for check in checks.values():  # warm up: connections, script loaded
        await measure(check, 200, redis_pid)
    figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in checks}
    for _ in range(rounds):
        for name, check in checks.items():
            figures[name].append(await measure(check, requests, redis_pid))
    await redis.aclose()
    medians = {name: [statistics.median(f[i] for f in runs) for i in range(3)] for name, runs in figures.items()}
    print(f"{rounds} interleaved rounds of {requests} requests (two fixed windows each); medians per request")
    print(f"{'':8} {'client CPU ms':>14} {'redis CPU ms':>13} {'wall µs':>9}")
    for name, (client, server, wall) in medians.items():
        print(f"{name:8} {client:14.3f} {server:13.3f} {wall:9.0f}")
    base, ours = medians["limits"], medians["script"]
    print(f"script/limits: client CPU {ours[0] / base[0]:.2f}x, redis CPU {ours[1] / max(base[1], 1e-9):.2f}x, "
          f"wall {ours[2] / base[2]:.2f}x")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.rate_windows", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server-cpu", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bff-rate-") as tmp:
        server = processes.start_redis(Path(tmp), {args.server_cpu})
        try:
            asyncio.run(run(server.port, server.proc.pid, args.requests, args.rounds))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
