"""The committed storefront SDL (schema/schema.graphql) is exactly what the code serves."""

from __future__ import annotations

from graphql import build_schema

from bff.graphql.export import SCHEMA_FILE, current_sdl


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.exists(), "run: .venv/bin/python -m bff.graphql.export"
    assert SCHEMA_FILE.read_text() == current_sdl(), (
        "schema/schema.graphql is out of date: run .venv/bin/python -m bff.graphql.export and commit it"
    )


QUERIES = ["storeConfig", "products", "product", "categoryTree", "category", "countries", "cart", "checkout", "viewer"]
MUTATIONS = [
    "addToCart",
    "updateCartItems",
    "removeCartItem",
    "applyCoupon",
    "removeCoupon",
    "setGuestEmail",
    "setShippingAddress",
    "setBillingAddress",
    "setShippingMethod",
    "setPaymentMethod",
    "placeOrder",
    "checkout",
    "signUp",
    "signIn",
    "signOut",
]


def test_every_contract_operation_is_in_the_schema() -> None:
    schema = build_schema(current_sdl())
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    assert [name for name in QUERIES if name not in schema.query_type.fields] == []
    assert [name for name in MUTATIONS if name not in schema.mutation_type.fields] == []
