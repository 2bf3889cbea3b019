"""Load from ``wrk``: one HTTP request (method, path, headers, body) repeated for a few seconds.

Each run gets a generated Lua script. A fixed request is set once (``wrk.method``/``body``/
``headers``, wrk's fastest path); a request whose body holds ``UNIQUE`` is rebuilt per request
with a number unique within the whole benchmark run (a base passed per run plus a counter), which
is how the uncached scenario stays uncached whatever a cache keys on. Its ``done`` hook prints
one JSON line (requests, duration, p50/p99 from wrk's latency distribution, errors), so nothing
depends on wrk's human-readable output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bench.processes import pinned_to

UNIQUE = "__BENCH_UNIQUE__"
MARK = "BENCH-JSON "
T = TypeVar("T")

DONE = r"""
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True)
class HttpRequest:
    """What every request of a scenario sends (``UNIQUE`` in the body: replaced per request)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    duration_s: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


def lua_string(text: str) -> str:
    """A Lua string literal of ``text`` (bytes outside printable ASCII, quotes and backslashes escaped)."""
    out = []
    for byte in text.encode():
        out.append(chr(byte) if 32 <= byte < 127 and byte not in (34, 92) else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def lua_script(request: HttpRequest) -> str:
    headers = "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in request.headers.items()) + "}"
    if UNIQUE not in request.body:
        return (
            f"wrk.method = {lua_string(request.method)}\nwrk.path = {lua_string(request.path)}\n"
            f"wrk.headers = {headers}\nwrk.body = {lua_string(request.body)}\n" + DONE
        )
    before, after = request.body.split(UNIQUE, 1)
    return (
        "local base, counter = 0, 0\n"
        "function init(args) base = tonumber(args[1]) or 0 end\n"
        f"local headers = {headers}\n"
        "function request()\n"
        "  counter = counter + 1\n"
        f"  local body = {lua_string(before)} .. tostring(base + counter) .. {lua_string(after)}\n"
        f"  return wrk.format({lua_string(request.method)}, {lua_string(request.path)}, headers, body)\n"
        "end\n" + DONE
    )


def parse_output(stdout: str) -> WrkResult:
    line = next((ln for ln in stdout.splitlines() if ln.startswith(MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{stdout}")
    data: dict[str, Any] = json.loads(line[len(MARK) :])
    return WrkResult(
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=sum(data["errors"].values()),
    )


def run_wrk(
    base_url: str,
    request: HttpRequest,
    *,
    duration_s: int,
    connections: int,
    cpus: set[int],
    script_path: Path,
    sample: Callable[[], T],
    unique_base: int = 0,
) -> tuple[WrkResult, T, T]:
    """Run wrk; ``sample()`` is taken as it starts and again when its ``duration_s`` is over, before
    the requests still in flight finish, so what is sampled (CPU time) covers the requests wrk counts."""
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk is not installed: run scripts/setup --with-bench")
    script_path.write_text(lua_script(request))
    argv = [binary, "-t1", f"-c{connections}", f"-d{duration_s}s", "--timeout", "10s", "-s", str(script_path)]
    proc = subprocess.Popen(  # noqa: S603 (wrk with arguments built here)
        [*argv, base_url + request.path, "--", str(unique_base)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=pinned_to(cpus),
    )
    first = sample()
    time.sleep(duration_s)
    last = sample()
    try:
        stdout, stderr = proc.communicate(timeout=duration_s + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise RuntimeError("wrk did not finish") from None
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {stderr or stdout}")
    return parse_output(stdout), first, last
