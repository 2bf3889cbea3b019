"""The ``bff worker`` Deployment in k8s/ (base and overlays): what it runs, its probes, its PDB, its network."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bff.cli import build_parser
from tests.deploy.test_kubernetes import (
    OVERLAYS,
    Obj,
    config,
    deployment,
    namespaces_of,
    one,
    rendered,
    rule_ports,
    selects,
    settings_from,
)

LIVENESS_FILE = "/tmp/worker-alive"  # noqa: S108 (the container's path, not a file of this test)


def worker(overlay: str) -> Obj:
    return one(rendered(overlay), "Deployment", "bff-worker")


def pod_labels(workload: Obj) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def container(overlay: str) -> Obj:
    (found,) = worker(overlay)["spec"]["template"]["spec"]["containers"]
    result: Obj = found
    return result


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_worker_runs_bff_worker_with_a_liveness_file_the_cli_accepts(overlay: str) -> None:
    args = container(overlay)["args"]
    assert args == ["worker", "--liveness-file", LIVENESS_FILE]
    parsed = build_parser().parse_args(args)
    assert parsed.liveness_file == LIVENESS_FILE


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_worker_runs_the_same_image_as_the_bff(overlay: str) -> None:
    (bff,) = deployment(overlay)["spec"]["template"]["spec"]["containers"]
    assert container(overlay)["image"] == bff["image"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_bff_selector_picks_the_worker_pods(overlay: str) -> None:
    """The Service, the bff PDB and the bff network policy must never count or route to workers."""
    labels = pod_labels(worker(overlay))
    objects = rendered(overlay)
    assert not selects(one(objects, "Service", "bff")["spec"]["selector"], labels)
    assert not selects(one(objects, "PodDisruptionBudget", "bff")["spec"]["selector"]["matchLabels"], labels)
    assert not selects(one(objects, "NetworkPolicy", "bff")["spec"]["podSelector"]["matchLabels"], labels)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_workers_metrics_port_is_exposed_to_prometheus_by_a_headless_service(overlay: str) -> None:
    service = one(rendered(overlay), "Service", "bff-worker-metrics")
    ports = {p["name"] for p in container(overlay)["ports"]}
    assert service["spec"]["clusterIP"] == "None"
    assert selects(service["spec"]["selector"], pod_labels(worker(overlay)))
    assert [(p["name"], p["targetPort"]) for p in service["spec"]["ports"]] == [("metrics", "metrics")]
    assert "metrics" in ports


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_worker_has_a_disruption_budget_keeping_all_but_one_pod(overlay: str) -> None:
    pdb = one(rendered(overlay), "PodDisruptionBudget", "bff-worker")
    assert selects(pdb["spec"]["selector"]["matchLabels"], pod_labels(worker(overlay)))
    assert pdb["spec"]["maxUnavailable"] == 1


def test_prod_runs_two_workers_and_dev_one() -> None:
    assert (worker("prod")["spec"]["replicas"], worker("dev")["spec"]["replicas"]) == (2, 1)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_worker_starts_once_its_metrics_port_answers(overlay: str) -> None:
    probe = container(overlay)["startupProbe"]["httpGet"]
    ports = {p["name"]: p["containerPort"] for p in container(overlay)["ports"]}
    assert (probe["path"], probe["port"]) == ("/metrics", "metrics")
    assert ports == {"metrics": int(config(overlay)["BFF_METRICS__PORT"])}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_liveness_probe_reads_the_file_the_worker_touches_under_tmp(overlay: str) -> None:
    spec = container(overlay)
    command = spec["livenessProbe"]["exec"]["command"]
    assert LIVENESS_FILE in command[-1]
    mounts = [m["mountPath"] for m in spec["volumeMounts"]]
    assert mounts == ["/tmp"]  # noqa: S108


def liveness_check(tmp_path: Path, age_s: float) -> int:
    """Runs the manifest's probe command against a file last touched ``age_s`` seconds ago."""
    alive = tmp_path / "worker-alive"
    alive.touch()
    then = time.time() - age_s
    os.utime(alive, (then, then))
    command = container("prod")["livenessProbe"]["exec"]["command"]
    assert command[:2] == ["python", "-c"]
    code = command[2].replace(LIVENESS_FILE, str(alive))
    return subprocess.run([sys.executable, "-c", code], check=False, timeout=30).returncode


def test_the_liveness_probe_passes_for_a_fresh_file_and_fails_for_a_stale_one(tmp_path: Path) -> None:
    assert liveness_check(tmp_path, age_s=5) == 0
    assert liveness_check(tmp_path, age_s=600) != 0


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_worker_reads_its_signing_secret_and_redis_from_the_secret(overlay: str) -> None:
    refs = {v["name"]: v["valueFrom"]["secretKeyRef"]["key"] for v in container(overlay)["env"]}
    assert refs == {"BFF_REDIS_URL": "BFF_REDIS_URL", "BFF_EVENTS__SECRET": "BFF_EVENTS__SECRET"}


def test_the_dev_signing_secret_is_a_valid_standard_webhooks_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    (secret,) = [o for o in rendered("dev") if o["kind"] == "Secret"]
    values = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    settings = settings_from({**config("dev"), **values}, monkeypatch)
    assert settings.events.secret is not None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_worker_network_policy_admits_only_monitoring_and_reaches_dns_redis_and_https(overlay: str) -> None:
    policy = one(rendered(overlay), "NetworkPolicy", "bff-worker")["spec"]
    assert selects(policy["podSelector"]["matchLabels"], pod_labels(worker(overlay)))
    (ingress,) = policy["ingress"]
    assert (rule_ports(ingress), namespaces_of(ingress, "from")) == ({(9100, "TCP")}, ["monitoring"])
    ports = set().union(*(rule_ports(r) for r in policy["egress"]))
    assert ports == {(53, "UDP"), (53, "TCP"), (6379, "TCP"), (26379, "TCP"), (443, "TCP")}
