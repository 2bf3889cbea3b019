"""Customers as the storefront sees them, and the sign-in/sign-up input with its validation.

Validation mirrors Magento's own rules so that Magento never refuses what the BFF accepted: an
input refusal from ``createCustomerV2`` can then be read as "this e-mail is taken". Password and
e-mail are kept out of ``repr`` so they cannot end up in a log line or an exception.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from bff.errors import UserErrorCode, UserProblem
from bff.money import Money

MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit; Magento's column is varchar(255)
MAX_LOCAL_PART_LENGTH = 64
MAX_PASSWORD_LENGTH = 256  # Magento's AccountManagement::MAX_PASSWORD_LENGTH
MAX_NAME_LENGTH = 255  # customer_entity.firstname / lastname
DEFAULT_TOKEN_LIFETIME_S = 3600.0  # oauth/access_token_lifetime/customer = 1 hour

_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^{_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")
# Magento\Customer\Model\Validator\Name: letters, marks, digits, spaces and , - _ . ' and the
# typographic apostrophe U+2019 and the backtick
_NAME_PUNCTUATION = frozenset(",-_.'’`")


@dataclass(frozen=True)
class OrderSummary:
    number: str
    placed_at: datetime  # aware (UTC)
    status: str
    grand_total: Money


@dataclass(frozen=True)
class OrderPage:
    """One page of the customer's orders, newest first; a page beyond the last one has no orders."""

    items: tuple[OrderSummary, ...]
    total_count: int
    current_page: int
    page_size: int
    total_pages: int


@dataclass(frozen=True)
class Customer:
    firstname: str
    lastname: str
    email: str = field(repr=False)
    recent_orders: tuple[OrderSummary, ...] = ()  # newest first
    order_count: int = 0


@dataclass(frozen=True)
class Viewer:
    """Who is using the storefront. ``customer`` is None when signed out (and in the rare case
    that sign-in succeeded but Magento could not be asked for the customer's details)."""

    signed_in: bool
    customer: Customer | None = None

    @classmethod
    def signed_out(cls) -> Viewer:
        return cls(signed_in=False)

    @classmethod
    def of(cls, customer: Customer) -> Viewer:
        return cls(signed_in=True, customer=customer)


@dataclass(frozen=True)
class AuthResult:
    """The viewer after signUp/signIn/signOut, and notices about what was done (cart merge)."""

    viewer: Viewer
    notices: tuple[UserProblem, ...] = ()


@dataclass(frozen=True)
class CustomerPolicy:
    """A store's customer settings (``storeConfig``), with Magento's defaults."""

    token_lifetime_s: float = DEFAULT_TOKEN_LIFETIME_S
    min_password_length: int = 8  # customer/password/minimum_password_length
    required_character_classes: int = 3  # customer/password/required_character_classes_number


def email_problem(email: str, field_name: str = "email") -> UserProblem | None:
    """Syntax and length of an e-mail address (ASCII addresses only, as Magento's default)."""
    local, _, _ = email.partition("@")
    if not email or len(email) > MAX_EMAIL_LENGTH or len(local) > MAX_LOCAL_PART_LENGTH or not _EMAIL.match(email):
        return UserProblem(
            UserErrorCode.INVALID_EMAIL, "Enter a valid email address, e.g. name@example.com.", (field_name,)
        )
    return None


def name_problem(value: str, field_name: str, label: str) -> UserProblem | None:
    if not value:
        return UserProblem(UserErrorCode.INVALID_INPUT, f"Enter a {label}.", (field_name,))
    if len(value) > MAX_NAME_LENGTH:
        return UserProblem(
            UserErrorCode.INVALID_INPUT, f"The {label} can have at most {MAX_NAME_LENGTH} characters.", (field_name,)
        )
    allowed = all(ch.isspace() or ch in _NAME_PUNCTUATION or unicodedata.category(ch)[0] in "LMN" for ch in value)
    if not allowed:
        return UserProblem(
            UserErrorCode.INVALID_INPUT,
            f"The {label} can only contain letters, digits, spaces and , - _ . ' characters.",
            (field_name,),
        )
    return None


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def password_problem(password: str, email: str, policy: CustomerPolicy) -> UserProblem | None:
    """Magento's AccountManagement::checkPasswordStrength, then "not the same as the e-mail"."""

    def weak(message: str) -> UserProblem:
        return UserProblem(UserErrorCode.WEAK_PASSWORD, message, ("password",))

    if len(password) > MAX_PASSWORD_LENGTH:
        return weak(f"The password can have at most {MAX_PASSWORD_LENGTH} characters.")
    if len(password) < policy.min_password_length:
        return weak(f"The password needs at least {policy.min_password_length} characters.")
    if password.strip() != password:
        return weak("The password can't begin or end with a space.")
    if character_classes(password) < policy.required_character_classes:
        return weak(
            f"The password needs at least {policy.required_character_classes} of these: "
            "lower case letters, upper case letters, digits, special characters."
        )
    if password.lower() == email.lower():
        return weak("The password can't be the same as the email address.")
    return None


@dataclass(frozen=True)
class Credentials:
    email: str = field(repr=False)
    password: str = field(repr=False)

    @classmethod
    def of(cls, email: str, password: str) -> Credentials:
        return cls(email=email.strip(), password=password)

    def problems(self) -> list[UserProblem]:
        """Checked before Magento is asked: e-mail syntax, password present and not too long."""
        found = [p for p in (email_problem(self.email),) if p]
        if not self.password:
            found.append(UserProblem(UserErrorCode.INVALID_INPUT, "Enter your password.", ("password",)))
        elif len(self.password) > MAX_PASSWORD_LENGTH:
            found.append(
                UserProblem(
                    UserErrorCode.INVALID_INPUT,
                    f"The password can have at most {MAX_PASSWORD_LENGTH} characters.",
                    ("password",),
                )
            )
        return found


@dataclass(frozen=True)
class SignUp:
    firstname: str
    lastname: str
    email: str = field(repr=False)
    password: str = field(repr=False)
    newsletter: bool = False

    @classmethod
    def of(cls, firstname: str, lastname: str, email: str, password: str, newsletter: bool = False) -> SignUp:
        return cls(
            firstname=firstname.strip(),
            lastname=lastname.strip(),
            email=email.strip(),
            password=password,
            newsletter=newsletter,
        )

    @property
    def credentials(self) -> Credentials:
        return Credentials(email=self.email, password=self.password)

    def problems(self, policy: CustomerPolicy) -> list[UserProblem]:
        """Every problem at once (a form can mark all fields), in the order of the form."""
        checks = (
            name_problem(self.firstname, "firstname", "first name"),
            name_problem(self.lastname, "lastname", "last name"),
            email_problem(self.email),
            password_problem(self.password, self.email, policy),
        )
        return [p for p in checks if p]
