"""The BFF's Grafana dashboard, generated with grafana-foundation-sdk into ``deploy/grafana/bff.json``.

Every panel is one ``PanelSpec`` in ``ROWS``: its title, a description, the unit, its width and
its PromQL targets. Every expression selects through ``series()``, so it filters by the
dashboard's ``namespace`` and ``pod`` variables, and windows its rates by ``$__rate_interval``; the
queries go to the ``datasource`` variable (any Prometheus). tests/deploy/test_grafana_dashboard.py
checks that the committed JSON is this module's output and that every expression parses and names
only metrics the BFF exports; ``tools/render_dashboard.py`` draws the panels into
``docs/img/dashboard.png``.

Usage: ``python -m tools.grafana_dashboard`` (writes the JSON), ``--check`` (exit 1 when the
committed JSON differs from what this module generates).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import prometheus, statetimeline, timeseries
from grafana_foundation_sdk.builders.common import VizLegendOptions
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.common import LegendDisplayMode, LegendPlacement

REPO: Final = Path(__file__).resolve().parents[1]
OUTPUT: Final = REPO / "deploy" / "grafana" / "bff.json"
UID: Final = "bff-storefront"
RATE: Final = "$__rate_interval"
DATASOURCE: Final = model.DataSourceRef(type_val="prometheus", uid="${datasource}")
# Both variables are read from a gauge every BFF process exports (bff serve and bff worker).
VARIABLE_METRIC: Final = "bff_inflight_requests"


def series(metric: str, *matchers: str) -> str:
    """``metric`` of the chosen namespace and pods, with further label ``matchers``."""
    labels = ['namespace="$namespace"', 'pod=~"$pod"', *matchers]
    return f"{metric}{{{', '.join(labels)}}}"


def rate(metric: str, *matchers: str) -> str:
    return f"rate({series(metric, *matchers)}[{RATE}])"


def total(inner: str) -> str:
    return f"sum({inner})"


def by(labels: str, inner: str) -> str:
    return f"sum by ({labels}) ({inner})"


def quantile(q: float, histogram: str, labels: str) -> str:
    return f"histogram_quantile({q}, {by('le, ' + labels, rate(histogram + '_bucket'))})"


@dataclass(frozen=True)
class Target:
    expr: str
    legend: str


@dataclass(frozen=True)
class PanelSpec:
    title: str
    description: str
    unit: str
    targets: tuple[Target, ...]
    width: int = 8
    height: int = 8
    kind: Literal["timeseries", "state-timeline"] = "timeseries"
    mappings: dict[str, tuple[str, str]] = field(default_factory=dict)  # value -> (text, colour)


@dataclass(frozen=True)
class RowSpec:
    title: str
    panels: tuple[PanelSpec, ...]


REFUSED_AT_ADMISSION: Final = "THROTTLED|RATE_LIMITED|QUERY_TOO_COMPLEX|PERSISTED_QUERY_NOT_IN_LIST"
BREAKER: Final = {"0": ("closed", "green"), "1": ("open", "red"), "2": ("half-open", "orange")}

ROWS: Final = (
    RowSpec(
        "Traffic and errors",
        (
            PanelSpec(
                "Request rate",
                "GraphQL requests answered per second, by operation name (bff_requests_total).",
                "reqps",
                (
                    Target(total(rate("bff_requests_total")), "all"),
                    Target(by("operation", rate("bff_requests_total")), "{{operation}}"),
                ),
            ),
            PanelSpec(
                "Error rate by code",
                "Requests per second that did not answer OK, by their error code (the first error's "
                "extensions.code or userErrors code); the README's Errors table says what each means.",
                "reqps",
                (Target(by("outcome", rate("bff_requests_total", 'outcome!="OK"')), "{{outcome}}"),),
            ),
            PanelSpec(
                "In-flight requests",
                "HTTP requests being served now and Magento calls being sent now, per pod "
                "(bff_inflight_requests, bff_upstream_inflight).",
                "short",
                (
                    Target(by("pod", series("bff_inflight_requests")), "{{pod}} requests"),
                    Target(by("pod", series("bff_upstream_inflight")), "{{pod}} Magento calls"),
                ),
            ),
        ),
    ),
    RowSpec(
        "Latency",
        (
            PanelSpec(
                "Latency p50 / p95 / p99 by operation",
                "Time to answer a GraphQL request, by operation: the 50th, 95th and 99th percentiles "
                "of bff_request_duration_seconds.",
                "s",
                tuple(
                    Target(quantile(q, "bff_request_duration_seconds", "operation"), f"{{{{operation}}}} p{p}")
                    for q, p in ((0.5, 50), (0.95, 95), (0.99, 99))
                ),
                width=24,
            ),
        ),
    ),
    RowSpec(
        "Magento upstream",
        (
            PanelSpec(
                "Upstream latency by Magento operation",
                "One Magento call, by the BFF's operation name: p95 and p99 of bff_upstream_duration_seconds.",
                "s",
                tuple(
                    Target(quantile(q, "bff_upstream_duration_seconds", "operation"), f"{{{{operation}}}} p{p}")
                    for q, p in ((0.95, 95), (0.99, 99))
                ),
                width=6,
            ),
            PanelSpec(
                "Upstream errors by Magento operation",
                "Magento calls per second that failed (timeout, unavailable, http_<status>, graphql_error), "
                "by operation and outcome, and the reads sent again.",
                "reqps",
                (
                    Target(
                        by("operation, outcome", rate("bff_upstream_requests_total", 'outcome!="ok"')),
                        "{{operation}} {{outcome}}",
                    ),
                    Target(by("operation", rate("bff_upstream_retries_total")), "{{operation}} retried"),
                ),
                width=6,
            ),
            PanelSpec(
                "Magento calls refused before sending",
                "Calls not sent per second, by reason: breaker (circuit open), inflight (no slot in time), "
                "deadline (the request's deadline had passed); and retries the retry budget did not allow.",
                "reqps",
                (
                    Target(by("reason", rate("bff_upstream_rejected_total")), "{{reason}}"),
                    Target(total(rate("bff_upstream_retry_budget_exhausted_total")), "retry budget spent"),
                ),
                width=6,
            ),
            PanelSpec(
                "Circuit-breaker state",
                "The Magento circuit breaker of each pod (bff_upstream_breaker_state): closed, open (calls "
                "refused at once) or half-open (trying Magento again).",
                "short",
                (Target(f"max by (pod) ({series('bff_upstream_breaker_state')})", "{{pod}}"),),
                width=6,
                kind="state-timeline",
                mappings=BREAKER,
            ),
        ),
    ),
    RowSpec(
        "Response cache",
        (
            PanelSpec(
                "Cache hit ratio",
                "Share of response-cache lookups answered from the cache (hit or stale) (bff_response_cache_total).",
                "percentunit",
                (
                    Target(
                        total(rate("bff_response_cache_total", 'outcome=~"hit|stale"'))
                        + " / "
                        + total(rate("bff_response_cache_total")),
                        "hit ratio",
                    ),
                ),
            ),
            PanelSpec(
                "Cache lookups by outcome",
                "Response-cache lookups per second: hit, stale, miss, unavailable (Redis did not answer).",
                "reqps",
                (Target(by("outcome", rate("bff_response_cache_total")), "{{outcome}}"),),
            ),
            PanelSpec(
                "Cache purges",
                "Purges per second (invalidation hook and catalog webhooks) and the entries they removed "
                "(bff_response_cache_purges_total, bff_response_cache_purged_entries_total).",
                "ops",
                (
                    Target(total(rate("bff_response_cache_purges_total")), "purges"),
                    Target(total(rate("bff_response_cache_purged_entries_total")), "entries removed"),
                ),
            ),
        ),
    ),
    RowSpec(
        "Throttling and rejected requests",
        (
            PanelSpec(
                "Throttled and rejected requests",
                "Requests per second refused at admission: THROTTLED (cost budget used up), RATE_LIMITED, "
                "QUERY_TOO_COMPLEX (a static limit or the cost limit), PERSISTED_QUERY_NOT_IN_LIST.",
                "reqps",
                (
                    Target(
                        by("outcome", rate("bff_requests_total", f'outcome=~"{REFUSED_AT_ADMISSION}"')),
                        "{{outcome}}",
                    ),
                ),
            ),
            PanelSpec(
                "Cost of refused requests",
                "The 95th percentile of the cost the refused operations requested, by outcome "
                "(bff_query_cost, refused ones included), beside that of the operations that ran (OK).",
                "short",
                (Target(quantile(0.95, "bff_query_cost", "outcome"), "{{outcome}} p95"),),
            ),
            PanelSpec(
                "Cost points requested per second",
                "Cost points the operations requested per second, by outcome: how much of the budget "
                "refused traffic asked for.",
                "short",
                (Target(by("outcome", rate("bff_query_cost_sum")), "{{outcome}}"),),
            ),
        ),
    ),
    RowSpec(
        "Checkout",
        (
            PanelSpec(
                "Orders placed",
                "Orders Magento placed per minute (PlaceOrder calls answered ok); a replayed checkout places none.",
                "short",
                (
                    Target(
                        "60 * " + total(rate("bff_upstream_requests_total", 'operation="PlaceOrder"', 'outcome="ok"')),
                        "orders per minute",
                    ),
                ),
                width=12,
            ),
            PanelSpec(
                "Idempotency replays and conflicts",
                "Checkouts answered with an earlier order (replays: a client retried) and idempotency keys "
                "reused with another cart or input (conflicts), per second.",
                "ops",
                (
                    Target(total(rate("bff_idempotency_replays_total")), "replays"),
                    Target(total(rate("bff_idempotency_conflicts_total")), "conflicts"),
                ),
                width=12,
            ),
        ),
    ),
    RowSpec(
        "Redis",
        (
            PanelSpec(
                "Redis latency by command",
                "One Redis command from call to reply, waiting for a pooled connection included: p50 and p99 "
                "of bff_redis_command_duration_seconds, by command.",
                "s",
                tuple(
                    Target(quantile(q, "bff_redis_command_duration_seconds", "command"), f"{{{{command}}}} p{p}")
                    for q, p in ((0.5, 50), (0.99, 99))
                ),
                width=12,
            ),
            PanelSpec(
                "Redis failures",
                "Redis commands that failed per second (timeout, connection, reply), store calls that raised, "
                "and cache lookups served uncached because Redis did not answer.",
                "ops",
                (
                    Target(
                        by("command, failure", rate("bff_redis_command_errors_total")),
                        "{{command}} {{failure}}",
                    ),
                    Target(by("operation", rate("bff_session_store_errors_total")), "store {{operation}}"),
                    Target(
                        total(rate("bff_response_cache_total", 'outcome="unavailable"')),
                        "cache lookups without Redis",
                    ),
                ),
                width=12,
            ),
        ),
    ),
    RowSpec(
        "Events outbox",
        (
            PanelSpec(
                "Event outbox lag",
                "Outbox entries not delivered yet (bff_events_lag, read from Redis by each bff worker).",
                "short",
                (Target(f"max({series('bff_events_lag')})", "undelivered events"),),
            ),
            PanelSpec(
                "Events published, delivered and retried",
                "Events written to the outbox, accepted by an endpoint (2xx) and scheduled again after a "
                "failed delivery, per second.",
                "ops",
                (
                    Target(total(rate("bff_events_published_total")), "published"),
                    Target(total(rate("bff_events_delivered_total")), "delivered"),
                    Target(total(rate("bff_events_retried_total")), "retried"),
                ),
            ),
            PanelSpec(
                "Dead letters",
                "Events moved to the dead letters after their last attempt, by type, in the hour before each "
                "point (bff_events_dead_total); `bff events` lists, replays or purges them.",
                "short",
                (Target(by("type", f"increase({series('bff_events_dead_total')}[1h])"), "{{type}}"),),
            ),
        ),
    ),
)


def _target(ref: str, target: Target) -> prometheus.Dataquery:
    return (
        prometheus.Dataquery().ref_id(ref).expr(target.expr).legend_format(target.legend).range().datasource(DATASOURCE)
    )


def _panel(spec: PanelSpec) -> timeseries.Panel | statetimeline.Panel:
    builder: timeseries.Panel | statetimeline.Panel
    if spec.kind == "state-timeline":
        builder = statetimeline.Panel()
    else:
        builder = (
            timeseries.Panel()
            .fill_opacity(10)
            .legend(
                VizLegendOptions()
                .show_legend(True)
                .display_mode(LegendDisplayMode.LIST)
                .placement(LegendPlacement.BOTTOM)
            )
        )
    builder = (
        builder.title(spec.title)
        .description(spec.description)
        .unit(spec.unit)
        .datasource(DATASOURCE)
        .span(spec.width)
        .height(spec.height)
        .targets([_target(chr(ord("A") + i), t) for i, t in enumerate(spec.targets)])
    )
    if spec.unit == "percentunit":
        builder = builder.min(0).max(1)
    if spec.mappings:
        options = {
            value: model.ValueMappingResult(text=text, color=colour, index=i)
            for i, (value, (text, colour)) in enumerate(spec.mappings.items())
        }
        builder = builder.mappings([model.ValueMap(options=options)])
    return builder


def _variables() -> list[Builder[model.VariableModel]]:
    datasource = dash.DatasourceVariable("datasource").label("Data source").type("prometheus")
    namespace = (
        dash.QueryVariable("namespace")
        .label("Namespace")
        .datasource(DATASOURCE)
        .query(f"label_values({VARIABLE_METRIC}, namespace)")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
    )
    pod = (
        dash.QueryVariable("pod")
        .label("Pod")
        .datasource(DATASOURCE)
        .query(f'label_values({VARIABLE_METRIC}{{namespace="$namespace"}}, pod)')
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .current(model.VariableOption(selected=True, text="All", value="$__all"))
    )
    return [datasource, namespace, pod]


def build() -> model.Dashboard:
    board = (
        dash.Dashboard("BFF storefront")
        .uid(UID)
        .description(
            "The storefront BFF (headless Magento): traffic, errors, latency, Magento, cache, limits, "
            "checkout, Redis and the events outbox. Generated by tools/grafana_dashboard.py."
        )
        .tags(["bff", "magento", "storefront"])
        .editable()
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        .time("now-1h", "now")
        .refresh("30s")
        .timezone("browser")
        .variables(_variables())
    )
    ids = iter(range(1, 1000))
    for row in ROWS:
        board = board.with_row(dash.Row(row.title).id(next(ids)))
        for panel in row.panels:
            board = board.with_panel(_panel(panel).id(next(ids)))
    return board.build()


def dashboard_json() -> str:
    return json.dumps(build(), cls=JSONEncoder, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed JSON is not current")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = dashboard_json()
    if args.check:
        current = args.out.read_text() if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is not what tools/grafana_dashboard.py generates: run it", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
