"""The redaction processor: sensitive keys at any depth, and secrets or contact data in free text."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import structlog

from bff.observability.redaction import REDACTED, redact, redact_value, scrub_text, sensitive_key
from tests.observability.conftest import LogCapture

SESSION_TOKEN = "hZ3kq0Jx9Vb2_Lm-Tr7uY1wQe5Ns8Pd4Fg6Ah0Kc3Xo"  # secrets.token_urlsafe(32) shape
MASKED_CART_ID = "Yq8mP2vLx9TgK4nB7rW1cZ5hJ3dF6sAe"
CUSTOMER_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ1aWQiOjF9.c2lnbmF0dXJlLWJ5dGVz"


def run(event: dict[str, Any]) -> dict[str, Any]:
    return dict(redact(None, "info", dict(event)))


@pytest.mark.parametrize(
    "key",
    [
        "password", "newPassword", "token", "customer_token", "x-session-token", "Authorization", "cookie",
        "set-cookie", "email", "guestEmail", "telephone", "phone", "street", "address", "shipping_address",
        "postcode", "city", "firstname", "lastName", "company", "cc_number", "cardNumber", "card", "cvv", "iban",
        "payment", "paymentMethod", "cart_id", "cartId", "masked_id", "api_key", "secret",
    ],
)  # fmt: skip
def test_keys_naming_personal_or_secret_data_are_sensitive(key: str) -> None:
    assert sensitive_key(key)


@pytest.mark.parametrize(
    "key",
    ["event", "operation", "outcome", "status", "duration_ms", "method", "path", "root_fields", "upstream",
     "success", "access", "accept", "capacity", "cardinality", "sku", "quantity", "attempt", "code"],
)  # fmt: skip
def test_ordinary_keys_are_not_sensitive(key: str) -> None:
    assert not sensitive_key(key)


def test_sensitive_values_are_replaced_at_any_depth() -> None:
    event = {
        "event": "checkout",
        "input": {"email": "a@b.co", "shippingAddress": {"street": ["1 Main St"]}, "items": [{"sku": "BAG-001"}]},
        "headers": [("Accept", "json"), {"Authorization": "Bearer abc"}],
        "password": {"nested": "anything"},
    }
    assert run(event) == {
        "event": "checkout",
        "input": {"email": REDACTED, "shippingAddress": REDACTED, "items": [{"sku": "BAG-001"}]},
        "headers": [["Accept", "json"], {"Authorization": REDACTED}],
        "password": REDACTED,
    }


def test_email_addresses_in_free_text_are_scrubbed() -> None:
    assert scrub_text("customer jane.doe+shop@example.co.uk exists") == "customer [email] exists"


def test_bearer_and_basic_credentials_are_scrubbed() -> None:
    assert scrub_text("sent Authorization: Bearer abc.def-123, basic dXNlcjpwYXNz") == (
        f"sent Authorization: Bearer {REDACTED}, basic {REDACTED}"
    )


@pytest.mark.parametrize("secret", [SESSION_TOKEN, MASKED_CART_ID, CUSTOMER_JWT, "a" * 8 + "0" * 16, "f" * 64])
def test_tokens_masked_cart_ids_and_hashes_are_scrubbed(secret: str) -> None:
    assert scrub_text(f'Cart with ID "{secret}" not found') == 'Cart with ID "[token]" not found'


@pytest.mark.parametrize("phone", ["5125550100", "+1 (512) 555-0100", "+49 30 1234567", "0301234567"])
def test_phone_numbers_are_scrubbed(phone: str) -> None:
    assert scrub_text(f"call {phone}.") == "call [phone]."


@pytest.mark.parametrize(
    "text",
    [
        "SetShippingAddressesOnCart failed: HTTP 503 after 2 attempts",
        "request failed: UPSTREAM_UNAVAILABLE ProductListing (timeout)",
        "Uvicorn running on http://127.0.0.1:8000 at 2024-05-01 10:11:12",
        "took 12.5 ms, order 10042, qty 3, ip 198.51.100.7",
        "File /work/main/.venv/lib/python3.11/site-packages/strawberry/schema/schema.py, line 812",
        "customer_cart_unreadable_after_sign_in",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert scrub_text(text) == text


def test_every_string_value_is_scrubbed_not_only_the_message() -> None:
    assert run({"event": "x", "detail": f"token {SESSION_TOKEN}", "codes": ["a@b.co"]}) == {
        "event": "x",
        "detail": "token [token]",
        "codes": ["[email]"],
    }


def test_objects_are_turned_into_scrubbed_text() -> None:
    class Session:
        def __str__(self) -> str:
            return f"Session(cart={MASKED_CART_ID})"

    assert redact_value({"session_state": Session()}) == {"session_state": "Session(cart=[token])"}


def test_values_we_generate_are_left_alone() -> None:
    request_id = "0f8e1b2c3d4e5f60718293a4b5c6d7e8"
    assert run({"event": "x", "request_id": request_id, "trace_id": "a" * 8 + "1" * 24}) == {
        "event": "x",
        "request_id": request_id,
        "trace_id": "a" * 8 + "1" * 24,
    }


def test_numbers_and_booleans_pass_unchanged() -> None:
    assert run({"event": "x", "status": 200, "duration_ms": 5125550100.0, "ok": True, "none": None}) == {
        "event": "x",
        "status": 200,
        "duration_ms": 5125550100.0,
        "ok": True,
        "none": None,
    }


def test_exception_tracebacks_are_scrubbed(logs: LogCapture) -> None:
    try:
        raise ValueError("no customer jane@example.com with token " + SESSION_TOKEN)
    except ValueError:
        logging.getLogger("bff.test").exception("lookup failed")
    text = logs.text
    assert "lookup failed" in text
    assert "ValueError: no customer [email] with token [token]" in text
    assert "jane@example.com" not in text
    assert SESSION_TOKEN not in text


def test_structlog_events_are_redacted(logs: LogCapture) -> None:
    structlog.get_logger("bff.test").info("signed in as %s", "jane@example.com", password="hunter2hunter2")
    assert [(line["event"], line["password"]) for line in logs.lines()] == [("signed in as [email]", REDACTED)]
