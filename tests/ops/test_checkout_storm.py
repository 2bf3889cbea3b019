"""The checkout storm at CI size: 50 shoppers through 2 `bff serve` replicas, one real Redis and one
sandbox process, with faults on (bench.checkout_storm), never place a second order, lose one, tell
a wrong number, answer an uncoded 5xx or say INTERNAL; every order has exactly one `order.placed`
event in the outbox; also when Redis crashes mid-storm. Each storm runs once (a module fixture) and
also writes its HTML report and progress lines, which the tests below read."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bench.checkout_storm import StormConfig, StormResult, render, run_storm, write_report
from tests.html_reports import PNG_MAGIC, inline_pngs, outside_references, read_report

CI_SIZE = StormConfig(shoppers=50, replicas=2, seed=11)  # after the storm, shoppers retry for up to 70 s (a lease)


def verdict(result: StormResult) -> dict[str, object]:
    r = result.reconciliation
    return {
        "orders": r.orders,
        "setup failed": r.setup_failed,
        "refused": r.refused,
        "duplicates": r.duplicates,
        "lost": r.lost,
        "mismatched": r.mismatched,
        "stuck": r.stuck,
        "5xx": r.http_5xx,
        "INTERNAL": r.internal,
        "problems": r.problems,
        "order.placed events": result.order_events,
        "event problems": result.event_problems,
    }


def expected() -> dict[str, object]:
    return {
        "orders": CI_SIZE.shoppers,
        "setup failed": 0,
        "refused": 0,
        "duplicates": 0,
        "lost": 0,
        "mismatched": 0,
        "stuck": 0,
        "5xx": 0,
        "INTERNAL": 0,
        "problems": [],
        "order.placed events": CI_SIZE.shoppers,  # one per order, in the outbox written with its result
        "event problems": [],
    }


@dataclass(frozen=True)
class Storm:
    result: StormResult
    summary: str  # the text summary it prints
    report: Path  # its HTML report
    progress: str  # what it wrote on its progress stream (stderr under `python -m bench.checkout_storm`)


def run(config: StormConfig, workdir: Path) -> Storm:
    progress = io.StringIO()
    result = run_storm(config, workdir, progress)
    return Storm(result, render(result), write_report(result, workdir / "report.html"), progress.getvalue())


@pytest.fixture(scope="module")
def faults_storm(tmp_path_factory: pytest.TempPathFactory) -> Storm:
    return run(CI_SIZE, tmp_path_factory.mktemp("storm"))


@pytest.fixture(scope="module")
def redis_crash_storm(tmp_path_factory: pytest.TempPathFactory) -> Storm:
    return run(replace(CI_SIZE, restart_redis_at_s=1.5), tmp_path_factory.mktemp("storm-redis"))


def summary_figures(summary: str) -> dict[str, str]:
    """The figures of the text summary: the first number after each figure's name, and the
    checkout-call percentiles."""
    figures = {}
    for name in (
        "orders",
        "duplicates",
        "lost",
        "mismatched",
        "unresolved",
        "numberless",
        "5xx",
        "INTERNAL",
        "requests",
    ):
        found = re.search(rf"^  {name} +(\d+)", summary, re.MULTILINE)
        assert found, f"{name} not in the summary:\n{summary}"
        figures[name] = found.group(1)
    percentiles = re.search(r"^  checkout call ms +(.*)$", summary, re.MULTILINE)
    assert percentiles
    for key, value in re.findall(r"(p50|p90|p99|max) (\S+)", percentiles.group(1)):
        figures[f"checkout call {key} ms"] = value
    return figures


def test_a_storm_with_faults_places_exactly_one_order_per_shopper_and_tells_each_its_number(
    faults_storm: Storm,
) -> None:
    result = faults_storm.result
    assert verdict(result) == expected()
    assert result.reconciliation.client_timeouts > 0  # the faults did lose answers: retries were exercised


def test_a_storm_survives_a_redis_crash_mid_storm_without_a_lost_or_second_order(redis_crash_storm: Storm) -> None:
    result = redis_crash_storm.result
    assert result.redis_restarts == 1
    assert result.duration_s > 1.5 + CI_SIZE.redis_down_s  # the crash came while shoppers were checking out
    assert verdict(result) == expected()


def test_the_storm_report_is_one_html_file_with_nothing_to_fetch(faults_storm: Storm) -> None:
    document = faults_storm.report.read_text()
    assert document.startswith("<!DOCTYPE html>")
    assert outside_references(document) == []
    assert "<link" not in document
    assert "<script" not in document
    assert [p.name for p in faults_storm.report.parent.glob("*.png")] == []  # the plots are inside, not beside it


def test_the_storm_report_plots_latency_over_time_and_the_outcome_mix(faults_storm: Storm) -> None:
    report = read_report(faults_storm.report.read_text())
    assert {"Latency over time", "Outcome mix"} <= set(report.headings)
    pngs = inline_pngs(report)
    assert len(pngs) == 2
    assert all(png.startswith(PNG_MAGIC) for png in pngs)


def test_the_storm_report_tables_the_figures_the_text_summary_printed(faults_storm: Storm) -> None:
    table = {row[0]: row[1] for row in read_report(faults_storm.report.read_text()).rows_of("figure")}
    printed = summary_figures(faults_storm.summary)
    assert {name: table.get(name) for name in printed} == printed


def test_the_storm_report_lists_the_lost_answers_it_armed_and_the_end_of_the_storm(faults_storm: Storm) -> None:
    events = [row[1] for row in read_report(faults_storm.report.read_text()).rows_of("seconds")]
    armed = CI_SIZE.shoppers // 8 + CI_SIZE.shoppers // 12 - CI_SIZE.shoppers // 24  # drop or hang, never both
    assert events == ["storm over: faults cleared", f"{armed} lost placeOrder answers armed"]


def test_the_storm_report_marks_the_redis_crash_and_its_return_on_the_time_axis(redis_crash_storm: Storm) -> None:
    rows = read_report(redis_crash_storm.report.read_text()).rows_of("seconds")
    when = {event: float(seconds) for seconds, event in rows if event.startswith("Redis")}
    assert set(when) == {"Redis killed", "Redis back"}
    assert 1.5 <= when["Redis killed"] < when["Redis back"]


def test_the_storm_prints_progress_lines_while_it_runs_and_when_it_is_over(faults_storm: Storm) -> None:
    lines = faults_storm.progress.splitlines()
    done = [line for line in lines if "shoppers done" in line]
    assert done  # at least the final count; a longer storm prints one every 2 s
    assert f"{CI_SIZE.shoppers}/{CI_SIZE.shoppers} shoppers done" in done[-1]
    assert any("storm over, faults cleared" in line for line in lines)
