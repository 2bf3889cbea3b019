"""`bff documents build DIR`: validated documents in, an Apollo-format manifest out."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bff.cli import main
from bff.graphql.schema import build_schema
from bff.limits.cost import document_cost
from bff.magento.operations import operation_costs
from bff.persisted.hashes import document_hash
from bff.persisted.manifests import load_manifests

PRODUCT = """query Product($sku: String!) {
  product(sku: $sku) { ...Card }
}"""
CARD = "fragment Card on Product { sku name price { final { value currency } } }"
ADD = 'mutation Add { addToCart(items: [{sku: "BAG-001", quantity: 1}]) { cart { totalQuantity } } }'

PRODUCT_BODY = """query Product($sku: String!) {
  product(sku: $sku) {
    ...Card
  }
}

fragment Card on Product {
  sku
  name
  price {
    final {
      value
      currency
    }
  }
}"""
ADD_BODY = """mutation Add {
  addToCart(items: [{ sku: "BAG-001", quantity: 1 }]) {
    cart {
      totalQuantity
    }
  }
}"""


def cost(body: str) -> int:
    return document_cost(build_schema()._schema, body, operation_costs())


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    root = tmp_path / "documents"
    (root / "fragments").mkdir(parents=True)
    (root / "product.graphql").write_text(PRODUCT)
    (root / "fragments" / "card.graphql").write_text(CARD)
    (root / "cart.graphql").write_text(ADD)
    (root / "notes.txt").write_text("not a document")
    return root


def build(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the command: (exit status, stdout, stderr), with a ``SystemExit`` message on stderr and
    status 1, as the Python interpreter reports it."""
    status = 0
    try:
        main(["documents", "build", *args])
    except SystemExit as exit_:
        if isinstance(exit_.code, str):
            sys.stderr.write(exit_.code + "\n")
            status = 1
        else:
            status = exit_.code or 0
    out, err = capsys.readouterr()
    return status, out, err


def test_the_manifest_lists_each_operation_with_its_fragments_and_sha256(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = build(capsys, str(documents))
    assert (code, json.loads(out)) == (
        0,
        {
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                {"id": document_hash(ADD_BODY), "name": "Add", "type": "mutation", "body": ADD_BODY},
                {"id": document_hash(PRODUCT_BODY), "name": "Product", "type": "query", "body": PRODUCT_BODY},
            ],
        },
    )


def test_each_operation_is_reported_with_its_sha256_and_cost(
    documents: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, err = build(capsys, str(documents))
    assert err.splitlines() == [
        f"Add\tmutation\tsha256={document_hash(ADD_BODY)}\tcost={cost(ADD_BODY)}\t{documents / 'cart.graphql'}",
        f"Product\tquery\tsha256={document_hash(PRODUCT_BODY)}\tcost={cost(PRODUCT_BODY)}\t"
        f"{documents / 'product.graphql'}",
    ]


def test_out_writes_the_manifest_to_a_file_that_the_bff_loads(
    documents: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "web-2.4.0.json"
    code, out, _ = build(capsys, str(documents), "--out", str(manifest))
    assert (code, len(out.splitlines())) == (0, 2)  # the report, on stdout now
    expected = {document_hash(ADD_BODY): ADD_BODY, document_hash(PRODUCT_BODY): PRODUCT_BODY}
    assert load_manifests([manifest]).by_id == expected


def test_each_invalid_file_is_named_and_no_manifest_is_written(
    documents: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (documents / "broken.graphql").write_text("query Broken { product(sku: ")
    (documents / "stale.graphql").write_text("query Stale { cart { maskedCartId } }")
    manifest = tmp_path / "manifest.json"
    code, out, err = build(capsys, str(documents), "--out", str(manifest))
    assert (code, out, manifest.exists()) == (1, "", False)
    assert err.splitlines() == [
        f"{documents / 'broken.graphql'}: syntax error at 1:29: Syntax Error: Unexpected <EOF>.",
        f"{documents / 'stale.graphql'}: operation Stale: Cannot query field 'maskedCartId' on type 'Cart'.",
        "bff documents build: 2 invalid file(s), no manifest written",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{ countries { code } }", "every operation needs a name (the manifest lists operations by name)"),
        ("query Product { countries { code } }", "operation Product is also defined in {root}/product.graphql"),
        ('query Tile { product(sku: "A") { ...Tile } }', "operation Tile spreads unknown fragments: Tile"),
        ("fragment Card on Product { sku }", "fragment Card is also defined in {root}/fragments/card.graphql"),
    ],
    ids=["anonymous", "duplicate operation", "unknown fragment", "duplicate fragment"],
)
def test_documents_that_cannot_be_listed_are_invalid(
    documents: Path, capsys: pytest.CaptureFixture[str], text: str, problem: str
) -> None:
    (documents / "z.graphql").write_text(text)
    code, _, err = build(capsys, str(documents))
    assert (code, err.splitlines()[0]) == (1, f"{documents / 'z.graphql'}: {problem.format(root=documents)}")


def test_a_directory_without_documents_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = build(capsys, str(tmp_path))
    assert (code, err) == (1, f"bff documents build: no operations in the .graphql files under {tmp_path}\n")


def test_add_typename_adds_it_to_every_selection_set_but_the_root_as_apollo_client_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "product.graphql").write_text(PRODUCT)
    (tmp_path / "card.graphql").write_text("fragment Card on Product { sku __typename price { final { value } } }")
    _, out, _ = build(capsys, str(tmp_path), "--add-typename")
    assert json.loads(out)["operations"][0]["body"] == (
        "query Product($sku: String!) {\n  product(sku: $sku) {\n    ...Card\n    __typename\n  }\n}\n\n"
        "fragment Card on Product {\n  sku\n  __typename\n  price {\n    final {\n      value\n      __typename\n"
        "    }\n    __typename\n  }\n}"
    )
