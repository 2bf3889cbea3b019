"""Customers: sign-in tokens, account creation, the ``customer`` query, guest carts -> customers.

* ``generateCustomerToken`` issues a JWT-shaped token (header.payload.signature, base64url) that
  lives ``config.customer_token_lifetime_minutes``; ``customer_for_token`` (used by ``app.py``)
  returns None for unknown, revoked or expired tokens, so such requests run as a guest.
* Wrong credentials count as failures; the ``config.max_login_failures``-th locks the account for
  ``config.lock_seconds`` (Magento's ``oauth/authentication_lock``); a locked account gets the
  same sign-in error even with the right password, and its failures reset when the lock ends.
* ``revokeCustomerToken`` revokes every token of the customer (JwtUserToken revokes by customer).
* ``mergeCarts`` moves an active guest cart's lines into a customer cart (same sku + options add
  up; a line whose summed quantity exceeds the stock is dropped, as CartQuantityValidator does),
  copies its coupon and deactivates it.
* ``assignCustomerToGuestCart`` follows QuoteManagement::assignCustomer: the guest cart (keeping
  its id) becomes the customer's cart, and the customer's previous active cart is merged into it
  and deactivated.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from graphql import GraphQLResolveInfo

from bff.sandbox.carts import active_cart_of, cart_for_user, cart_view, customer_cart, get_cart_for_user
from bff.sandbox.checkout import NOT_AUTHORIZED, customer_address_id, is_valid_email
from bff.sandbox.clock import iso_datetime
from bff.sandbox.context import RequestContext, RootResolver, context_of
from bff.sandbox.errors import AuthenticationError, AuthorizationError, InputError
from bff.sandbox.orders import customer_orders
from bff.sandbox.state import Address, Cart, CartItem, Customer, CustomerToken, SandboxState
from bff.sandbox.totals import quantity_problem

Info = GraphQLResolveInfo

SIGN_IN_FAILED = (
    "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."
)
MIN_PASSWORD_LENGTH = 8  # customer/password/minimum_password_length
REQUIRED_CHARACTER_CLASSES = 3  # customer/password/required_character_classes_number
MAX_PASSWORD_LENGTH = 256
CUSTOMER_USER_TYPE = 3  # UserContextInterface::USER_TYPE_CUSTOMER


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def customer_for_token(state: SandboxState, token: str) -> Customer | None:
    """The customer a bearer token signs in, or None if it is unknown, revoked or expired."""
    record = state.tokens.get(token)
    if record is None or record.revoked or state.clock.now() >= record.expires_at:
        return None
    return state.customers.get(record.customer_id)


def issue_token(state: SandboxState, customer: Customer) -> str:
    now = state.clock.now()
    expires_at = now + state.config.customer_token_lifetime_minutes * 60
    header = _b64url(json.dumps({"kid": "1", "alg": "HS256"}).encode())
    claims = {"uid": customer.id, "utypid": CUSTOMER_USER_TYPE, "iat": int(now), "exp": int(expires_at)}
    token = f"{header}.{_b64url(json.dumps(claims).encode())}.{_b64url(secrets.token_bytes(32))}"
    state.tokens[token] = CustomerToken(token=token, customer_id=customer.id, expires_at=expires_at)
    return token


def password_problem(password: str, email: str) -> str | None:
    """AccountManagement::checkPasswordStrength, then the same-as-email rule."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Please enter a password with at most {MAX_PASSWORD_LENGTH} characters."
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password needs at least {MIN_PASSWORD_LENGTH} characters. Create a new password and try again."
    if password.strip() != password:
        return "The password can't begin or end with a space. Verify the password and try again."
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < REQUIRED_CHARACTER_CLASSES:
        return (
            f"Minimum of different classes of characters in password is {REQUIRED_CHARACTER_CLASSES}. "
            "Classes of characters: Lower Case, Upper Case, Digits, Special Characters."
        )
    if password.lower() == email.lower():
        return "The password can't be the same as the email address. Create a new password and try again."
    return None


# --- views ---------------------------------------------------------------------------------


def customer_address_view(customer: Customer, index: int, address: Address) -> dict[str, Any]:
    return {
        "id": customer_address_id(customer, index),
        "region": {
            "region_code": address.region_code,
            "region": address.region_label,
            "region_id": address.region_id,
        },
        "region_id": address.region_id,
        "country_code": address.country_code,
        "street": list(address.street),
        "company": address.company,
        "telephone": address.telephone,
        "postcode": address.postcode,
        "city": address.city,
        "firstname": address.firstname,
        "lastname": address.lastname,
        "default_shipping": index == 0,
        "default_billing": index == 0,
    }


def customer_view(customer: Customer, ctx: RequestContext) -> dict[str, Any]:
    """A ``Customer``; its first address is the default billing and shipping address."""
    ctx.no_cache()
    default = str(customer_address_id(customer, 0)) if customer.addresses else None
    return {
        "created_at": customer.created_at,
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "email": customer.email,
        "default_billing": default,
        "default_shipping": default,
        "date_of_birth": customer.date_of_birth,
        "is_subscribed": customer.is_subscribed,
        "addresses": [customer_address_view(customer, i, a) for i, a in enumerate(customer.addresses)],
        "orders": lambda _info, **args: customer_orders(ctx.state, customer.id, ctx.store.code, **args),
    }


# --- carts changing hands -------------------------------------------------------------------


def merge_cart_into(state: SandboxState, destination: Cart, source: Cart) -> None:
    """Quote::merge with MergeCarts' CartQuantityValidator (see the module docstring)."""
    for item in source.items:
        same = next((i for i in destination.items if i.sku == item.sku and i.parent_sku == item.parent_sku), None)
        if same is None:
            destination.items.append(CartItem(state.next_id("quote_item"), item.sku, item.quantity, item.parent_sku))
        elif quantity_problem(state, destination, item.sku, same.quantity + item.quantity, same) is None:
            same.quantity += item.quantity
    if source.coupon_code:
        destination.coupon_code = source.coupon_code


def _signed_in(ctx: RequestContext) -> Customer:
    if ctx.customer is None:
        raise AuthorizationError(NOT_AUTHORIZED)
    return ctx.customer


# --- resolvers -------------------------------------------------------------------------------


def resolve_customer(_root: object, info: Info) -> dict[str, Any]:
    ctx = context_of(info)
    ctx.no_cache()
    customer = _signed_in(ctx)
    if customer.locked_until > ctx.state.clock.now():
        raise AuthenticationError("The account is locked.")
    return customer_view(customer, ctx)


def generate_customer_token(_root: object, info: Info, email: str, password: str) -> dict[str, Any]:
    ctx = context_of(info)
    state = ctx.state
    if not email.strip():
        raise InputError('Specify the "email" value.')
    if not password:
        raise InputError('Specify the "password" value.')
    customer = state.customer_by_email(email)
    if customer is None:
        raise AuthenticationError(SIGN_IN_FAILED)
    now = state.clock.now()
    if customer.locked_until > now:
        raise AuthenticationError(SIGN_IN_FAILED)
    if customer.locked_until:  # the lock has run out: start counting afresh
        customer.failures, customer.locked_until = 0, 0.0
    if customer.password != password:
        customer.failures += 1
        if customer.failures >= state.config.max_login_failures:
            customer.locked_until = now + state.config.lock_seconds
        raise AuthenticationError(SIGN_IN_FAILED)
    customer.failures = 0
    return {"token": issue_token(state, customer)}


def revoke_customer_token(_root: object, info: Info) -> dict[str, Any]:
    ctx = context_of(info)
    customer = _signed_in(ctx)
    for record in ctx.state.tokens.values():
        if record.customer_id == customer.id:
            record.revoked = True
    return {"result": True}


# the customer attributes a default install requires, in attribute order, with their frontend labels
REQUIRED_CUSTOMER_ATTRIBUTES = (("firstname", "First Name"), ("lastname", "Last Name"), ("email", "Email"))


def create_customer_v2(_root: object, info: Info, input: dict[str, Any]) -> dict[str, Any]:
    ctx = context_of(info)
    state = ctx.state
    missing = [label for code, label in REQUIRED_CUSTOMER_ATTRIBUTES if input.get(code) in (None, "")]
    if missing:  # ValidateCustomerData: required attributes first, then the e-mail's form
        raise InputError(f"Required parameters are missing: {', '.join(missing)}")
    email = str(input.get("email") or "").strip()
    if not is_valid_email(email):
        raise InputError(f'"{email}" is not a valid email address.')
    password = input.get("password")
    if password is not None and (problem := password_problem(str(password), email)):
        raise InputError(problem)
    if state.customer_by_email(email) is not None:
        raise InputError("A customer with the same email address already exists in an associated website.")
    customer = Customer(
        id=state.next_id("customer"),
        email=email,
        firstname=str(input.get("firstname") or ""),
        lastname=str(input.get("lastname") or ""),
        password=str(password or ""),
        is_subscribed=bool(input.get("is_subscribed")),
        created_at=iso_datetime(state.clock.now()),
        date_of_birth=input.get("date_of_birth") or input.get("dob"),
    )
    state.customers[customer.id] = customer
    return {"customer": customer_view(customer, ctx)}


def merge_carts(
    _root: object, info: Info, source_cart_id: str, destination_cart_id: str | None = None
) -> dict[str, Any]:
    ctx = context_of(info)
    if not source_cart_id:
        raise InputError('Required parameter "source_cart_id" is missing')
    if destination_cart_id is not None and not destination_cart_id:
        raise InputError('The parameter "destination_cart_id" cannot be empty')
    customer = _signed_in(ctx)
    destination = get_cart_for_user(ctx, destination_cart_id) if destination_cart_id else customer_cart(ctx, customer)
    source = cart_for_user(ctx.state, ctx.store.code, source_cart_id, None)
    merge_cart_into(ctx.state, destination, source)
    source.is_active = False
    return cart_view(destination, ctx)


def assign_customer_to_guest_cart(_root: object, info: Info, cart_id: str) -> dict[str, Any]:
    ctx = context_of(info)
    customer = _signed_in(ctx)
    cart = cart_for_user(ctx.state, ctx.store.code, cart_id, None)
    previous = active_cart_of(ctx.state, customer)
    if previous is not None:
        merge_cart_into(ctx.state, cart, previous)
        previous.is_active = False
    cart.customer_id = customer.id
    cart.email = customer.email
    return cart_view(cart, ctx)


QUERY_FIELDS: dict[str, RootResolver] = {"customer": resolve_customer}

MUTATION_FIELDS: dict[str, RootResolver] = {
    "generateCustomerToken": generate_customer_token,
    "revokeCustomerToken": revoke_customer_token,
    "createCustomerV2": create_customer_v2,
    "mergeCarts": merge_carts,
    "assignCustomerToGuestCart": assign_customer_to_guest_cart,
}
