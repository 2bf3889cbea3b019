"""Choosing the response media type from an Accept header, and telling request errors from field errors."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from bff.graphql.http_negotiation import GRAPHQL_RESPONSE_JSON, JSON, is_request_error, negotiate

NEGOTIATED = {
    "no header": (None, JSON),
    "an empty header": ("", JSON),
    "any type": ("*/*", JSON),
    "any application type": ("application/*", JSON),
    "only the new media type": (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
    "only json": (JSON, JSON),
    "Apollo Client 4's header": ("application/graphql-response+json,application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
    "a higher weight for json": ("application/graphql-response+json;q=0.5, application/json", JSON),
    "equal weights: the first named": ("application/json, application/graphql-response+json", JSON),
    "equal weights, the new type first": ("application/graphql-response+json, application/json", GRAPHQL_RESPONSE_JSON),
    "an exact range over a wildcard": ("*/*, application/graphql-response+json", GRAPHQL_RESPONSE_JSON),
    "a browser's navigation": ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
    "the new type refused, anything else welcome": ("application/graphql-response+json;q=0, */*", JSON),
    "media types in upper case": ("Application/GraphQL-Response+JSON", GRAPHQL_RESPONSE_JSON),
    "a charset parameter": ("application/json; charset=utf-8", JSON),
    "a malformed weight": ("application/graphql-response+json;q=high", GRAPHQL_RESPONSE_JSON),
    "nothing readable": ("garbage", JSON),
    "only html": ("text/html", None),
    "json refused and nothing else": ("application/json;q=0", None),
    "everything refused": ("*/*;q=0", None),
}


@pytest.mark.parametrize(("accept", "media_type"), NEGOTIATED.values(), ids=NEGOTIATED.keys())
def test_the_accept_header_chooses_the_response_media_type(accept: str | None, media_type: str | None) -> None:
    assert negotiate(accept) == media_type


def test_errors_without_a_path_and_no_data_are_a_request_error() -> None:
    assert is_request_error(None, [GraphQLError("Syntax Error: Expected Name, found <EOF>.")]) is True


def test_a_field_error_is_not_a_request_error_even_when_data_is_null() -> None:
    assert is_request_error(None, [GraphQLError("boom", path=["products"])]) is False


def test_a_result_with_data_is_not_a_request_error() -> None:
    assert is_request_error({"storeConfig": None}, [GraphQLError("boom", path=["storeConfig"])]) is False


def test_a_result_without_errors_is_not_a_request_error() -> None:
    assert is_request_error({"storeConfig": {"storeCode": "default"}}, None) is False
