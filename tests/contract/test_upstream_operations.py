"""Every operation the BFF sends to Magento is valid Magento GraphQL within Magento's limits."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, parse, print_ast, validate

from bff.magento.encoded import encoded
from bff.magento.operations import OperationDocument, all_operations
from bff.sandbox.limits import MAX_ALIASES, MAX_COMPLEXITY, MAX_DEPTH, measure

OPERATIONS = list(all_operations().values())


def test_the_bff_ships_upstream_operations() -> None:
    assert {"StoreConfig", "CreateGuestCart", "PlaceOrder"} <= {op.name for op in OPERATIONS}


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_operation_validates_against_magento_schema(op: OperationDocument, magento_schema: GraphQLSchema) -> None:
    assert [e.message for e in validate(magento_schema, parse(op.document))] == []


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_operation_stays_within_magento_query_limits(op: OperationDocument) -> None:
    m = measure(parse(op.document), op.name)
    assert m.depth <= MAX_DEPTH
    assert m.field_count <= MAX_COMPLEXITY
    assert m.alias_count <= MAX_ALIASES


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_operation_is_served_by_the_sandbox(op: OperationDocument, sandbox: GraphQLSchema) -> None:
    assert [e.message for e in validate(sandbox, parse(op.document))] == []


@pytest.mark.parametrize("op", OPERATIONS, ids=str)
def test_the_document_sent_is_the_operation_without_ignored_characters(op: OperationDocument) -> None:
    assert print_ast(parse(encoded(op.name).document)) == print_ast(parse(op.document))
