"""The shopper's cart: lazy creation, items, coupons, the checkout steps, recovery of lost carts.

Rules (storefront contract, "Cart rules"):

* No cart exists until the first add: ``get`` answers ``Cart.empty`` without calling Magento,
  and the first add opens a guest cart (``createGuestCart``) or, signed in, the customer's cart
  (``customerCart``); its masked id lives only in the session.
* Every mutation selects ``CartFields``: one round trip per step, answered with the whole cart.
* Magento refusing a cart operation with not-found (or, for a guest, unauthorized) means either
  "the cart is gone" (ordered elsewhere, merged, expired, another store view) or "that item /
  coupon is unknown". The two are told apart without reading Magento's text: the cart is read
  again (``GetCart``); if that fails too, the cart is gone. A gone cart is forgotten, adds are
  retried once on a new cart, and the shopper is told with a ``CART_RECREATED`` notice.
* Inputs are checked first (``validation``); Magento's remaining refusals become user errors
  with stable codes; Magento's messages never reach the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from bff.cart import validation
from bff.cart.mapping import (
    WHOLE_UNITS_MESSAGE,
    StepResult,
    add_problems,
    added_lines,
    address_variables,
    cart_from_magento,
    cart_summary_from_magento,
    is_fractional,
    item_variables,
    opened_cart_id,
    step_cart,
    summary_variables,
    update_variables,
)
from bff.cart.merge import LineRefused, merge_lines
from bff.cart.models import (
    WHOLE_CART,
    AddressRequest,
    Cart,
    CartItemRequest,
    CartItemUpdate,
    CartLine,
    CartOutcome,
    CartParts,
    CartRefused,
)
from bff.catalog.models import Country
from bff.catalog.service import CatalogService
from bff.errors import BffError, Path, Unauthenticated, UpstreamFailed, UserErrorCode, UserFacingError, UserProblem
from bff.magento.errors import MagentoError, MagentoInputRejected, MagentoNotFound, MagentoUnauthorized
from bff.magento.operations import Request
from bff.magento.outcomes import LineRefusal
from bff.magento.results import cart as ops
from bff.magento.results import checkout as checkout_ops
from bff.magento.results import customer as customer_ops
from bff.magento.results.inputs import CartAddressInput
from bff.shopper import Gateway

log = logging.getLogger("bff.cart")

Code = UserErrorCode
CART_RECREATED = UserProblem(
    Code.CART_RECREATED,
    "Your previous cart is no longer available, so a new cart was started. Please check your items.",
)
CART_EMPTY = UserProblem(Code.CART_EMPTY, "The cart is empty: add a product first.")
SIGN_IN_REQUIRED = UserProblem(Code.SIGN_IN_REQUIRED, "This store asks shoppers to sign in before checkout.")
NEED_SHIPPING_ADDRESS = UserProblem(
    Code.CHECKOUT_INCOMPLETE, "Set the shipping address first.", missing_steps=("SHIPPING_ADDRESS",)
)
NOTHING_TO_SHIP = UserProblem(
    Code.INVALID_INPUT,
    "This cart holds only virtual products: there is nothing to ship, so it takes no shipping address or method.",
)
NO_SHIPPING_ADDRESS_TO_COPY = UserProblem(
    Code.INVALID_INPUT,
    "This cart holds only virtual products and has no shipping address to copy: give the billing address.",
    ("sameAsShipping",),
)

# Magento refusals that may mean "this cart is unusable" (checked by reading the cart again).
_CART_REFUSALS = (MagentoNotFound, MagentoUnauthorized, MagentoInputRejected)

Refusal = Callable[[Cart, MagentoError], UserProblem | CartOutcome]
R = TypeVar("R", bound=StepResult)


class CartService:
    def __init__(self, catalog: CatalogService) -> None:
        self.catalog = catalog

    # --- the cart and its id -------------------------------------------------------------------

    async def get(self, shopper: Gateway, parts: CartParts = WHOLE_CART) -> Cart:
        """The session's cart; ``Cart.empty`` (no Magento call) when the session has none, and
        when Magento lost it (the session then forgets it). Without ``parts.details`` Magento is
        asked for a summary (``CartSummary``: no addresses or methods; lines and prices as
        ``parts`` say); the cart's other parts are then empty."""
        cart_id = await self.cart_id(shopper, create=False)
        if cart_id is None:
            return await self._empty(shopper)
        cart = await (self._read(shopper, cart_id) if parts.details else self._summary(shopper, cart_id, parts))
        if cart is None:
            await self._forget(shopper, cart_id)
            return await self._empty(shopper)
        return cart

    async def cart_id(self, shopper: Gateway, *, create: bool) -> str | None:
        """The session's masked cart id; with ``create``, a cart is opened when there is none."""
        session = shopper.session.current
        if session is not None and session.cart_id:
            return session.cart_id
        if not create:
            return None
        return await self._open(shopper)

    async def forget_cart(self, shopper: Gateway) -> None:
        """After an order: drop the cart id, so the next add opens a fresh cart."""
        session = shopper.session.current
        if session is not None and session.cart_id is not None:
            await shopper.session.update(session.with_changes(cart_id=None))

    # --- items ---------------------------------------------------------------------------------

    async def add_items(self, shopper: Gateway, items: list[CartItemRequest]) -> CartOutcome:
        """Add lines; refused lines come back as notices next to the cart (the others are added)."""
        checked = validation.checked_items(items)
        lines = [item_variables(i) for i in checked]
        cart_id = await self.cart_id(shopper, create=False) or await self._open(shopper)
        notices: tuple[UserProblem, ...] = ()
        try:
            result = await shopper.call(ops.ADD_PRODUCTS_TO_CART({"cartId": cart_id, "items": lines}))
        except _CART_REFUSALS as err:
            current = await self._read(shopper, cart_id)
            if current is not None:
                raise CartRefused(current, _refusal_on_live_cart(err, _add_refused(len(checked)))) from None
            await self._forget(shopper, cart_id)
            cart_id = await self._open(shopper)
            result = await shopper.call(ops.ADD_PRODUCTS_TO_CART({"cartId": cart_id, "items": lines}))
            notices = (CART_RECREATED,)
        cart, refusals = added_lines(result)
        return CartOutcome(cart, notices + add_problems(refusals, checked, cart))

    async def update_items(self, shopper: Gateway, items: list[CartItemUpdate]) -> CartOutcome:
        """Change quantities (0 removes the line)."""
        checked = validation.checked_updates(items)
        updates = [update_variables(i.uid, i.quantity) for i in checked]

        def refused(cart: Cart, err: MagentoError) -> UserProblem:
            # Magento refuses the whole request at the first line it cannot change, without
            # saying which: an unknown uid is found in the cart, a fractional quantity (checked
            # before stock) in the request; a stock refusal of several lines is the whole list's.
            uids = {line.uid for line in cart.lines}
            missing = next((n for n, i in enumerate(checked) if i.uid not in uids), None)
            if missing is not None:
                return UserProblem(Code.CART_ITEM_NOT_FOUND, "The cart has no such line.", (str(missing), "uid"))
            fractional = next((n for n, i in enumerate(checked) if i.quantity > 0 and is_fractional(i.quantity)), None)
            if fractional is not None:
                return UserProblem(Code.INVALID_QUANTITY, WHOLE_UNITS_MESSAGE, (str(fractional), "quantity"))
            field: Path = ("0", "quantity") if len(checked) == 1 else ()
            return UserProblem(Code.INSUFFICIENT_STOCK, "The requested quantity is not available.", field)

        missing_cart = UserProblem(Code.CART_ITEM_NOT_FOUND, "The cart has no such line.", ("0", "uid"))
        return await self._step(
            shopper, lambda cart_id: ops.UPDATE_CART_ITEMS({"cartId": cart_id, "items": updates}), refused,
            no_cart=missing_cart,
        )  # fmt: skip

    async def remove_item(self, shopper: Gateway, uid: str) -> CartOutcome:
        checked = validation.checked_uid(uid)
        not_found = UserProblem(Code.CART_ITEM_NOT_FOUND, "The cart has no such line.", ())
        return await self._step(
            shopper,
            lambda cart_id: ops.REMOVE_CART_ITEM({"cartId": cart_id, "uid": checked}),
            lambda _cart, _err: not_found,
            no_cart=not_found,
        )

    # --- coupons -------------------------------------------------------------------------------

    async def apply_coupon(self, shopper: Gateway, code: str) -> CartOutcome:
        checked = validation.checked_code(code, (), "coupon code")

        def refused(cart: Cart, err: MagentoError) -> UserProblem | CartOutcome:
            applied = [c.casefold() for c in cart.applied_coupons]
            if checked.casefold() in applied:
                return CartOutcome(cart)  # already applied: nothing to do
            if applied:
                return UserProblem(
                    Code.COUPON_ALREADY_APPLIED, "A coupon is already applied: remove it to use another.", ()
                )
            if not cart.lines:
                return CART_EMPTY
            return UserProblem(Code.COUPON_NOT_FOUND, "This coupon code is not valid.", ())

        return await self._step(
            shopper, lambda cart_id: ops.APPLY_COUPON({"cartId": cart_id, "code": checked}), refused, no_cart=CART_EMPTY
        )

    async def remove_coupon(self, shopper: Gateway) -> CartOutcome:
        """Remove the coupon; a cart without one (or without any cart) is answered as it is."""
        if await self.cart_id(shopper, create=False) is None:
            return CartOutcome(await self._empty(shopper))
        return await self._step(
            shopper,
            lambda cart_id: ops.REMOVE_COUPON({"cartId": cart_id}),
            lambda cart, _err: CartOutcome(cart),
            no_cart=CART_EMPTY,
        )

    # --- checkout steps ------------------------------------------------------------------------

    async def set_guest_email(self, shopper: Gateway, email: str) -> CartOutcome:
        checked = validation.checked_email(email)
        if shopper.signed_in:
            raise UserFacingError.of(
                Code.ALREADY_SIGNED_IN, "Signed-in shoppers check out with their account's e-mail.", ()
            )
        invalid = UserProblem(Code.INVALID_EMAIL, "The store did not accept this e-mail address.", ())
        return await self._step(
            shopper,
            lambda cart_id: checkout_ops.SET_GUEST_EMAIL({"cartId": cart_id, "email": checked}),
            lambda _cart, err: _refusal_on_live_cart(err, invalid),
            no_cart=CART_EMPTY,
        )

    async def set_shipping_address(self, shopper: Gateway, address: AddressRequest) -> CartOutcome:
        """Paths are relative to the address (``("postcode",)``). A virtual cart (nothing to
        ship) refuses it: ``NOTHING_TO_SHIP``."""
        return await self._address_step(
            shopper,
            address,
            (),
            lambda cart_id, fields: checkout_ops.SET_SHIPPING_ADDRESS({"cartId": cart_id, "address": fields}),
            on_virtual_cart=NOTHING_TO_SHIP,
        )

    async def set_billing_address(
        self, shopper: Gateway, address: AddressRequest | None, same_as_shipping: bool
    ) -> CartOutcome:
        """An explicit billing address, or (``same_as_shipping``) the cart's shipping address.
        Paths start with the value's name: ``("address", "postcode")``, ``("sameAsShipping",)``."""
        if same_as_shipping == (address is not None):
            raise UserFacingError.of(
                Code.INVALID_INPUT, "Give either a billing address or sameAsShipping: true.", ("address",)
            )
        if address is None:

            def refused(cart: Cart, err: MagentoError) -> UserProblem:
                if cart.shipping_address is None and cart.is_virtual:
                    return _refusal_on_live_cart(err, NO_SHIPPING_ADDRESS_TO_COPY)
                if cart.shipping_address is None:
                    return replace(NEED_SHIPPING_ADDRESS, field=("sameAsShipping",))
                return _refusal_on_live_cart(err, _address_refused(("sameAsShipping",)))

            return await self._step(
                shopper,
                lambda cart_id: checkout_ops.SET_BILLING_ADDRESS_SAME_AS_SHIPPING({"cartId": cart_id}),
                refused,
                no_cart=CART_EMPTY,
            )
        return await self._address_step(
            shopper,
            address,
            ("address",),
            lambda cart_id, fields: checkout_ops.SET_BILLING_ADDRESS({"cartId": cart_id, "address": fields}),
        )

    async def _address_step(
        self,
        shopper: Gateway,
        address: AddressRequest,
        at: Path,
        request: Callable[[str, CartAddressInput], Request[R]],
        *,
        on_virtual_cart: UserProblem | None = None,
    ) -> CartOutcome:
        """Validate an address (problems at ``at``) against the store's countries, then set it with
        ``request``; a refusal on a virtual cart is ``on_virtual_cart`` when given."""
        checked = validation.checked_address(address, await self._countries(shopper), at)
        fields = address_variables(checked)

        def refused(cart: Cart, err: MagentoError) -> UserProblem:
            problem = on_virtual_cart if on_virtual_cart is not None and cart.is_virtual else _address_refused(at)
            return _refusal_on_live_cart(err, problem)

        return await self._step(shopper, lambda cart_id: request(cart_id, fields), refused, no_cart=CART_EMPTY)

    async def set_shipping_method(self, shopper: Gateway, carrier: str, method: str) -> CartOutcome:
        """Paths name the value: ``("carrierCode",)``, ``("methodCode",)``."""
        carrier_code = validation.checked_code(carrier, ("carrierCode",), "carrier code")
        method_code = validation.checked_code(method, ("methodCode",), "method code")

        def refused(cart: Cart, err: MagentoError) -> UserProblem:
            if not cart.lines:  # Magento checks for items before the address
                return CART_EMPTY
            if cart.is_virtual:
                return _refusal_on_live_cart(err, NOTHING_TO_SHIP)
            if cart.shipping_address is None:
                return NEED_SHIPPING_ADDRESS
            return _refusal_on_live_cart(
                err,
                UserProblem(
                    Code.SHIPPING_METHOD_UNAVAILABLE,
                    "This shipping method is not available for the cart: choose one of availableShippingMethods.",
                    ("methodCode",),
                ),
            )

        return await self._step(
            shopper,
            lambda cart_id: checkout_ops.SET_SHIPPING_METHOD(
                {"cartId": cart_id, "carrierCode": carrier_code, "methodCode": method_code}
            ),
            refused,
            no_cart=CART_EMPTY,
        )

    async def set_payment_method(self, shopper: Gateway, code: str) -> CartOutcome:
        checked = validation.checked_code(code, (), "payment method code")

        def refused(cart: Cart, err: MagentoError) -> UserProblem:
            if cart.shipping_address is None and not cart.is_virtual:
                return NEED_SHIPPING_ADDRESS
            return _refusal_on_live_cart(
                err,
                UserProblem(
                    Code.PAYMENT_METHOD_UNAVAILABLE,
                    "This payment method is not available for the cart: choose one of availablePaymentMethods.",
                    (),
                ),
            )

        return await self._step(
            shopper,
            lambda cart_id: checkout_ops.SET_PAYMENT_METHOD({"cartId": cart_id, "code": checked}),
            refused,
            no_cart=CART_EMPTY,
        )

    # --- sign-in merge -------------------------------------------------------------------------

    async def merge_guest_lines(self, shopper: Gateway, guest_lines: tuple[CartLine, ...]) -> tuple[UserProblem, ...]:
        """Re-add the guest cart's lines to the shopper's current (customer) cart, as much of each
        as stock allows: ``QUANTITY_ADJUSTED`` for a line moved in part, ``MERGE_FAILED`` for one
        not moved at all. Never raises (but ``Unauthenticated``): the customer's items stay."""

        async def add(line: CartLine, quantity: Decimal) -> bool:
            cart_id = await self.cart_id(shopper, create=False) or await self._open(shopper)
            item = CartItemRequest(line.sku, quantity, tuple(o.value_uid for o in line.options if o.value_uid))
            result = await shopper.call(ops.ADD_PRODUCTS_TO_CART({"cartId": cart_id, "items": [item_variables(item)]}))
            _, refusals = added_lines(result)
            if not refusals:
                return True
            if set(refusals) == {LineRefusal.INSUFFICIENT_STOCK}:
                return False
            raise LineRefused(",".join(sorted(r.name for r in refusals)))

        return await merge_lines(guest_lines, add)

    # --- internals -----------------------------------------------------------------------------

    async def _step(
        self,
        shopper: Gateway,
        request: Callable[[str], Request[R]],
        refused: Refusal,
        *,
        no_cart: UserProblem,
    ) -> CartOutcome:
        """Run a cart mutation on the session's cart. A refusal is checked against the cart read
        again: gone → forget it (``CART_RECREATED``, a new cart opens on the next add); still
        there → ``refused(cart, error)`` says what the shopper can fix."""
        cart_id = await self.cart_id(shopper, create=False)
        if cart_id is None:
            raise CartRefused(await self._empty(shopper), no_cart)
        try:
            result = await shopper.call(request(cart_id))
        except _CART_REFUSALS as err:
            current = await self._read(shopper, cart_id)
            if current is None:
                log.info("cart gone during %s: starting over", request(cart_id).operation.name)
                await self._forget(shopper, cart_id)
                return CartOutcome(await self._empty(shopper), (CART_RECREATED,))
            answer = refused(current, err)
            if isinstance(answer, CartOutcome):
                return answer
            raise CartRefused(current, answer) from None
        return CartOutcome(step_cart(result))

    async def _open(self, shopper: Gateway) -> str:
        """Open a cart for the session: a new guest cart, or the customer's active cart."""
        if shopper.signed_in:
            customer_cart = await shopper.call(customer_ops.CUSTOMER_CART({}))
            new_id = opened_cart_id(customer_cart)
        else:
            guest_cart = await shopper.call(ops.CREATE_GUEST_CART({}))
            new_id = opened_cart_id(guest_cart)
        if not new_id:
            raise UpstreamFailed(operation="CustomerCart/CreateGuestCart", detail="no cart id in the answer")
        session = await shopper.session.ensure()
        await shopper.session.update(session.with_changes(cart_id=new_id))
        return new_id

    async def _read(self, shopper: Gateway, cart_id: str) -> Cart | None:
        """The cart, or None when Magento says it is gone, inactive or not this shopper's."""
        try:
            result = await shopper.call(ops.GET_CART({"cartId": cart_id}))
        except (MagentoNotFound, MagentoUnauthorized):
            return None
        return cart_from_magento(result.cart) if result.cart is not None else None

    async def _summary(self, shopper: Gateway, cart_id: str, parts: CartParts) -> Cart | None:
        """The cart's summary, or None when Magento says it is gone (as ``_read``)."""
        try:
            result = await shopper.call(ops.CART_SUMMARY(summary_variables(cart_id, parts)))
        except (MagentoNotFound, MagentoUnauthorized):
            return None
        summary = result.cart
        return cart_summary_from_magento(summary, shopper.currency or "USD") if summary is not None else None

    async def _forget(self, shopper: Gateway, dead_id: str) -> None:
        session = shopper.session.current
        if session is not None and session.cart_id == dead_id:
            await shopper.session.update(session.with_changes(cart_id=None))

    async def _countries(self, shopper: Gateway) -> dict[str, Country] | None:
        """The store's countries by code; None when they cannot be read (Magento then decides)."""
        try:
            return {c.code: c for c in await self.catalog.countries(shopper)} or None
        except Unauthenticated:
            raise
        except BffError as err:
            log.warning("country list unavailable for address checks: %s", err.code)
            return None

    async def _empty(self, shopper: Gateway) -> Cart:
        """The empty cart, in the currency Magento would price the shopper's cart in: the request's
        or session's currency, else the default currency of the store view the shopper is on (from
        the store views cached in process: only asked when a store view is named), else USD."""
        if shopper.currency:
            return Cart.empty(shopper.currency)
        if shopper.store:
            try:
                views = await self.catalog.store_views(shopper)
            except BffError:
                views = []
            for view in views:
                if view.code == shopper.store:
                    return Cart.empty(view.default_currency)
        return Cart.empty("USD")


def _refusal_on_live_cart(err: MagentoError, problem: UserProblem) -> UserProblem:
    """A refusal of a cart that is still usable: for a guest, unauthorized means the store
    requires signing in (guest checkout disabled); anything else is ``problem``."""
    return SIGN_IN_REQUIRED if isinstance(err, MagentoUnauthorized) else problem


def _add_refused(count: int) -> UserProblem:
    return UserProblem(Code.INVALID_INPUT, "The store did not accept these items.", () if count > 1 else ("0",))


def _address_refused(at: Path) -> UserProblem:
    return UserProblem(Code.INVALID_ADDRESS, "The store did not accept this address: check every field.", at)
