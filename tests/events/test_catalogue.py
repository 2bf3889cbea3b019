"""The event catalogue: schema/events/<type>.json describes exactly what the code emits."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bff.events import catalogue
from bff.events.models import Event

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schema" / "events"


def schema_of(event_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / catalogue.schema_file(event_type)).read_text(encoding="utf-8"))
    return schema


def validator(event_type: str) -> Draft202012Validator:
    return Draft202012Validator(schema_of(event_type))


def problems(event: Event) -> list[str]:
    """What the schema of the event's type says against the body a receiver is sent."""
    return [error.message for error in validator(event.type).iter_errors(json.loads(event.body()))]


EMITTED = {
    "order.placed, guest": catalogue.order_placed(
        number="000000042",
        email="ada@example.com",
        total="129.90",
        currency="EUR",
        signed_in=False,
        idempotency_key="2f1c-key",
    ),
    "order.placed, number not known yet": catalogue.order_placed(
        number=None,
        email="ada@example.com",
        total="5",
        currency="USD",
        signed_in=True,
        idempotency_key="k",
    ),
    "order.placed, e-mail not in Magento's answer": catalogue.order_placed(
        number="000000043",
        email=None,
        total="5",
        currency="USD",
        signed_in=True,
        idempotency_key="k",
    ),
    "customer.registered": catalogue.customer_registered("ada@example.com"),
    "cart.merged": catalogue.cart_merged(3),
    "cart.merged, nothing to merge": catalogue.cart_merged(0),
    "checkout.failed": catalogue.checkout_failed(["OUT_OF_STOCK", "INVALID_ADDRESS"]),
}


def test_there_is_one_schema_file_per_event_type_and_no_other() -> None:
    assert sorted(p.name for p in SCHEMAS.glob("*.json")) == sorted(
        catalogue.schema_file(t) for t in catalogue.EVENT_TYPES
    )


@pytest.mark.parametrize("event_type", catalogue.EVENT_TYPES)
def test_each_schema_is_a_valid_draft_2020_12_schema(event_type: str) -> None:
    schema = schema_of(event_type)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("event", EMITTED.values(), ids=EMITTED.keys())
def test_every_built_event_matches_its_schema(event: Event) -> None:
    assert problems(event) == []


def test_the_builders_cover_every_event_type() -> None:
    assert {event.type for event in EMITTED.values()} == set(catalogue.EVENT_TYPES)


def test_an_order_placed_event_carries_the_hash_of_the_idempotency_key_never_the_key() -> None:
    event = EMITTED["order.placed, guest"]
    assert b"2f1c-key" not in event.body()
    assert event.data["idempotency_key_hash"] == hashlib.sha256(b"2f1c-key").hexdigest()


def test_the_grand_total_is_a_decimal_string_as_in_the_storefront_api() -> None:
    assert EMITTED["order.placed, guest"].data["grand_total"] == {"value": "129.90", "currency": "EUR"}


@pytest.mark.parametrize(
    ("event_type", "data", "complaint"),
    [
        ("order.placed", {"grand_total": {"value": 12.5, "currency": "EUR"}}, "is not of type 'string'"),
        ("order.placed", {"idempotency_key_hash": "the-raw-key"}, "does not match"),
        ("order.placed", {"password": "secret"}, "Additional properties are not allowed"),
        ("cart.merged", {"items": "3"}, "is not of type 'integer'"),
        ("checkout.failed", {"codes": ["SOMETHING_NEW"]}, "is not one of"),
        ("customer.registered", {}, "'email' is a required property"),
    ],
)
def test_the_schemas_refuse_data_the_catalogue_does_not_describe(
    event_type: str, data: dict[str, Any], complaint: str
) -> None:
    base = next(e for e in EMITTED.values() if e.type == event_type)
    changed = {**base.data, **data} if data else {}
    found = problems(Event(type=event_type, data=changed, id=base.id, occurred_at=base.occurred_at))
    assert any(complaint in message for message in found), found


def test_checkout_failed_codes_are_exactly_the_storefront_user_error_codes() -> None:
    sdl = (ROOT / "schema" / "schema.graphql").read_text(encoding="utf-8")
    block = re.search(r"enum UserErrorCode \{(.*?)\}", sdl, re.S)
    assert block is not None
    sdl_codes = re.findall(r"^\s+([A-Z_]+)\s*$", block.group(1), re.M)
    schema = schema_of("checkout.failed")
    assert schema["properties"]["data"]["properties"]["codes"]["items"]["enum"] == sdl_codes


def test_the_readme_catalogue_lists_every_event_type_with_its_schema_file() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for event_type in catalogue.EVENT_TYPES:
        assert f"| `{event_type}` |" in readme
        assert f"schema/events/{event_type}.json" in readme
