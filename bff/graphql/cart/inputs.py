"""Cart and checkout-step inputs of the storefront schema (each converts itself to a request model)."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from bff.cart import models


def _decimal(quantity: float) -> Decimal:
    """The quantity as sent (2.5 → Decimal("2.5"), not the float's binary expansion)."""
    return Decimal(repr(quantity))


@strawberry.input(
    description="A product to add. Configurable products: the parent SKU plus one option "
    "value uid per option (from the product's options)."
)
class CartItemInput:
    sku: str
    quantity: float = strawberry.field(description="Between 1 and 10000.")
    selected_options: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Option value uids, e.g. the uids of Color: Red and Size: M."
    )

    def to_model(self) -> models.CartItemRequest:
        return models.CartItemRequest(
            sku=self.sku,
            quantity=_decimal(self.quantity),
            selected_options=tuple(str(o) for o in self.selected_options or ()),
        )


@strawberry.input(description="A new quantity for a cart line; 0 removes the line.")
class CartItemUpdateInput:
    uid: strawberry.ID
    quantity: float = strawberry.field(description="Between 0 (removes the line) and 10000.")

    def to_model(self) -> models.CartItemUpdate:
        return models.CartItemUpdate(uid=str(self.uid), quantity=_decimal(self.quantity))


@strawberry.input(description="A postal address for shipping or billing.")
class AddressInput:
    firstname: str
    lastname: str
    street: list[str] = strawberry.field(description="1 to 4 lines (the store may allow fewer).")
    city: str
    region: str | None = strawberry.field(
        default=None,
        description="Region code or name, e.g. TX or Texas; required where the country has "
        "regions the store requires (see `countries`).",
    )
    postcode: str | None = strawberry.field(default=None, description="Optional only where the store allows it.")
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2, e.g. US.")
    telephone: str
    company: str | None = None

    def to_model(self) -> models.AddressRequest:
        return models.AddressRequest(
            firstname=self.firstname,
            lastname=self.lastname,
            street=tuple(self.street),
            city=self.city,
            country_code=self.country_code,
            postcode=self.postcode,
            region=self.region,
            telephone=self.telephone,
            company=self.company,
        )
