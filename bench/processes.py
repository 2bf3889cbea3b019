"""The benchmark's servers as real processes on loopback, pinned to one CPU, and their CPU time.

Every server (Redis, the sandbox, the BFF, the static floor) is started pinned to the servers' CPU
(``os.sched_setaffinity`` in the child before ``exec``, so every thread it ever starts is pinned
too); the load generator gets the other CPU. CPU time is read from ``/proc/<pid>/stat`` (utime +
stime of all the process's threads), so a figure is the process's own work, whatever else runs.
Each server writes its output to a file in the run's directory: the BFF's access log lands there,
as a production log shipper would read it from a file or pipe.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of every thread of ``pid`` so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces; it ends at the last ")"
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def pinned_to(cpus: set[int]) -> Callable[[], None]:
    def pin() -> None:
        os.sched_setaffinity(0, cpus)

    return pin


@dataclass
class Server:
    """One started server: its name in the report, its process and where its output goes."""

    name: str
    proc: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_s(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start(
    name: str, argv: Sequence[str], port: int, workdir: Path, cpus: set[int], env: Mapping[str, str] | None = None
) -> Server:
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and redis-server, fixed arguments)
            list(argv),
            cwd=REPO,
            env=dict(env) if env is not None else None,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=pinned_to(cpus),  # the harness starts no threads: forking with it is safe
        )
    return Server(name, proc, port, log_path)


def wait_until_up(server: Server, path: str | None, timeout_s: float = 30.0) -> None:
    """Until ``path`` answers below 500 over HTTP (or, with ``path`` None, the port accepts)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.proc.returncode}:\n{server.log_path.read_text()}")
        try:
            if path is None:
                with socket.create_connection(("127.0.0.1", server.port), timeout=0.2):
                    return
            elif httpx.get(server.url + path, timeout=1.0).status_code < 500:
                return
        except (OSError, httpx.TransportError):
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{server.name} did not answer on {server.url} within {timeout_s}s")


def python_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This environment without any BFF_* setting of the caller's, plus ``extra``."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BFF_")} | dict(extra)


def start_redis(workdir: Path, cpus: set[int]) -> Server:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/setup --with-bench")
    port = free_port()
    argv = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    server = start("redis", [*argv, "--dir", str(workdir)], port, workdir, cpus)
    wait_until_up(server, None)
    return server


def start_sandbox(workdir: Path, cpus: set[int]) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bff", "sandbox", "--host", "127.0.0.1", "--port", str(port)]
    server = start("sandbox", argv, port, workdir, cpus, python_env({}))
    wait_until_up(server, "/__sandbox/health")
    return server


def start_bff(workdir: Path, cpus: set[int], env: Mapping[str, str]) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bff", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = start("bff", argv, port, workdir, cpus, python_env(env))
    wait_until_up(server, "/readyz")
    return server


def start_floor(workdir: Path, cpus: set[int], body_file: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "bench.floor", "--port", str(port), "--body", str(body_file)]
    server = start("floor", argv, port, workdir, cpus, python_env({}))
    wait_until_up(server, "/")
    return server


def settle(servers: Sequence[Server], quiet_s: float = 0.2, timeout_s: float = 15.0) -> None:
    """Until no server used CPU for ``quiet_s`` (the requests in flight when a run stopped are done)."""
    deadline = time.monotonic() + timeout_s
    before = [s.cpu_s() for s in servers]
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = [s.cpu_s() for s in servers]
        if all(n - b < 1.5 / TICKS_PER_S for n, b in zip(now, before, strict=True)):
            return
        before = now
