"""Trusted-document manifests: the documents each client app version may run, by id.

Two formats are read (one JSON file per client app version, ``BFF_PERSISTED_QUERIES__MANIFESTS``):

* Apollo's persisted query manifest (``@apollo/generate-persisted-query-manifest``, ``bff
  documents build``)::

      {"format": "apollo-persisted-query-manifest", "version": 1,
       "operations": [{"id": "<sha256 of body>", "name": "Product", "type": "query", "body": "query Product …"}]}

* Relay's persisted-query map (``relay-compiler`` ``persistConfig.file``): ``{"<id>": "<document text>"}``.

An id shaped like a SHA-256 (64 hex digits) must be the SHA-256 of its body; other ids (Relay's
MD5 ids, names) are taken as given. The same id in two files must name the same body. Any problem
raises ``ManifestError`` naming the file, so a bad manifest stops the BFF at start-up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from bff.persisted.hashes import document_hash
from bff.settings import PersistedQuerySettings

APOLLO_FORMAT: Final = "apollo-persisted-query-manifest"
_HEX64: Final = re.compile(r"[0-9a-fA-F]{64}")

OperationKind = Literal["query", "mutation", "subscription"]


class ManifestError(ValueError):
    """A manifest that cannot be used; the message names the file."""


@dataclass(frozen=True, slots=True)
class ManifestOperation:
    """One entry of an Apollo manifest."""

    id: str
    name: str
    type: OperationKind
    body: str


@dataclass(frozen=True)
class TrustedDocuments:
    """Every manifest document, by id; ``bodies`` for documents sent as text."""

    by_id: Mapping[str, str]
    bodies: frozenset[str]

    @classmethod
    def of(cls, by_id: Mapping[str, str]) -> TrustedDocuments:
        return cls(dict(by_id), frozenset(by_id.values()))

    def get(self, document_id: str) -> str | None:
        return self.by_id.get(document_id)

    def trusts(self, document: str) -> bool:
        """Whether ``document`` is, character for character, the body of a manifest entry."""
        return document in self.bodies

    def __len__(self) -> int:
        return len(self.by_id)


NO_DOCUMENTS: Final = TrustedDocuments.of({})


def _apollo_entries(manifest: Mapping[str, object]) -> Iterable[tuple[str, str]]:
    if manifest.get("format") != APOLLO_FORMAT:
        raise ValueError(f'"format" must be "{APOLLO_FORMAT}"')
    if manifest.get("version") != 1 or isinstance(manifest.get("version"), bool):
        raise ValueError('"version" must be 1')
    operations = manifest.get("operations")
    if not isinstance(operations, list):
        raise ValueError('"operations" must be a list')
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict):
            raise ValueError(f"operations[{index}] must be an object")
        document_id, body = operation.get("id"), operation.get("body")
        if not isinstance(document_id, str) or not document_id or not isinstance(body, str) or not body.strip():
            raise ValueError(f'operations[{index}] needs a non-empty string "id" and "body"')
        yield document_id, body


def _relay_entries(manifest: Mapping[str, object]) -> Iterable[tuple[str, str]]:
    for document_id, body in manifest.items():
        if not document_id or not isinstance(body, str) or not body.strip():
            raise ValueError(
                'neither an Apollo persisted query manifest (no "format") nor a Relay map of id → document text'
            )
        yield document_id, body


def parse_manifest(text: str, source: str) -> dict[str, str]:
    """The documents of one manifest (id → body); ``source`` names the file in errors."""
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ManifestError(f"trusted-document manifest {source}: not JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise ManifestError(f"trusted-document manifest {source}: must be a JSON object")
    documents: dict[str, str] = {}
    try:
        entries = _apollo_entries(manifest) if "format" in manifest else _relay_entries(manifest)
        for document_id, body in entries:
            if _HEX64.fullmatch(document_id) and document_id.lower() != document_hash(body):
                raise ValueError(f"id {document_id} is not the sha256 of its body")
            if documents.setdefault(document_id, body) != body:
                raise ValueError(f"id {document_id} names two different documents")
    except ValueError as exc:
        raise ManifestError(f"trusted-document manifest {source}: {exc}") from None
    return documents


def load_manifests(paths: Sequence[str | Path]) -> TrustedDocuments:
    """The documents of every manifest file; ``ManifestError`` names the first bad file."""
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ManifestError(f"trusted-document manifest {path}: cannot be read ({exc})") from None
        for document_id, body in parse_manifest(text, str(path)).items():
            if merged.setdefault(document_id, body) != body:
                problem = f"id {document_id} names another document in {origin[document_id]}"
                raise ManifestError(f"trusted-document manifest {path}: {problem}")
            origin.setdefault(document_id, str(path))
    return TrustedDocuments.of(merged)


def trusted_documents(settings: PersistedQuerySettings) -> TrustedDocuments:
    """The manifests the settings ask for: none when trusted documents are off."""
    if settings.trusted_documents == "off":
        return NO_DOCUMENTS
    if settings.trusted_documents == "enforce" and not settings.manifests:
        raise ManifestError(
            "BFF_PERSISTED_QUERIES__TRUSTED_DOCUMENTS=enforce needs at least one manifest"
            " in BFF_PERSISTED_QUERIES__MANIFESTS (otherwise no document could run)"
        )
    return load_manifests(settings.manifests)


def apollo_manifest(operations: Sequence[ManifestOperation]) -> dict[str, object]:
    """An Apollo persisted query manifest of ``operations``, as ``json.dumps`` writes it."""
    return {
        "format": APOLLO_FORMAT,
        "version": 1,
        "operations": [{"id": op.id, "name": op.name, "type": op.type, "body": op.body} for op in operations],
    }
