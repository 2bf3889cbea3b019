"""The shared PromQL checker (tests/deploy/promql.py): names read by Prometheus's grammar, and the
names an exposition can hold."""

from __future__ import annotations

import pytest

from tests.deploy.promql import PromQLError, exported_metric_names, metric_names


def test_the_names_of_every_selector_are_read_in_order() -> None:
    exprs = [
        'sum by (operation) (rate(bff_requests_total{outcome!="OK"}[5m])) / ignoring(outcome) bff_inflight_requests',
        "histogram_quantile(0.99, sum by (le) (rate(bff_request_duration_seconds_bucket[1m] offset 5m)))",
    ]
    assert metric_names(exprs) == [
        {"bff_requests_total", "bff_inflight_requests"},
        {"bff_request_duration_seconds_bucket"},
    ]


def test_a_name_given_by_a_name_matcher_counts() -> None:
    assert metric_names(['max_over_time({__name__="bff_events_lag"}[5m:1m])']) == [{"bff_events_lag"}]


def test_an_expression_that_does_not_parse_is_named_in_the_error() -> None:
    with pytest.raises(PromQLError, match="syntax error") as raised:
        metric_names(["up", "sum(rate(bff_requests_total[5m])"])
    assert raised.value.expression == "sum(rate(bff_requests_total[5m])"


def test_a_grafana_variable_left_in_an_expression_does_not_parse() -> None:
    with pytest.raises(PromQLError):
        metric_names(["rate(bff_requests_total[$__rate_interval])"])


def test_a_selector_by_a_name_pattern_is_refused_since_its_names_cannot_be_checked() -> None:
    with pytest.raises(PromQLError, match="__name__"):
        metric_names(['{__name__=~"bff_.*"}'])


EXPOSITION = """\
# HELP bff_requests_total GraphQL requests answered.
# TYPE bff_requests_total counter
bff_requests_total{operation="q",outcome="OK"} 1.0
# TYPE bff_requests_created gauge
bff_requests_created{operation="q",outcome="OK"} 1.7e9
# HELP bff_upstream_duration_seconds One Magento call.
# TYPE bff_upstream_duration_seconds histogram
# TYPE bff_events_lag gauge
# TYPE legacy_hits counter
legacy_hits 3
"""


def test_a_histogram_without_samples_yet_still_exports_its_bucket_sum_and_count() -> None:
    assert {
        "bff_upstream_duration_seconds_bucket",
        "bff_upstream_duration_seconds_sum",
        "bff_upstream_duration_seconds_count",
    } <= exported_metric_names(EXPOSITION)


def test_exported_names_are_the_sample_names_not_the_family_names() -> None:
    names = exported_metric_names(EXPOSITION)
    assert {"bff_requests_total", "bff_requests_created", "bff_events_lag", "legacy_hits"} <= names
    assert "bff_requests" not in names
    assert "bff_upstream_duration_seconds" not in names
