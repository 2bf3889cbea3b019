"""Types shared by several domains: Money, PageInfo, UserError."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from bff.errors import UserErrorCode, UserProblem
from bff.money import Money as MoneyModel

UserErrorCodeEnum = strawberry.enum(
    UserErrorCode, name="UserErrorCode", description="Why a mutation could not do what was asked."
)


@strawberry.type(description="An amount in a currency. `value` is a decimal number.")
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
    field: str | None = strawberry.field(description="The input field concerned, e.g. `address.postcode`.")

    @classmethod
    def from_problem(cls, p: UserProblem) -> UserError:
        return cls(code=p.code, message=p.message, field=p.field)


@strawberry.type
class PageInfo:
    current_page: int
    page_size: int
    total_pages: int
