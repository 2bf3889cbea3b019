"""Trusted-document manifests: Apollo's and Relay's formats, checked ids, errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bff.persisted.hashes import document_hash
from bff.persisted.manifests import ManifestError, TrustedDocuments, load_manifests, trusted_documents
from bff.settings import PersistedQuerySettings

PRODUCT = 'query Product { product(sku: "BAG-001") { sku name } }'
CART = "query Cart { cart { totalQuantity } }"


def apollo(*operations: dict[str, object]) -> dict[str, object]:
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": list(operations)}


def entry(body: str, document_id: str | None = None, name: str = "Product") -> dict[str, object]:
    return {"id": document_id or document_hash(body), "name": name, "type": "query", "body": body}


def write(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_an_apollo_manifest_lists_its_documents_by_id(tmp_path: Path) -> None:
    path = write(tmp_path, "web.json", apollo(entry(PRODUCT), entry(CART, name="Cart")))
    assert load_manifests([path]) == TrustedDocuments.of({document_hash(PRODUCT): PRODUCT, document_hash(CART): CART})


def test_a_relay_map_lists_its_documents_by_id(tmp_path: Path) -> None:
    path = write(tmp_path, "ios.json", {"3f2a9c": PRODUCT, document_hash(CART): CART})
    assert load_manifests([path]) == TrustedDocuments.of({"3f2a9c": PRODUCT, document_hash(CART): CART})


def test_manifests_of_several_app_versions_are_merged(tmp_path: Path) -> None:
    old = write(tmp_path, "web-1.json", apollo(entry(PRODUCT)))
    new = write(tmp_path, "web-2.json", apollo(entry(PRODUCT), entry(CART, name="Cart")))
    assert load_manifests([old, new]).by_id == {document_hash(PRODUCT): PRODUCT, document_hash(CART): CART}


def test_trusted_documents_are_trusted_by_their_exact_text_only(tmp_path: Path) -> None:
    trusted = load_manifests([write(tmp_path, "web.json", apollo(entry(PRODUCT)))])
    assert (trusted.trusts(PRODUCT), trusted.trusts(PRODUCT + " "), trusted.trusts(CART)) == (True, False, False)


WRONG_SHA256 = f"id {document_hash(CART)} is not the sha256 of its body"
NOT_A_MANIFEST = 'neither an Apollo persisted query manifest (no "format") nor a Relay map of id → document text'


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        pytest.param(
            "{not json",
            "not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
            id="not json",
        ),
        pytest.param([PRODUCT], "must be a JSON object", id="not an object"),
        pytest.param(
            {"format": "apollo-manifest", "version": 1, "operations": []},
            '"format" must be "apollo-persisted-query-manifest"',
            id="format",
        ),
        pytest.param({**apollo(), "version": 2}, '"version" must be 1', id="version"),
        pytest.param(
            {"format": "apollo-persisted-query-manifest", "version": 1},
            '"operations" must be a list',
            id="no operations",
        ),
        pytest.param(
            apollo({"id": "x", "name": "Product"}),
            'operations[0] needs a non-empty string "id" and "body"',
            id="no body",
        ),
        pytest.param(apollo(entry(PRODUCT, document_id=document_hash(CART))), WRONG_SHA256, id="wrong sha256"),
        pytest.param(
            apollo(entry(PRODUCT, "p1"), entry(CART, "p1")),
            "id p1 names two different documents",
            id="one id two bodies",
        ),
        pytest.param({"p1": {"text": PRODUCT}}, NOT_A_MANIFEST, id="relay value not text"),
        pytest.param({document_hash(CART): PRODUCT}, WRONG_SHA256, id="relay wrong sha256"),
    ],
)
def test_a_bad_manifest_is_refused_naming_the_file_and_the_problem(
    tmp_path: Path, content: object, problem: str
) -> None:
    path = write(tmp_path, "web-2.4.0.json", content)
    with pytest.raises(ManifestError) as refused:
        load_manifests([path])
    assert str(refused.value) == f"trusted-document manifest {path}: {problem}"


def test_a_missing_manifest_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=rf"^trusted-document manifest {tmp_path}/gone.json: cannot be read"):
        load_manifests([tmp_path / "gone.json"])


def test_one_id_with_different_documents_in_two_manifests_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "web.json", {"p1": PRODUCT})
    second = write(tmp_path, "ios.json", {"p1": CART})
    with pytest.raises(ManifestError) as refused:
        load_manifests([first, second])
    assert str(refused.value) == f"trusted-document manifest {second}: id p1 names another document in {first}"


def test_manifests_are_not_read_when_trusted_documents_are_off(tmp_path: Path) -> None:
    settings = PersistedQuerySettings(trusted_documents="off", manifests=[str(tmp_path / "gone.json")])
    assert trusted_documents(settings).by_id == {}


def test_enforce_without_a_manifest_is_refused() -> None:
    with pytest.raises(ManifestError) as refused:
        trusted_documents(PersistedQuerySettings(trusted_documents="enforce"))
    assert str(refused.value) == (
        "BFF_PERSISTED_QUERIES__TRUSTED_DOCUMENTS=enforce needs at least one manifest"
        " in BFF_PERSISTED_QUERIES__MANIFESTS (otherwise no document could run)"
    )
