"""Input rules for the cart and the checkout steps, checked before Magento sees anything.

Every function is pure: it returns the normalised value or raises ``UserFacingError`` with one
problem per offending field (``field`` is the path relative to the value checked, e.g.
``("postcode",)`` of an address or ``("0", "quantity")`` of a list of items; see
``bff.errors.Path``), so a form can mark every field at once.

Addresses follow Magento's own validator (``Customer\\Model\\Address\\Validator\\{General,Country}``)
with the store's country list (``CatalogService.countries``): a known country, a region from the
country's list when it has one (required where the store requires it), a postcode except where
the store makes it optional.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from bff.cart.models import AddressRequest, CartItemRequest, CartItemUpdate
from bff.catalog.models import Country
from bff.errors import Path, UserErrorCode, UserFacingError, UserProblem

MIN_QUANTITY = Decimal(1)
MAX_QUANTITY = Decimal(10_000)  # Magento's default max_sale_qty
QUANTITY_PLACES = 4  # quote item qty is decimal(12,4)
MAX_ITEMS = 50  # lines per addToCart / updateCartItems request
MAX_OPTIONS = 20
MAX_SKU = 64  # catalog_product_entity.sku
MAX_TEXT = 255  # names, city, company, each street line, coupon, codes
MAX_STREET_LINES = 4  # the most Magento's customer/address/street_lines allows
MAX_TELEPHONE = 30
MAX_POSTCODE = 32
MAX_EMAIL = 254  # RFC 5321 path limit
MAX_EMAIL_LOCAL = 64
MAX_UID = 255
# Magento's general/country/optional_zip_countries default, used when the store's list is unknown.
OPTIONAL_POSTCODE_COUNTRIES = frozenset({"HK", "IE", "MO", "PA", "GB"})

_COUNTRY_CODE = re.compile(r"^[A-Za-z]{2}$")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_TOP_LEVEL = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")


def _problem(code: UserErrorCode, message: str, field: Path) -> UserProblem:
    return UserProblem(code, message, field)


def _raise_if(problems: list[UserProblem]) -> None:
    if problems:
        raise UserFacingError(*problems)


# --- e-mail ----------------------------------------------------------------------------------


def is_valid_email(email: str) -> bool:
    if not 3 <= len(email) <= MAX_EMAIL or email.count("@") != 1:
        return False
    local, domain = email.split("@")
    if not 1 <= len(local) <= MAX_EMAIL_LOCAL or not _EMAIL_LOCAL.match(local):
        return False
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_domain.split(".")
    return (
        len(labels) >= 2 and all(_DOMAIN_LABEL.match(label) for label in labels) and bool(_TOP_LEVEL.match(labels[-1]))
    )


def checked_email(email: str, field: Path = ()) -> str:
    """The e-mail address, trimmed; INVALID_EMAIL when it is not a deliverable-looking address."""
    value = email.strip()
    if not value:
        raise UserFacingError.of(UserErrorCode.INVALID_EMAIL, "Enter an e-mail address.", field)
    if len(value) > MAX_EMAIL:
        raise UserFacingError.of(
            UserErrorCode.INVALID_EMAIL, f"An e-mail address has at most {MAX_EMAIL} characters.", field
        )
    if not is_valid_email(value):
        raise UserFacingError.of(
            UserErrorCode.INVALID_EMAIL, "Enter a valid e-mail address, such as name@example.com.", field
        )
    return value


# --- quantities and items --------------------------------------------------------------------


def quantity_problem(quantity: Decimal, field: Path, *, allow_zero: bool = False) -> UserProblem | None:
    lowest = Decimal(0) if allow_zero else MIN_QUANTITY
    if not quantity.is_finite() or not lowest <= quantity <= MAX_QUANTITY:
        low = "0 (to remove the line)" if allow_zero else f"{MIN_QUANTITY}"
        return _problem(
            UserErrorCode.INVALID_QUANTITY, f"The quantity must be between {low} and {MAX_QUANTITY}.", field
        )
    exponent = quantity.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > QUANTITY_PLACES:
        return _problem(
            UserErrorCode.INVALID_QUANTITY, f"The quantity may have at most {QUANTITY_PLACES} decimal places.", field
        )
    return None


def _text_problem(
    value: str, field: Path, *, label: str, limit: int, code: UserErrorCode, required: bool = True
) -> UserProblem | None:
    if required and not value.strip():
        return _problem(code, f"Enter the {label}.", field)
    if len(value.strip()) > limit:
        return _problem(code, f"The {label} has at most {limit} characters.", field)
    return None


def _list_size_problem(count: int, field: Path, what: str) -> UserProblem | None:
    if count == 0:
        return _problem(UserErrorCode.INVALID_INPUT, f"Give at least one {what}.", field)
    if count > MAX_ITEMS:
        return _problem(UserErrorCode.INVALID_INPUT, f"Give at most {MAX_ITEMS} {what}s per request.", field)
    return None


def checked_items(items: Sequence[CartItemRequest]) -> list[CartItemRequest]:
    """Items to add, trimmed: SKU 1-64 characters, quantity 1-10,000, option uids without repeats."""
    problems: list[UserProblem] = []
    if (size := _list_size_problem(len(items), (), "item")) is not None:
        raise UserFacingError(size)
    checked: list[CartItemRequest] = []
    for index, item in enumerate(items):
        at = str(index)
        sku_problem = _text_problem(item.sku, (at, "sku"), label="SKU", limit=MAX_SKU, code=UserErrorCode.INVALID_INPUT)
        options = tuple(o.strip() for o in item.selected_options)
        item_problems = [
            p
            for p in (
                sku_problem,
                quantity_problem(item.quantity, (at, "quantity")),
                _options_problem(options, (at, "selectedOptions")),
            )
            if p
        ]
        problems += item_problems
        checked.append(CartItemRequest(item.sku.strip(), item.quantity, options))
    _raise_if(problems)
    return checked


def _options_problem(options: tuple[str, ...], field: Path) -> UserProblem | None:
    if len(options) > MAX_OPTIONS:
        return _problem(UserErrorCode.INVALID_OPTIONS, f"Choose at most {MAX_OPTIONS} options.", field)
    if any(not o or len(o) > MAX_UID for o in options):
        return _problem(
            UserErrorCode.INVALID_OPTIONS,
            "Each selected option must be an option value uid from the product's options.",
            field,
        )
    if len(set(options)) != len(options):
        return _problem(UserErrorCode.INVALID_OPTIONS, "Choose each option value once.", field)
    return None


def uid_problem(uid: str, field: Path) -> UserProblem | None:
    return _text_problem(uid, field, label="cart item uid", limit=MAX_UID, code=UserErrorCode.INVALID_INPUT)


def checked_uid(uid: str, field: Path = ()) -> str:
    _raise_if([p for p in (uid_problem(uid, field),) if p])
    return uid.strip()


def checked_updates(items: Sequence[CartItemUpdate]) -> list[CartItemUpdate]:
    """Line changes: known-looking uids, each at most once, quantity 0-10,000 (0 removes)."""
    if (size := _list_size_problem(len(items), (), "line")) is not None:
        raise UserFacingError(size)
    problems: list[UserProblem] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        at = str(index)
        uid = item.uid.strip()
        problems += [
            p
            for p in (uid_problem(uid, (at, "uid")), quantity_problem(item.quantity, (at, "quantity"), allow_zero=True))
            if p
        ]
        if uid and uid in seen:
            problems.append(_problem(UserErrorCode.INVALID_INPUT, "Change each line once per request.", (at, "uid")))
        seen.add(uid)
    _raise_if(problems)
    return [CartItemUpdate(i.uid.strip(), i.quantity) for i in items]


# --- codes -----------------------------------------------------------------------------------


def checked_code(value: str, field: Path, label: str) -> str:
    """A coupon, carrier, method or payment code: trimmed, 1-255 characters."""
    _raise_if(
        [p for p in (_text_problem(value, field, label=label, limit=MAX_TEXT, code=UserErrorCode.INVALID_INPUT),) if p]
    )
    return value.strip()


# --- addresses -------------------------------------------------------------------------------


def _optional(value: str | None) -> str | None:
    stripped = (value or "").strip()
    return stripped or None


def checked_address(
    address: AddressRequest, countries: Mapping[str, Country] | None, prefix: Path = ()
) -> AddressRequest:
    """The address, trimmed, with the country code upper-cased and the region resolved to the
    country's region (code and ``region_id``) when the country lists regions.

    ``countries`` is the store's country list by code; ``None`` when it could not be read, in which
    case only the code's format is checked and Magento has the last word on country and region.
    """
    problems: list[UserProblem] = []
    invalid = UserErrorCode.INVALID_ADDRESS

    def text(value: str | None, name: str, label: str, limit: int = MAX_TEXT, required: bool = True) -> None:
        problem = _text_problem(value or "", (*prefix, name), label=label, limit=limit, code=invalid, required=required)
        if problem is not None:
            problems.append(problem)

    text(address.firstname, "firstname", "first name")
    text(address.lastname, "lastname", "last name")
    text(address.company, "company", "company", required=False)
    text(address.city, "city", "city")
    text(address.telephone, "telephone", "telephone number", MAX_TELEPHONE)
    street = tuple(line.strip() for line in address.street if line.strip())
    if not street:
        problems.append(_problem(invalid, "Enter the street address.", (*prefix, "street")))
    elif len(street) > MAX_STREET_LINES:
        problems.append(_problem(invalid, f"Use at most {MAX_STREET_LINES} street lines.", (*prefix, "street")))
    problems += [
        _problem(invalid, f"A street line has at most {MAX_TEXT} characters.", (*prefix, "street", str(i)))
        for i, line in enumerate(street)
        if len(line) > MAX_TEXT
    ]

    code = address.country_code.strip().upper()
    country = countries.get(code) if countries else None
    if not _COUNTRY_CODE.match(code) or (countries and country is None):
        problems.append(
            _problem(invalid, "Choose a country the store delivers to (ISO code such as US).", (*prefix, "countryCode"))
        )
    postcode = _optional(address.postcode)
    postcode_required = country.postcode_required if country else code not in OPTIONAL_POSTCODE_COUNTRIES
    if postcode is None and postcode_required and _COUNTRY_CODE.match(code):
        problems.append(_problem(invalid, "Enter the postcode.", (*prefix, "postcode")))
    elif postcode is not None and len(postcode) > MAX_POSTCODE:
        too_long = f"The postcode has at most {MAX_POSTCODE} characters."
        problems.append(_problem(invalid, too_long, (*prefix, "postcode")))
    region, region_id, region_problem = _region(address.region, country, (*prefix, "region"))
    if region_problem is not None:
        problems.append(region_problem)
    _raise_if(problems)
    return AddressRequest(
        firstname=address.firstname.strip(),
        lastname=address.lastname.strip(),
        street=street,
        city=address.city.strip(),
        country_code=code,
        postcode=postcode,
        region=region,
        telephone=_optional(address.telephone),
        company=_optional(address.company),
        region_id=region_id,
    )


def _region(
    value: str | None, country: Country | None, field: Path
) -> tuple[str | None, int | None, UserProblem | None]:
    """(region text to send, region id, problem) for the region as typed."""
    typed = _optional(value)
    invalid = UserErrorCode.INVALID_ADDRESS
    if typed is not None and len(typed) > MAX_TEXT:
        return None, None, _problem(invalid, f"The region has at most {MAX_TEXT} characters.", field)
    if country is None:
        return typed, None, None
    if typed is None:
        if country.region_required:
            return None, None, _problem(invalid, f"Choose the state or region in {country.name}.", field)
        return None, None, None
    if not country.regions:
        return typed, None, None
    found = country.find_region(typed)
    if found is None:
        return None, None, _problem(invalid, f"{typed!r} is not a state or region of {country.name}.", field)
    return found.code, found.id, None
