"""The checkout storm: many shoppers check out at once through BFF replicas while Magento misbehaves,
then every order in the sandbox is set against what its shopper was told.

``.venv/bin/python -m bench.checkout_storm`` starts on 127.0.0.1, on free ports: one redis-server
(persistent, see ``bench.storm_processes``), the Magento sandbox (``bff sandbox``) and ``--replicas``
``bff serve`` processes (production settings) sharing them; or uses running ones (``--bff-url``,
with ``--sandbox-url``). Then ``--shoppers`` shoppers (``bench.storm_shopper``), at most
``--concurrency`` at a time, each run a full checkout: sign up (a share of them) or stay a guest,
add to the cart, e-mail, addresses, shipping, payment and ``placeOrder``, or the one-call
``checkout`` mutation, under one idempotency key, with short client timeouts, retries on the other
replica and concurrent double submits.

Faults (``PUT /__sandbox/faults``; ``--no-faults`` turns them off): latency with jitter on every
Magento call and more on ``placeOrder``, a share of Magento calls answered HTTP 503, and lost
``placeOrder`` answers: the order is placed, then the connection is dropped (every
``--lose-every``-th shopper's checkout arms one) or withheld for ``--hang-seconds`` and then dropped
(``--hang-every``). ``--restart-redis-at SECONDS`` crashes Redis that long into the storm and starts
it again on its port ``--redis-down-s`` later; ``--kill-replica-at SECONDS`` SIGKILLs the first
replica (it stays down).

After the last shopper, faults are cleared and every shopper without a definitive answer sends its
checkout again with its key, patiently, until it gets one or 70 s (more than a lease) pass. Then
``bench.storm_reconcile`` reconciles ``GET /__sandbox/orders`` with the shoppers' answers and prints
the figures, with the CPU time per request of each process started here (``/proc``, as
``bench.catalog``). Exit status: 1 when any of
duplicates, lost, mismatched, stuck, 5xx (other than a coded ``UPSTREAM_UNAVAILABLE`` 503) or
``INTERNAL`` is not zero, 2 when the storm could not run, else 0. The seed fixes every shopper's
plan (who signs up, which product, double submits, keys, backoff jitter) and the sandbox's fault
randomness; the order in which concurrent requests meet the faults still varies from run to run.

While it runs, a progress line goes to stderr every 2 s (``bench.storm_progress``; ``--quiet``:
none); at the end, besides the text summary (or ``--json``), it writes a self-contained HTML
report (``bench.storm_html``: latency and outcomes over time, the figures, the configuration) to
``--html`` or ``report.html`` in the run's directory, and names it on the summary's last line.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

import httpx

from bench import html_report
from bench.processes import Server
from bench.storm_events import event_problems, order_events
from bench.storm_html import render_html
from bench.storm_processes import PersistentRedis, replica_env, start_replica, start_sandbox
from bench.storm_progress import StormProgress
from bench.storm_reconcile import Reconciliation, reconcile
from bench.storm_shopper import ClientBehaviour, ShopperOutcome, ShopperPlan, run_shopper, settle
from bench.storm_timeline import StormTimeline
from bff.sandbox import SandboxConfig, SystemClock
from bff.sandbox.seed import seeded_state

SANDBOX_SEED = 2024  # `bff sandbox`'s default catalog


@dataclass(frozen=True)
class StormFaults:
    latency_ms: float = 5.0  # every Magento call
    jitter_ms: float = 20.0
    place_latency_ms: float = 50.0  # placeOrder on top (payment, stock, e-mails)
    place_jitter_ms: float = 150.0
    error_rate: float = 0.02  # share of Magento calls answered HTTP 503 without running
    lose_every: int = 8  # every N-th shopper's checkout arms one dropped placeOrder answer (0: never)
    hang_every: int = 12  # ... one placeOrder answer withheld for hang_seconds, then dropped (0: never)
    hang_seconds: float = 2.0


@dataclass(frozen=True)
class StormConfig:
    shoppers: int = 200
    replicas: int = 2
    seed: int = 1
    concurrency: int = 50  # shoppers at once
    customer_share: float = 0.25  # sign up first
    one_call_share: float = 0.5  # the one-call checkout mutation
    double_submit_share: float = 0.25  # send the checkout call 2..max_submits times at once
    max_submits: int = 4
    behaviour: ClientBehaviour = field(default_factory=ClientBehaviour)
    faults: StormFaults | None = field(default_factory=StormFaults)  # None: no faults
    restart_redis_at_s: float | None = None
    redis_down_s: float = 1.0
    kill_replica_at_s: float | None = None  # SIGKILL the first replica then (it stays down)
    settle_timeout_s: float = 70.0  # the retries after the storm: longer than a checkout's 60 s lease
    bff_urls: tuple[str, ...] = ()  # running replicas (then sandbox_url is needed too)
    sandbox_url: str | None = None
    redis_url: str | None = None  # for replicas started here; unset: a redis-server started here
    sandbox_seed: int = SANDBOX_SEED


@dataclass
class StormResult:
    config: StormConfig
    reconciliation: Reconciliation
    duration_s: float
    cpu_ms_per_request: dict[str, float]  # process name → CPU ms per storm request (processes started here)
    cpu_ms_per_shopper: dict[str, float]
    redis_restarts: int
    replicas_killed: int
    log_errors: list[str]  # the replicas' warning and error log lines, counted by event
    workdir: str
    order_events: int | None = None  # order.placed events of this run in the outbox (None: not checked)
    event_problems: list[str] = field(default_factory=list)  # orders without exactly one event, repeated ids
    timeline: StormTimeline = field(default_factory=StormTimeline)  # every request on a time axis (the report)

    @property
    def failed(self) -> bool:
        return self.reconciliation.failed or bool(self.event_problems)

    def to_json(self) -> dict[str, Any]:
        config = asdict(self.config)
        return {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "config": config,
            "duration_s": round(self.duration_s, 1),
            "redis_restarts": self.redis_restarts,
            "replicas_killed": self.replicas_killed,
            **self.reconciliation.to_json(),
            "cpu_ms_per_request": self.cpu_ms_per_request,
            "cpu_ms_per_shopper": self.cpu_ms_per_shopper,
            "log_errors": self.log_errors,
            "order_events": self.order_events,
            "event_problems": self.event_problems,
            "workdir": self.workdir,
        }


def stock_slots(seed: int, sandbox_seed: int) -> list[str]:
    """SKUs to buy, one unit per entry: every simple product of the sandbox's catalog (its seed gives
    the same catalog as the running sandbox), at most half its stock, shuffled by the storm's seed."""
    state = seeded_state(SandboxConfig(seed=sandbox_seed), SystemClock())
    slots = [
        p.sku
        for p in state.products.values()
        if p.type_id == "simple" and p.parent_sku is None and p.visible and p.price > 0
        for _ in range(p.qty // 2)
    ]
    random.Random(seed).shuffle(slots)
    return slots


def plans(config: StormConfig, replicas: int, run: str) -> list[ShopperPlan]:
    """Every shopper's plan; ``run`` tags their e-mail addresses (``storm-<run>-<n>@storm.example``)."""
    rng = random.Random(config.seed)
    slots = stock_slots(config.seed, config.sandbox_seed)
    if config.shoppers > len(slots):
        raise ValueError(f"the sandbox's stock is enough for {len(slots)} shoppers")
    return [
        ShopperPlan.draw(
            i,
            rng,
            sku=slots[i],
            run=run,
            customer_share=config.customer_share,
            one_call_share=config.one_call_share,
            double_submit_share=config.double_submit_share,
            max_submits=config.max_submits,
            replicas=replicas,
        )
        for i in range(config.shoppers)
    ]


class FaultDriver:
    """Sets the storm's faults in the sandbox and arms lost placeOrder answers as shoppers check out."""

    def __init__(self, http: httpx.AsyncClient, sandbox_url: str, faults: StormFaults | None) -> None:
        self.http = http
        self.url = f"{sandbox_url}/__sandbox/faults"
        self.faults = faults
        self.lost_answers: list[float] = []  # perf_counter() when a lost placeOrder answer was armed

    async def _put(self, operation: str, fault: dict[str, Any]) -> None:
        response = await self.http.put(self.url, json={"operation": operation, "fault": fault}, timeout=10)
        response.raise_for_status()

    async def start(self) -> None:
        await self.clear()
        f = self.faults
        if f is None:
            return
        await self._put("*", {"latency_ms": f.latency_ms, "jitter_ms": f.jitter_ms, "error_rate": f.error_rate})
        # Keyed by operationName here, so the lost-answer faults (by root field) combine with it.
        await self._put("PlaceOrder", {"latency_ms": f.place_latency_ms, "jitter_ms": f.place_jitter_ms})

    async def before_checkout(self, plan: ShopperPlan) -> None:
        f = self.faults
        if f is None:
            return
        if f.lose_every and plan.index % f.lose_every == f.lose_every - 1:
            self.lost_answers.append(time.perf_counter())
            await self._put("placeOrder", {"lose_response": "drop", "times": 1})
        elif f.hang_every and plan.index % f.hang_every == f.hang_every - 1:
            self.lost_answers.append(time.perf_counter())
            await self._put("placeOrder", {"lose_response": "hang", "hang_seconds": f.hang_seconds, "times": 1})

    async def clear(self) -> None:
        (await self.http.delete(self.url, timeout=10)).raise_for_status()


@dataclass
class Servers:
    replicas: list[str]
    sandbox_url: str
    processes: dict[str, Server | PersistentRedis]
    redis: PersistentRedis | None
    cpu_at_exit: dict[str, float] = field(default_factory=dict)  # processes killed on purpose: CPU s then
    marks: list[tuple[float, str]] = field(default_factory=list)  # perf_counter() of crashes and recoveries

    def kill_replica(self) -> None:
        """SIGKILL the first replica, as a crashed pod: its in-flight requests get no answer."""
        replica = self.processes["bff-0"]
        assert isinstance(replica, Server)
        self.cpu_at_exit["bff-0"] = replica.cpu_s()
        self.marks.append((time.perf_counter(), "bff-0 killed"))
        replica.proc.send_signal(signal.SIGKILL)
        replica.proc.wait(timeout=10)


@contextlib.contextmanager
def servers(config: StormConfig, workdir: Path) -> Iterator[Servers]:
    """The storm's servers: the running ones the config names, or processes started (and stopped) here."""
    if config.bff_urls:
        if config.sandbox_url is None:
            raise ValueError("--bff-url needs --sandbox-url (the sandbox those replicas use)")
        if config.restart_redis_at_s is not None or config.kill_replica_at_s is not None:
            raise ValueError(
                "--restart-redis-at and --kill-replica-at need servers started by the storm (no --bff-url)"
            )
        yield Servers(list(config.bff_urls), config.sandbox_url, {}, None)
        return
    started: dict[str, Server | PersistentRedis] = {}
    try:
        redis = None
        redis_url = config.redis_url
        if redis_url is None:
            redis = PersistentRedis(workdir)
            started["redis"] = redis
            redis_url = redis.url
        elif config.restart_redis_at_s is not None:
            raise ValueError("--restart-redis-at needs a Redis started by the storm (no --redis-url)")
        if config.kill_replica_at_s is not None and config.replicas < 2:
            raise ValueError("--kill-replica-at needs at least 2 replicas (the shoppers retry on another)")
        sandbox_url = config.sandbox_url
        if sandbox_url is None:
            sandbox = start_sandbox(workdir, config.sandbox_seed, config.seed)
            started["sandbox"] = sandbox
            sandbox_url = sandbox.url
        env = replica_env(redis_url, f"{sandbox_url}/graphql")
        urls = []
        for i in range(config.replicas):
            replica = start_replica(workdir, i, env)
            started[f"bff-{i}"] = replica
            urls.append(replica.url)
        yield Servers(urls, sandbox_url, started, redis)
    finally:
        for process in reversed(started.values()):
            process.stop()


def cpu_snapshot(s: Servers) -> dict[str, float]:
    return {name: s.cpu_at_exit[name] if name in s.cpu_at_exit else p.cpu_s() for name, p in s.processes.items()}


def log_errors(processes: dict[str, Server | PersistentRedis]) -> list[str]:
    """The replicas' warning and error log lines (access lines aside), counted by their event."""
    seen: dict[str, int] = {}
    for name, process in processes.items():
        if not name.startswith("bff-") or not isinstance(process, Server):
            continue
        for line in process.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"level": "error", "event": line[:200]} if "Traceback" in line else {}
            if isinstance(entry, dict) and str(entry.get("level")) in ("warning", "error", "critical"):
                what = f"{entry['level']}: {entry.get('event')}"
                if entry.get("exc_info") or entry.get("exception"):
                    what += f" [{str(entry.get('exc_info') or entry.get('exception')).splitlines()[-1][:160]}]"
                seen[what] = seen.get(what, 0) + 1
    return [f"{count} x {what}" for what, count in sorted(seen.items(), key=lambda kv: -kv[1])]


async def _restart_redis_later(s: Servers, redis: PersistentRedis, at_s: float, down_s: float) -> None:
    await asyncio.sleep(at_s)
    s.marks.append((time.perf_counter(), "Redis killed"))
    await asyncio.to_thread(redis.restart, down_s)
    s.marks.append((time.perf_counter(), "Redis back"))


async def _kill_replica_later(s: Servers, at_s: float) -> None:
    await asyncio.sleep(at_s)
    await asyncio.to_thread(s.kill_replica)


async def storm(
    config: StormConfig, s: Servers, run: str, progress: TextIO | None = None
) -> tuple[list[ShopperOutcome], float, StormTimeline]:
    """Run every shopper, then the retries after the storm; the outcomes, the storm's duration and
    its timeline. With ``progress``, a line per interval goes there (``bench.storm_progress``)."""
    shopper_plans = plans(config, len(s.replicas), run)
    meter = None if progress is None else StormProgress(progress, len(shopper_plans), time.monotonic)
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=config.concurrency * config.max_submits)
    async with httpx.AsyncClient(limits=limits) as http:
        driver = FaultDriver(http, s.sandbox_url, config.faults)
        await driver.start()
        gate = asyncio.Semaphore(config.concurrency)

        async def one(plan: ShopperPlan) -> ShopperOutcome:
            async with gate:
                outcome = await run_shopper(http, s.replicas, plan, config.behaviour, driver.before_checkout)
            if meter is not None:
                meter.shopper_done(outcome)
            return outcome

        crashes = []
        if config.restart_redis_at_s is not None and s.redis is not None:
            crashes.append(_restart_redis_later(s, s.redis, config.restart_redis_at_s, config.redis_down_s))
        if config.kill_replica_at_s is not None:
            crashes.append(_kill_replica_later(s, config.kill_replica_at_s))
        started = time.perf_counter()
        crashing = [asyncio.create_task(c) for c in crashes]
        ticking = None if meter is None else asyncio.create_task(meter.every_interval())
        outcomes = await asyncio.gather(*(one(p) for p in shopper_plans))
        duration = time.perf_counter() - started
        if ticking is not None:
            ticking.cancel()
        for task in crashing:
            await task  # a storm shorter than the crash time still gets its crash
        await driver.clear()
        storm_over = time.perf_counter()
        waiting = [o for o in outcomes if o.answer is None and o.setup_failure is None]
        if meter is not None:
            meter.report()
            meter.note(f"storm over, faults cleared; {len(waiting)} shoppers without an answer retry patiently")
        patient = asyncio.Semaphore(config.concurrency)

        async def retry(outcome: ShopperOutcome) -> None:
            async with patient:
                await settle(http, s.replicas, outcome, config.settle_timeout_s)

        await asyncio.gather(*(retry(o) for o in waiting))
        if meter is not None and waiting:
            answered = sum(1 for o in waiting if o.answer is not None)
            meter.note(f"patient retries done: {answered} of {len(waiting)} answered")
    timeline = StormTimeline.of(
        outcomes,
        started,
        marks=[*s.marks, (storm_over, "storm over: faults cleared")],
        lost_answers=driver.lost_answers,
        storm_s=storm_over - started,
    )
    return list(outcomes), duration, timeline


def orders_of(sandbox_url: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{sandbox_url}/__sandbox/orders", timeout=30)
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result


def run_storm(config: StormConfig, workdir: Path, progress: TextIO | None = None) -> StormResult:
    """Start (or use) the servers, run the storm, reconcile; the processes started here are stopped.
    With ``progress`` (main: stderr), the storm reports there as it goes."""
    with servers(config, workdir) as s:
        run = f"{config.seed}-{os.urandom(3).hex()}"  # this run's e-mail addresses: a sandbox may hold earlier runs'
        before = cpu_snapshot(s)
        outcomes, duration, timeline = asyncio.run(storm(config, s, run, progress))
        after = cpu_snapshot(s)
        orders = orders_of(s.sandbox_url)
        prefix = f"storm-{run}-"
        result = reconcile(outcomes, orders, email_prefix=prefix)
        redis_url = s.redis.url if s.redis is not None else config.redis_url
        events = order_events(redis_url) if redis_url is not None and not config.bff_urls else None
        requests = max(1, result.requests)
        cpu = {name: (after[name] - before[name]) * 1000 for name in after}
        return StormResult(
            config=config,
            reconciliation=result,
            duration_s=duration,
            cpu_ms_per_request={name: round(ms / requests, 3) for name, ms in cpu.items()},
            cpu_ms_per_shopper={name: round(ms / max(1, config.shoppers), 2) for name, ms in cpu.items()},
            redis_restarts=s.redis.restarts if s.redis is not None else 0,
            replicas_killed=len(s.cpu_at_exit),
            log_errors=log_errors(s.processes),
            workdir=str(workdir),
            order_events=None
            if events is None
            else sum(1 for e in events if str(e["email"]).startswith(f"storm-{run}-")),
            event_problems=[] if events is None else event_problems(orders, events, f"storm-{run}-"),
            timeline=timeline,
        )


def render(result: StormResult) -> str:
    r = result.reconciliation
    c = result.config

    def ms(spread: dict[str, float | None]) -> str:
        return "  ".join(f"{k} {v:.0f}" if v is not None else f"{k} -" for k, v in spread.items())

    lines = [
        f"checkout storm: {c.shoppers} shoppers, {len(c.bff_urls) or c.replicas} replicas, seed {c.seed}, "
        f"faults {'on' if c.faults else 'off'}, redis restarts {result.redis_restarts}, "
        f"replicas killed {result.replicas_killed}, {result.duration_s:.1f} s",
        f"  orders        {r.orders}   (shoppers {r.shoppers}, checked out {r.checked_out}, "
        f"setup failed {r.setup_failed}, refused {r.refused}; other runs' orders ignored {r.other_orders})",
        f"  duplicates    {r.duplicates}",
        f"  lost          {r.lost}",
        f"  mismatched    {r.mismatched}",
        f"  unresolved    {r.unresolved}   (settled by the retries after the storm {r.settled_late}, stuck {r.stuck})",
        f"  numberless    {r.numberless}   (placed, told number null)",
        f"  5xx           {r.http_5xx}   (coded UPSTREAM_UNAVAILABLE 503: {r.coded_503})",
        f"  INTERNAL      {r.internal}",
        f"  requests      {r.requests}   (checkout calls timed out by the client: {r.client_timeouts})",
        f"  checkout call ms   {ms(r.checkout_call_ms)}",
        f"  time to answer ms  {ms(r.time_to_answer_ms)}",
        "  error mix     " + (", ".join(f"{k} {v}" for k, v in r.error_mix.items()) or "none"),
    ]
    if result.cpu_ms_per_request:
        lines.append(
            "  CPU ms/request  "
            + "  ".join(f"{name} {v:.2f}" for name, v in result.cpu_ms_per_request.items())
            + "   (per shopper: "
            + "  ".join(f"{name} {v:.1f}" for name, v in result.cpu_ms_per_shopper.items())
            + ")"
        )
    if result.order_events is not None:
        problems = len(result.event_problems)
        lines.append(f"  order events  {result.order_events}   (order.placed in the outbox; problems {problems})")
        lines.extend(f"    {problem}" for problem in result.event_problems[:20])
    lines.append(f"  verdict       {'FAILED' if result.failed else 'ok'}")
    lines += [f"  ! {p}" for p in r.problems[:40]]
    if len(r.problems) > 40:
        lines.append(f"  ! ... {len(r.problems) - 40} more (--json lists all)")
    lines += [f"  log: {e}" for e in result.log_errors[:15]]
    lines.append(f"  logs in {result.workdir}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    d, b, f = StormConfig(), ClientBehaviour(), StormFaults()
    p = argparse.ArgumentParser(prog="python -m bench.checkout_storm", description=__doc__.split("\n\n")[0])
    p.add_argument("--shoppers", type=int, default=d.shoppers, help=f"shoppers (default {d.shoppers})")
    p.add_argument("--replicas", type=int, default=d.replicas, help=f"bff serve processes (default {d.replicas})")
    p.add_argument("--bff-url", action="append", default=[], help="a running replica (repeat); none are started")
    p.add_argument("--sandbox-url", help="a running sandbox (with --bff-url: the one they use)")
    p.add_argument("--redis-url", help="Redis for the replicas started here (default: a redis-server started here)")
    p.add_argument("--seed", type=int, default=d.seed, help=f"shopper plans and fault randomness (default {d.seed})")
    p.add_argument("--sandbox-seed", type=int, default=d.sandbox_seed, help="the sandbox's catalog seed")
    p.add_argument("--concurrency", type=int, default=d.concurrency, help=f"shoppers at once ({d.concurrency})")
    p.add_argument("--customer-share", type=float, default=d.customer_share)
    p.add_argument("--one-call-share", type=float, default=d.one_call_share)
    p.add_argument("--double-submit-share", type=float, default=d.double_submit_share)
    p.add_argument("--max-submits", type=int, default=d.max_submits, help="copies of a double submit (2..N)")
    p.add_argument("--client-timeout", type=float, default=b.client_timeout_s, help="checkout call timeout, s")
    p.add_argument("--attempts", type=int, default=b.attempts, help="checkout calls per submit")
    p.add_argument("--no-faults", action="store_true", help="no injected faults")
    p.add_argument("--error-rate", type=float, default=f.error_rate, help="Magento calls answered 503")
    p.add_argument("--latency-ms", type=float, default=f.latency_ms)
    p.add_argument("--jitter-ms", type=float, default=f.jitter_ms)
    p.add_argument("--lose-every", type=int, default=f.lose_every, help="every N-th shopper: a dropped answer")
    p.add_argument("--hang-every", type=int, default=f.hang_every, help="every N-th shopper: a withheld answer")
    p.add_argument("--hang-seconds", type=float, default=f.hang_seconds)
    p.add_argument("--restart-redis-at", type=float, metavar="SECONDS", help="crash and restart Redis then")
    p.add_argument("--redis-down-s", type=float, default=d.redis_down_s, help="how long Redis stays down")
    p.add_argument("--kill-replica-at", type=float, metavar="SECONDS", help="SIGKILL the first replica then")
    p.add_argument("--workdir", type=Path, help="where the servers' logs go (default: a new temporary directory)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--html", type=Path, metavar="PATH", help="the HTML report (default: report.html in the workdir)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return p.parse_args(argv)


def config_from(args: argparse.Namespace) -> StormConfig:
    faults = None
    if not args.no_faults:
        faults = replace(
            StormFaults(),
            error_rate=args.error_rate,
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            lose_every=args.lose_every,
            hang_every=args.hang_every,
            hang_seconds=args.hang_seconds,
        )
    behaviour = replace(ClientBehaviour(), client_timeout_s=args.client_timeout, attempts=args.attempts)
    return StormConfig(
        shoppers=args.shoppers,
        replicas=args.replicas,
        seed=args.seed,
        concurrency=args.concurrency,
        customer_share=args.customer_share,
        one_call_share=args.one_call_share,
        double_submit_share=args.double_submit_share,
        max_submits=args.max_submits,
        behaviour=behaviour,
        faults=faults,
        restart_redis_at_s=args.restart_redis_at,
        redis_down_s=args.redis_down_s,
        kill_replica_at_s=args.kill_replica_at,
        bff_urls=tuple(args.bff_url),
        sandbox_url=args.sandbox_url,
        redis_url=args.redis_url,
        sandbox_seed=args.sandbox_seed,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        config = config_from(args)
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="checkout-storm-"))
        workdir.mkdir(parents=True, exist_ok=True)
        result = run_storm(config, workdir, None if args.quiet else sys.stderr)
    except (ValueError, RuntimeError, TimeoutError, httpx.HTTPError) as exc:
        print(f"checkout storm could not run: {exc}", file=sys.stderr)
        return 2
    report = write_report(result, args.html or workdir / "report.html")
    if args.json:
        print(json.dumps(result.to_json() | {"report": str(report)}, indent=2))
    else:
        print(render(result))
        print(f"  report in {report}")
    return 1 if result.failed else 0


def write_report(result: StormResult, path: Path) -> Path:
    """The storm's HTML report (``bench.storm_html``), one self-contained file at ``path``."""
    return html_report.write(path, render_html(result))


if __name__ == "__main__":
    raise SystemExit(main())
