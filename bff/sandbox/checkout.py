"""Checkout steps on a cart the caller may use: e-mail, addresses, shipping, payment, placeOrder.

The resolvers live in ``carts.py`` (they first apply GetCartForUser's access rules); the functions
here change the cart the way Magento's QuoteGraphQl models do, with Magento's messages:

* addresses are validated like ``Magento\\Customer\\Model\\Address\\Validator\\{General,Country}``
  (``"firstname" is required. Enter and try again.``, ``Invalid value of "XX" provided for the
  countryId field.``), each problem its own ``errors[]`` entry (``errors.InputErrors``);
* a cart address is first checked as 2.4.7's ``QuoteGraphQl\\Model\\Cart\\QuoteAddressFactory``
  does (``Country is not available``, ``Region is required.``, a ``region_id`` that is not the
  region named), then by the address validator; its ``country.label`` is the country id ("US"),
  as ``ExtractQuoteAddressData`` answers it;
* a new shipping address drops the chosen shipping method (Magento replaces the address row);
* ``placeOrder`` checks in QuoteManagement/QuoteValidator order and raises ``CheckoutProblem``
  for what Magento reports in ``placeOrder.errors``; authorization problems raise normally;
* a virtual cart (``totals.is_virtual``: only virtual products) has nothing to ship: a shipping
  address is refused (``AssignShippingAddressToCart``), payment needs no shipping address
  (``PaymentMethodManagement::set``) and placeOrder skips the shipping rules (the
  ``ValidationRules`` skip virtual quotes).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bff.sandbox.context import RequestContext
from bff.sandbox.countries import (
    Country,
    Region,
    country_requires_postcode,
    country_requires_region,
    find_country,
    find_region,
)
from bff.sandbox.errors import AuthorizationError, InputError, InputErrors, NoSuchEntityError
from bff.sandbox.money import money
from bff.sandbox.orders import create_order
from bff.sandbox.state import Address, Cart, Customer, Order, SandboxState, uid
from bff.sandbox.totals import (
    BASE_CURRENCY,
    CartTotals,
    ShippingRate,
    cart_stock_problems,
    compute_totals,
    is_virtual,
    payment_methods,
    shipping_rates,
)

EMAIL_RE = re.compile(
    r"^[^@\s\"(),:;<>\[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
STREET_LINES = 2  # customer/address/street_lines
ADDRESS_IDS_PER_CUSTOMER = 1000
NOT_AUTHORIZED = "The current customer isn't authorized."
GUEST_CHECKOUT_DISABLED = "Guest checkout is not allowed. Register a customer account or login with existing one."
SHIPPING_ADDRESS_MISSING = "The shipping address is missing. Set the address and try again."
COUNTRY_NOT_AVAILABLE = "Country is not available"
COUNTRY_NOT_ALLOWED = "Some addresses can't be used due to the configurations for specific countries."
NOTHING_TO_SHIP = "Shipping address is not allowed on cart: cart contains no items for shipment."


class CheckoutProblem(Exception):
    """A reason placeOrder reports in ``errors`` instead of failing the request."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_valid_email(email: str) -> bool:
    return bool(EMAIL_RE.match(email.strip()))


# --- customer address book ids -----------------------------------------------------------------


def customer_address_id(customer: Customer, index: int) -> int:
    """A stable, store-wide unique id for the customer's ``index``-th address."""
    return customer.id * ADDRESS_IDS_PER_CUSTOMER + index + 1


def customer_address(state: SandboxState, customer: Customer, address_id: int) -> Address:
    owner = state.customers.get(address_id // ADDRESS_IDS_PER_CUSTOMER)
    index = address_id % ADDRESS_IDS_PER_CUSTOMER - 1
    if owner is None or not 0 <= index < len(owner.addresses):
        raise NoSuchEntityError(f'Could not find a address with ID "{address_id}"')
    if owner.id != customer.id:
        raise AuthorizationError(f'Current customer does not have permission to address with ID "{address_id}"')
    return copy_address(owner.addresses[index])


def copy_address(address: Address) -> Address:
    return replace(address, street=list(address.street))


# --- addresses from input, and their validation -----------------------------------------------


def address_from_input(data: dict[str, Any]) -> Address:
    """An address from ``CartAddressInput``, checked as 2.4.7's ``QuoteAddressFactory::
    createBasedOnInputData`` does: an allowed country, then the region, then the street lines.

    The region text is a region *code* (Magento filters the country's regions by code); with a
    ``region_id`` it must name that region, and a code shared by several regions needs the id."""
    country_code = str(data.get("country_code") or "").strip().upper()
    country = find_country(country_code) if len(country_code) == 2 else None
    if country is None:
        raise InputError(COUNTRY_NOT_AVAILABLE)
    region_text = _text_or_none(data.get("region"))
    region_id = data.get("region_id") or None  # Magento's empty(): 0 is no id
    region = _input_region(country, region_text, region_id)
    street = [str(line) for line in data.get("street") or []]
    if len(street) > STREET_LINES:
        raise InputError(f'"Street Address" cannot contain more than {STREET_LINES} lines.')
    return Address(
        firstname=str(data.get("firstname") or "").strip(),
        lastname=str(data.get("lastname") or "").strip(),
        street=street,
        city=str(data.get("city") or "").strip(),
        postcode=data.get("postcode"),
        country_code=country.code,
        telephone=data.get("telephone"),
        region_code=region.code if region else region_text,
        region_label=region.name if region else region_text,
        region_id=region.id if region else None,
        company=data.get("company"),
    )


def _text_or_none(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _input_region(country: Country, text: str | None, region_id: int | None) -> Region | None:
    """``QuoteAddressFactory::validateRegion``: the region the input names, or None (then only
    its text is kept, and the address validator asks for a ``regionId`` if the country needs one)."""
    if not country_requires_region(country.code):
        if region_id is not None and all(r.id != region_id for r in country.regions):
            raise InputError("The specified region is not a part of the selected country or region")
        return next((r for r in country.regions if r.id == region_id), None)
    if text is None and region_id is None:
        raise InputError("Region is required.")
    candidates = [r for r in country.regions if text is None or r.code.casefold() == text.casefold()]
    if region_id is not None:
        region = next((r for r in candidates if r.id == region_id), None)
        if region is None:
            raise InputError("The region_id does not match the selected country or region")
        return region
    if len(candidates) > 1:
        raise InputError("Region input is ambiguous. Specify region_id.")
    return candidates[0] if candidates else None


def address_problems(address: Address | None) -> list[str]:
    """Magento's address validator messages, in its order (empty list: the address is fine)."""
    address = address or Address("", "", [], "", None, "", None)
    required = '"{}" is required. Enter and try again.'
    problems = [
        required.format(name)
        for name, value in (
            ("firstname", address.firstname),
            ("lastname", address.lastname),
            ("street", address.street[0] if address.street else ""),
            ("city", address.city),
            ("telephone", address.telephone),
        )
        if not (value or "").strip()
    ]
    country = find_country(address.country_code) if len(address.country_code) == 2 else None
    if not address.country_code:
        problems.append(required.format("countryId"))
    elif country is None:
        problems.append(f'Invalid value of "{address.country_code}" provided for the countryId field.')
    else:
        if country_requires_postcode(country.code) and not (address.postcode or "").strip():
            problems.append(required.format("postcode"))
        region_ok = find_region(country.code, address.region_id) is not None
        if country_requires_region(country.code) and not region_ok:
            if address.region_id is not None:
                problems.append(f'Invalid value of "{address.region_id}" provided for the regionId field.')
            else:
                problems.append(required.format("regionId"))
    return problems


def _address_from_entry(ctx: RequestContext, entry: dict[str, Any], kind: str) -> Address:
    """The address of a ``ShippingAddressInput``/``BillingAddressInput`` (``kind``: its name)."""
    address_id = entry.get("customer_address_id")
    data = entry.get("address")
    if address_id is None and data is None:
        raise InputError(f'The {kind} address must contain either "customer_address_id" or "address".')
    if address_id is not None and data is not None:
        raise InputError(f'The {kind} address cannot contain "customer_address_id" and "address" at the same time.')
    if address_id is not None:
        if ctx.customer is None:
            raise AuthorizationError(NOT_AUTHORIZED)
        return customer_address(ctx.state, ctx.customer, int(address_id))
    assert isinstance(data, dict)
    address = address_from_input(data)
    problems = address_problems(address)
    if problems:  # each problem is its own errors[] entry (QuoteAddress::validate, then addError)
        summary = (
            "Shipping address errors"
            if kind == "shipping"
            else "An error occurred while processing the billing address."
        )
        raise InputErrors(summary, problems)
    if ctx.customer is not None and data.get("save_in_address_book"):
        ctx.customer.addresses.append(copy_address(address))
    return address


# --- views of cart addresses -------------------------------------------------------------------


def rate_view(rate: ShippingRate, currency: str) -> dict[str, Any]:
    amount = money(rate.amount, currency)
    return {
        "carrier_code": rate.carrier_code,
        "carrier_title": rate.carrier_title,
        "method_code": rate.method_code,
        "method_title": rate.method_title,
        "error_message": "",
        "amount": amount,
        "price_excl_tax": amount,
        "price_incl_tax": amount,
        "available": True,
    }


def cart_address_view(address: Address, address_id: int, typename: str) -> dict[str, Any]:
    return {
        "__typename": typename,  # for fragments on CartAddressInterface
        "uid": uid(address_id),
        "firstname": address.firstname,
        "lastname": address.lastname,
        "company": address.company,
        "street": list(address.street),
        "city": address.city,
        "region": {
            "code": address.region_code,
            "label": address.region_label,
            "region_id": address.region_id,
        },
        "postcode": address.postcode,
        "country": {"code": address.country_code, "label": address.country_code},  # ExtractQuoteAddressData
        "telephone": address.telephone,
    }


def shipping_address_views(cart: Cart, totals: CartTotals) -> list[dict[str, Any]]:
    if cart.shipping_address is None:
        return []
    view = cart_address_view(cart.shipping_address, cart.quote_id * 2, "ShippingCartAddress")
    selected = totals.selected_rate
    view["available_shipping_methods"] = [rate_view(r, totals.currency) for r in totals.rates]
    view["selected_shipping_method"] = (
        {
            "carrier_code": selected.carrier_code,
            "method_code": selected.method_code,
            "carrier_title": selected.carrier_title,
            "method_title": selected.method_title,
            "amount": money(selected.amount, totals.currency),
        }
        if selected
        else None
    )
    return [view]


def billing_address_view(cart: Cart) -> dict[str, Any] | None:
    if cart.billing_address is None:
        return None
    return cart_address_view(cart.billing_address, cart.quote_id * 2 - 1, "BillingCartAddress")


# --- the checkout steps ------------------------------------------------------------------------


def check_checkout_allowed(ctx: RequestContext, cart: Cart) -> None:
    """CheckCartCheckoutAllowance: guest carts need guest checkout to be enabled."""
    if cart.customer_id is None and not ctx.state.config.guest_checkout_enabled:
        raise AuthorizationError(GUEST_CHECKOUT_DISABLED)


def check_guest_email(ctx: RequestContext, email: str) -> None:
    """setGuestEmailOnCart's checks, made before the cart is looked up."""
    if not email:
        raise InputError('Required parameter "email" is missing')
    if not is_valid_email(email):
        raise InputError("Invalid email format")
    if ctx.customer is not None:
        raise InputError("The request is not allowed for logged in customers")


def set_shipping_addresses(ctx: RequestContext, cart: Cart, entries: list[dict[str, Any]]) -> None:
    if not entries:
        raise InputError('Required parameter "shipping_addresses" is missing')
    if len(entries) > 1:
        raise InputError("You cannot specify multiple shipping addresses.")
    address = _address_from_entry(ctx, entries[0], "shipping")
    if is_virtual(cart, ctx.state):  # validated first, as SetShippingAddressesOnCart does
        raise NoSuchEntityError(NOTHING_TO_SHIP)
    cart.shipping_address = address
    cart.shipping_method = None


def set_billing_address(ctx: RequestContext, cart: Cart, entry: dict[str, Any]) -> None:
    """2.4.7's ``QuoteGraphQl\\Model\\Cart\\SetBillingAddressOnCart``: ``same_as_shipping`` copies
    the cart's shipping address (an ``address`` sent with it is ignored, and so is
    ``use_for_shipping``); ``use_for_shipping`` alone is no address at all."""
    address_id, data = entry.get("customer_address_id"), entry.get("address")
    same_as_shipping = bool(entry.get("same_as_shipping"))
    if address_id is None and data is None and not same_as_shipping:
        raise InputError(
            'The billing address must contain either "customer_address_id", "address", or "same_as_shipping".'
        )
    if address_id and data:
        raise InputError('The billing address cannot contain "customer_address_id" and "address" at the same time.')
    if same_as_shipping:
        if cart.shipping_address is None or address_problems(cart.shipping_address):
            raise InputError(
                'Could not use the "same_as_shipping" option, because the shipping address has not been set.'
            )
        cart.billing_address = copy_address(cart.shipping_address)
        return
    cart.billing_address = _address_from_entry(ctx, entry, "billing")
    if entry.get("use_for_shipping"):
        cart.shipping_address = copy_address(cart.billing_address)
        cart.shipping_method = None


def set_shipping_methods(ctx: RequestContext, cart: Cart, methods: list[dict[str, Any]]) -> None:
    if not methods:
        raise InputError('Required parameter "shipping_methods" is missing')
    if len(methods) > 1:
        raise InputError("You cannot specify multiple shipping methods.")
    carrier, method = methods[0].get("carrier_code") or "", methods[0].get("method_code") or ""
    for name, value in (("carrier_code", carrier), ("method_code", method)):
        if not value:
            raise InputError(f'Required parameter "{name}" is missing.')
    # ShippingInformationManagement::saveAddressInformation: items, address, then the rate
    if not cart.items:
        raise InputError("The shipping method can't be set for an empty cart. Add an item to cart and try again.")
    if cart.shipping_address is None:
        raise InputError(SHIPPING_ADDRESS_MISSING)
    virtual = is_virtual(cart, ctx.state)  # an address kept from before: saved, but no rate is checked
    if not virtual and (carrier, method) not in {r.code for r in shipping_rates(cart, ctx.state, ctx.currency)}:
        raise NoSuchEntityError(f"Carrier with such method not found: {carrier}, {method}")
    cart.shipping_method = (carrier, method)


def set_payment_method(ctx: RequestContext, cart: Cart, payment: dict[str, Any]) -> None:
    code = payment.get("code") or ""
    if not code:
        raise InputError('Required parameter "code" for "payment_method" is missing.')
    if cart.shipping_address is None and not is_virtual(cart, ctx.state):
        raise InputError(SHIPPING_ADDRESS_MISSING)
    if code not in payment_methods(compute_totals(cart, ctx.state, ctx.currency).grand_total, ctx.state.config):
        raise InputError("The requested Payment Method is not available.")
    cart.payment_method = code


def _validate_for_order(ctx: RequestContext, cart: Cart) -> CartTotals:
    """QuoteManagement::submit + QuoteValidator::validateBeforeSubmit, in their order."""
    state = ctx.state
    if cart.customer_id is None and not cart.email:
        raise CheckoutProblem("Guest email for cart is missing.")
    if not cart.items:
        raise CheckoutProblem(
            "A server error stopped your order from being placed. Please try to place your order again."
        )
    if cart_stock_problems(cart, state):
        raise CheckoutProblem("Some of the products are out of stock.")
    ships = not is_virtual(cart, state)  # AllowedCountryValidationRule (first) skips virtual quotes too
    if ships and (cart.shipping_address is None or find_country(cart.shipping_address.country_code) is None):
        raise CheckoutProblem(COUNTRY_NOT_ALLOWED)
    shipping_problems = address_problems(cart.shipping_address) if ships else []
    if shipping_problems:
        raise CheckoutProblem(" ".join(["Please check the shipping address information.", *shipping_problems]))
    totals = compute_totals(cart, state, ctx.currency)
    if ships and totals.selected_rate is None:
        raise CheckoutProblem("The shipping method is missing. Select the shipping method and try again.")
    billing_problems = address_problems(cart.billing_address)
    if billing_problems:
        raise CheckoutProblem(" ".join(["Please check the billing address information.", *billing_problems]))
    if cart.payment_method not in payment_methods(totals.grand_total, ctx.state.config):
        raise CheckoutProblem("Enter a valid payment method and try again.")
    return totals


def place_order(ctx: RequestContext, cart: Cart) -> Order:
    """Check the cart like Magento, then turn it into an order (``orders.create_order``)."""
    check_checkout_allowed(ctx, cart)
    totals = _validate_for_order(ctx, cart)
    return create_order(ctx.state, cart, totals, compute_totals(cart, ctx.state, BASE_CURRENCY))


PLACE_ORDER_CODES: tuple[tuple[str, str], ...] = (
    ("Could not find a cart with ID", "CART_NOT_FOUND"),
    ("The cart isn't active", "CART_NOT_ACTIVE"),
    ("Guest email for cart is missing", "GUEST_EMAIL_MISSING"),
    ("A server error stopped your order from being placed", "UNABLE_TO_PLACE_ORDER"),
    (
        "Some addresses can't be used due to the configurations for specific countries",
        "UNABLE_TO_PLACE_ORDER",
    ),
    ("The shipping method is missing. Select the shipping method and try again", "UNABLE_TO_PLACE_ORDER"),
    ("Please check the billing address information", "UNABLE_TO_PLACE_ORDER"),
    ("Enter a valid payment method and try again", "UNABLE_TO_PLACE_ORDER"),
    ("Some of the products are out of stock", "UNABLE_TO_PLACE_ORDER"),
)


def place_order_error(message: str) -> dict[str, str]:
    """A ``PlaceOrderError``: the code is derived from the text, as PlaceOrder::getErrorCode does."""
    code = next((code for text, code in PLACE_ORDER_CODES if text in message), "UNDEFINED")
    return {"message": message, "code": code}
