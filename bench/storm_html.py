"""The checkout storm's HTML report: one self-contained file beside the text summary.

What it holds, top to bottom: the verdict; checkout-call latency over time (every answered
checkout call as a dot coloured by outcome, per-interval p50/p95/p99 as lines, the client timeout
as a dashed line, the storm's marks as vertical lines and the armed lost answers as ticks at the
bottom); the outcome mix of every request per interval (stacked bars); the summary's figures as a
table; the marks with their times; the problems found; and the run's configuration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from bench import html_report
from bench.html_report import Section, table
from bench.storm_timeline import OUTCOMES, Interval, StormTimeline, interval_width, intervals

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from bench.checkout_storm import StormResult

COLOURS = dict(zip(OUTCOMES, ("#2e7d32", "#f9a825", "#6a1b9a", "#c62828", "#757575", "#000000"), strict=True))
BANDS = (("p50", "#1565c0", "-"), ("p95", "#ef6c00", "-"), ("p99", "#b71c1c", "-"))


def _marks(ax: Axes, timeline: StormTimeline, label: bool) -> None:
    for mark in timeline.marks:
        ax.axvline(mark.at_s, color="#444", linestyle=":", linewidth=1.2)
        if label:
            ax.annotate(
                mark.label,
                (mark.at_s, 1.0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                va="top",
                ha="right",
                fontsize=8,
                color="#444",
            )


def latency_plot(timeline: StormTimeline, slices: Sequence[Interval], client_timeout_ms: float) -> str:
    fig = html_report.figure(11, 4.6)
    ax = fig.add_subplot()
    checkout = [p for p in timeline.points if p.checkout]
    for outcome in OUTCOMES:
        shown = [p for p in checkout if p.outcome == outcome]
        if shown:
            ax.scatter(
                [p.at_s for p in shown],
                [p.latency_ms for p in shown],
                s=9,
                alpha=0.55,
                color=COLOURS[outcome],
                label=f"{outcome} ({len(shown)})",
                linewidths=0,
            )
    for band, colour, style in BANDS:
        found = [(i.start_s + i.width_s / 2, v) for i in slices if (v := i.checkout_ms[band]) is not None]
        xs, ys = [x for x, _ in found], [y for _, y in found]
        if xs:
            ax.plot(xs, ys, style, color=colour, linewidth=1.6, label=f"{band} per {slices[0].width_s:g} s")
    ax.axhline(client_timeout_ms, color="#757575", linestyle="--", linewidth=1, label="client timeout")
    if timeline.lost_answers_s:
        ax.plot(
            timeline.lost_answers_s,
            [0] * len(timeline.lost_answers_s),
            "|",
            color="#c62828",
            markersize=10,
            label=f"lost answer armed ({len(timeline.lost_answers_s)})",
        )
    _marks(ax, timeline, label=True)
    ax.set_xlim(0, max(1.0, timeline.end_s))
    ax.set_ylim(bottom=0)
    ax.set_xlabel("seconds since the storm started")
    ax.set_ylabel("checkout call, ms")
    ax.set_title("Checkout call latency over time (placeOrder / checkout), by outcome")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(alpha=0.3)
    return html_report.image(fig, "checkout call latency over time, coloured by outcome")


def outcome_plot(timeline: StormTimeline, slices: Sequence[Interval]) -> str:
    fig = html_report.figure(11, 3.6)
    ax = fig.add_subplot()
    width = slices[0].width_s if slices else 1.0
    bottom = [0] * len(slices)
    for outcome in OUTCOMES:
        counts = [i.outcomes.get(outcome, 0) for i in slices]
        if any(counts):
            ax.bar(
                [i.start_s for i in slices],
                counts,
                width=width * 0.9,
                align="edge",
                bottom=bottom,
                color=COLOURS[outcome],
                label=f"{outcome} ({sum(counts)})",
            )
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    _marks(ax, timeline, label=False)
    ax.set_xlim(0, max(1.0, timeline.end_s))
    ax.set_xlabel("seconds since the storm started")
    ax.set_ylabel(f"requests per {width:g} s")
    ax.set_title("Outcome mix of every request, per interval")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(alpha=0.3, axis="y")
    return html_report.image(fig, "outcome mix of every request per interval")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def summary_rows(result: StormResult) -> list[tuple[str, object, str]]:
    """The text summary's figures: (figure, value, detail)."""
    r = result.reconciliation
    rows: list[tuple[str, object, str]] = [
        ("verdict", "FAILED" if result.failed else "ok", "duplicates, lost, mismatched, stuck, 5xx, INTERNAL: all 0"),
        ("orders", r.orders, f"shoppers {r.shoppers}, checked out {r.checked_out}, other runs' {r.other_orders}"),
        ("setup failed", r.setup_failed, "a cart or checkout step never succeeded"),
        ("refused", r.refused, "told userErrors, no order"),
        ("duplicates", r.duplicates, "must be 0"),
        ("lost", r.lost, "must be 0"),
        ("mismatched", r.mismatched, "must be 0"),
        ("unresolved", r.unresolved, f"settled by the retries after the storm {r.settled_late}"),
        ("stuck", r.stuck, "must be 0"),
        ("numberless", r.numberless, "placed, told number null"),
        ("5xx", r.http_5xx, "must be 0 (other than the coded 503)"),
        ("coded UPSTREAM_UNAVAILABLE 503", r.coded_503, "documented, retryable"),
        ("INTERNAL", r.internal, "must be 0"),
        ("requests", r.requests, f"checkout calls timed out by the client: {r.client_timeouts}"),
        ("client timeouts", r.client_timeouts, "checkout calls"),
    ]
    rows += [(f"checkout call {k} ms", _ms(v), "answered checkout calls") for k, v in r.checkout_call_ms.items()]
    rows += [
        (f"time to answer {k} ms", _ms(v), "first checkout call to first answer")
        for k, v in r.time_to_answer_ms.items()
    ]
    rows.append(("error mix", ", ".join(f"{k} {v}" for k, v in r.error_mix.items()) or "none", ""))
    rows += [
        (f"CPU ms/request {n}", f"{v:.2f}", f"per shopper {result.cpu_ms_per_shopper[n]:.1f}")
        for n, v in result.cpu_ms_per_request.items()
    ]
    if result.order_events is not None:
        rows.append(("order events", result.order_events, f"problems {len(result.event_problems)}"))
    rows.append(
        (
            "duration s",
            f"{result.duration_s:.1f}",
            f"redis restarts {result.redis_restarts}, replicas killed {result.replicas_killed}",
        )
    )
    return rows


def _flat(prefix: str, value: Any) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [row for k, v in value.items() for row in _flat(f"{prefix}{k}.", v)]
    return [(prefix.rstrip("."), "-" if value is None else value)]


def render_html(result: StormResult) -> str:
    c, r, timeline = result.config, result.reconciliation, result.timeline
    width = interval_width(timeline.end_s)
    slices = intervals(timeline.points, width, timeline.end_s)
    verdict = '<span class="bad">FAILED</span>' if result.failed else '<span class="ok">ok</span>'
    marks = [(f"{m.at_s:.1f}", m.label) for m in timeline.marks]
    if timeline.lost_answers_s:
        first, last = timeline.lost_answers_s[0], timeline.lost_answers_s[-1]
        marks.append((f"{first:.1f} to {last:.1f}", f"{len(timeline.lost_answers_s)} lost placeOrder answers armed"))
    sections = [
        Section(
            "Verdict",
            f"<p>{verdict}: {r.orders} orders for {r.shoppers} shoppers; duplicates {r.duplicates}, lost {r.lost}, "
            f"mismatched {r.mismatched}, stuck {r.stuck}, 5xx {r.http_5xx}, INTERNAL {r.internal}.</p>",
        ),
        Section("Latency over time", latency_plot(timeline, slices, c.behaviour.client_timeout_s * 1000)),
        Section("Outcome mix", outcome_plot(timeline, slices)),
        Section("Summary", table(("figure", "value", "detail"), summary_rows(result))),
        Section("What happened when", table(("seconds", "event"), marks)),
    ]
    problems = r.problems + result.event_problems
    if problems:
        sections.append(Section(f"Problems ({len(problems)})", table(("problem",), [(p,) for p in problems])))
    if result.log_errors:
        sections.append(
            Section("Replicas' warnings and errors", table(("count x event",), [(e,) for e in result.log_errors]))
        )
    sections.append(Section("Configuration", table(("option", "value"), _flat("", asdict(c)))))
    subtitle = (
        f"{c.shoppers} shoppers, {len(c.bff_urls) or c.replicas} replicas, seed {c.seed}, faults "
        f"{'on' if c.faults else 'off'}, {result.duration_s:.1f} s; logs in {result.workdir}"
    )
    return html_report.page("Checkout storm", subtitle, sections)
