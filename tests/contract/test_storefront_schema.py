"""The committed storefront SDL (schema/schema.graphql) is exactly what the code serves."""

from __future__ import annotations

from bff.graphql.export import SCHEMA_FILE, current_sdl


def test_committed_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.exists(), "run: .venv/bin/python -m bff.graphql.export"
    assert SCHEMA_FILE.read_text() == current_sdl(), (
        "schema/schema.graphql is out of date: run .venv/bin/python -m bff.graphql.export and commit it"
    )


def test_every_contract_operation_is_in_the_schema() -> None:
    sdl = current_sdl()
    for name in (
        "storeConfig",
        "products(",
        "product(",
        "categoryTree(",
        "category(",
        "countries",
        "cart:",
        "checkout:",
        "viewer:",
        "addToCart(",
        "updateCartItems(",
        "removeCartItem(",
        "applyCoupon(",
        "removeCoupon",
        "setGuestEmail(",
        "setShippingAddress(",
        "setBillingAddress(",
        "setShippingMethod(",
        "setPaymentMethod(",
        "placeOrder(",
        "checkout(",
        "signUp(",
        "signIn(",
        "signOut",
    ):
        assert f"  {name}" in sdl, f"{name} is missing from the storefront schema"
