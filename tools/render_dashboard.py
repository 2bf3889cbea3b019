"""Draw the Grafana dashboard's panels from a real Prometheus into one PNG (the README's screenshot).

Grafana is not packaged for Debian, so this renders the panels itself: it starts a real
``bff sandbox``, ``bff serve`` (Redis, events, a small cost budget and rate limit so refusals
show) and ``bff worker`` (delivering to a closed port, so events are retried and dead-lettered),
a real Prometheus (Debian's, on a free loopback port, scraping both every second with the
``namespace``/``pod`` labels a Kubernetes scrape adds), and sends a short load: catalog reads
from many shopper IPs, a few checkouts with a replay and a conflict each, expensive queries from
one client (``THROTTLED``), a burst from another (``RATE_LIMITED``), over-complex documents,
signed cache purges, a moment when Magento answers 503 (the breaker opens) and one when Redis
hangs (commands time out). Then every
panel's expressions of deploy/grafana/bff.json (the variables substituted as Grafana does) go
through Prometheus's ``/api/v1/query_range``, and matplotlib draws them in the dashboard's grid.

Usage: ``python -m tools.render_dashboard [--seconds 60] [--out docs/img/dashboard.png]``. It needs
redis-server and prometheus (``scripts/setup --with-redis --with-prometheus``). Exits 1 when
Prometheus refused a query. tests/deploy/test_dashboard_render.py runs it in a short mode.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from bff.cache.purge import sign
from tests.deploy.promql import RunningBff, running_bff
from tests.servers import RestartableRedis, free_port, restartable_redis
from tests.storefront import checkout_input
from tools.grafana_dashboard import OUTPUT as DASHBOARD

REPO: Final = Path(__file__).resolve().parents[1]
PNG: Final = REPO / "docs" / "img" / "dashboard.png"
SCRAPE_S: Final = 1
RATE_INTERVAL: Final = "5s"  # what Grafana's $__rate_interval is for a 1 s scrape at this zoom
NAMESPACE: Final = "shop"
SERVE_POD: Final = "bff-7c9d4-x2k4q"
WORKER_POD: Final = "bff-worker-5f8b6-9zq2m"
HOOK_SECRET: Final = "render-dashboard-cache-hook-secret-0123456789"
SERVE_SETTINGS: Final = {
    "BFF_THROTTLE__MAXIMUM": "300",
    "BFF_THROTTLE__RESTORE_RATE": "20",
    "BFF_RATE_LIMITS__PER_IP": "100/minute",
    "BFF_CACHE__HOOK_ENABLED": "true",
    "BFF_CACHE__WEBHOOK_SECRET": HOOK_SECRET,
    "BFF_MAGENTO__BREAKER_COOL_DOWN_S": "2",
}
SEARCHES: Final = ("bag", "shirt", "watch", "mug", "lamp", "shoe", "hat", "tee")
CATALOG: Final = "query Search($q: String!) { products(search: $q, pageSize: 6) { totalCount items { sku name } } }"
EXPENSIVE: Final = "query Greedy($q: String!) { products(search: $q, pageSize: 50) { totalCount items { sku name } } }"
TOO_MANY_ALIASES: Final = "query Aliases { " + " ".join(f"a{i}: storeConfig {{ storeCode }}" for i in range(16)) + " }"
ADD: Final = "mutation Add($sku: String!) { addToCart(items: [{sku: $sku, quantity: 1}]) { userErrors { code } } }"
CHECKOUT: Final = (
    "mutation Checkout($input: CheckoutInput!) { checkout(input: $input) { order { number } userErrors { code } } }"
)
BG: Final = "#111217"
PANEL_BG: Final = "#181b1f"
TEXT: Final = "#ccccdc"
GRID: Final = "#2c3235"
PALETTE: Final = ("#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#fade2a", "#ff9830")


@dataclass
class Series:
    legend: str
    times: list[float]
    values: list[float]


@dataclass
class PanelResult:
    title: str
    errors: list[str] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)


# --- processes -------------------------------------------------------------------------------


@contextmanager
def prometheus(workdir: Path, targets: Mapping[str, str]) -> Iterator[str]:
    """A real Prometheus on a free loopback port scraping ``targets`` (pod name -> host:port)."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise SystemExit("prometheus is missing: scripts/setup --with-prometheus (Debian's prometheus)")
    jobs = "\n".join(
        f"      - targets: ['{address}']\n        labels: {{namespace: '{NAMESPACE}', pod: '{pod}'}}"
        for pod, address in targets.items()
    )
    config = workdir / "prometheus.yml"
    config.write_text(
        f"global:\n  scrape_interval: {SCRAPE_S}s\n  scrape_timeout: {SCRAPE_S}s\n"
        f"scrape_configs:\n  - job_name: bff\n    static_configs:\n{jobs}\n"
    )
    port = free_port()
    log = (workdir / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={workdir / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"prometheus exited: {(workdir / 'prometheus.log').read_text()}")
            try:
                if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("prometheus did not become ready")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def wait_for_scrapes(prom: str, count: int) -> None:
    """Until every target was scraped ``count`` times more (so the last moment of load is stored)."""
    first = _scrape_counts(prom)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = _scrape_counts(prom)
        if now and all(now[pod] >= first.get(pod, 0) + count for pod in now):
            return
        time.sleep(0.2)
    raise TimeoutError("prometheus did not scrape the targets")


def _scrape_counts(prom: str) -> dict[str, int]:
    answer = httpx.get(f"{prom}/api/v1/query", params={"query": "count_over_time(up[10m])"}, timeout=5).json()
    return {r["metric"]["pod"]: int(r["value"][1]) for r in answer["data"]["result"]}


# --- load ------------------------------------------------------------------------------------


class Load:
    """A bounded, timed load on one ``bff serve``; every loop stops by itself at ``seconds``."""

    def __init__(self, bff: RunningBff, redis: RestartableRedis, seconds: float, seed: int = 14) -> None:
        self.redis = redis
        self.graphql = f"{bff.serve.url}/graphql"
        self.serve = bff.serve.url
        self.sandbox = bff.sandbox.url
        self.seconds = seconds
        self.random = random.Random(seed)
        self.started = 0.0
        self.sent = 0
        self.searches = 0

    def unique(self, word: str) -> str:
        """A search no one sent before: the cache misses it (hits are neither charged nor counted)."""
        self.searches += 1
        return f"{word} {self.searches}"

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def share(self) -> float:
        return self.elapsed() / self.seconds

    async def until(self, share: float) -> None:
        """Sleep until ``share`` of the run has passed."""
        await asyncio.sleep(max(0.0, share * self.seconds - self.elapsed()))

    async def post(
        self, http: httpx.AsyncClient, query: str, variables: Mapping[str, Any], ip: str, token: str | None = None
    ) -> httpx.Response:
        headers = {"X-Forwarded-For": ip}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.sent += 1
        return await http.post(self.graphql, json={"query": query, "variables": dict(variables)}, headers=headers)

    async def shoppers(self, http: httpx.AsyncClient, lane: int) -> None:
        while self.elapsed() < self.seconds:
            ip = f"198.51.100.{self.random.randrange(1, 200)}"
            await self.post(http, CATALOG, {"q": self.random.choice(SEARCHES)}, ip)
            await asyncio.sleep(0.02 + lane * 0.005)

    async def greedy(self, http: httpx.AsyncClient) -> None:
        """One client whose expensive listings outrun its cost budget (``THROTTLED``), and one
        over-complex document now and then (``QUERY_TOO_COMPLEX``)."""
        while self.elapsed() < self.seconds:
            await self.post(http, EXPENSIVE, {"q": self.unique("bag")}, "203.0.113.7")  # a miss: charged
            if self.random.random() < 0.3:
                await self.post(http, TOO_MANY_ALIASES, {}, "203.0.113.8")
            await asyncio.sleep(0.1)

    async def burst(self, http: httpx.AsyncClient) -> None:
        """One IP sending more than its per-IP rate limit (``RATE_LIMITED``) in the second quarter."""
        await self.until(0.25)
        while self.share() < 0.5:
            await self.post(http, CATALOG, {"q": self.unique("mug")}, "203.0.113.9")  # a miss: counted
            await asyncio.sleep(0.01)

    async def checkouts(self, http: httpx.AsyncClient, count: int) -> None:
        """Guest checkouts spread over the run; each is sent again (a replay), every other one also
        with the same key and another e-mail (a conflict)."""
        for n in range(count):
            due = 0.05 + 0.5 * n / max(count, 1)
            await self.until(0.6 + (due - 0.3) if due >= 0.3 else due)  # none while Magento fails
            if self.elapsed() >= self.seconds:
                return
            ip = f"192.0.2.{n + 1}"
            added = await self.post(http, ADD, {"sku": "BAG-001"}, ip)
            token = added.headers.get("x-session-token")
            key = f"render-{n:04d}-checkout-key"
            for variables in (checkout_input(key), checkout_input(key)):
                await self.post(http, CHECKOUT, {"input": variables}, ip, token)
            if n % 2 == 0:
                await self.post(http, CHECKOUT, {"input": checkout_input(key, email="other@example.com")}, ip, token)

    async def purges(self, http: httpx.AsyncClient) -> None:
        while self.elapsed() < self.seconds:
            await asyncio.sleep(max(self.seconds / 8, 1.0))
            body = json.dumps({"tags": ["cat_p"]}).encode()
            stamp = int(time.time())
            headers = {"X-Bff-Timestamp": str(stamp), "X-Bff-Signature": sign(HOOK_SECRET, stamp, body)}
            await http.post(f"{self.serve}/hooks/magento/cache", content=body, headers=headers)

    async def outage(self, http: httpx.AsyncClient) -> None:
        """Magento fails a fifth of the listings (30 % to 45 % of the run), then answers 503 to
        everything (45 % to 55 %): the breaker opens, then closes again."""
        faults = f"{self.sandbox}/__sandbox/faults"
        for share, fault in ((0.3, {"error_rate": 0.2, "error": "html500"}), (0.45, {"error_rate": 1.0})):
            await self.until(share)
            await http.put(faults, json={"operation": "*", "fault": fault})
        await self.until(0.55)
        await http.delete(faults)

    async def hung_redis(self) -> None:
        """Redis stops answering for a moment (75 % of the run, at least a second): commands time out."""
        await self.until(0.75)
        self.redis.pause()
        try:
            await asyncio.sleep(max(1.0, 0.03 * self.seconds))
        finally:
            self.redis.resume()

    async def run(self, checkouts: int) -> None:
        self.started = time.monotonic()
        timeout = httpx.Timeout(10.0)
        async with httpx.AsyncClient(timeout=timeout, limits=httpx.Limits(max_connections=32)) as http:
            await asyncio.gather(
                *(self.shoppers(http, lane) for lane in range(6)),
                self.greedy(http),
                self.burst(http),
                self.checkouts(http, checkouts),
                self.purges(http),
                self.outage(http),
                self.hung_redis(),
            )


# --- queries ---------------------------------------------------------------------------------


def substituted(expr: str) -> str:
    values = {"$__rate_interval": RATE_INTERVAL, "$namespace": NAMESPACE, "$pod": ".*"}
    return re.sub(r"\$\{?\w+\}?", lambda m: values[m.group(0)], expr)


def legend(template: str, labels: Mapping[str, str]) -> str:
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template).strip() or "value"


def panels(board: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [panel for panel in board["panels"] if panel["type"] != "row"]


def query_panels(prom: str, board: Mapping[str, Any], start: float, end: float, step: float) -> list[PanelResult]:
    results = []
    with httpx.Client(timeout=30) as http:
        for panel in panels(board):
            result = PanelResult(panel["title"])
            for target in panel["targets"]:
                params: dict[str, str | float] = {
                    "query": substituted(target["expr"]),
                    "start": start,
                    "end": end,
                    "step": step,
                }
                answer = http.get(f"{prom}/api/v1/query_range", params=params)
                body = answer.json()
                if answer.status_code != 200 or body.get("status") != "success":
                    result.errors.append(f"{target['expr']}: {body.get('errorType')}: {body.get('error')}")
                    continue
                for item in body["data"]["result"]:
                    points = [(float(t), float(v)) for t, v in item["values"]]
                    result.series.append(
                        Series(
                            legend(target.get("legendFormat", ""), item["metric"]),
                            [t - start for t, _ in points],
                            [v for _, v in points],
                        )
                    )
            results.append(result)
    return results


# --- drawing ---------------------------------------------------------------------------------


def _scaled(unit: str, values: Sequence[float]) -> tuple[float, str]:
    """A factor and an axis label for Grafana's unit ids."""
    finite = [abs(v) for v in values if v == v and abs(v) != float("inf")]
    top = max(finite, default=0.0)
    if unit == "s":
        return (1000.0, "ms") if top < 1 else (1.0, "s")
    if unit == "percentunit":
        return 100.0, "%"
    return 1.0, {"reqps": "req/s", "ops": "ops/s", "short": ""}.get(unit, unit)


def draw(board: Mapping[str, Any], results: Sequence[PanelResult], out: Path, seconds: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows_h = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in board["panels"])
    unit_w, unit_h = 0.62, 0.27  # inches per grid column / grid row
    header = 0.5
    width, height = 24 * unit_w, rows_h * unit_h + header
    fig = plt.figure(figsize=(width, height), dpi=80, facecolor=BG)
    fig.text(0.01, 1 - 0.25 / height, board["title"], color=TEXT, fontsize=15, weight="bold", va="center")
    fig.text(
        0.99,
        1 - 0.25 / height,
        f"namespace={NAMESPACE}   pod=All   last {seconds:.0f} s of a test load (tools/render_dashboard.py)",
        color="#8e8e8e",
        fontsize=9,
        ha="right",
        va="center",
    )
    by_title = {r.title: r for r in results}

    def box(grid: Mapping[str, int], pad_x: float = 0.1, pad_y: float = 0.08) -> tuple[float, float, float, float]:
        left = (grid["x"] * unit_w + pad_x) / width
        top = (header + grid["y"] * unit_h + pad_y) / height
        w = (grid["w"] * unit_w - 2 * pad_x) / width
        h = (grid["h"] * unit_h - 2 * pad_y) / height
        return left, 1 - top - h, w, h

    for panel in board["panels"]:
        grid = panel["gridPos"]
        if panel["type"] == "row":
            fig.text(
                box(grid)[0], box(grid)[1] + box(grid)[3] / 2, panel["title"], color=TEXT, fontsize=11, weight="bold"
            )
            continue
        result = by_title[panel["title"]]
        frame = fig.add_axes(box(grid))
        frame.set_facecolor(PANEL_BG)
        frame.set_xticks([])
        frame.set_yticks([])
        for spine in frame.spines.values():
            spine.set_color(GRID)
        frame.set_title(panel["title"], color=TEXT, fontsize=9.5, loc="left", pad=3)
        left, bottom, w, h = box(grid)
        plot = fig.add_axes((left + 0.045 * w + 0.25 / width, bottom + 0.3 * h, w * 0.93 - 0.3 / width, h * 0.6))
        plot.set_facecolor(PANEL_BG)
        plot.tick_params(colors="#9fa7b3", labelsize=7, length=2)
        plot.grid(color=GRID, linewidth=0.6)
        for spine in plot.spines.values():
            spine.set_visible(False)
        plot.set_xlim(0, seconds)
        unit = panel["fieldConfig"]["defaults"].get("unit", "short")
        values = [v for s in result.series for v in s.values]
        factor, label = _scaled(unit, values)
        if result.errors:
            plot.text(0.5, 0.5, "query error", color="#f2495c", ha="center", transform=plot.transAxes)
        elif not result.series:
            plot.text(0.5, 0.5, "No data", color="#8e8e8e", ha="center", va="center", transform=plot.transAxes)
        if panel["type"] == "state-timeline":
            _draw_states(plot, panel, result)
        else:
            shown = sorted(result.series, key=lambda s: -_peak(s.values))[: 4 if grid["w"] <= 6 else 8]
            for i, series in enumerate(shown):
                colour = PALETTE[i % len(PALETTE)]
                ys = [v * factor for v in series.values]
                plot.plot(series.times, ys, color=colour, linewidth=1.2, label=series.legend[:30])
                plot.fill_between(series.times, ys, color=colour, alpha=0.08, linewidth=0)
            plot.set_ylim(bottom=0)
            if label:
                plot.set_ylabel(label, color="#9fa7b3", fontsize=7)
            if shown:
                plot.legend(
                    loc="upper left",
                    bbox_to_anchor=(0, -0.12),
                    ncol=2 if grid["w"] <= 8 else 4,
                    fontsize=6.3,
                    frameon=False,
                    labelcolor=TEXT,
                    handlelength=1.2,
                    columnspacing=1.0,
                    borderaxespad=0,
                )
        plot.set_xticks(list(range(0, int(seconds) + 1, max(int(seconds) // 6, 1))))
        plot.set_xticklabels([f"{t}s" for t in plot.get_xticks().astype(int)])
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, facecolor=BG, dpi=80)
    plt.close(fig)


def _peak(values: Sequence[float]) -> float:
    return max((v for v in values if v == v), default=0.0)  # NaN (no requests in the window) is no peak


def _draw_states(plot: Any, panel: Mapping[str, Any], result: PanelResult) -> None:
    """A state timeline: one band per series, coloured by the panel's value mappings."""
    mapping: dict[str, dict[str, Any]] = {}
    for entry in panel["fieldConfig"]["defaults"].get("mappings", []):
        mapping.update(entry["options"])
    colours = {"green": "#73bf69", "red": "#f2495c", "orange": "#ff9830"}
    for row, series in enumerate(result.series):
        for i, (t, v) in enumerate(zip(series.times, series.values, strict=True)):
            nxt = series.times[i + 1] if i + 1 < len(series.times) else t + SCRAPE_S
            state = mapping.get(str(int(v)), {"color": "gray"})
            plot.barh(row, nxt - t, left=t, height=0.7, color=colours.get(state["color"], "#8e8e8e"), linewidth=0)
    plot.set_yticks(range(len(result.series)))
    plot.set_yticklabels([s.legend[:20] for s in result.series], fontsize=6.5)
    handles = [
        plot.bar(0, 0, color=colours.get(option["color"], "#8e8e8e"), label=option["text"])
        for option in sorted(mapping.values(), key=lambda o: int(o.get("index", 0)))
    ]
    plot.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0, -0.12),
        ncol=3,
        fontsize=6.3,
        frameon=False,
        labelcolor=TEXT,
        borderaxespad=0,
    )
    plot.set_ylim(-0.6, max(len(result.series), 1) - 0.4)


# --- the whole run ---------------------------------------------------------------------------


def render(out: Path, seconds: float, *, checkouts: int = 6, dashboard: Path = DASHBOARD) -> list[PanelResult]:
    """Run the processes, the load and Prometheus; draw ``out``; the per-panel results."""
    board = json.loads(dashboard.read_text())
    with tempfile.TemporaryDirectory(prefix="bff-dashboard-") as tmp:
        workdir = Path(tmp)
        with (
            restartable_redis(workdir, persist=False) as redis,
            running_bff(workdir, redis.url, serve_extra=SERVE_SETTINGS) as bff,
        ):
            targets = {
                SERVE_POD: bff.serve.url.removeprefix("http://"),
                WORKER_POD: bff.worker.url.removeprefix("http://"),
            }
            with prometheus(workdir, targets) as prom:
                wait_for_scrapes(prom, 1)
                start = time.time()
                load = Load(bff, redis, seconds)
                asyncio.run(load.run(checkouts))
                wait_for_scrapes(prom, 2)
                end = time.time()
                results = query_panels(prom, board, start, end, step=SCRAPE_S)
    draw(board, results, out, end - start)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the dashboard's panels from a real Prometheus into a PNG.")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the load runs (default 60)")
    parser.add_argument("--checkouts", type=int, default=8, help="guest checkouts during the load (default 8)")
    parser.add_argument("--out", type=Path, default=PNG)
    args = parser.parse_args(argv)
    results = render(args.out, args.seconds, checkouts=args.checkouts)
    failed = [error for result in results for error in result.errors]
    empty = [result.title for result in results if not result.series]
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB); panels without data: {empty or 'none'}")
    for error in failed:
        print(f"query refused: {error}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
