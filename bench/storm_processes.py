"""The checkout storm's servers: a persistent redis-server that can be restarted on its port, the
sandbox and the ``bff serve`` replicas, as real processes on loopback (``bench.processes``).

Redis persists like a production deployment with an append-only file: ``--appendonly yes
--appendfsync always`` in the run's directory, so every write Redis acknowledged survives a
restart (sessions, idempotency records and leases come back; what was in flight is lost). A
restart is a crash: SIGKILL, a pause, then the same command on the same port.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from bench.processes import Server, free_port, python_env, start, wait_until_up

ALL_CPUS = set(range(os.cpu_count() or 1))  # the storm pins nothing: every process may use every CPU


def replica_env(redis_url: str, magento_url: str) -> dict[str, str]:
    """``bff serve`` as an operator configures it in production (access log at INFO)."""
    return {
        "BFF_ENVIRONMENT": "production",
        "BFF_REDIS_URL": redis_url,
        "BFF_EVENTS__ENABLED": "true",  # the storm also checks one order.placed event per order
        "BFF_MAGENTO__URL": magento_url,
        "BFF_INTROSPECTION": "false",
        "BFF_GRAPHIQL": "false",
        "BFF_CORS_ORIGINS": "https://shop.example",
        "BFF_SERVER__GRACEFUL_TIMEOUT_S": "10",
        "BFF_LOG__LEVEL": "INFO",
    }


class PersistentRedis:
    """A redis-server with an append-only file, restartable on the same port; its CPU time spans
    every incarnation."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.workdir = workdir
        self.port = free_port()
        self.argv = [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(workdir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ]
        self.earlier_cpu_s = 0.0
        self.restarts = 0
        self.server = self._start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _start(self) -> Server:
        server = start(f"redis-{self.restarts}", self.argv, self.port, self.workdir, ALL_CPUS)
        wait_until_up(server, None)
        return server

    def cpu_s(self) -> float:
        return self.earlier_cpu_s + self.server.cpu_s()

    def restart(self, down_s: float) -> None:
        """Crash it (SIGKILL), wait ``down_s``, start it again on the same port (blocking)."""
        self.earlier_cpu_s += self.server.cpu_s()
        self.server.proc.send_signal(signal.SIGKILL)
        self.server.proc.wait(timeout=10)
        time.sleep(down_s)
        self.restarts += 1
        self.server = self._start()

    def stop(self) -> None:
        self.server.stop()


def start_sandbox(workdir: Path, seed: int, fault_seed: int) -> Server:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "bff",
        "sandbox",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--seed",
        str(seed),
        "--fault-seed",
        str(fault_seed),
    ]
    server = start("sandbox", argv, port, workdir, ALL_CPUS, python_env({}))
    wait_until_up(server, "/__sandbox/health")
    return server


def start_replica(workdir: Path, index: int, env: Mapping[str, str]) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bff", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = start(f"bff-{index}", argv, port, workdir, ALL_CPUS, python_env(env))
    wait_until_up(server, "/readyz")
    return server
