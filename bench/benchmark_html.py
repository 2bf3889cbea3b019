"""The benchmark's HTML report: one self-contained file beside the text table.

What it holds: the ratios against their aims for every interleaved round (a plot with the aim as
a dashed line and the median as a solid one, and a table), each scenario's req/s against the
static floor's of the same round, CPU ms per request of each process per scenario and round, the
summary table of medians (the text table's figures) and the run's settings. A round that stands
out from the others (a busy machine, a warm-up that was too short) shows here and not in a median.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from bench import html_report
from bench.html_report import Section, table
from bench.report import PROCESSES, RATIO_INPUTS, Measurement, Ratio, ratios

BASELINE = "floor"  # every scenario's req/s is set against the static floor's of the same round
PROCESS_COLOURS = {"bff": "#1565c0", "sandbox": "#ef6c00", "redis": "#c62828", "floor": "#2e7d32"}
NEGLIGIBLE_CPU_MS = 0.005  # a process's CPU per request below this in every round is not plotted


def round_ratios(rounds: Mapping[str, Sequence[Measurement]]) -> list[list[Ratio]]:
    """The aims' ratios of each round alone (empty when a scenario they need did not run)."""
    if not all(key in rounds for key in RATIO_INPUTS):
        return []
    count = min(len(rounds[key]) for key in RATIO_INPUTS)
    return [ratios({key: rounds[key][i] for key in RATIO_INPUTS}) for i in range(count)]


def _aim_value(aim: str) -> float:
    return float(aim.split()[-1])


def ratio_plot(per_round: Sequence[Sequence[Ratio]], medians: Sequence[Ratio]) -> str:
    fig = html_report.figure(11, 2.9)
    axes = fig.subplots(1, len(medians))
    rounds = list(range(1, len(per_round) + 1))
    for n, (ax, median) in enumerate(zip(axes, medians, strict=True)):
        values = [r[n].value for r in per_round]
        ax.plot(rounds, values, "o-", color="#1565c0", label="round")
        ax.axhline(median.value, color="#1565c0", linewidth=1, alpha=0.6, label="median")
        ax.axhline(_aim_value(median.aim), color="#c62828", linestyle="--", linewidth=1, label=f"aim {median.aim}")
        ax.set_title("\n".join(textwrap.wrap(median.name, 34)), fontsize=8)
        ax.set_xlabel("round", fontsize=8)
        ax.set_ylabel(median.unit, fontsize=8)
        ax.set_xticks(rounds)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=6)
    return html_report.image(fig, "ratios against their aims, per round")


def floor_ratio_plot(titles: Mapping[str, str], rounds: Mapping[str, Sequence[Measurement]]) -> str:
    fig = html_report.figure(11, 3.6)
    ax = fig.add_subplot()
    floor = [m.rps for m in rounds[BASELINE]]
    for key, measurements in rounds.items():
        if key == BASELINE:
            continue
        values = [m.rps / base for m, base in zip(measurements, floor, strict=False) if base > 0]
        ax.plot(range(1, len(values) + 1), values, "o-", label=titles[key])
    ax.axhline(1.0, color="#c62828", linestyle="--", linewidth=1, label="the floor")
    ax.set_yscale("log")
    ax.set_xticks(range(1, len(floor) + 1))
    ax.set_xlabel("round")
    ax.set_ylabel("req/s / floor req/s (log)")
    ax.set_title("Every scenario's throughput against the static floor's, per round")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(alpha=0.3)
    return html_report.image(fig, "req/s against the floor per round")


def cpu_plot(titles: Mapping[str, str], rounds: Mapping[str, Sequence[Measurement]]) -> str:
    keys = list(rounds)
    columns = min(3, len(keys))
    rows = -(-len(keys) // columns)
    fig = html_report.figure(11, 2.6 * rows)
    axes = fig.subplots(rows, columns, squeeze=False)
    for n, ax in enumerate(axes.flat):
        if n >= len(keys):
            ax.set_visible(False)
            continue
        measurements = rounds[keys[n]]
        xs = range(1, len(measurements) + 1)
        for process in PROCESSES:
            values = [m.cpu_ms_per_request[process] for m in measurements]
            if any(v >= NEGLIGIBLE_CPU_MS for v in values):
                ax.plot(xs, values, "o-", markersize=3, color=PROCESS_COLOURS[process], label=process)
        ax.set_title("\n".join(textwrap.wrap(titles[keys[n]], 48)), fontsize=8)
        ax.set_xticks(list(xs))
        ax.set_ylim(bottom=0)
        ax.set_ylabel("CPU ms/request", fontsize=7)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if ax.get_lines():
            ax.legend(fontsize=6)
    return html_report.image(fig, "CPU ms per request of each process, per scenario and round")


def summary_table(titles: Mapping[str, str], medians: Mapping[str, Measurement]) -> str:
    headers = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "up/req", *(f"CPU ms/req {p}" for p in PROCESSES)]
    rows = [
        [
            titles[key],
            f"{m.rps:.0f}",
            f"{m.p50_ms:.2f}",
            f"{m.p99_ms:.2f}",
            m.errors,
            "-" if m.upstream_calls_per_request is None else f"{m.upstream_calls_per_request:.2f}",
            *(f"{m.cpu_ms_per_request[p]:.3f}" for p in PROCESSES),
        ]
        for key, m in medians.items()
    ]
    return table(headers, rows)


def render_html(
    meta: Mapping[str, Any],
    titles: Mapping[str, str],
    rounds: Mapping[str, Sequence[Measurement]],
    medians: Mapping[str, Measurement],
) -> str:
    """The report of one ``scripts/bench`` run (the same inputs as ``bench.report.as_json``)."""
    sections = []
    per_round = round_ratios(rounds)
    if per_round:
        median_ratios = ratios(medians)
        heads = ["ratio", *(f"round {i}" for i in range(1, len(per_round) + 1)), "median", "aim", ""]
        rows = [
            [
                m.name,
                *(f"{r[n].value:.3f}" for r in per_round),
                f"{m.value:.3f}",
                f"{m.aim} {m.unit}",
                "met" if m.met else "missed",
            ]
            for n, m in enumerate(median_ratios)
        ]
        sections.append(Section("Ratios per round", ratio_plot(per_round, median_ratios) + table(heads, rows)))
    if BASELINE in rounds and len(rounds) > 1:
        floor = [m.rps for m in rounds[BASELINE]]
        heads = ["scenario", *(f"round {i}" for i in range(1, len(floor) + 1))]
        rows = [
            [titles[key], *(f"{m.rps / base:.3f}" if base > 0 else "-" for m, base in zip(ms, floor, strict=False))]
            for key, ms in rounds.items()
        ]
        sections.append(
            Section("Throughput against the floor, per round", floor_ratio_plot(titles, rounds) + table(heads, rows))
        )
    cpu_heads = ["scenario", "process", *(f"round {i}" for i in range(1, max(map(len, rounds.values())) + 1))]
    cpu_rows = [
        [titles[key], process, *(f"{m.cpu_ms_per_request[process]:.3f}" for m in ms)]
        for key, ms in rounds.items()
        for process in PROCESSES
        if any(m.cpu_ms_per_request[process] >= NEGLIGIBLE_CPU_MS for m in ms)
    ]
    sections.append(Section("CPU ms per request, per round", cpu_plot(titles, rounds) + table(cpu_heads, cpu_rows)))
    sections.append(Section("Summary (medians over the rounds)", summary_table(titles, medians)))
    sections.append(Section("Settings", table(("setting", "value"), sorted(meta.items()))))
    subtitle = (
        f"{meta.get('date', '')}, commit {meta.get('commit', '?')}: {meta.get('rounds', '?')} interleaved rounds "
        f"of {meta.get('duration_s', '?')} s per scenario"
    )
    return html_report.page("Catalog and cart benchmark", subtitle, sections)
