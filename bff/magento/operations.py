"""Upstream Magento operations: one ``.graphql`` file per operation, fragments shared by name.

Files live under ``bff/magento/operations/<domain>/<OperationName>.graphql``; the file stem is the
operation's name. Fragments live in ``operations/fragments/<FragmentName>.graphql`` and are
appended to every document that spreads them (transitively), so each document sent upstream is
self-contained. The contract tests validate every document against Magento's real schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

_SPREAD = re.compile(r"\.\.\.\s*([_A-Za-z][_0-9A-Za-z]*)")
_PACKAGE = "bff.magento"


@dataclass(frozen=True)
class OperationDocument:
    name: str  # operationName, equal to the file stem
    domain: str  # catalog, cart, checkout, customer
    document: str  # the operation plus every fragment it spreads
    is_mutation: bool

    def __str__(self) -> str:
        return f"{self.domain}/{self.name}"


def _files(folder: Traversable) -> dict[str, str]:
    return {
        f.name.removesuffix(".graphql"): f.read_text(encoding="utf-8")
        for f in folder.iterdir()
        if f.name.endswith(".graphql")
    }


@cache
def _fragments() -> dict[str, str]:
    return _files(resources.files(_PACKAGE).joinpath("operations", "fragments"))


def _with_fragments(text: str) -> str:
    fragments = _fragments()
    needed: list[str] = []
    pending = [m for m in _SPREAD.findall(text) if m in fragments]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.append(name)
        pending += [m for m in _SPREAD.findall(fragments[name]) if m in fragments]
    return "\n".join([text.strip(), *(fragments[n].strip() for n in sorted(needed))]) + "\n"


@cache
def all_operations() -> dict[str, OperationDocument]:
    """Every upstream operation by name."""
    root = resources.files(_PACKAGE).joinpath("operations")
    found: dict[str, OperationDocument] = {}
    for domain in sorted(d.name for d in root.iterdir() if d.is_dir() and d.name != "fragments"):
        for name, text in sorted(_files(root.joinpath(domain)).items()):
            if name in found:
                raise ValueError(f"operation {name} is defined twice")
            if not re.search(rf"\b(query|mutation)\s+{re.escape(name)}\b", text):
                raise ValueError(f"operations/{domain}/{name}.graphql must define operation {name}")
            is_mutation = bool(re.search(rf"\bmutation\s+{re.escape(name)}\b", text))
            found[name] = OperationDocument(name, domain, _with_fragments(text), is_mutation)
    return found


def operation(name: str) -> OperationDocument:
    return all_operations()[name]
