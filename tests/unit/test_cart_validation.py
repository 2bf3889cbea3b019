"""Cart and checkout-step inputs are checked before Magento sees them (``bff.cart.validation``)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from bff.cart.models import AddressRequest, CartItemRequest, CartItemUpdate
from bff.cart.validation import (
    checked_address,
    checked_code,
    checked_email,
    checked_items,
    checked_uid,
    checked_updates,
    is_valid_email,
)
from bff.catalog.models import Country, Region
from bff.errors import UserErrorCode, UserFacingError

US = Country("US", "United States", (Region(43, "NY", "New York"), Region(57, "TX", "Texas")), region_required=True)
DE = Country("DE", "Germany", (Region(82, "BER", "Berlin"),), region_required=False)
GB = Country("GB", "United Kingdom", postcode_required=False)
FR = Country("FR", "France")
COUNTRIES = {c.code: c for c in (US, DE, GB, FR)}

ADDRESS = AddressRequest(
    firstname="Veronica",
    lastname="Costello",
    street=("6146 Honey Bluff Parkway",),
    city="Calder",
    country_code="US",
    postcode="49628-7978",
    region="TX",
    telephone="(555) 229-3326",
)


def problems(err: pytest.ExceptionInfo[UserFacingError]) -> list[tuple[UserErrorCode, tuple[str, ...] | None]]:
    return [(p.code, p.field) for p in err.value.problems]


# --- e-mail -----------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["roni_cost@example.com", "a.b+tag@mail.example.co.uk", "x@bücher.de"])
def test_ordinary_email_addresses_are_accepted(email: str) -> None:
    assert is_valid_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "",
        "plain",
        "@example.com",
        "a@",
        "a@b",
        "a@@example.com",
        "a b@example.com",
        "a@example..com",
        ".a@example.com",
        "a.@example.com",
        "a@-example.com",
        "a@example.c",
        "a" * 65 + "@example.com",
    ],
)
def test_malformed_email_addresses_are_refused(email: str) -> None:
    assert not is_valid_email(email)


def test_an_email_address_is_trimmed() -> None:
    assert checked_email("  roni_cost@example.com ") == "roni_cost@example.com"


def test_an_overlong_email_address_is_invalid_email() -> None:
    with pytest.raises(UserFacingError) as err:
        checked_email("a" * 60 + "@" + "b" * 190 + ".com")
    assert problems(err) == [(UserErrorCode.INVALID_EMAIL, ())]


def test_a_blank_email_address_is_invalid_email() -> None:
    with pytest.raises(UserFacingError) as err:
        checked_email("   ")
    assert problems(err) == [(UserErrorCode.INVALID_EMAIL, ())]


# --- items ------------------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", ["1", "10000", "2.5", "1.0001"])
def test_quantities_from_one_to_ten_thousand_are_accepted(quantity: str) -> None:
    assert checked_items([CartItemRequest("BAG-001", Decimal(quantity))])[0].quantity == Decimal(quantity)


@pytest.mark.parametrize("quantity", ["0", "-1", "0.5", "10000.01", "NaN", "Infinity", "1.00001"])
def test_quantities_outside_the_bounds_are_invalid_quantity(quantity: str) -> None:
    with pytest.raises(UserFacingError) as err:
        checked_items([CartItemRequest("BAG-001", Decimal(quantity))])
    assert problems(err) == [(UserErrorCode.INVALID_QUANTITY, ("0", "quantity"))]


def test_every_bad_item_is_reported_with_its_field() -> None:
    items = [
        CartItemRequest("BAG-001", Decimal(1)),
        CartItemRequest(" ", Decimal(0)),
        CartItemRequest("X" * 65, Decimal(1), ("a", "a")),
    ]
    with pytest.raises(UserFacingError) as err:
        checked_items(items)
    assert problems(err) == [
        (UserErrorCode.INVALID_INPUT, ("1", "sku")),
        (UserErrorCode.INVALID_QUANTITY, ("1", "quantity")),
        (UserErrorCode.INVALID_INPUT, ("2", "sku")),
        (UserErrorCode.INVALID_OPTIONS, ("2", "selectedOptions")),
    ]


def test_skus_and_option_uids_are_trimmed() -> None:
    assert checked_items([CartItemRequest(" TEE-CFG ", Decimal(1), (" a ", "b"))]) == [
        CartItemRequest("TEE-CFG", Decimal(1), ("a", "b"))
    ]


@pytest.mark.parametrize("count", [0, 51])
def test_an_add_needs_one_to_fifty_items(count: int) -> None:
    with pytest.raises(UserFacingError) as err:
        checked_items([CartItemRequest("BAG-001", Decimal(1))] * count)
    assert problems(err) == [(UserErrorCode.INVALID_INPUT, ())]


def test_an_update_may_set_zero_to_remove_a_line() -> None:
    assert checked_updates([CartItemUpdate(" MQ== ", Decimal(0))]) == [CartItemUpdate("MQ==", Decimal(0))]


def test_an_update_refuses_repeated_lines_and_bad_quantities() -> None:
    with pytest.raises(UserFacingError) as err:
        checked_updates([CartItemUpdate("MQ==", Decimal(1)), CartItemUpdate("MQ==", Decimal(-1))])
    assert problems(err) == [
        (UserErrorCode.INVALID_QUANTITY, ("1", "quantity")),
        (UserErrorCode.INVALID_INPUT, ("1", "uid")),
    ]


def test_a_blank_uid_is_invalid_input() -> None:
    with pytest.raises(UserFacingError) as err:
        checked_uid("")
    assert problems(err) == [(UserErrorCode.INVALID_INPUT, ())]


@pytest.mark.parametrize("code", ["", "   ", "C" * 256])
def test_codes_need_one_to_255_characters(code: str) -> None:
    with pytest.raises(UserFacingError) as err:
        checked_code(code, ("code",), "coupon code")
    assert problems(err) == [(UserErrorCode.INVALID_INPUT, ("code",))]


def test_a_code_is_trimmed() -> None:
    assert checked_code(" SAVE10 ", ("code",), "coupon code") == "SAVE10"


# --- addresses --------------------------------------------------------------------------------


def test_a_valid_address_is_normalised_and_its_region_resolved() -> None:
    address = AddressRequest(
        firstname=" Veronica ",
        lastname="Costello",
        street=(" 6146 Honey Bluff ", "", " "),
        city="Calder",
        country_code="us",
        postcode=" 49628 ",
        region="texas",
        telephone="555 229",
        company=" ",
    )
    assert checked_address(address, COUNTRIES) == AddressRequest(
        firstname="Veronica",
        lastname="Costello",
        street=("6146 Honey Bluff",),
        city="Calder",
        country_code="US",
        postcode="49628",
        region="TX",
        telephone="555 229",
        company=None,
        region_id=57,
    )


def test_every_missing_address_field_is_reported() -> None:
    empty = AddressRequest(firstname="", lastname=" ", street=(), city="", country_code="US", telephone="")
    with pytest.raises(UserFacingError) as err:
        checked_address(empty, COUNTRIES)
    assert problems(err) == [
        (UserErrorCode.INVALID_ADDRESS, ("firstname",)),
        (UserErrorCode.INVALID_ADDRESS, ("lastname",)),
        (UserErrorCode.INVALID_ADDRESS, ("city",)),
        (UserErrorCode.INVALID_ADDRESS, ("telephone",)),
        (UserErrorCode.INVALID_ADDRESS, ("street",)),
        (UserErrorCode.INVALID_ADDRESS, ("postcode",)),
        (UserErrorCode.INVALID_ADDRESS, ("region",)),
    ]


@pytest.mark.parametrize("country_code", ["XX", "USA", "", "1A"])
def test_an_unknown_country_is_invalid_address(country_code: str) -> None:
    with pytest.raises(UserFacingError) as err:
        checked_address(replace(ADDRESS, country_code=country_code, region=None), COUNTRIES)
    assert (UserErrorCode.INVALID_ADDRESS, ("countryCode",)) in problems(err)


def test_without_the_country_list_only_the_code_format_is_checked() -> None:
    address = replace(ADDRESS, country_code="zz", region="Somewhere")
    assert checked_address(address, None).country_code == "ZZ"


def test_a_region_must_belong_to_the_country() -> None:
    with pytest.raises(UserFacingError) as err:
        checked_address(replace(ADDRESS, region="Bavaria"), COUNTRIES)
    assert problems(err) == [(UserErrorCode.INVALID_ADDRESS, ("region",))]


def test_a_region_may_be_left_out_where_the_store_does_not_require_it() -> None:
    address = replace(ADDRESS, country_code="DE", postcode="10115", region=None)
    assert checked_address(address, COUNTRIES).region is None


def test_a_country_without_a_region_list_takes_any_region_text() -> None:
    address = replace(ADDRESS, country_code="FR", region="Île-de-France")
    assert checked_address(address, COUNTRIES).region == "Île-de-France"


def test_a_postcode_is_optional_where_the_store_says_so() -> None:
    address = replace(ADDRESS, country_code="GB", postcode=" ", region=None)
    assert checked_address(address, COUNTRIES).postcode is None


def test_length_limits_apply_to_every_address_field() -> None:
    long = "x" * 256
    address = AddressRequest(
        firstname=long,
        lastname=long,
        street=("ok", long),
        city=long,
        country_code="US",
        postcode="1" * 33,
        region="TX",
        telephone="1" * 31,
        company=long,
    )
    with pytest.raises(UserFacingError) as err:
        checked_address(address, COUNTRIES, prefix=("shippingAddress",))
    assert problems(err) == [
        (UserErrorCode.INVALID_ADDRESS, ("shippingAddress", "firstname")),
        (UserErrorCode.INVALID_ADDRESS, ("shippingAddress", "lastname")),
        (UserErrorCode.INVALID_ADDRESS, ("shippingAddress", "company")),
        (UserErrorCode.INVALID_ADDRESS, ("shippingAddress", "city")),
        (UserErrorCode.INVALID_ADDRESS, ("shippingAddress", "telephone")),
        (UserErrorCode.INVALID_ADDRESS, ("shippingAddress", "street", "1")),
        (UserErrorCode.INVALID_ADDRESS, ("shippingAddress", "postcode")),
    ]


def test_at_most_four_street_lines_are_accepted() -> None:
    with pytest.raises(UserFacingError) as err:
        checked_address(replace(ADDRESS, street=("1", "2", "3", "4", "5")), COUNTRIES)
    assert problems(err) == [(UserErrorCode.INVALID_ADDRESS, ("street",))]
