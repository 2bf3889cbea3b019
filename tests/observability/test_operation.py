"""What a GraphQL request asked for (operation name, type, root fields) and its bounded metric label."""

from __future__ import annotations

import pytest

from bff.document_cache import Document
from bff.observability.operation import UNKNOWN, OperationInfo, describe, metric_label


def test_a_named_operation_is_described_by_its_name_type_and_root_fields() -> None:
    document = 'mutation Add { a: addToCart(items: []) { cart { id } } applyCoupon(code: "X") { cart { id } } }'
    info = describe(Document(document), None)
    assert info == OperationInfo("Add", "mutation", ("addToCart", "applyCoupon"))


def test_the_operation_name_picks_one_of_several_operations() -> None:
    document = "query A { cart { id } } query B { viewer { signedIn } }"
    assert describe(Document(document), "B") == OperationInfo("B", "query", ("viewer",))


@pytest.mark.parametrize(
    ("document", "operation_name"),
    [
        ("query A { cart { id } } query B { viewer { signedIn } }", None),  # ambiguous
        ("query A { cart { id } }", "Other"),  # no such operation
        ("{ this is not graphql", None),
        ("", None),
    ],
)
def test_what_cannot_be_described_is_unknown(document: str, operation_name: str | None) -> None:
    assert describe(Document(document), operation_name) == UNKNOWN


def test_a_request_without_a_document_is_unknown() -> None:
    assert describe(None, None) == UNKNOWN


def test_root_fields_inside_fragments_are_found() -> None:
    document = "query Q { ...Top ... on Query { viewer { signedIn } } } fragment Top on Query { cart { id } }"
    assert describe(Document(document), None).root_fields == ("cart", "viewer")


def test_huge_documents_are_not_parsed_past_the_token_limit() -> None:
    document = "{ " + " ".join(f"f{i}: cart {{ id }}" for i in range(5000)) + " }"
    assert describe(Document(document), None) == UNKNOWN


@pytest.mark.parametrize(
    ("info", "label"),
    [
        (OperationInfo("ProductPage", "query", ("product", "cart")), "ProductPage"),
        (OperationInfo(None, "query", ("products",)), "products"),
        (OperationInfo(None, "query", ("products", "__typename")), "products"),
        (OperationInfo(None, "query", ("products", "cart")), "anonymous"),
        (UNKNOWN, "other"),
    ],
)
def test_the_metric_label_is_the_name_or_the_single_root_field(info: OperationInfo, label: str) -> None:
    assert metric_label(info) == label
