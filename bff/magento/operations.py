"""Upstream Magento operations: one ``.graphql`` file per operation, its policy beside it.

Files live under ``bff/magento/operations/<domain>/<OperationName>.graphql``; the file stem is the
operation's name. Fragments live in ``operations/fragments/<FragmentName>.graphql`` and are
appended to every document that spreads them (transitively), so each document sent upstream is
self-contained. The contract tests validate every document against Magento's real schema.

Each domain folder has a ``policies.toml`` with one table per operation (``OperationPolicy``):
read or write, public or private, retried or not, its timeout, cache TTL and tags, and its cost
weight. Loading fails for an operation without a policy, a policy without an operation, or a
policy that contradicts its document (a retried or cached write, a cached private read).

``Operation[Variables, Result]`` is the typed handle services run (generated for every document
in ``bff.magento.results``): its variables are checked by mypy and its answer is a typed view.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Generic, Literal, TypedDict, TypeVar

_SPREAD = re.compile(r"\.\.\.\s*([_A-Za-z][_0-9A-Za-z]*)")
_PACKAGE = "bff.magento"


@dataclass(frozen=True, slots=True)
class OperationPolicy:
    """How the BFF treats one upstream operation (declared in the domain's ``policies.toml``)."""

    kind: Literal["read", "write"]  # a query or a mutation
    audience: Literal["public", "private"]  # public: the same answer for every shopper of a store view and currency
    retry: bool  # retried on transport errors (reads only: a write may have run)
    cost: int  # weight of one call in the query-cost analysis
    timeout_s: float | None = None  # None: BFF_MAGENTO__READ_TIMEOUT_S (callers may pass their own)
    cache_ttl_s: int = 0  # 0: not cached; only public reads may be cached
    cache_tags: tuple[str, ...] = ()  # Magento cache-tag prefixes an entry is invalidated by

    @property
    def public(self) -> bool:
        return self.audience == "public"

    def problems(self, is_mutation: bool) -> list[str]:
        found = []
        if (self.kind == "write") != is_mutation:
            found.append(f"kind {self.kind!r} but the document is a {'mutation' if is_mutation else 'query'}")
        if self.retry and self.kind == "write":
            found.append("a write is never retried")
        if self.cache_ttl_s and not (self.kind == "read" and self.public):
            found.append("only public reads may be cached")
        if self.cache_tags and not self.cache_ttl_s:
            found.append("cache_tags without cache_ttl_s")
        if self.cost < 0 or self.cache_ttl_s < 0 or (self.timeout_s is not None and self.timeout_s <= 0):
            found.append("cost, cache_ttl_s and timeout_s must be positive")
        return found


_POLICY_KEYS = frozenset(OperationPolicy.__dataclass_fields__)


def _policy(name: str, table: Mapping[str, Any]) -> OperationPolicy:
    unknown = set(table) - _POLICY_KEYS
    if unknown:
        raise ValueError(f"policy of {name}: unknown keys {sorted(unknown)}")
    values = dict(table)
    if "cache_tags" in values:
        values["cache_tags"] = tuple(values["cache_tags"])
    try:
        return OperationPolicy(**values)
    except TypeError as exc:
        raise ValueError(f"policy of {name}: {exc}") from exc


@dataclass(frozen=True)
class OperationDocument:
    name: str  # operationName, equal to the file stem
    domain: str  # catalog, cart, checkout, customer
    document: str  # the operation plus every fragment it spreads
    is_mutation: bool
    policy: OperationPolicy

    def __str__(self) -> str:
        return f"{self.domain}/{self.name}"


class NoVariables(TypedDict):
    """The variables of an operation that has none."""


V = TypeVar("V", bound=Mapping[str, object])
R = TypeVar("R", covariant=True)


@dataclass(frozen=True, slots=True)
class Request(Generic[R]):
    """One operation with its variables, ready to be sent (``Gateway.call``)."""

    operation: Operation[Any, R]
    variables: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Operation(Generic[V, R]):
    """A typed handle on one operation: ``OP(variables)`` is a ``Request`` whose answer is a view ``R``
    (mypy checks ``variables`` against the operation's ``Variables`` TypedDict)."""

    name: str
    result: Callable[[Mapping[str, Any]], R]

    def __call__(self, variables: V) -> Request[R]:
        return Request(self, variables)

    @property
    def document(self) -> OperationDocument:
        return operation(self.name)

    @property
    def policy(self) -> OperationPolicy:
        return operation(self.name).policy


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


def _is_mutation(name: str, text: str) -> bool:
    return bool(re.search(rf"\bmutation\s+{re.escape(name)}\b", text))


def checked_policies(
    domain: str, documents: Mapping[str, str], tables: Mapping[str, Any]
) -> dict[str, OperationPolicy]:
    """The policy of every document in ``documents`` (name → text), from the folder's
    ``policies.toml`` tables; raises ``ValueError`` naming each gap or contradiction."""
    undeclared = sorted(set(documents) - set(tables))
    orphans = sorted(set(tables) - set(documents))
    if undeclared or orphans:
        raise ValueError(
            f"operations/{domain}/policies.toml: no policy for {undeclared}; policies without a document: {orphans}"
        )
    policies: dict[str, OperationPolicy] = {}
    for name, text in documents.items():
        policy = _policy(name, tables[name])
        problems = policy.problems(_is_mutation(name, text))
        if problems:
            raise ValueError(f"operations/{domain}/policies.toml, {name}: {'; '.join(problems)}")
        policies[name] = policy
    return policies


@cache
def all_operations() -> dict[str, OperationDocument]:
    """Every upstream operation by name."""
    root = resources.files(_PACKAGE).joinpath("operations")
    found: dict[str, OperationDocument] = {}
    for domain in sorted(d.name for d in root.iterdir() if d.is_dir() and d.name != "fragments"):
        folder = root.joinpath(domain)
        documents = _files(folder)
        tables = tomllib.loads(folder.joinpath("policies.toml").read_text(encoding="utf-8"))
        policies = checked_policies(domain, documents, tables)
        for name, text in sorted(documents.items()):
            if name in found:
                raise ValueError(f"operation {name} is defined twice")
            if not re.search(rf"\b(query|mutation)\s+{re.escape(name)}\b", text):
                raise ValueError(f"operations/{domain}/{name}.graphql must define operation {name}")
            is_mutation = _is_mutation(name, text)
            found[name] = OperationDocument(name, domain, _with_fragments(text), is_mutation, policies[name])
    return found


def operation(name: str) -> OperationDocument:
    return all_operations()[name]


def operation_costs() -> dict[str, int]:
    """Every operation's declared cost (the query-cost analysis weighs upstream calls with it)."""
    return {name: op.policy.cost for name, op in all_operations().items()}
