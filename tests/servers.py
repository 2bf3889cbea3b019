"""Real servers for the tests: redis-server on a free port, and uvicorn in a background thread."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_port(port: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


def _redis_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/setup --with-redis (as root)")
    return binary


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """Start a throwaway redis-server on a free loopback port; yield its URL; stop it."""
    binary = _redis_binary()
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, timeout_s=10)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class RestartableRedis:
    """A redis-server on a fixed free port that a test can stop, pause (SIGSTOP: hung) and start
    again. With ``persist`` it writes an append-only file (fsync on every write), so a restart keeps
    its data, as a deployment with persistence does."""

    def __init__(self, workdir: Path, *, persist: bool = True) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._args = [_redis_binary(), "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(workdir),
                      "--save", "", "--appendonly", "yes" if persist else "no", "--appendfsync", "always"]  # fmt: skip
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(self._args, stdout=subprocess.DEVNULL)
        _wait_for_port(self.port, timeout_s=10)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)
            self._proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def pause(self) -> None:
        """Hang: the process stops reading, connections stay open (``resume`` undoes it)."""
        assert self._proc is not None
        self._proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGCONT)


@contextmanager
def restartable_redis(workdir: Path, *, persist: bool = True) -> Iterator[RestartableRedis]:
    server = RestartableRedis(workdir, persist=persist)
    server.start()
    try:
        yield server
    finally:
        server.resume()
        server.stop()


@contextmanager
def redis_sentinel(workdir: Path, master_url: str, service: str = "bff-master") -> Iterator[str]:
    """Start a Redis Sentinel (redis-server --sentinel) that watches the server at ``master_url``;
    yield a ``redis+sentinel://`` URL for that server's database; stop it."""
    master = urlsplit(master_url)
    port = free_port()
    config = workdir / "sentinel.conf"  # Sentinel rewrites its configuration file: give it its own
    config.write_text(
        f"bind 127.0.0.1\nport {port}\ndir {workdir}\nsentinel monitor {service} {master.hostname} {master.port} 1\n"
    )
    proc = subprocess.Popen([_redis_binary(), str(config), "--sentinel"], stdout=subprocess.DEVNULL)
    try:
        _wait_for_port(port, timeout_s=10)
        yield f"redis+sentinel://127.0.0.1:{port}/{service}{master.path}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def uvicorn_server(app: ASGIApp, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a background thread; yield its base URL."""
    port = port or free_port()
    # log_config=None: uvicorn leaves logging alone (its dictConfig would stop "uvicorn" propagating to the root
    # for every later test in this process)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
