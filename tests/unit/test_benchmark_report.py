"""The benchmark's HTML report (bench.benchmark_html) and progress lines, on results built here:
no wrk run belongs in the suite (scripts/bench measures; these tests read what it would write)."""

from __future__ import annotations

import functools
from pathlib import Path

from bench.benchmark_html import render_html
from bench.catalog import remove_all_but
from bench.report import Measurement, median, progress_line
from tests.html_reports import PNG_MAGIC, inline_pngs, outside_references, read_report

TITLES = {
    "floor": "static floor",
    "bff_listing_cached_get": "BFF listing, persisted GET",
    "bff_listing_cached_post": "BFF listing, POST",
    "bff_listing_uncached": "BFF listing, uncached",
    "bff_cart": "BFF cart read",
    "sandbox_cart": "cart direct to the sandbox",
}
META = {"date": "2026-12-02 04:00 UTC", "commit": "abc1234", "rounds": 3, "duration_s": 5}


def measurement(rps: float, p50_ms: float = 1.0, bff_cpu_ms: float = 0.0, sandbox_cpu_ms: float = 0.0) -> Measurement:
    cpu = {"bff": bff_cpu_ms, "sandbox": sandbox_cpu_ms, "redis": 0.0, "floor": 0.0}
    return Measurement(rps, p50_ms, 2 * p50_ms, int(rps * 5), 0, cpu, None)


# Three rounds; round 2 is a busy one (every req/s halved), which a median alone would hide.
ROUNDS = {
    "floor": [measurement(1000), measurement(500), measurement(1000)],
    "bff_listing_cached_get": [measurement(900), measurement(300), measurement(950)],
    "bff_listing_cached_post": [measurement(800), measurement(400), measurement(850)],
    "bff_listing_uncached": [measurement(90, bff_cpu_ms=8.0), measurement(45, bff_cpu_ms=9.5), measurement(88, 1, 8.2)],
    "bff_cart": [measurement(180, 5.0, 4.4, 0.8), measurement(90, 7.0, 4.9, 0.9), measurement(181, 5.2, 4.4, 0.8)],
    "sandbox_cart": [measurement(3000, 0.3, 0, 0.26), measurement(1500, 0.5, 0, 0.3), measurement(3100, 0.3, 0, 0.25)],
}
MEDIANS = {key: median(ms) for key, ms in ROUNDS.items()}


@functools.cache  # rendered once: every test reads the same report
def report_html() -> str:
    return render_html(META, TITLES, ROUNDS, MEDIANS)


def test_the_benchmark_report_is_one_html_file_with_nothing_to_fetch() -> None:
    document = report_html()
    assert document.startswith("<!DOCTYPE html>")
    assert outside_references(document) == []
    assert "<link" not in document
    assert "<script" not in document


def test_the_benchmark_report_plots_the_ratios_the_throughput_against_the_floor_and_the_cpu_per_round() -> None:
    pngs = inline_pngs(read_report(report_html()))
    assert len(pngs) == 3
    assert all(png.startswith(PNG_MAGIC) for png in pngs)


def test_the_benchmark_report_gives_each_ratio_for_every_round_beside_its_median_and_aim() -> None:
    rows = {row[0]: row[1:] for row in read_report(report_html()).rows_of("ratio")}
    assert rows["cached listing (persisted GET) req/s / floor req/s"] == [
        "0.900",
        "0.600",
        "0.950",
        "0.900",
        ">= 1.0 x",
        "missed",
    ]
    assert rows["BFF CPU per uncached listing"][:4] == ["8.000", "9.500", "8.200", "8.200"]


def test_the_benchmark_report_sets_every_scenario_against_the_floor_of_the_same_round() -> None:
    rows = {row[0]: row[1:] for row in read_report(report_html()).rows_of("scenario")}
    assert rows["BFF listing, POST"] == ["0.800", "0.800", "0.850"]  # round 2 busy for both: the ratio holds
    assert rows["static floor"] == ["1.000", "1.000", "1.000"]


def test_the_benchmark_report_gives_cpu_ms_per_request_of_each_process_per_scenario_and_round() -> None:
    report = read_report(report_html())
    cpu = next(t for t in report.tables if t[0][:2] == ["scenario", "process"])
    rows = {(row[0], row[1]): row[2:] for row in cpu[1:]}
    assert rows[("BFF cart read", "bff")] == ["4.400", "4.900", "4.400"]
    assert rows[("BFF cart read", "sandbox")] == ["0.800", "0.900", "0.800"]
    assert ("static floor", "bff") not in rows  # a process that did no work for a scenario is left out


def test_the_benchmark_report_holds_the_summary_tables_medians() -> None:
    report = read_report(report_html())
    summary = next(t for t in report.tables if t[0][:3] == ["scenario", "req/s", "p50 ms"])
    rows = {row[0]: row[1:4] for row in summary[1:]}
    assert rows["static floor"] == ["1000", "1.00", "2.00"]
    assert rows["BFF cart read"] == ["180", "5.20", "10.40"]


def test_a_benchmark_run_of_some_scenarios_only_has_no_ratios_but_still_its_cpu_and_summary() -> None:
    only = {"bff_cart": ROUNDS["bff_cart"]}
    report = read_report(render_html(META, TITLES, only, {"bff_cart": MEDIANS["bff_cart"]}))
    assert "Ratios per round" not in report.headings
    assert "Summary (medians over the rounds)" in report.headings
    assert len(inline_pngs(report)) == 1


def test_the_benchmark_progress_line_names_the_round_the_scenario_and_its_figures() -> None:
    line = progress_line("round 2/5", "BFF cart read", measurement(181, 5.27, 4.42))
    assert line.startswith("bench: round 2/5")
    assert "BFF cart read" in line
    assert "181 req/s" in line
    assert "p50    5.27 ms" in line
    assert "BFF CPU 4.420 ms/req" in line


def test_cleaning_up_a_benchmark_run_keeps_only_its_report(tmp_path: Path) -> None:
    (tmp_path / "bff.log").write_text("log")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "cart.lua").write_text("lua")
    (tmp_path / "report.html").write_text("<html></html>")
    remove_all_but(tmp_path, tmp_path / "report.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
