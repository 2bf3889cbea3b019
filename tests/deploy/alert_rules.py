"""The alert rules in both their forms: the plain rules file (the source) and the Prometheus
Operator's PrometheusRule in k8s/components/servicemonitor, generated from it.

Edit deploy/prometheus/bff-alerts.rules.yaml, then regenerate the PrometheusRule:

    .venv/bin/python -m tests.deploy.alert_rules

tests/deploy/test_alert_rules.py fails while the committed PrometheusRule is not what this writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "deploy" / "prometheus" / "bff-alerts.rules.yaml"
RULES_TESTS = ROOT / "deploy" / "prometheus" / "bff-alerts.test.yaml"
PROMETHEUS_RULE = ROOT / "k8s" / "components" / "servicemonitor" / "prometheusrule.yaml"

HEADER = """\
# GENERATED from deploy/prometheus/bff-alerts.rules.yaml by `.venv/bin/python -m tests.deploy.alert_rules`:
# edit that file, not this one (tests/deploy/test_alert_rules.py checks that both hold the same groups).
# Many Prometheus installations only load PrometheusRules with a given label (for
# kube-prometheus-stack: `release: <helm release name>`); add it under metadata.labels.
"""


class _BlockStyleDumper(yaml.SafeDumper):
    """Multi-line strings (the expressions) as YAML literal blocks, as they are written by hand."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockStyleDumper.add_representer(str, _str)


def rule_groups() -> list[dict[str, Any]]:
    """The groups of the plain rules file."""
    groups: list[dict[str, Any]] = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["groups"]
    return groups


def prometheus_rule(groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "bff", "labels": {"app.kubernetes.io/name": "bff"}},
        "spec": {"groups": groups},
    }


def prometheus_rule_text(groups: list[dict[str, Any]]) -> str:
    body = yaml.dump(prometheus_rule(groups), Dumper=_BlockStyleDumper, sort_keys=False, width=120)
    return HEADER + body


def main() -> None:
    PROMETHEUS_RULE.write_text(prometheus_rule_text(rule_groups()), encoding="utf-8")
    print(f"wrote {PROMETHEUS_RULE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
