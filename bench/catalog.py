"""The catalog and cart benchmark: sandbox, Redis and the BFF (one worker) on loopback, under wrk.

One command (``scripts/bench``, or ``.venv/bin/python -m bench.catalog``) starts on 127.0.0.1, on
free ports: redis-server, the Magento sandbox (``bff sandbox``), the BFF (``bff serve``, one worker,
production settings, its JSON access log at INFO written to a file) and the static floor (a bare
Starlette app under the same uvicorn settings, ``bench.floor``). All servers are pinned to one CPU,
wrk to another. The scenarios (``bench.scenarios``) run interleaved: every round runs each of them
once for ``--duration`` seconds, so a machine that gets busier or quieter moves all of them alike;
the report is each figure's median over ``--rounds``.

Rate limits and cost throttling stay on, with budgets no run reaches (``BENCH_LIMITS``), so their
work is measured but never refuses. CPU ms per request is each process's utime+stime delta over
wrk's window (``/proc``) divided by the requests wrk completed in it. Errors are wrk's
(connections, timeouts, HTTP status >= 400) plus the BFF's answers whose outcome was not OK (its
metrics): a GraphQL error answer is not a served listing. The exit status is non-zero only when
the benchmark could not run; a missed aim is printed, never an error.

A line per scenario and round goes to stderr as the run goes (``bench.report.progress_line``), and
at the end a self-contained HTML report (``bench.benchmark_html``: every round's ratios and CPU per
request, the medians) is written to ``--html`` or ``report.html`` in the run's directory, which
then keeps only that file unless ``--keep``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench import benchmark_html, html_report, processes, report, scenarios
from bench.capture import capture
from bench.processes import Server
from bench.report import Measurement
from bench.scenarios import Scenario
from bench.wrk import run_wrk
from bff.settings import SessionSettings, Settings

BENCH_LIMITS = {
    "BFF_RATE_LIMITS__PER_IP": "1000000000/minute",
    "BFF_RATE_LIMITS__PER_SESSION": "1000000000/minute",
    "BFF_THROTTLE__MAXIMUM": "1000000000",
    "BFF_THROTTLE__RESTORE_RATE": "1000000000",
}


def bff_env(redis_url: str, magento_url: str) -> dict[str, str]:
    """``bff serve`` as in production (what an operator sets), with the benchmark's budgets."""
    return {
        "BFF_ENVIRONMENT": "production",
        "BFF_REDIS_URL": redis_url,
        "BFF_MAGENTO__URL": magento_url,
        "BFF_INTROSPECTION": "false",
        "BFF_GRAPHIQL": "false",
        "BFF_CORS_ORIGINS": "https://shop.example",
        "BFF_LOG__LEVEL": "INFO",
        **BENCH_LIMITS,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Catalog and cart benchmark: the BFF, the Magento sandbox and a static floor under wrk.",
    )
    parser.add_argument("--duration", type=int, default=5, help="seconds per scenario and round (default 5)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; figures are medians (default 5)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per scenario (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections (default 16)")
    parser.add_argument(
        "--latency-connections", type=int, default=1, help="wrk's connections for the cart pair (default 1)"
    )
    parser.add_argument("--server-cpu", type=int, default=0, help="the CPU every server is pinned to (default 0)")
    parser.add_argument("--load-cpu", type=int, default=1, help="the CPU wrk is pinned to (default 1)")
    parser.add_argument("--only", action="append", default=[], metavar="KEY", help="run only these scenarios")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (servers' logs, wrk scripts)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of the table")
    parser.add_argument(
        "--html", type=Path, metavar="PATH", help="the HTML report (default: report.html in the run's directory, kept)"
    )
    args = parser.parse_args(argv)
    if min(args.duration, args.rounds, args.connections, args.latency_connections) < 1:
        parser.error("--duration, --rounds and the connections must be positive")
    return args


@dataclass(frozen=True)
class BffCounters:
    """From the BFF's metrics: GraphQL answers, those whose outcome was not OK, and Magento calls."""

    requests: float
    not_ok: float
    upstream_calls: float


def bff_counters(bff: Server) -> BffCounters:
    with urllib.request.urlopen(bff.url + "/metrics", timeout=10) as response:  # noqa: S310 (our loopback URL)
        lines = response.read().decode().splitlines()

    def total(prefix: str, unless: str = "") -> float:
        found = (ln for ln in lines if ln.startswith(prefix) and not (unless and unless in ln))
        return sum(float(ln.rsplit(" ", 1)[1]) for ln in found)

    return BffCounters(
        requests=total("bff_requests_total{"),
        not_ok=total("bff_requests_total{", unless='outcome="OK"'),
        upstream_calls=total("bff_upstream_requests_total{"),
    )


def measure(
    scenario: Scenario, servers: dict[str, Server], args: argparse.Namespace, workdir: Path, run: int, seconds: int
) -> Measurement:
    """One wrk run. CPU is sampled over wrk's own window (its requests' work, not the tail still in
    flight when it stops); the BFF's counters are read once everything has settled."""
    processes.settle(list(servers.values()))
    counted = bff_counters(servers["bff"])
    result, before, after = run_wrk(
        servers[scenario.server].url,
        scenario.request,
        duration_s=seconds,
        connections=args.latency_connections if scenario.latency else args.connections,
        cpus={args.load_cpu},
        script_path=workdir / f"{scenario.key}.lua",
        sample=lambda: {name: s.cpu_s() for name, s in servers.items()},
        unique_base=scenarios.UNIQUE_BASE + run * scenarios.UNIQUE_STRIDE,
    )
    processes.settle(list(servers.values()))
    now = bff_counters(servers["bff"])
    served = max(now.requests - counted.requests, 1)
    per_request = max(result.requests, 1)
    return Measurement(
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        requests=result.requests,
        errors=result.errors + int(now.not_ok - counted.not_ok),  # HTTP errors and GraphQL errors
        cpu_ms_per_request={n: (after.get(n, 0.0) - before.get(n, 0.0)) * 1000 / per_request for n in report.PROCESSES},
        upstream_calls_per_request=(now.upstream_calls - counted.upstream_calls) / served
        if scenario.server == "bff"
        else None,
    )


def git_commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=processes.REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


def start_servers(workdir: Path, cpus: set[int]) -> dict[str, Server]:
    servers: dict[str, Server] = {}
    try:
        servers["redis"] = redis = processes.start_redis(workdir, cpus)
        servers["sandbox"] = sandbox = processes.start_sandbox(workdir, cpus)
        redis_url, magento_url = f"redis://127.0.0.1:{redis.port}/0", sandbox.url + "/graphql"
        servers["bff"] = processes.start_bff(workdir, cpus, bff_env(redis_url, magento_url))
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers


def run(args: argparse.Namespace, workdir: Path, html_path: Path) -> int:
    cpus = {args.server_cpu}
    captured = asyncio.run(
        capture(
            Settings(environment="test", session=SessionSettings(cookie_secure=False)),
            scenarios.listing_body(scenarios.FIXED_FILTER),
            scenarios.listing_body({"priceTo": str(scenarios.UNIQUE_BASE - 2)}),
            scenarios.add_to_cart_body(),
            scenarios.cart_body(),
        )
    )
    servers = start_servers(workdir, cpus)
    try:
        body = scenarios.register_persisted_listing(servers["bff"].url)
        (workdir / "listing.json").write_bytes(body)
        servers["floor"] = processes.start_floor(workdir, cpus, workdir / "listing.json")
        cookie = scenarios.start_bff_session(servers["bff"].url)
        cart_id = asyncio.run(scenarios.direct_cart_id(servers["sandbox"].url))
        chosen = [s for s in scenarios.scenarios(captured, cookie, cart_id) if not args.only or s.key in args.only]
        for scenario in chosen:
            scenarios.check(scenario, servers[scenario.server].url)
        runs = 0
        if args.warmup > 0:
            for scenario in chosen:
                warm = measure(scenario, servers, args, workdir, runs, args.warmup)
                print(report.progress_line("warm-up", scenario.title, warm), file=sys.stderr, flush=True)
                runs += 1
        rounds: dict[str, list[Measurement]] = {s.key: [] for s in chosen}
        for round_number in range(args.rounds):
            for scenario in chosen:
                measured = measure(scenario, servers, args, workdir, runs, args.duration)
                rounds[scenario.key].append(measured)
                when = f"round {round_number + 1}/{args.rounds}"
                print(report.progress_line(when, scenario.title, measured), file=sys.stderr, flush=True)
                runs += 1
    finally:
        for server in servers.values():
            server.stop()
    titles = {s.key: s.title for s in chosen}
    medians = {key: report.median(ms) for key, ms in rounds.items()}
    meta = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git_commit(),
        "duration_s": args.duration,
        "rounds": args.rounds,
        "connections": args.connections,
        "latency_connections": args.latency_connections,
        "server_cpu": args.server_cpu,
        "load_cpu": args.load_cpu,
    }
    html_report.write(html_path, benchmark_html.render_html(meta, titles, rounds, medians))
    print(f"bench: report in {html_path}", file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(report.as_json(meta, titles, rounds, medians), indent=2))
        return 0
    print(
        f"{meta['date']}, commit {meta['commit']}: {args.rounds} interleaved rounds of {args.duration:g} s per "
        f"scenario, wrk -c{args.connections} (cart pair -c{args.latency_connections}) on CPU {args.load_cpu}, "
        f"servers on CPU {args.server_cpu}; medians"
    )
    print(report.table(titles, medians))
    if all(key in medians for key in report.RATIO_INPUTS):
        print()
        print(report.ratio_lines(report.ratios(medians)))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    usable = os.sched_getaffinity(0)
    if not {args.server_cpu, args.load_cpu} <= usable:
        print(f"bench: CPUs {args.server_cpu} and {args.load_cpu} are not all usable here ({sorted(usable)})")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bff-bench-"))
    html_path = args.html or workdir / "report.html"
    try:
        return run(args, workdir, html_path)
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"bench: could not run: {exc}", file=sys.stderr)
        for log in sorted(workdir.glob("*.log")):
            tail = log.read_text(errors="replace")[-2000:]
            print(f"--- {log.name} (last lines)\n{tail}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"bench: logs and scripts kept in {workdir}", file=sys.stderr)
        else:
            remove_all_but(workdir, html_path)


def remove_all_but(workdir: Path, report_path: Path) -> None:
    """The run's directory without the servers' logs and scripts; the report stays if it is in it."""
    if not report_path.is_relative_to(workdir) or not report_path.exists():
        shutil.rmtree(workdir, ignore_errors=True)
        return
    for entry in workdir.iterdir():
        if entry == report_path:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
