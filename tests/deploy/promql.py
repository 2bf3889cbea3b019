"""Checking PromQL against what the BFF exports: shared by the dashboard and alert-rule tests.

- ``metric_names(exprs)``: the metric names each expression selects, read with Prometheus's own
  PromQL grammar (``@prometheus-io/lezer-promql``, pinned in tests/node/package.json, run by
  tests/node/promql_names.mjs); ``PromQLError`` when one does not parse.
- ``exported_metric_names(text)``: the sample names a ``/metrics`` exposition can hold, from its
  ``# TYPE`` lines (so a labelled family without samples yet counts) and its samples.
- ``running_bff(workdir, redis_url)``: real ``bff sandbox``, ``bff serve`` (Redis, events on) and
  ``bff worker`` processes; ``scrape(process)`` reads one's ``/metrics``.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis

from tests.deploy.tools import missing, require_tool
from tests.processes import Process, bff_process, serve_env

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
NAMES_SCRIPT = NODE_DIR / "promql_names.mjs"
INSTALL_NODE = "scripts/setup --with-node installs Debian's nodejs and runs npm ci in tests/node"
CLOSED_ENDPOINT = "http://127.0.0.1:9/hook"  # the discard port, closed: every delivery fails
WEBHOOK_SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # base64 of 32 bytes, test only

# The sample names of one family, by its type. (``x_created`` has a ``# TYPE`` line of its own in
# the text format prometheus_client serves.)
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "counter": ("", "_total"),  # OpenMetrics names the family x for samples x_total; the text format x_total
    "histogram": ("_bucket", "_sum", "_count"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "summary": ("", "_sum", "_count"),
    "info": ("_info",),
}
_TYPE_LINE = re.compile(r"^# TYPE (?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?P<type>\w+)\s*$")
_SAMPLE_NAME = re.compile(r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]")


class PromQLError(ValueError):
    """An expression that does not parse, or whose metric names cannot be read."""

    def __init__(self, expression: str, message: str) -> None:
        super().__init__(f"{message}: {expression}")
        self.expression = expression
        self.message = message


def metric_names(exprs: Sequence[str]) -> list[set[str]]:
    """The metric names each of ``exprs`` selects, in order; raises ``PromQLError`` for the first
    expression that does not parse (Grafana's ``$variables`` must be substituted before)."""
    node = require_tool("node", "nodejs", install=INSTALL_NODE)
    if not (NODE_DIR / "node_modules" / "@prometheus-io" / "lezer-promql").is_dir():
        missing("@prometheus-io/lezer-promql in tests/node/node_modules", INSTALL_NODE)
    answer = subprocess.run(
        [node, str(NAMES_SCRIPT)],
        input=json.dumps(list(exprs)),
        capture_output=True,
        text=True,
        cwd=NODE_DIR,
        timeout=60,
        check=True,
    )
    results: list[dict[str, object]] = json.loads(answer.stdout)
    names: list[set[str]] = []
    for expression, result in zip(exprs, results, strict=True):
        if "error" in result:
            raise PromQLError(expression, str(result["error"]))
        selected = result["names"]
        assert isinstance(selected, list)
        names.append({str(name) for name in selected})
    return names


def exported_metric_names(metrics_text: str) -> set[str]:
    """Every sample name the exposition ``metrics_text`` holds or, by its ``# TYPE`` lines, can hold:
    a histogram ``x`` gives ``x_bucket``, ``x_sum``, ``x_count``; a counter ``x_total`` gives
    ``x_total`` (a counter ``x``: ``x`` and ``x_total``); a gauge ``x`` gives ``x``."""
    names: set[str] = set()
    for line in metrics_text.splitlines():
        if type_line := _TYPE_LINE.match(line):
            family, kind = type_line["name"], type_line["type"]
            if kind == "counter" and family.endswith("_total"):
                names.add(family)
                continue
            names.update(family + suffix for suffix in _SUFFIXES.get(kind, ("",)))
        elif not line.startswith("#") and (sample := _SAMPLE_NAME.match(line)):
            names.add(sample["name"])
    return names


@dataclass
class RunningBff:
    """Real processes: the sandbox (Magento), one ``bff serve`` and one ``bff worker``."""

    sandbox: Process
    serve: Process
    worker: Process
    redis_url: str

    def metrics_texts(self) -> dict[str, str]:
        return {"serve": scrape(self.serve), "worker": scrape(self.worker)}


def scrape(process: Process) -> str:
    response = httpx.get(f"{process.url}/metrics", timeout=10)
    response.raise_for_status()
    return response.text


@contextmanager
def running_bff(workdir: Path, redis_url: str, *, events_endpoint: str = CLOSED_ENDPOINT) -> Iterator[RunningBff]:
    """``bff sandbox``, ``bff serve`` against it (production settings, Redis, events on) and ``bff
    worker`` delivering to ``events_endpoint`` (by default a closed port: deliveries fail and are
    retried), on free loopback ports. Redis is flushed first: the outbox starts empty."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    events = {
        "BFF_EVENTS__ENABLED": "true",
        "BFF_EVENTS__ENDPOINTS": json.dumps({"*": [events_endpoint]}),
        "BFF_EVENTS__SECRET": WEBHOOK_SECRET,
        "BFF_EVENTS__MAX_ATTEMPTS": "2",
        "BFF_EVENTS__BACKOFF_BASE_S": "0.1",
        "BFF_EVENTS__BACKOFF_CAP_S": "0.5",
    }
    with bff_process(["sandbox"], {}, workdir, "/__sandbox/health") as sandbox:
        serve_settings = serve_env(redis_url, f"{sandbox.url}/graphql", **events)
        worker_settings = {"BFF_ENVIRONMENT": "test", "BFF_REDIS_URL": redis_url, **events}
        with (
            bff_process(["serve"], serve_settings, workdir, "/healthz") as serve,
            bff_process(["worker"], worker_settings, workdir, "/metrics") as worker,
        ):
            yield RunningBff(sandbox, serve, worker, redis_url)
