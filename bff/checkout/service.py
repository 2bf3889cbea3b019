"""``CheckoutService``: the checkout state, the idempotent ``placeOrder`` and one-call ``checkout``.

Exactly-once rules (storefront contract, "Checkout guarantees"):

* The idempotency key is claimed atomically in the store before anything is sent (``idempotency``).
  A finished key replays its stored order for 24 h; a duplicate in flight waits for it; a
  different cart or input under the same key is ``IDEMPOTENCY_CONFLICT``.
* ``checkout`` records each completed step in the key's journal; a retry skips them.
* Before ``placeOrder`` is sent, the attempt is journaled with its time (``PlaceAttempt.at``). If
  Magento's answer is lost (timeout, dropped connection), or a retry finds the attempt in the
  journal, the BFF first asks Magento whether the cart is still active: an inactive cart means the
  order exists (its number is looked up in the customer's orders when signed in).
* placeOrder is never sent for a cart while an earlier attempt may still be running in Magento:
  an attempt may run until ``place_order_timeout_s + place_order_margin_s`` after it was sent.
  Until then, an active cart proves nothing, so the BFF waits for the attempt to settle, polling
  the cart every ``settle_poll_s`` (the lease renewed first; the wait at most
  ``min(duplicate_wait_s, lease_s / 2)``, so it ends well inside the lease), and answers
  ``UPSTREAM_UNAVAILABLE`` ("still being processed") if it has not settled by then. Only an
  attempt that is certainly over with the cart still active (it placed nothing) lets placeOrder
  be sent again. An attempt that certainly never left (refused before sending, connection
  refused) is struck from the journal, so a retry need not wait for it.
* Placing an order may take longer than the request's upstream deadline
  (``BFF_MAGENTO__REQUEST_DEADLINE_S``): ``_place`` extends it to the lease, so neither placeOrder
  nor its confirmation is cut short.
* An order Magento placed is reported as placed even when the store fails afterwards: recording
  its result (and releasing a key after a failure) is retried in the background until the store
  answers (``pending``), and a retry waiting on the key then replays the real number.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Protocol

from bff.cart.models import AddressRequest, Cart, CartOutcome, CartRefused
from bff.cart.service import NOTHING_TO_SHIP, CartService
from bff.checkout.idempotency import CHECKOUT, PLACE_ORDER, IdempotencyGuard, fingerprint, validate_key
from bff.checkout.journal import CART_ID, PLACE_SENT, Journal, JournalStep, PlaceAttempt, replayed_order, result_of
from bff.checkout.mapping import placed_order, recent_order_number, refusals
from bff.checkout.models import Order, OrderOutcome
from bff.checkout.pending import PendingWrites
from bff.checkout.steps import Step, ensure_ready, missing_steps
from bff.clock import Clock
from bff.errors import (
    CheckoutIncomplete,
    IdempotencyConflict,
    Path,
    StoreUnavailable,
    UpstreamUnavailable,
    UserErrorCode,
    UserFacingError,
    UserProblem,
)
from bff.events.catalogue import checkout_failed, order_placed
from bff.events.publisher import EventPublisher
from bff.magento.errors import MagentoError, MagentoNotFound, MagentoUnavailable
from bff.magento.outcomes import OrderRefusal
from bff.magento.results import cart as cart_ops
from bff.magento.results import checkout as ops
from bff.money import Money
from bff.sessions.store import IdempotencyStore
from bff.settings import CheckoutSettings
from bff.shopper import Gateway

log = logging.getLogger("bff.checkout")

ORDER_FAILED = UserProblem(
    UserErrorCode.ORDER_FAILED, "The order could not be placed. Please review the cart and the checkout details."
)
LOOKUP_WINDOW_S = 600.0


class IdempotencyObserver(Protocol):
    """Told about replays and conflicts (bff.app passes metrics counters; this package never sees them)."""

    def on_replay(self) -> None: ...

    def on_conflict(self) -> None: ...


class _Unobserved:
    def on_replay(self) -> None:
        return None

    def on_conflict(self) -> None:
        return None


@dataclass(frozen=True)
class CheckoutRequest:
    idempotency_key: str
    email: str | None = None
    shipping_address: AddressRequest | None = None
    billing_address: AddressRequest | None = None  # None: same as shipping
    shipping_method: tuple[str, str] | None = None  # (carrier_code, method_code)
    payment_method: str | None = None

    def fingerprint_payload(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "shipping_address": repr(self.shipping_address),
            "billing_address": repr(self.billing_address),
            "shipping_method": self.shipping_method,
            "payment_method": self.payment_method,
        }


@dataclass(frozen=True)
class CheckoutState:
    cart: Cart
    missing: list[Step]
    signed_in: bool


class CheckoutService:
    def __init__(
        self,
        cart: CartService,
        idempotency: IdempotencyStore,
        settings: CheckoutSettings,
        clock: Clock,
        observer: IdempotencyObserver | None = None,
        events: EventPublisher | None = None,
    ) -> None:
        self.cart = cart
        self.events = events  # None: events are off (no order.placed, no checkout.failed)
        self.store = idempotency
        self.guard = IdempotencyGuard(idempotency, settings, clock)
        self.settings = settings
        self.clock = clock
        self.observer = observer or _Unobserved()
        self.pending = PendingWrites()

    async def state(self, shopper: Gateway) -> CheckoutState:
        cart = await self.cart.get(shopper)
        return CheckoutState(
            cart=cart, missing=missing_steps(cart, signed_in=shopper.signed_in), signed_in=shopper.signed_in
        )

    async def place_order(self, shopper: Gateway, idempotency_key: str) -> OrderOutcome:
        """Problem paths are relative to the key (``IDEMPOTENCY_CONFLICT``: ``()``)."""
        return await self._idempotent(shopper, idempotency_key, (), PLACE_ORDER, {}, self._no_steps)

    async def checkout(self, shopper: Gateway, request: CheckoutRequest) -> OrderOutcome:
        """Problem paths are relative to the request: ``("shippingAddress", "postcode")``,
        ``("shippingMethod", "methodCode")``, ``("idempotencyKey",)``. A virtual cart (nothing
        to ship) skips the shipping steps Magento refuses for it; with ``billing_address`` omitted,
        the shipping address given is its billing address."""

        async def steps(cart_id: str, journal: Journal, scope: str) -> None:
            await self._run_steps(shopper, request, journal, scope)

        key = request.idempotency_key
        return await self._idempotent(shopper, key, ("idempotencyKey",), CHECKOUT, request.fingerprint_payload(), steps)

    async def _no_steps(self, cart_id: str, journal: Journal, scope: str) -> None:
        return None

    async def _idempotent(
        self,
        shopper: Gateway,
        key: str,
        key_at: Path,
        kind: str,
        payload: dict[str, Any],
        steps: Callable[[str, Journal, str], Awaitable[None]],
    ) -> OrderOutcome:
        validate_key(key)
        await shopper.require_fresh_customer()
        session = await shopper.session.ensure()
        scope = session.id
        current_cart = await self.cart.cart_id(shopper, create=False)
        first_cart = await self.guard.first_cart(scope, key)
        cart_id = current_cart or first_cart
        if cart_id is None:
            raise CheckoutIncomplete([str(Step.ITEMS)])
        try:
            claim = await self.guard.acquire(scope, key, fingerprint(kind, payload, cart_id))
        except IdempotencyConflict:
            self.observer.on_conflict()
            raise IdempotencyConflict(key_at) from None
        record = claim.record
        if claim.outcome == "done" and record is not None and record.result is not None:
            log.info("idempotent %s replayed", kind)
            self.observer.on_replay()
            return OrderOutcome(order=replayed_order(record.result), cart=await self.cart.get(shopper), replayed=True)
        journal = Journal(record.steps if record else {})
        try:  # from the claim on, every way out gives the key up (or records it done)
            if not journal.has_cart():
                await self.store.record_step(scope, key, CART_ID, cart_id)
            await steps(cart_id, journal, scope)
            order = await self._place(shopper, scope, key, cart_id, journal)
        except UserFacingError as err:
            await self._release(scope, key)
            if self.events is not None:
                await self.events.publish(checkout_failed([str(p.code) for p in err.problems]))
            cart = err.cart if isinstance(err, CartRefused) else await self._cart_or_empty(shopper)
            return OrderOutcome(order=None, cart=cart, problems=err.problems)
        except BaseException:
            await self._release(scope, key)
            raise
        await self._record(scope, key, order, shopper.signed_in)
        try:
            await self.cart.forget_cart(shopper)
        except StoreUnavailable:  # the session still names the ordered cart: the next cart call replaces it
            log.warning("the session could not forget the ordered cart: the store did not answer")
        return OrderOutcome(order=order, cart=await self._cart_or_empty(shopper))

    async def _record(self, scope: str, key: str, order: Order, signed_in: bool) -> None:
        """Store the order for replays, with its ``order.placed`` event in the same atomic step
        (built once: a result written later by ``pending`` carries the same event id); an order is
        never reported as failed because this failed."""
        result = result_of(order)
        event = None
        if self.events is not None:
            total = order.grand_total
            event = order_placed(
                number=order.number,
                email=order.email,
                total=str(total.value),
                currency=total.currency,
                signed_in=signed_in,
                idempotency_key=key,
            )
        try:
            await self.store.complete(scope, key, result, event)
        except StoreUnavailable:
            log.warning("the order's result could not be recorded: kept, and written when the store answers")
            self.pending.keep("an order's result", partial(self.store.complete, scope, key, result, event))

    async def _release(self, scope: str, key: str) -> None:
        """Give the key up; if the store does not answer, the release is retried in the background
        (the request's own error is what the shopper sees)."""
        try:
            await self.store.release(scope, key)
        except StoreUnavailable:
            self.pending.keep("a key's release", partial(self.store.release, scope, key))

    async def aclose(self) -> None:
        await self.pending.aclose()

    async def _cart_or_empty(self, shopper: Gateway) -> Cart:
        try:
            return await self.cart.get(shopper)
        except (MagentoError, UpstreamUnavailable):
            return Cart.empty()

    async def _run_steps(self, shopper: Gateway, request: CheckoutRequest, journal: Journal, scope: str) -> None:
        """Run the checkout's set-steps that the journal does not record as done yet."""
        key = request.idempotency_key

        async def step(
            name: JournalStep, run: Callable[[], Awaitable[CartOutcome]], at: Callable[[UserProblem], UserProblem]
        ) -> None:
            """Run a step not done yet; its problems' paths are moved into the request's by ``at``."""
            if journal.done(name):
                return
            try:
                outcome = await run()
            except CartRefused as err:
                raise CartRefused(err.cart, *map(at, err.problems)) from None
            except UserFacingError as err:
                raise UserFacingError(*map(at, err.problems)) from None
            recreated = [p for p in outcome.notices if p.code == UserErrorCode.CART_RECREATED]
            if recreated:
                raise UserFacingError(*recreated)
            await self.store.record_step(scope, key, name.key, True)

        r = request
        if r.email and not shopper.signed_in:
            await step(JournalStep.EMAIL, partial(self.cart.set_guest_email, shopper, r.email), _under("email"))
        ships = True  # False once Magento refuses a shipping step because the cart is virtual
        if r.shipping_address is not None:
            ships = await _unless_nothing_to_ship(
                step(
                    JournalStep.SHIPPING_ADDRESS,
                    partial(self.cart.set_shipping_address, shopper, r.shipping_address),
                    _under("shippingAddress"),
                )
            )
        if r.billing_address is not None:
            await step(
                JournalStep.BILLING_ADDRESS,
                partial(self.cart.set_billing_address, shopper, r.billing_address, False),
                _billing_path,
            )
        elif r.shipping_address is not None:  # billing omitted: the shipping address (the cart's, if it ships)
            billing = None if ships else r.shipping_address
            await step(
                JournalStep.BILLING_ADDRESS,
                partial(self.cart.set_billing_address, shopper, billing, ships),
                _billing_path if ships else _shipping_as_billing_path,
            )
        if r.shipping_method is not None and ships:
            carrier, method = r.shipping_method
            await _unless_nothing_to_ship(
                step(
                    JournalStep.SHIPPING_METHOD,
                    partial(self.cart.set_shipping_method, shopper, carrier, method),
                    _under("shippingMethod"),
                )
            )
        if r.payment_method:
            await step(
                JournalStep.PAYMENT_METHOD,
                partial(self.cart.set_payment_method, shopper, r.payment_method),
                _under("paymentMethod", "code"),
            )

    async def _place(self, shopper: Gateway, scope: str, key: str, cart_id: str, journal: Journal) -> Order:
        shopper.extend_deadline(self.settings.lease_s)
        earlier_attempt = journal.place_attempt()
        if earlier_attempt is not None:
            earlier = await self._settled(shopper, scope, key, cart_id, earlier_attempt)
            if earlier is not None:
                return earlier
        cart = await self.cart.get(shopper)
        unavailable = [line for line in cart.lines if not line.available or not line.in_stock]
        if unavailable:
            raise UserFacingError(
                *(
                    UserProblem(
                        UserErrorCode.OUT_OF_STOCK,
                        f"{line.name} is no longer available in the requested quantity.",
                    )
                    for line in unavailable
                )
            )
        ensure_ready(cart, signed_in=shopper.signed_in)
        attempt = PlaceAttempt(at=self.clock.now(), email=cart.email, grand_total=cart.prices.grand_total)
        await self.store.record_step(scope, key, PLACE_SENT, attempt.to_json())
        try:
            result = await shopper.call(
                ops.PLACE_ORDER({"cartId": cart_id}), timeout_s=self.settings.place_order_timeout_s
            )
        except MagentoUnavailable as exc:
            if not exc.maybe_executed:
                with contextlib.suppress(StoreUnavailable):  # not struck: a retry waits for it, safely
                    await self.store.record_step(scope, key, PLACE_SENT, None)  # it never left: nothing to wait for
                raise
            log.warning("placeOrder answer lost; waiting for it to settle")
            order = await self._settled(shopper, scope, key, cart_id, attempt)
            if order is None:
                raise
            return order
        placed = placed_order(result, email=cart.email, currency=cart.currency)
        if placed is not None:
            return placed
        refused = refusals(result)
        if OrderRefusal.CART_GONE in refused:
            order = await self._placed_order(shopper, cart_id, attempt)
            if order is not None:
                return order
        if OrderRefusal.GUEST_EMAIL_MISSING in refused:
            raise CheckoutIncomplete([str(Step.EMAIL)])
        log.warning("Magento refused placeOrder: %s", sorted(r.name for r in refused))
        raise UserFacingError(ORDER_FAILED)

    async def _settled(
        self, shopper: Gateway, scope: str, key: str, cart_id: str, attempt: PlaceAttempt
    ) -> Order | None:
        """The order an earlier attempt placed, or None once it certainly placed none (its time is
        over and the cart is still active). While it may still be running, the cart is polled;
        raises UPSTREAM_UNAVAILABLE when it has not settled within the wait."""
        s = self.settings
        over_at = attempt.at + s.place_order_timeout_s + s.place_order_margin_s  # by the clock, as ``at``
        order = await self._placed_order(shopper, cart_id, attempt)
        if order is not None or self.clock.now() >= over_at:
            return order
        log.info("an earlier placeOrder may still be running; waiting for it to settle")
        with contextlib.suppress(StoreUnavailable):  # not renewed: whoever takes the key over waits as well
            await self.store.record_step(scope, key, PLACE_SENT, attempt.to_json())  # renews the lease for the wait
        give_up = time.monotonic() + min(s.duplicate_wait_s, s.lease_s / 2)
        while time.monotonic() + s.settle_poll_s <= give_up:
            await asyncio.sleep(s.settle_poll_s)
            order = await self._placed_order(shopper, cart_id, attempt)
            if order is not None or self.clock.now() >= over_at:
                return order
        raise UpstreamUnavailable(
            "This order is still being processed. Retry with the same idempotencyKey to get its result.",
            detail="an earlier placeOrder may still be running",
        )

    async def _placed_order(self, shopper: Gateway, cart_id: str, attempt: PlaceAttempt) -> Order | None:
        """Whether the earlier attempt placed an order: None if the cart is still active (not placed).

        Raises UPSTREAM_UNAVAILABLE when Magento cannot tell us: nothing is re-sent blindly.
        """
        try:
            await shopper.call(cart_ops.GET_CART({"cartId": cart_id}))
            return None
        except MagentoNotFound:
            pass  # the cart is no longer active: an order consumed it
        except (MagentoUnavailable, MagentoError) as exc:
            raise UpstreamUnavailable(
                "We could not confirm the order yet. Retry with the same idempotencyKey.", detail=str(exc.detail)
            ) from exc
        total = attempt.grand_total
        number = await self._find_number(shopper, attempt.at, total) if shopper.signed_in else None
        return Order(number=number, email=attempt.email, grand_total=total)

    async def _find_number(self, shopper: Gateway, attempted_at: float, total: Money) -> str | None:
        try:
            result = await shopper.call(ops.RECENT_ORDERS({}))
        except (MagentoError, UpstreamUnavailable):
            return None
        return recent_order_number(result, placed_after=attempted_at - LOOKUP_WINDOW_S, total=total)


async def _unless_nothing_to_ship(shipping_step: Awaitable[None]) -> bool:
    """Run a shipping step; False (skipped) when the cart is virtual and so takes no shipping."""
    try:
        await shipping_step
    except CartRefused as err:
        if err.problems != (NOTHING_TO_SHIP,):
            raise
        return False
    return True


def _shipping_as_billing_path(problem: UserProblem) -> UserProblem:
    """``set_billing_address``'s paths when the request's shipping address is the billing address
    (a virtual cart, billing omitted): ``("address", …)`` is ``("shippingAddress", …)``."""
    if not problem.field:
        return problem
    return replace(problem, field=("shippingAddress", *problem.field[1:]))


def _under(*prefix: str) -> Callable[[UserProblem], UserProblem]:
    return lambda problem: problem.under(*prefix)


def _billing_path(problem: UserProblem) -> UserProblem:
    """``set_billing_address``'s paths in the checkout request: ``("address", …)`` is the
    billing address; ``("sameAsShipping",)`` (billing omitted: the shipping address is copied) is
    about the shipping address."""
    if problem.field is None:
        return problem
    head, *rest = problem.field or ("",)
    return replace(problem, field=("billingAddress", *rest) if head == "address" else ("shippingAddress",))


__all__ = ["PLACE_SENT", "CheckoutRequest", "CheckoutService", "CheckoutState", "IdempotencyObserver"]
