"""Types shared by several domains: Money, PageInfo, UserError (and the CheckoutStep enum it names)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from bff.checkout.steps import Step
from bff.errors import UserErrorCode, UserProblem
from bff.money import Money as MoneyModel

UserErrorCodeEnum = strawberry.enum(
    UserErrorCode, name="UserErrorCode", description="Why a mutation could not do what was asked."
)
CheckoutStepEnum = strawberry.enum(Step, name="CheckoutStep", description="The checkout steps, in order.")


DECIMAL_SPEC = "https://speleotrove.com/decimal/daconvs.html"
DATE_TIME_SPEC = "https://scalars.graphql.org/andimarek/date-time"


def _serialize_decimal(value: Decimal) -> str:
    """Plain notation with the value's own scale: Decimal("5.00") → "5.00", never "5E+1"."""
    return format(value, "f")


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise GraphQLError('a Decimal is a string such as "5.00"')
    try:
        parsed = Decimal(value if isinstance(value, str) else repr(value))
    except ArithmeticError:
        raise GraphQLError(f"{value!r} is not a decimal number") from None
    if not parsed.is_finite():
        raise GraphQLError(f"{value!r} is not a finite decimal number")
    return parsed


def _serialize_date_time(value: datetime) -> str:
    if value.utcoffset() is None:
        raise ValueError("a DateTime needs a time zone")
    return value.isoformat()


def _parse_date_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise GraphQLError('a DateTime is a string such as "2026-11-26T22:19:55+00:00"')
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.utcoffset() is None:
        raise GraphQLError("a DateTime needs an offset, e.g. +00:00 or Z")
    return parsed


DecimalScalar = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number as a string in plain notation, e.g. `"24.99"` or `"-5.00"` (never a '
    "JSON number, so no precision is lost). `Money.value` always has the currency's number of decimal places "
    '(ISO 4217: `"5.00"` in USD, `"500"` in JPY).',
    specified_by_url=DECIMAL_SPEC,
    serialize=_serialize_decimal,
    parse_value=_parse_decimal,
)
DateTimeScalar = strawberry.scalar(
    name="DateTime",
    description='A point in time: an RFC 3339 / ISO 8601 date-time with an offset, e.g. `"2026-11-26T22:19:55+00:00"`.',
    specified_by_url=DATE_TIME_SPEC,
    serialize=_serialize_date_time,
    parse_value=_parse_date_time,
)
SCALAR_MAP: dict[object, ScalarDefinition] = {Decimal: DecimalScalar, datetime: DateTimeScalar}


@strawberry.type(
    description='An amount in a currency. `value` is a Decimal string with the currency\'s scale, e.g. `"5.00"`.'
)
class Money:
    value: Decimal
    currency: str

    @classmethod
    def from_model(cls, m: MoneyModel) -> Money:
        return cls(value=m.value, currency=m.currency)


@strawberry.type(description="A problem the shopper can fix (or a notice about what the BFF did).")
class UserError:
    code: UserErrorCode
    message: str
    field: list[str] | None = strawberry.field(
        description="The path of the input concerned, as the request sent it: the argument, then fields "
        'and list indices (from 0, as strings), e.g. `["input", "shippingAddress", "postcode"]` or '
        '`["items", "1", "quantity"]`. Null when no input is concerned (e.g. CART_RECREATED).'
    )
    missing_steps: list[Step] | None = strawberry.field(
        default=None,
        description="CHECKOUT_INCOMPLETE: the steps still to do, in order; null for other codes.",
    )

    @classmethod
    def from_problem(cls, p: UserProblem) -> UserError:
        return cls(
            code=p.code,
            message=p.message,
            field=list(p.field) if p.field is not None else None,
            missing_steps=[Step(s) for s in p.missing_steps] if p.code is UserErrorCode.CHECKOUT_INCOMPLETE else None,
        )

    def under(self, argument: str) -> UserError:
        """The error with its path below the mutation's ``argument`` (no field stays no field)."""
        return self if self.field is None else replace(self, field=[argument, *self.field])


@strawberry.type
class PageInfo:
    current_page: int
    page_size: int
    total_pages: int
