"""The Prometheus alert rules (deploy/prometheus/bff-alerts.rules.yaml and the PrometheusRule
generated from it): Prometheus's own promtool accepts them and runs their unit tests, every alert
fires and stays quiet where it should, carries what an on-call engineer needs (severity, summary,
description, a runbook entry in the README) and names only metrics the live bff and worker export;
the Kubernetes component that ships them still renders and validates."""

from __future__ import annotations

import functools
import re
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.deploy.alert_rules import PROMETHEUS_RULE, RULES_FILE, RULES_TESTS, prometheus_rule_text, rule_groups
from tests.deploy.promql import RunningBff, exported_metric_names, metric_names, running_bff
from tests.deploy.test_kubernetes import K8S_VERSIONS, find, kubectl_kustomize, one, selects, servicemonitor_overlay
from tests.deploy.tools import require_tool
from tests.processes import Process
from tests.servers import free_port
from tests.waiting import wait_until

Obj = dict[str, Any]

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
RUNBOOK_BASE = "https://git.example.com/storefront/bff/blob/main/README.md"
SEVERITIES = {"critical", "warning"}
# Metrics an alert may name that the bff does not export: Prometheus's own scrape health, and
# kube-state-metrics' Deployment metrics (BffPodsNotReady needs kube-state-metrics).
NOT_FROM_THE_BFF = {"up", "kube_deployment_spec_replicas", "kube_deployment_status_replicas_available"}
# The scrape job of each process, as the rules select it (and the component's ServiceMonitors name it).
JOBS = {"bff": "serve", "bff-worker": "worker"}
MONITORING_API = "monitoring.coreos.com/v1"


def promtool() -> str:
    return require_tool("promtool", "prometheus", install="scripts/setup --with-prometheus (Debian's prometheus)")


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], capture_output=True, text=True, timeout=120, check=False)


def rules() -> list[Obj]:
    return [rule for group in rule_groups() for rule in group["rules"]]


def alerts() -> dict[str, Obj]:
    return {rule["alert"]: rule for rule in rules() if "alert" in rule}


ALERTS = sorted(alerts())


def unit_tests() -> list[Obj]:
    tests: list[Obj] = yaml.safe_load(RULES_TESTS.read_text(encoding="utf-8"))["tests"]
    return tests


def cases(alert: str) -> list[Obj]:
    """Every ``alert_rule_test`` of the unit-test file that evaluates ``alert``."""
    return [case for test in unit_tests() for case in test.get("alert_rule_test", []) if case["alertname"] == alert]


def runbook_section() -> str:
    """The README's "### Alerts and runbook" subsection, up to the next heading of its level or above."""
    match = re.search(r"^### Alerts and runbook\n(.*?)(?=^#{1,3} )", README, re.MULTILINE | re.DOTALL)
    assert match, 'README has no "### Alerts and runbook" section'
    return match.group(1)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


# --- promtool ------------------------------------------------------------------------------------


def test_promtool_accepts_the_rules_file() -> None:
    result = run_promtool("check", "rules", str(RULES_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules())} rules found" in result.stdout


def test_promtool_accepts_the_groups_of_the_prometheus_rule(tmp_path: Path) -> None:
    resource = yaml.safe_load(PROMETHEUS_RULE.read_text(encoding="utf-8"))
    groups_file = tmp_path / "prometheusrule-groups.yaml"
    groups_file.write_text(yaml.safe_dump({"groups": resource["spec"]["groups"]}), encoding="utf-8")
    result = run_promtool("check", "rules", str(groups_file))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_unit_tests_of_the_alert_rules_pass() -> None:
    result = run_promtool("test", "rules", str(RULES_TESTS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_the_unit_tests_load_the_rules_file_itself() -> None:
    rule_files = yaml.safe_load(RULES_TESTS.read_text(encoding="utf-8"))["rule_files"]
    assert [(RULES_TESTS.parent / f).resolve() for f in rule_files] == [RULES_FILE.resolve()]


@pytest.mark.parametrize("alert", ALERTS)
def test_every_alert_has_a_unit_test_where_it_fires_with_its_labels_and_annotations(alert: str) -> None:
    fired = [expected for case in cases(alert) for expected in case.get("exp_alerts") or []]
    assert fired, f"no case of {alert} expects it to fire"
    rule = alerts()[alert]
    for expected in fired:
        assert expected["exp_labels"]["severity"] == rule["labels"]["severity"]
        assert set(expected["exp_annotations"]) == set(rule["annotations"])


@pytest.mark.parametrize("alert", ALERTS)
def test_every_alert_has_a_unit_test_where_it_does_not_fire(alert: str) -> None:
    assert [case for case in cases(alert) if not case.get("exp_alerts")], f"no case of {alert} expects silence"


def test_the_unit_tests_name_only_alerts_that_exist() -> None:
    tested = {case["alertname"] for test in unit_tests() for case in test.get("alert_rule_test", [])}
    assert tested - set(ALERTS) == set()


# --- what each alert carries ---------------------------------------------------------------------


@pytest.mark.parametrize("alert", ALERTS)
def test_every_alert_waits_before_firing_and_has_a_severity(alert: str) -> None:
    rule = alerts()[alert]
    assert re.fullmatch(r"[1-9][0-9]*m", rule.get("for", "")), f"{alert}: for: {rule.get('for')}"
    assert rule["labels"]["severity"] in SEVERITIES


@pytest.mark.parametrize("alert", ALERTS)
def test_every_alert_has_a_summary_a_description_and_a_runbook_url(alert: str) -> None:
    annotations = alerts()[alert]["annotations"]
    assert set(annotations) == {"summary", "description", "runbook_url"}
    assert all(annotations[key].strip() for key in annotations)


@pytest.mark.parametrize("alert", ALERTS)
def test_every_runbook_url_points_to_the_alerts_entry_in_the_readme(alert: str) -> None:
    headings = re.findall(r"^#### (.+)$", runbook_section(), re.MULTILINE)
    assert alerts()[alert]["annotations"]["runbook_url"] == f"{RUNBOOK_BASE}#{github_anchor(alert)}"
    assert alert in headings, f"README has no runbook entry #### {alert}"


@pytest.mark.parametrize("alert", ALERTS)
def test_the_readme_alert_table_states_every_alerts_severity(alert: str) -> None:
    severity = alerts()[alert]["labels"]["severity"]
    assert re.search(
        rf"^\| \[`{alert}`\]\(#{github_anchor(alert)}\) \|[^\n]*\| {severity} \|$", runbook_section(), re.M
    )


def test_the_readme_runbook_has_entries_only_for_alerts_that_exist() -> None:
    assert set(re.findall(r"^#### (.+)$", runbook_section(), re.MULTILINE)) == set(ALERTS)


def test_alert_names_are_unique() -> None:
    names = [rule["alert"] for rule in rules() if "alert" in rule]
    assert len(names) == len(set(names))


# --- the metrics the alerts name -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bff(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBff]:
    """Real ``bff sandbox``, ``bff serve`` and ``bff worker`` processes (the worker's deliveries
    all fail: after two attempts each event goes to the dead letters)."""
    with running_bff(tmp_path_factory.mktemp("alert-metrics"), redis_url) as running:
        yield running


@pytest.fixture(scope="module")
def scrapes(bff: RunningBff) -> dict[str, str]:
    """Each process's live /metrics: {"serve": ..., "worker": ...}."""
    return bff.metrics_texts()


@pytest.fixture(scope="module")
def exported(scrapes: dict[str, str]) -> dict[str, set[str]]:
    """The sample names each process's live /metrics can hold."""
    return {process: exported_metric_names(text) for process, text in scrapes.items()}


@pytest.fixture(scope="module")
def sampled(scrapes: dict[str, str]) -> dict[str, set[str]]:
    """The sample names each process's live /metrics holds a sample of now."""
    return {
        process: {sample.name for family in text_string_to_metric_families(text) for sample in family.samples}
        for process, text in scrapes.items()
    }


@functools.cache
def names_by_alert() -> dict[str, frozenset[str]]:
    exprs = [alerts()[alert]["expr"] for alert in ALERTS]
    return {alert: frozenset(names) for alert, names in zip(ALERTS, metric_names(exprs), strict=True)}


def scrape_job(expr: str) -> str | None:
    """The one scrape job (``bff`` or ``bff-worker``) an expression's bff metrics are selected from."""
    jobs = set(re.findall(r'\bjob="([^"]+)"', expr))
    assert len(jobs) <= 1, f"one job per expression: {jobs}"
    return next(iter(jobs), None)


@pytest.mark.parametrize("alert", ALERTS)
def test_every_metric_an_alert_names_is_exported_by_the_process_of_its_scrape_job(
    alert: str, exported: dict[str, set[str]]
) -> None:
    bff_metrics = names_by_alert()[alert] - NOT_FROM_THE_BFF
    if not bff_metrics:
        return
    job = scrape_job(alerts()[alert]["expr"])
    assert job in JOBS, f"{alert} selects bff metrics without naming the job (bff or bff-worker)"
    assert bff_metrics - exported[JOBS[job]] == set()


@pytest.mark.parametrize("alert", ALERTS)
def test_no_alert_reads_a_metric_from_the_process_that_only_declares_it(
    alert: str, sampled: dict[str, set[str]]
) -> None:
    # Both processes declare every metric (one Metrics class); a metric only the other process has
    # samples of (bff_events_lag: the worker reads it) would never have data under this job.
    job = scrape_job(alerts()[alert]["expr"])
    if job is None:
        return
    elsewhere = set().union(*(names for process, names in sampled.items() if process != JOBS[job]))
    assert (names_by_alert()[alert] & elsewhere) - sampled[JOBS[job]] == set()


def test_the_alerts_name_metrics_of_both_the_bff_and_its_worker() -> None:
    # The check above must see both expositions at work, and the external metrics really be named.
    jobs = {scrape_job(alerts()[alert]["expr"]) for alert in ALERTS}
    assert set(JOBS) <= jobs
    named: set[str] = set().union(*names_by_alert().values())
    assert named >= NOT_FROM_THE_BFF


# --- a real Prometheus, scraping the live bff and worker -----------------------------------------


@dataclass
class Prometheus:
    url: str

    def api(self, path: str) -> Any:
        answer = httpx.get(f"{self.url}/api/v1/{path}", timeout=5).json()
        assert answer["status"] == "success", answer
        return answer["data"]

    def rules(self) -> list[Obj]:
        return [rule for group in self.api("rules")["groups"] for rule in group["rules"]]

    def active_alerts(self) -> dict[str, Obj]:
        return {alert["labels"]["alertname"]: alert for alert in self.api("alerts")["alerts"]}


def host_port(process: Process) -> str:
    return process.url.removeprefix("http://")


@pytest.fixture(scope="module")
def prometheus(bff: RunningBff, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prometheus]:
    """Debian's prometheus with the rules file, scraping ``bff serve`` as job ``bff`` and ``bff
    worker`` as job ``bff-worker`` every second (and evaluating the rules every second)."""
    binary = require_tool("prometheus", "prometheus", install="scripts/setup --with-prometheus (Debian's prometheus)")
    here = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES_FILE)],
        "scrape_configs": [
            {"job_name": job, "static_configs": [{"targets": [host_port(getattr(bff, process))]}]}
            for job, process in JOBS.items()
        ],
    }
    (here / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    with (here / "prometheus.log").open("wb") as log:
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={here / 'prometheus.yml'}",
                f"--storage.tsdb.path={here / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        server = Prometheus(f"http://127.0.0.1:{port}")
        wait_until(lambda: _answers(f"{server.url}/-/ready"), what="prometheus is ready", timeout_s=30, interval_s=0.2)
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _scraped_and_evaluated(prometheus: Prometheus) -> bool:
    targets = prometheus.api("targets")["activeTargets"]
    evaluated = all(not rule["lastEvaluation"].startswith("0001") for rule in prometheus.rules())
    return evaluated and len(targets) == len(JOBS) and all(t["health"] == "up" for t in targets)


def test_prometheus_evaluates_every_rule_without_error_against_the_live_bff_and_worker(prometheus: Prometheus) -> None:
    wait_until(
        lambda: _scraped_and_evaluated(prometheus),
        what="both targets scraped, every rule evaluated",
        timeout_s=30,
        interval_s=0.2,
    )
    health = {rule["name"]: (rule["health"], rule.get("lastError", "")) for rule in prometheus.rules()}
    assert health == dict.fromkeys(ALERTS, ("ok", ""))


SIGN_UP = """mutation S($input: SignUpInput!) { signUp(input: $input) { userErrors { code } } }"""


def test_events_the_live_worker_dead_letters_raise_bff_event_dead_letters_and_nothing_else(
    bff: RunningBff, prometheus: Prometheus
) -> None:
    # The worker delivers to a closed port: the customer.registered event goes to the dead letters.
    shopper = {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "password": "Analytical-1843"}
    answer = httpx.post(
        f"{bff.serve.url}/graphql", json={"query": SIGN_UP, "variables": {"input": shopper}}, timeout=30
    )
    assert answer.json()["data"] == {"signUp": {"userErrors": []}}
    wait_until(
        lambda: "BffEventDeadLetters" in prometheus.active_alerts(),
        what="BffEventDeadLetters is pending",
        timeout_s=30,
        interval_s=0.2,
    )
    alerts = prometheus.active_alerts()
    assert set(alerts) == {"BffEventDeadLetters"}
    assert alerts["BffEventDeadLetters"]["labels"] == {
        "alertname": "BffEventDeadLetters",
        "job": "bff-worker",
        "severity": "warning",
    }
    assert alerts["BffEventDeadLetters"]["state"] == "pending"  # for: 1m


# --- the Prometheus Operator component -----------------------------------------------------------


def test_the_prometheus_rule_is_the_one_generated_from_the_rules_file() -> None:
    assert PROMETHEUS_RULE.read_text(encoding="utf-8") == prometheus_rule_text(rule_groups()), (
        "regenerate it: .venv/bin/python -m tests.deploy.alert_rules"
    )


@functools.cache
def _component_objects() -> tuple[Obj, ...]:
    with tempfile.TemporaryDirectory() as tmp:
        return tuple(kubectl_kustomize(servicemonitor_overlay(Path(tmp))))


def component_objects() -> list[Obj]:
    return list(_component_objects())


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_prod_with_the_component_renders_valid_kubernetes(version: str) -> None:
    objects = [o for o in component_objects() if o["apiVersion"] != MONITORING_API]
    assert objects
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_component_adds_exactly_the_three_prometheus_operator_objects() -> None:
    custom = sorted(
        (o["kind"], o["metadata"]["name"], o["metadata"]["namespace"])
        for o in component_objects()
        if o["apiVersion"] == MONITORING_API
    )
    assert custom == [
        ("PrometheusRule", "bff", "bff"),
        ("ServiceMonitor", "bff", "bff"),
        ("ServiceMonitor", "bff-worker", "bff"),
    ]


def test_the_rendered_prometheus_rule_holds_the_groups_of_the_rules_file() -> None:
    assert one(component_objects(), "PrometheusRule")["spec"] == {"groups": rule_groups()}


def monitored_services(monitor: Obj) -> list[Obj]:
    selector = monitor["spec"]["selector"]["matchLabels"]
    return [s for s in find(component_objects(), "Service") if selects(selector, s["metadata"]["labels"])]


def test_the_bff_servicemonitor_scrapes_the_bff_service_whose_name_is_the_job_the_rules_select() -> None:
    # Without jobLabel the Operator names the scrape job after the Service.
    monitor = one(component_objects(), "ServiceMonitor", "bff")
    assert "jobLabel" not in monitor["spec"]
    assert [s["metadata"]["name"] for s in monitored_services(monitor)] == ["bff"]


def test_the_worker_servicemonitor_scrapes_every_workers_metrics_port_as_job_bff_worker() -> None:
    objects = component_objects()
    monitor = one(objects, "ServiceMonitor", "bff-worker")
    (service,) = monitored_services(monitor)
    worker = one(objects, "Deployment", "bff-worker")
    assert service["metadata"]["labels"][monitor["spec"]["jobLabel"]] == "bff-worker"
    assert selects(service["spec"]["selector"], worker["spec"]["template"]["metadata"]["labels"])
    assert service["spec"]["clusterIP"] == "None"  # headless: every pod is an endpoint of its own
    (endpoint,) = monitor["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("metrics", "/metrics")
    assert "metrics" in {p["name"] for p in service["spec"]["ports"]}
