"""Real processes for operations tests: `bff sandbox` and `bff serve`, started and stopped cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.servers import free_port

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Process:
    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout_s: float) -> int:
        return self.proc.wait(timeout=timeout_s)


def _wait_until_up(p: Process, path: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if p.proc.poll() is not None:
            raise RuntimeError(f"process exited with {p.proc.returncode}:\n{p.log()}")
        try:
            if httpx.get(p.url + path, timeout=0.5).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{p.url}{path} did not answer:\n{p.log()}")


@contextmanager
def bff_process(args: list[str], env: Mapping[str, str], log_dir: Path, ready_path: str) -> Iterator[Process]:
    port = free_port()
    log_path = log_dir / f"bff-{args[0]}-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BFF_")} | dict(env)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bff", *args, "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    p = Process(proc, f"http://127.0.0.1:{port}", log_path)
    try:
        _wait_until_up(p, ready_path)
        yield p
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def serve_env(redis_url: str, magento_url: str, **extra: str) -> dict[str, str]:
    """A complete production configuration (what an operator would set)."""
    return {
        "BFF_ENVIRONMENT": "production",
        "BFF_REDIS_URL": redis_url,
        "BFF_MAGENTO__URL": magento_url,
        "BFF_INTROSPECTION": "false",
        "BFF_GRAPHIQL": "false",
        "BFF_CORS_ORIGINS": "https://shop.example",
        "BFF_SERVER__GRACEFUL_TIMEOUT_S": "10",
        **extra,
    }
