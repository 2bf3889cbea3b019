"""An offline renderer for ``k8s/``: the subset of kustomize those files use, and nothing more.

``render(path)`` builds a kustomization directory as ``kubectl kustomize`` does and returns the
objects. It implements exactly what ``k8s/`` uses:

- ``resources`` (YAML files inside the kustomization, and other kustomization directories),
  ``components`` (``kind: Component`` directories);
- ``namespace``; ``labels`` (``pairs`` on metadata only: no selectors, no templates);
- ``configMapGenerator`` / ``secretGenerator`` (``envs`` files and ``literals``; ``behavior``
  create, merge or replace) with kustomize's name-hash suffix, and references to generated names
  rewritten in pod templates;
- ``patches`` given by ``path`` (strategic merge, the target named by the patch's kind and name);
- ``images`` (``newName`` / ``newTag``).

Anything else raises ``KustomizeError`` instead of being silently ignored, so a kustomization that
uses a new feature fails the tests until the renderer learns it. ``tests/deploy`` also compares
the output with the real ``kubectl kustomize`` when it is installed.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]

KUSTOMIZATION_FILE = "kustomization.yaml"
KUSTOMIZATION_FIELDS = frozenset(
    {
        "apiVersion",
        "kind",
        "resources",
        "components",
        "namespace",
        "labels",
        "images",
        "configMapGenerator",
        "secretGenerator",
        "patches",
    }
)
GENERATOR_FIELDS = frozenset({"name", "behavior", "envs", "literals", "type"})
# Kinds whose every reference this renderer rewrites and whose namespace it sets correctly.
# (A RoleBinding, say, would need its subjects' namespaces changed too: not implemented.)
SUPPORTED_KINDS = frozenset(
    {
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Secret",
        "Service",
        "Deployment",
        "StatefulSet",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "ServiceMonitor",
    }
)
CLUSTER_SCOPED_KINDS = frozenset({"Namespace"})
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet"})
# Strategic merge: lists of objects merged by this key (the Kubernetes patchMergeKey); other lists
# are replaced whole.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "name",
    "imagePullSecrets": "name",
    "topologySpreadConstraints": "topologyKey",
}
ENV_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")


class KustomizeError(Exception):
    """The kustomization is invalid, or uses a feature this renderer does not implement."""


@dataclass
class _Item:
    obj: Obj
    generated: bool = False  # made by a generator: gets the hash suffix at the end

    @property
    def key(self) -> tuple[str, str, str]:
        meta = self.obj.get("metadata", {})
        return self.obj["kind"], meta.get("namespace", ""), meta["name"]


def render(directory: str | Path) -> list[Obj]:
    """The objects ``kubectl kustomize DIRECTORY`` prints (in load order, not kustomize's order)."""
    items = _build(Path(directory).resolve(), expected_kind="Kustomization", start=[])
    return _finish(items)


def load_yaml_documents(path: Path) -> list[Obj]:
    documents = []
    with path.open(encoding="utf-8") as stream:
        for document in yaml.safe_load_all(stream):
            if document is None:
                continue
            if not isinstance(document, dict):
                raise KustomizeError(f"{path}: expected Kubernetes objects, found {type(document).__name__}")
            documents.append(document)
    return documents


def parse_env_file(text: str, source: str = "env file") -> dict[str, str]:
    """kustomize's env-file format: KEY=VALUE lines, `#` comment lines, no quoting or trailing comments."""
    pairs: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            # kustomize would read the value from its own environment: not reproducible.
            raise KustomizeError(f"{source}:{number}: {key!r} has no '=': values from the environment are unsupported")
        _check_env_name(key, f"{source}:{number}")
        pairs[key] = value
    return pairs


def kustomize_hash(obj: Obj) -> str:
    """The 10-character suffix kustomize appends to a generated ConfigMap's or Secret's name.

    kustomize hashes the JSON of kind, data (and a Secret's type) with an empty name, as Go's
    encoding/json writes it (sorted keys, HTML characters escaped), then maps a few hex digits to
    letters so the suffix never looks like a number or spells a word.
    """
    encoded: dict[str, Any] = {"kind": obj["kind"], "name": "", "data": obj.get("data") or ""}
    if obj["kind"] == "Secret":
        encoded["type"] = obj.get("type", "")
    elif obj["kind"] != "ConfigMap":
        raise KustomizeError(f"no name hash for kind {obj['kind']}")
    text = json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def strategic_merge(target: Any, patch: Any) -> Any:
    """A strategic-merge patch: maps merge, lists of objects merge by MERGE_KEYS, null deletes."""
    if not isinstance(target, dict) or not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(target)
    for field, value in patch.items():
        if isinstance(field, str) and field.startswith("$"):
            raise KustomizeError(f"patch directive {field} is not supported")
        if value is None:
            merged.pop(field, None)
        elif field in MERGE_KEYS and isinstance(value, list) and isinstance(merged.get(field), list):
            merged[field] = _merge_list(merged[field], value, MERGE_KEYS[field])
        else:
            merged[field] = strategic_merge(merged.get(field), value)
    return merged


def _merge_list(target: list[Any], patch: list[Any], key: str) -> list[Any]:
    result = list(target)
    for element in patch:
        if not isinstance(element, dict) or key not in element:
            raise KustomizeError(f"a patch element of a list merged by {key!r} lacks {key!r}: {element!r}")
        for index, existing in enumerate(result):
            if isinstance(existing, dict) and existing.get(key) == element[key]:
                result[index] = strategic_merge(existing, element)
                break
        else:
            result.append(copy.deepcopy(element))
    return result


def _build(directory: Path, expected_kind: str, start: list[_Item]) -> list[_Item]:
    kustomization = _load_kustomization(directory, expected_kind)
    items = list(start)
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            items.extend(_build(path, expected_kind="Kustomization", start=[]))
        else:
            _check_inside(directory, path)
            items.extend(_Item(obj) for obj in load_yaml_documents(path))
    for entry in kustomization.get("components", []):
        items = _build((directory / entry).resolve(), expected_kind="Component", start=items)
    for generator in kustomization.get("configMapGenerator", []):
        _generate(directory, items, generator, kind="ConfigMap")
    for generator in kustomization.get("secretGenerator", []):
        _generate(directory, items, generator, kind="Secret")
    for entry in kustomization.get("patches", []):
        _patch(directory, items, entry)
    if "namespace" in kustomization:
        for item in items:
            if item.obj["kind"] not in CLUSTER_SCOPED_KINDS:
                item.obj.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    for entry in kustomization.get("labels", []):
        _label(items, entry)
    for entry in kustomization.get("images", []):
        _set_image(items, entry)
    _check_unique(directory, items)
    return items


def _load_kustomization(directory: Path, expected_kind: str) -> Obj:
    path = directory / KUSTOMIZATION_FILE
    if not path.is_file():
        raise KustomizeError(f"{directory}: no {KUSTOMIZATION_FILE}")
    documents = load_yaml_documents(path)
    if len(documents) != 1:
        raise KustomizeError(f"{path}: expected one document")
    kustomization = documents[0]
    kind = kustomization.get("kind", "Kustomization")
    if kind != expected_kind:
        raise KustomizeError(f"{path}: kind {kind} where a {expected_kind} was expected")
    unsupported = set(kustomization) - KUSTOMIZATION_FIELDS
    if unsupported:
        raise KustomizeError(f"{path}: fields not implemented by tests/deploy/render.py: {sorted(unsupported)}")
    return kustomization


def _check_inside(directory: Path, path: Path) -> None:
    # kustomize's default load restriction: files come from the kustomization's own tree.
    if not path.is_relative_to(directory):
        raise KustomizeError(f"{path} is outside the kustomization root {directory}")
    if not path.is_file():
        raise KustomizeError(f"{path}: no such file")


def _check_env_name(key: str, where: str) -> None:
    if not ENV_NAME.fullmatch(key):
        raise KustomizeError(f"{where}: {key!r} is not a valid environment variable name")


def _generate(directory: Path, items: list[_Item], generator: Obj, kind: str) -> None:
    unsupported = set(generator) - GENERATOR_FIELDS
    if unsupported:
        raise KustomizeError(f"{directory}: generator fields not implemented: {sorted(unsupported)}")
    if "type" in generator and kind != "Secret":
        raise KustomizeError(f"{directory}: only a secretGenerator has a type")
    name = generator["name"]
    data: dict[str, str] = {}
    for entry in generator.get("envs", []):
        path = (directory / entry).resolve()
        _check_inside(directory, path)
        data.update(parse_env_file(path.read_text(encoding="utf-8"), str(path)))
    for literal in generator.get("literals", []):
        key, sep, value = str(literal).partition("=")
        if not sep or value[:1] in ("'", '"'):
            raise KustomizeError(f"{directory}: literal {literal!r}: use KEY=VALUE without quotes")
        _check_env_name(key, str(directory))
        data[key] = value
    behavior = generator.get("behavior", "create")
    existing = [
        item for item in items if item.generated and item.obj["kind"] == kind and item.obj["metadata"]["name"] == name
    ]
    if behavior == "create":
        if existing:
            raise KustomizeError(f"{directory}: {kind} {name} already generated: use behavior merge or replace")
        obj: Obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}
        if kind == "Secret":
            obj["type"] = generator.get("type", "Opaque")
        items.append(_Item(obj, generated=True))
        existing = [items[-1]]
    elif behavior in ("merge", "replace"):
        if len(existing) != 1:
            raise KustomizeError(f"{directory}: {behavior} needs exactly one generated {kind} {name} from a base")
        if "type" in generator and generator["type"] != existing[0].obj.get("type"):
            raise KustomizeError(f"{directory}: {kind} {name}: the type cannot change")
    else:
        raise KustomizeError(f"{directory}: unknown generator behavior {behavior!r}")
    target = existing[0].obj
    if kind == "Secret":
        data = {k: base64.b64encode(v.encode("utf-8")).decode("ascii") for k, v in data.items()}
    previous = target.get("data", {}) if behavior == "merge" else {}
    target["data"] = dict(sorted({**previous, **data}.items()))


def _patch(directory: Path, items: list[_Item], entry: Obj) -> None:
    if set(entry) != {"path"}:
        raise KustomizeError(f"{directory}: only `patches: - path: FILE` is implemented, got {sorted(entry)}")
    path = (directory / entry["path"]).resolve()
    _check_inside(directory, path)
    for patch in load_yaml_documents(path):
        group = patch.get("apiVersion", "").rpartition("/")[0]
        matches = [
            item
            for item in items
            if item.obj["kind"] == patch.get("kind")
            and item.obj["metadata"]["name"] == patch.get("metadata", {}).get("name")
            and item.obj["apiVersion"].rpartition("/")[0] == group
        ]
        if len(matches) != 1:
            raise KustomizeError(f"{path}: the patch matches {len(matches)} objects, not one")
        patch_body = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind")}
        patch_body["metadata"] = {k: v for k, v in patch_body.get("metadata", {}).items() if k != "name"}
        if not patch_body["metadata"]:
            del patch_body["metadata"]
        matches[0].obj = strategic_merge(matches[0].obj, patch_body)


def _label(items: list[_Item], entry: Obj) -> None:
    unsupported = set(entry) - {"pairs", "includeSelectors", "includeTemplates"}
    if unsupported or entry.get("includeSelectors") or entry.get("includeTemplates"):
        raise KustomizeError(f"labels: only `pairs` on metadata are implemented, got {entry!r}")
    for item in items:
        item.obj.setdefault("metadata", {}).setdefault("labels", {}).update(entry["pairs"])


def _set_image(items: list[_Item], entry: Obj) -> None:
    unsupported = set(entry) - {"name", "newName", "newTag"}
    if unsupported:
        raise KustomizeError(f"images: {sorted(unsupported)} not implemented")
    for container in _containers(items):
        name, tag = split_image(container["image"])
        if name != entry["name"]:
            continue
        name = entry.get("newName", name)
        tag = str(entry["newTag"]) if "newTag" in entry else tag
        container["image"] = f"{name}:{tag}" if tag else name


def split_image(image: str) -> tuple[str, str]:
    """("registry:5000/team/app", "1.2") from "registry:5000/team/app:1.2"; digests are unsupported."""
    if "@" in image:
        raise KustomizeError(f"image digests are not implemented: {image}")
    name, sep, tag = image.rpartition(":")
    if not sep or "/" in tag:
        return image, ""
    return name, tag


def _pod_specs(items: list[_Item]) -> Iterator[Obj]:
    for item in items:
        if item.obj["kind"] in WORKLOAD_KINDS:
            yield item.obj["spec"]["template"]["spec"]


def _containers(items: list[_Item]) -> Iterator[Obj]:
    for spec in _pod_specs(items):
        yield from spec.get("initContainers", [])
        yield from spec.get("containers", [])


def _check_unique(directory: Path, items: list[_Item]) -> None:
    seen: set[tuple[str, str, str]] = set()
    for item in items:
        if item.obj["kind"] not in SUPPORTED_KINDS:
            raise KustomizeError(f"{directory}: kind {item.obj['kind']} is not implemented by tests/deploy/render.py")
        if item.key in seen:
            raise KustomizeError(f"{directory}: {item.key} is defined twice")
        seen.add(item.key)


def _finish(items: list[_Item]) -> list[Obj]:
    """Append the hash suffix to generated names and rewrite the pod templates' references to them."""
    renamed: dict[tuple[str, str, str], str] = {}
    for item in items:
        if item.generated:
            kind, namespace, name = item.key
            item.obj["metadata"]["name"] = new = f"{name}-{kustomize_hash(item.obj)}"
            renamed[(kind, namespace, name)] = new
    for item in items:
        if item.obj["kind"] not in WORKLOAD_KINDS:
            continue
        namespace = item.obj.get("metadata", {}).get("namespace", "")
        spec = item.obj["spec"]["template"]["spec"]
        for ref, kind, field in _references(spec):
            ref[field] = renamed.get((kind, namespace, ref[field]), ref[field])
    return [item.obj for item in items]


def _references(spec: Obj) -> Iterator[tuple[Obj, str, str]]:
    """(the object holding a name, the kind it names, the field) for every ConfigMap/Secret reference."""
    for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                yield source["configMapRef"], "ConfigMap", "name"
            if "secretRef" in source:
                yield source["secretRef"], "Secret", "name"
        for variable in container.get("env", []):
            value_from = variable.get("valueFrom", {})
            if "configMapKeyRef" in value_from:
                yield value_from["configMapKeyRef"], "ConfigMap", "name"
            if "secretKeyRef" in value_from:
                yield value_from["secretKeyRef"], "Secret", "name"
    for volume in spec.get("volumes", []):
        if "configMap" in volume:
            yield volume["configMap"], "ConfigMap", "name"
        if "secret" in volume:
            yield volume["secret"], "Secret", "secretName"
        if "projected" in volume:
            raise KustomizeError("projected volumes are not implemented")
    for pull_secret in spec.get("imagePullSecrets", []):
        yield pull_secret, "Secret", "name"
