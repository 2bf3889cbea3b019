"""Which documents the response cache may store: a property over generated storefront documents.

Documents are generated over the storefront schema (schema/schema.graphql): query, shorthand and
mutation operations whose root selections are fields (public and private, aliased, under
``@include``/``@skip``), ``__typename``, inline fragments and named fragments (nested). The
generator records every root field it put in; the property: a document is classified cacheable
exactly when it is a query whose root fields are all public, and never when it selects a private one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graphql import GraphQLInterfaceType, GraphQLObjectType, build_schema, get_named_type
from hypothesis import given, settings
from hypothesis import strategies as st

from bff.cache.documents import PUBLIC_ROOT_FIELDS, classify
from bff.document_cache import Document

SCHEMA = build_schema((Path(__file__).parents[2] / "schema" / "schema.graphql").read_text())
assert SCHEMA.query_type is not None
assert SCHEMA.mutation_type is not None
QUERY_FIELDS = sorted(SCHEMA.query_type.fields)
MUTATION_FIELDS = sorted(SCHEMA.mutation_type.fields)
PRIVATE_ROOTS = frozenset(QUERY_FIELDS) - PUBLIC_ROOT_FIELDS


@dataclass
class Built:
    fragments: list[str] = field(default_factory=list)
    roots: set[str] = field(default_factory=set)


@st.composite
def selections(draw: st.DrawFn, built: Built, type_name: str, pool: list[str], depth: int) -> str:
    items = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["field", "field", "typename", "inline", "spread"] if depth < 2 else ["field"]))
        if kind == "typename":
            built.roots.add("__typename")
            items.append(draw(st.sampled_from(["__typename", "t: __typename"])))
        elif kind == "field":
            name = draw(st.sampled_from(pool))
            built.roots.add(name)
            alias = draw(st.sampled_from(["", "a: ", "other_name: "]))
            directive = draw(st.sampled_from(["", " @include(if: false)", " @skip(if: true)", " @include(if: $on)"]))
            items.append(f"{alias}{name}{directive} {{ __typename }}")
        elif kind == "inline":
            inner = draw(selections(built, type_name, pool, depth + 1))
            condition = draw(st.sampled_from([f" on {type_name}", ""]))
            items.append(f"...{condition} {{ {inner} }}")
        else:
            inner = draw(selections(built, type_name, pool, depth + 1))
            name = f"F{len(built.fragments)}"
            built.fragments.append(f"fragment {name} on {type_name} {{ {inner} }}")
            items.append(f"...{name}")
    return " ".join(items)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bool]:
    """(document text, whether it may be cached by what the generator put in)."""
    operation = draw(st.sampled_from(["query", "shorthand", "mutation"]))
    built = Built()
    if operation == "mutation":
        body = draw(selections(built, "Mutation", MUTATION_FIELDS, 0))
        text = f"mutation M($on: Boolean = true) {{ {body} }}"
    else:
        body = draw(selections(built, "Query", [*QUERY_FIELDS, "__typename"], 0))
        text = f"query Q($on: Boolean = true) {{ {body} }}" if operation == "query" else f"{{ {body} }}"
    may_cache = operation != "mutation" and built.roots <= PUBLIC_ROOT_FIELDS
    return " ".join([text, *built.fragments]), may_cache


@settings(max_examples=400, deadline=None)
@given(documents())
def test_a_document_is_cacheable_exactly_when_it_selects_only_public_root_fields(case: tuple[str, bool]) -> None:
    text, may_cache = case
    classified = classify(Document(text), None)
    assert classified is not None
    assert classified.cacheable is may_cache


@settings(max_examples=200, deadline=None)
@given(documents())
def test_a_document_selecting_a_private_field_is_never_cacheable(case: tuple[str, bool]) -> None:
    text, _ = case
    classified = classify(Document(text), None)
    assert classified is not None
    if classified.root_fields & PRIVATE_ROOTS or text.startswith("mutation"):
        assert not classified.cacheable


def _reachable(type_names: list[str]) -> set[str]:
    seen: set[str] = set()
    pending = list(type_names)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        named = SCHEMA.get_type(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            pending += [get_named_type(f.type).name for f in named.fields.values()]
    return seen


def test_no_private_type_is_reachable_from_a_public_root_field() -> None:
    assert SCHEMA.query_type is not None
    fields = SCHEMA.query_type.fields
    public = _reachable([get_named_type(fields[f].type).name for f in PUBLIC_ROOT_FIELDS if f in fields])
    private = {get_named_type(fields[f].type).name for f in PRIVATE_ROOTS}
    assert private == {"Cart", "CheckoutState", "Viewer", "Node"}
    assert public & private == set()
