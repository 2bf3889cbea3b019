"""bench/locustfile.py run headless as the README says, for a few seconds, against a real
`bff serve` and `bff sandbox`: it writes Locust's CSV and HTML exports, and the storefront mix
runs without a failed request. Locust is in the test extra; without it these tests skip locally
and fail under BFF_REQUIRE_TOOLS=1 (CI)."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.deploy.tools import missing
from tests.processes import REPO, bff_process, serve_env


@pytest.fixture(scope="module", autouse=True)
def locust_installed() -> None:
    if importlib.util.find_spec("locust") is None:
        missing("Locust", "pip install locust, in the test extra")


@dataclass(frozen=True)
class LocustRun:
    done: subprocess.CompletedProcess[str]
    prefix: Path  # --csv PREFIX
    html: Path  # --html FILE

    def rows(self, suffix: str) -> list[dict[str, str]]:
        with Path(f"{self.prefix}{suffix}").open(newline="") as f:
            return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def locust_run(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocustRun]:
    workdir = tmp_path_factory.mktemp("locust")
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    env = serve_env(
        redis_url,
        "",
        BFF_ENVIRONMENT="test",  # the README's local run: one IP for every user, plain http
        BFF_SESSION__COOKIE_SECURE="false",
        BFF_RATE_LIMITS__ENABLED="false",
        BFF_THROTTLE__MODE="off",
    )
    with bff_process(["sandbox"], {}, workdir, "/__sandbox/health") as sandbox:
        env["BFF_MAGENTO__URL"] = f"{sandbox.url}/graphql"
        with bff_process(["serve"], env, workdir, "/healthz") as bff:
            prefix, html = workdir / "run", workdir / "run.html"
            argv = [str(Path(sys.executable).parent / "locust"), "-f", "bench/locustfile.py", "--host", bff.url]
            argv += ["--headless", "-u", "8", "-r", "8", "-t", "3s", "--csv", str(prefix), "--html", str(html)]
            done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
            yield LocustRun(done, prefix, html)


def test_a_headless_locust_run_writes_the_stats_of_every_request_name_to_its_csv(locust_run: LocustRun) -> None:
    stats = {row["Name"]: int(row["Request Count"]) for row in locust_run.rows("_stats.csv")}
    assert stats["Aggregated"] > 0
    assert "Navigation" in stats  # every shopper reads the menu when it arrives
    assert sum(count for name, count in stats.items() if name != "Aggregated") == stats["Aggregated"]


def test_a_headless_locust_run_writes_its_history_failures_and_exceptions_csvs(locust_run: LocustRun) -> None:
    assert locust_run.rows("_stats_history.csv")  # a line per second while it ran
    for suffix in ("_failures.csv", "_exceptions.csv"):
        assert Path(f"{locust_run.prefix}{suffix}").is_file()


def test_a_headless_locust_run_writes_its_html_report(locust_run: LocustRun) -> None:
    document = locust_run.html.read_text()
    assert "<html" in document.lower()
    assert "Navigation" in document


def test_the_storefront_mix_runs_without_a_failed_request(locust_run: LocustRun) -> None:
    assert locust_run.rows("_failures.csv") == []
    assert locust_run.done.returncode == 0, locust_run.done.stderr[-2000:]  # Locust exits 1 on any failure
