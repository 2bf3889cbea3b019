"""The CDN rule's parts: which root fields a document selects, and where its locale comes from."""

from __future__ import annotations

import pytest

from bff.app import public_catalog_max_age_s
from bff.document_cache import Document
from bff.graphql.persisted import PUBLIC_ROOT_FIELDS, locale_from_request, root_fields
from bff.graphql.schema import build_schema
from bff.request_state import RequestMeta
from bff.sessions.models import Session


def test_root_fields_are_read_through_fragments_and_inline_fragments() -> None:
    document = """query Home { storeConfig { storeCode } ...Menu ... on Query { countries { code } } }
    fragment Menu on Query { categoryTree { name } ...Deals }
    fragment Deals on Query { products(search: "sale") { totalCount } }"""
    assert root_fields(Document(document), None) == frozenset({"storeConfig", "categoryTree", "products", "countries"})


def test_root_fields_count_fields_whatever_their_directives() -> None:
    document = "query Q($c: Boolean!) { countries { code } cart @include(if: $c) { id } }"
    assert root_fields(Document(document), "Q") == frozenset({"countries", "cart"})


def test_root_fields_are_those_of_the_named_operation() -> None:
    document = "query A { countries { code } } query B { viewer { signedIn } }"
    parsed = Document(document)
    assert (root_fields(parsed, "A"), root_fields(parsed, "B")) == (frozenset({"countries"}), frozenset({"viewer"}))


@pytest.mark.parametrize(
    ("document", "operation_name"),
    [
        ('mutation { signIn(email: "a@b.c", password: "x") { viewer { signedIn } } }', None),
        ("query A { countries { code } } query B { countries { code } }", None),
        ("query A { countries { code } }", "C"),
        ("query A { countries { code ", None),
    ],
    ids=["mutation", "two operations, no name", "unknown name", "syntax error"],
)
def test_root_fields_are_unknown_for_anything_but_one_query(document: str, operation_name: str | None) -> None:
    assert root_fields(Document(document), operation_name) is None


def test_the_public_root_fields_are_the_catalog_queries_of_the_schema() -> None:
    query_type = build_schema()._schema.query_type
    assert query_type is not None
    public = PUBLIC_ROOT_FIELDS - {"__typename"}
    assert public == {"storeConfig", "products", "product", "categoryTree", "category", "route", "countries"}
    assert public <= set(query_type.fields)


def test_public_answers_are_kept_for_the_shortest_catalog_cache_ttl() -> None:
    assert public_catalog_max_age_s() == 300


@pytest.mark.parametrize(
    ("remembered", "headers", "from_request"),
    [
        (None, RequestMeta(), True),
        (Session(id="s"), RequestMeta(), True),
        (Session(id="s", store="de", currency="EUR"), RequestMeta(store="de", currency="EUR"), True),
        (Session(id="s", store="de"), RequestMeta(currency="EUR"), False),
        (Session(id="s", currency="EUR"), RequestMeta(store="default"), False),
    ],
    ids=["no session", "session without a locale", "both headers", "store from session", "currency from session"],
)
def test_the_locale_comes_from_the_request_unless_the_session_supplies_part_of_it(
    remembered: Session | None, headers: RequestMeta, from_request: bool
) -> None:
    assert locale_from_request(remembered, headers) is from_request
