"""``bff documents build DIR``: a trusted-document manifest from a client app's ``.graphql`` files.

Every ``.graphql`` file under DIR is parsed; fragments may live in any of the files. Each named
operation becomes one manifest entry whose body is the operation followed by the fragments it
spreads (directly or through other fragments, sorted by name), printed by graphql-core (the
printing graphql-js and Apollo's manifest generator use), and whose id is the SHA-256 of that
body. Each body is validated against the storefront schema; problems are reported per file.

With ``add_typename``, ``__typename`` is added to every selection set but the operation's root, as
Apollo Client does to the documents it sends (its cache needs it), so the documents the BFF holds
answer what an Apollo Client cache expects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    NameNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Visitor,
    parse,
    print_ast,
    validate,
    visit,
)

from bff.limits.cost import UpstreamCosts, document_cost
from bff.persisted.hashes import document_hash
from bff.persisted.manifests import ManifestOperation, OperationKind

KINDS: Final[dict[OperationType, OperationKind]] = {
    OperationType.QUERY: "query",
    OperationType.MUTATION: "mutation",
    OperationType.SUBSCRIPTION: "subscription",
}


@dataclass(frozen=True, slots=True)
class BuiltOperation:
    operation: ManifestOperation
    cost: int
    path: Path


@dataclass
class DocumentsBuild:
    operations: list[BuiltOperation] = field(default_factory=list)
    problems: dict[Path, list[str]] = field(default_factory=dict)  # file → what is wrong with it

    def problem(self, path: Path, message: str) -> None:
        self.problems.setdefault(path, []).append(message)


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


class _AddTypename(Visitor):
    def enter_selection_set(self, node: SelectionSetNode, _key: object, parent: object, *_: object) -> object:
        if isinstance(parent, OperationDefinitionNode):
            return None
        fields = [s.name.value for s in node.selections if isinstance(s, FieldNode)]
        if any(name.startswith("__") for name in fields):  # has __typename already, or is introspection
            return None
        return SelectionSetNode(selections=(*node.selections, FieldNode(name=NameNode(value="__typename"))))


def _with_typename(node: Node) -> Node:
    result: Node = visit(node, _AddTypename())
    return result


def _spreads(node: OperationDefinitionNode | FragmentDefinitionNode) -> set[str]:
    visitor = _Spreads()
    visit(node, visitor)
    return visitor.names


def _needed_fragments(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[list[FragmentDefinitionNode], list[str]]:
    """The fragments ``operation`` spreads, transitively, sorted by name; and the unknown names."""
    needed: dict[str, FragmentDefinitionNode] = {}
    missing: set[str] = set()
    pending = list(_spreads(operation))
    while pending:
        name = pending.pop()
        if name in needed or name in missing:
            continue
        fragment = fragments.get(name)
        if fragment is None:
            missing.add(name)
            continue
        needed[name] = fragment
        pending.extend(_spreads(fragment))
    return [needed[n] for n in sorted(needed)], sorted(missing)


def _message(error: GraphQLError) -> str:
    where = ", ".join(f"{loc.line}:{loc.column}" for loc in error.locations or ())
    return f"{where}: {error.message}" if where else error.message


def _parsed(paths: Iterable[Path], build: DocumentsBuild) -> dict[Path, DocumentNode]:
    documents: dict[Path, DocumentNode] = {}
    for path in paths:
        try:
            documents[path] = parse(path.read_text(encoding="utf-8"))
        except GraphQLError as exc:
            build.problem(path, f"syntax error at {_message(exc)}")
        except (OSError, UnicodeDecodeError) as exc:
            build.problem(path, f"cannot be read ({exc})")
    return documents


def build_documents(
    directory: Path, schema: GraphQLSchema, upstream: UpstreamCosts, *, add_typename: bool = False
) -> DocumentsBuild:
    """The manifest entries of every operation under ``directory``, or the problems per file."""
    build = DocumentsBuild()
    documents = _parsed(sorted(directory.rglob("*.graphql")), build)
    fragments: dict[str, FragmentDefinitionNode] = {}
    fragment_files: dict[str, Path] = {}
    operations: list[tuple[Path, OperationDefinitionNode]] = []
    for path, document in documents.items():
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                name = definition.name.value
                if name in fragments:
                    build.problem(path, f"fragment {name} is also defined in {fragment_files[name]}")
                fragments.setdefault(name, definition)
                fragment_files.setdefault(name, path)
            elif isinstance(definition, OperationDefinitionNode):
                operations.append((path, definition))
            else:
                build.problem(path, f"only operations and fragments belong in documents, not {definition.kind}")
    seen: dict[str, Path] = {}
    for path, operation in operations:
        if operation.name is None:
            build.problem(path, "every operation needs a name (the manifest lists operations by name)")
            continue
        name = operation.name.value
        if name in seen:
            build.problem(path, f"operation {name} is also defined in {seen[name]}")
            continue
        seen[name] = path
        needed, missing = _needed_fragments(operation, fragments)
        if missing:
            build.problem(path, f"operation {name} spreads unknown fragments: {', '.join(missing)}")
            continue
        nodes: list[Node] = [operation, *needed]
        body = "\n\n".join(print_ast(_with_typename(n) if add_typename else n) for n in nodes)
        errors = validate(schema, parse(body))
        if errors:
            build.problems.setdefault(path, []).extend(f"operation {name}: {e.message}" for e in errors)
            continue
        entry = ManifestOperation(document_hash(body), name, KINDS[operation.operation], body)
        build.operations.append(BuiltOperation(entry, document_cost(schema, body, upstream), path))
    return build
