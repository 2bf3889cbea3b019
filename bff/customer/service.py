"""``CustomerService``: the viewer, sign-up, sign-in (with the guest-cart merge) and sign-out.

The shopper holds only the BFF's session token. Magento's customer token lives in the session
with the instant it stops working (``customer_expires_at``, from the store's
``customer_access_token_lifetime``); ``Shopper.call`` ends the customer part of the session once
that instant has passed or Magento refuses the token. The session token rotates on sign-in and
on sign-out, so a token seen before either can never act for the signed-in customer.

Magento's token, the password and the e-mail address never appear in logs or error details.
"""

from __future__ import annotations

import dataclasses
import logging

from bff.cart.models import CartLine
from bff.cart.service import CartService
from bff.clock import Clock
from bff.customer.mapping import (
    customer_cart_id,
    guest_lines,
    issued_token,
    order_page_from_magento,
    policy_from_magento,
    sign_up_variables,
    viewer_customer,
)
from bff.customer.models import (
    AuthResult,
    Credentials,
    Customer,
    CustomerPolicy,
    OrderPage,
    OrderSummary,
    SignUp,
    Viewer,
)
from bff.errors import (
    BadUserInput,
    BffError,
    StoreUnavailable,
    Unauthenticated,
    UpstreamFailed,
    UpstreamUnavailable,
    UserErrorCode,
    UserFacingError,
    UserProblem,
)
from bff.events.catalogue import cart_merged, customer_registered
from bff.events.publisher import EventPublisher
from bff.magento.errors import (
    MagentoAlreadyExists,
    MagentoInputRejected,
    MagentoNotFound,
    MagentoUnauthenticated,
    MagentoUnauthorized,
)
from bff.magento.results import customer as ops
from bff.orders.status import OrderStatuses
from bff.sessions.models import Session, customer_key_of
from bff.shopper import Gateway

log = logging.getLogger("bff.customer")

MAX_ORDERS_PAGE_SIZE = 50
MAX_ORDERS_PAGE = 10_000

INVALID_CREDENTIALS = UserProblem(
    UserErrorCode.INVALID_CREDENTIALS,
    "The email address or password is incorrect, or the account is temporarily locked.",
)
ALREADY_SIGNED_IN = UserProblem(
    UserErrorCode.ALREADY_SIGNED_IN, "You are already signed in. Sign out first to use another account."
)
EMAIL_TAKEN = UserProblem(
    UserErrorCode.EMAIL_TAKEN, "An account with this email address already exists. Sign in instead.", ("email",)
)
CART_NOT_MOVED = UserProblem(
    UserErrorCode.MERGE_FAILED,
    "The items from your cart before you signed in could not be moved to your account's cart.",
)


class CustomerService:
    def __init__(
        self,
        cart: CartService,
        clock: Clock,
        events: EventPublisher | None = None,
        statuses: OrderStatuses | None = None,
    ) -> None:
        self.cart = cart
        self.clock = clock
        self.events = events  # None: events are off (no customer.registered, no cart.merged)
        self.statuses = statuses  # what Magento's order webhook announced (None: Magento's read only)
        self._policies: dict[str, CustomerPolicy] = {}  # by store view code ("" = Magento's default)

    # --- viewer -----------------------------------------------------------------------------

    async def viewer(self, shopper: Gateway) -> Viewer:
        """Signed out: answered without Magento. Signed in: the customer as Magento has them.

        An expired or refused customer token raises ``UNAUTHENTICATED`` (``Shopper.call``) and
        ends the customer part of the session; the next request is a guest's.
        """
        session = shopper.session.current
        if session is None or not session.signed_in:
            return Viewer.signed_out()
        try:
            customer = viewer_customer(await shopper.call(ops.VIEWER({}), as_customer=True))
        except MagentoUnauthenticated:  # e.g. the account was locked meanwhile
            await shopper.session.end_customer()
            raise Unauthenticated() from None
        if customer is None:
            raise UpstreamFailed(operation="Viewer", detail="no customer in the answer")
        recent = await self._announced(customer.recent_orders)
        return Viewer.of(dataclasses.replace(customer, recent_orders=recent))

    async def orders(self, shopper: Gateway, page: int, page_size: int, known: Customer | None = None) -> OrderPage:
        """One page of the signed-in customer's orders in this store view, newest first. ``known`` is
        the customer the viewer already read: its five most recent orders answer the first page
        without asking Magento again when they are enough."""
        if not 1 <= page <= MAX_ORDERS_PAGE:
            raise BadUserInput(f"`page` must be between 1 and {MAX_ORDERS_PAGE}.")
        if not 1 <= page_size <= MAX_ORDERS_PAGE_SIZE:
            raise BadUserInput(f"`pageSize` must be between 1 and {MAX_ORDERS_PAGE_SIZE}.")
        if page == 1 and known is not None and (first := _first_page(known, page_size)) is not None:
            return first
        try:
            result = await shopper.call(
                ops.CUSTOMER_ORDERS({"pageSize": page_size, "currentPage": page}), as_customer=True
            )
        except MagentoUnauthenticated:
            await shopper.session.end_customer()
            raise Unauthenticated() from None
        answered = order_page_from_magento(result, page, page_size)
        return dataclasses.replace(answered, items=await self._announced(answered.items))

    async def _announced(self, orders: tuple[OrderSummary, ...]) -> tuple[OrderSummary, ...]:
        """The orders with the status Magento announced since (``bff.orders.status``), where it did.
        The store not answering leaves Magento's read as it is."""
        if self.statuses is None or not orders:
            return orders
        try:
            announced = await self.statuses.announced([o.number for o in orders if o.number])
        except StoreUnavailable:
            log.warning("announced order statuses unreadable: showing Magento's")
            return orders
        return tuple(
            dataclasses.replace(o, status=a.label) if (a := announced.get(o.number)) is not None else o for o in orders
        )

    # --- sign-up / sign-in ------------------------------------------------------------------

    async def sign_up(self, shopper: Gateway, signup: SignUp) -> AuthResult:
        """Create the account (Magento's name, e-mail and password rules checked first), then
        sign in exactly as ``sign_in`` does, so the guest cart is merged into the new account."""
        await self._refuse_if_signed_in(shopper)
        policy = await self._policy(shopper)
        problems = signup.problems(policy)
        if problems:
            raise UserFacingError(*problems)
        try:
            await shopper.call(ops.CREATE_CUSTOMER(sign_up_variables(signup)), as_customer=False)
        except (MagentoInputRejected, MagentoAlreadyExists):
            # Everything else Magento checks was validated above: its refusal of createCustomerV2
            # means the address is in use.
            raise UserFacingError(EMAIL_TAKEN) from None
        log.info("customer account created")
        if self.events is not None:
            await self.events.publish(customer_registered(signup.credentials.email))
        return await self._sign_in(shopper, signup.credentials, policy)

    async def sign_in(self, shopper: Gateway, credentials: Credentials) -> AuthResult:
        """Exchange the credentials for a customer token and make the session the customer's.

        * A shopper who is already signed in gets ``ALREADY_SIGNED_IN`` and stays signed in (a
          silent switch of accounts would mix two customers' carts); sign out first. A customer
          part that has expired is ended first and does not count.
        * Wrong credentials or a locked account: ``INVALID_CREDENTIALS``, which does not say which
          part was wrong; the session is left as it was.
        * On success the session token rotates; the guest cart (read before the switch) has its
          lines merged into the customer's cart, whose notices come back next to the viewer.
        """
        problems = credentials.problems()
        if problems:
            raise UserFacingError(*problems)
        await self._refuse_if_signed_in(shopper)
        return await self._sign_in(shopper, credentials, await self._policy(shopper))

    async def _refuse_if_signed_in(self, shopper: Gateway) -> None:
        if shopper.session.customer_expired():
            await shopper.session.end_customer()
        session = shopper.session.current
        if session is not None and session.signed_in:
            raise UserFacingError(ALREADY_SIGNED_IN)

    async def _sign_in(self, shopper: Gateway, credentials: Credentials, policy: CustomerPolicy) -> AuthResult:
        guest_lines = await self._guest_lines(shopper)
        issued_at = self.clock.now()
        try:
            result = await shopper.call(
                ops.GENERATE_CUSTOMER_TOKEN({"email": credentials.email, "password": credentials.password}),
                as_customer=False,
            )
        except MagentoUnauthenticated:
            log.info("sign-in refused")
            raise UserFacingError(INVALID_CREDENTIALS) from None
        token = issued_token(result)
        if token is None:
            raise UpstreamFailed(operation="GenerateCustomerToken", detail="no token in the answer")

        current = shopper.session.current
        await shopper.session.rotate(
            Session(
                id=current.id if current else "",
                customer_token=token,
                customer_expires_at=issued_at + policy.token_lifetime_s,
                customer_key=customer_key_of(credentials.email),
                store=shopper.meta.store or (current.store if current else None),
                currency=shopper.meta.currency or (current.currency if current else None),
            )
        )
        log.info("customer signed in")
        return await self._adopt_customer_cart(shopper, guest_lines)

    async def _guest_lines(self, shopper: Gateway) -> tuple[CartLine, ...]:
        """The lines of the session's guest cart; none when it has no cart or Magento lost it."""
        session = shopper.session.current
        if session is None or session.cart_id is None:
            return ()
        try:
            result = await shopper.call(ops.GUEST_CART_TO_MERGE({"cartId": session.cart_id}), as_customer=False)
        except (MagentoNotFound, MagentoUnauthorized):  # gone, inactive (ordered) or not a guest's
            return ()
        return guest_lines(result)

    async def _adopt_customer_cart(self, shopper: Gateway, guest_lines: tuple[CartLine, ...]) -> AuthResult:
        """Point the (now customer) session at the customer's cart and merge the guest lines in.

        If Magento cannot give the customer's cart, the shopper stays signed in (the token is
        good; the cart is looked up again later) and the guest lines are reported as not moved."""
        try:
            result = await shopper.call(ops.CUSTOMER_WITH_CART({}), as_customer=True)
        except Unauthenticated:
            raise
        except BffError as err:  # the sign-in itself succeeded: keep it rather than fail the request
            if isinstance(err, UpstreamUnavailable):
                log.warning("customer cart unavailable after sign-in")
            else:
                log.error("customer cart unreadable after sign-in: %s %s", err.code, err.detail)
            return AuthResult(Viewer(signed_in=True), (CART_NOT_MOVED,) if guest_lines else ())
        cart_id = customer_cart_id(result)
        session = shopper.session.current
        if session is not None and cart_id is not None:
            await shopper.session.update(session.with_changes(cart_id=cart_id))
        customer = viewer_customer(result)
        viewer = Viewer.of(customer) if customer is not None else Viewer(signed_in=True)
        notices: tuple[UserProblem, ...] = ()
        if guest_lines:
            notices = await self._merge(shopper, guest_lines)
            if self.events is not None and CART_NOT_MOVED not in notices:
                await self.events.publish(cart_merged(len(guest_lines)))
        return AuthResult(viewer, notices)

    async def _merge(self, shopper: Gateway, lines: tuple[CartLine, ...]) -> tuple[UserProblem, ...]:
        """``CartService.merge_guest_lines`` never raises by contract; should it still fail, the
        customer's own items are untouched and the shopper is told the guest items were not moved."""
        try:
            return tuple(await self.cart.merge_guest_lines(shopper, lines))
        except Unauthenticated:
            raise
        except BffError as err:
            log.warning("guest cart merge failed: %s", err.code)
            return (CART_NOT_MOVED,)

    # --- sign-out ---------------------------------------------------------------------------

    async def sign_out(self, shopper: Gateway) -> AuthResult:
        """Revoke Magento's token (best effort), then continue in a fresh guest session with no
        cart under a new session token (store view and currency are kept). A shopper who is not
        signed in gets the signed-out viewer and no error; their session is left alone."""
        session = shopper.session.current
        if session is None or not session.signed_in:
            return AuthResult(Viewer.signed_out())
        if not shopper.session.customer_expired():
            try:
                await shopper.call(ops.REVOKE_CUSTOMER_TOKEN({}), as_customer=True)
            except BffError as err:  # refused, unreachable, …: the token expires on its own
                log.info("token revocation skipped: %s", err.code)
        current = shopper.session.current or session
        await shopper.session.rotate(Session(id=current.id, store=current.store, currency=current.currency))
        log.info("customer signed out")
        return AuthResult(Viewer.signed_out())

    # --- the store's customer settings ------------------------------------------------------

    async def _policy(self, shopper: Gateway) -> CustomerPolicy:
        """The store's token lifetime and password rules, read once per store view and kept
        in-process; Magento's defaults (1 hour, 8 characters, 3 classes) when it cannot be read."""
        key = shopper.store or ""
        cached = self._policies.get(key)
        if cached is not None:
            return cached
        try:
            result = await shopper.call(ops.CUSTOMER_POLICY({}))
        except BffError as err:
            log.warning("store customer settings unreadable (%s): using Magento's defaults", err.code)
            return CustomerPolicy()  # not cached: asked again next time
        policy = policy_from_magento(result)
        self._policies[key] = policy
        return policy


def _first_page(customer: Customer, page_size: int) -> OrderPage | None:
    """The first ``page_size`` orders from the viewer's recent ones, when they include them all."""
    recent = customer.recent_orders
    if page_size > len(recent) and len(recent) < customer.order_count:
        return None
    total = customer.order_count
    return OrderPage(items=recent[:page_size], total_count=total, current_page=1, page_size=page_size,
                     total_pages=-(-total // page_size))  # fmt: skip
