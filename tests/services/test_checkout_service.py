"""``CheckoutService`` against the sandbox, through the real Magento client (no BFF HTTP, no GraphQL)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from bff.cart.models import Cart
from bff.checkout.models import Order
from bff.checkout.steps import Step
from bff.errors import (
    BadUserInput,
    CheckoutIncomplete,
    IdempotencyConflict,
    StoreUnavailable,
    UpstreamUnavailable,
    UserErrorCode,
)
from bff.magento.operations import Request
from bff.money import Money
from bff.sandbox import Fault, FaultPlan, SandboxState
from bff.services import Services, build_services
from bff.sessions.memory import MemoryIdempotencyStore
from bff.settings import Settings
from bff.shopper import Shopper
from tests.fake_clock import FakeClock
from tests.services.support import (
    ADDRESS,
    RONI,
    HookedShopper,
    NextRequest,
    add,
    called,
    checkout_request,
)

Code = UserErrorCode
FIFTY_DOLLARS = Money(Decimal("50.00"), "USD")  # BAG-001 45.00 + flat rate 5.00 per item


def sandbox_cart_id(shopper: Shopper) -> str:
    session = shopper.session.current
    assert session is not None
    assert session.cart_id is not None
    return session.cart_id


# --- state -----------------------------------------------------------------------------------


async def test_state_without_a_cart_misses_every_step_without_calling_magento(
    services: Services, shopper: Shopper
) -> None:
    state = await services.checkout.state(shopper)
    assert state.missing == list(Step)
    assert state.cart == Cart.empty("USD")
    assert state.signed_in is False
    assert shopper.calls == []


async def test_state_lists_the_steps_still_missing(services: Services, shopper: Shopper) -> None:
    await add(services, shopper, "BAG-001")
    await services.cart.set_guest_email(shopper, "jane@example.com")
    await services.cart.set_shipping_address(shopper, ADDRESS)
    state = await services.checkout.state(shopper)
    assert state.missing == [Step.SHIPPING_METHOD, Step.BILLING_ADDRESS, Step.PAYMENT_METHOD]


async def test_state_of_a_customer_does_not_ask_for_an_email(services: Services, shopper: Shopper) -> None:
    await services.customer.sign_in(shopper, RONI)
    await add(services, shopper, "BAG-001")
    state = await services.checkout.state(shopper)
    assert state.signed_in is True
    assert Step.EMAIL not in state.missing
    assert state.missing == [Step.SHIPPING_ADDRESS, Step.SHIPPING_METHOD, Step.BILLING_ADDRESS, Step.PAYMENT_METHOD]


# --- checkout --------------------------------------------------------------------------------


async def test_checkout_places_one_order_and_forgets_the_cart(
    services: Services, shopper: Shopper, next_request: NextRequest, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    cart_id = sandbox_cart_id(shopper)
    outcome = await services.checkout.checkout(shopper, checkout_request())
    assert len(sandbox_state.orders) == 1
    placed = sandbox_state.orders[0]
    assert outcome.order == Order(number=placed.number, email="jane@example.com", grand_total=FIFTY_DOLLARS)
    assert placed.cart_masked_id == cart_id
    assert outcome.problems == ()
    assert outcome.replayed is False
    assert outcome.cart == Cart.empty("USD")
    stored = (await next_request(shopper)).session.current
    assert stored is not None
    assert stored.cart_id is None


async def test_checkout_without_a_cart_is_checkout_incomplete_without_calling_magento(
    services: Services, shopper: Shopper
) -> None:
    with pytest.raises(CheckoutIncomplete) as refused:
        await services.checkout.checkout(shopper, checkout_request())
    assert refused.value.missing == ["ITEMS"]
    assert shopper.calls == []


async def test_place_order_on_an_incomplete_checkout_names_the_missing_steps_and_sends_nothing(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    outcome = await services.checkout.place_order(shopper, "key-0002-incomplete")
    assert outcome.order is None
    assert [(p.code, p.message) for p in outcome.problems] == [
        (
            Code.CHECKOUT_INCOMPLETE,
            "Checkout is not complete: missing email, shipping address, shipping method, billing address, "
            "payment method.",
        )
    ]
    assert "PlaceOrder" not in called(shopper)
    assert sandbox_state.orders == []


async def test_an_invalid_idempotency_key_is_bad_user_input(services: Services, shopper: Shopper) -> None:
    await add(services, shopper, "BAG-001")
    with pytest.raises(BadUserInput):
        await services.checkout.checkout(shopper, checkout_request(idempotency_key="short"))


# --- idempotency -----------------------------------------------------------------------------


async def test_the_same_key_replays_the_same_order_without_placing_another(
    services: Services, shopper: Shopper, next_request: NextRequest, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    first = await services.checkout.checkout(shopper, checkout_request())
    retry = await next_request(shopper)
    again = await services.checkout.checkout(retry, checkout_request())
    assert again.order == first.order
    assert again.replayed is True
    assert again.problems == ()
    assert len(sandbox_state.orders) == 1
    assert called(shopper).count("PlaceOrder") == 1
    assert "PlaceOrder" not in called(retry)


async def test_a_different_input_under_the_same_key_is_an_idempotency_conflict(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    await services.checkout.checkout(shopper, checkout_request())
    with pytest.raises(IdempotencyConflict):
        await services.checkout.checkout(shopper, checkout_request(email="someone.else@example.com"))
    assert len(sandbox_state.orders) == 1


async def test_the_same_key_for_a_new_cart_is_an_idempotency_conflict(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    await services.checkout.checkout(shopper, checkout_request())
    await add(services, shopper, "BAG-002")
    with pytest.raises(IdempotencyConflict):
        await services.checkout.checkout(shopper, checkout_request())
    assert len(sandbox_state.orders) == 1


# --- lost answers ----------------------------------------------------------------------------


async def test_a_lost_place_order_answer_is_recognised_as_placed_without_sending_it_again(
    services: Services, shopper: Shopper, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    faults.set("placeOrder", Fault(lose_response="drop", times=1))
    outcome = await services.checkout.checkout(shopper, checkout_request())
    assert len(sandbox_state.orders) == 1
    # A guest's order cannot be looked up: the number is unknown, the shopper gets it by e-mail.
    assert outcome.order == Order(number=None, email="jane@example.com", grand_total=FIFTY_DOLLARS)
    assert outcome.problems == ()
    assert called(shopper).count("PlaceOrder") == 1
    assert called(shopper)[-2:] == ["PlaceOrder", "GetCart"]  # the check: the cart is no longer active
    assert outcome.cart == Cart.empty("USD")


async def test_a_lost_place_order_answer_for_a_customer_finds_the_order_number(
    services: Services, shopper: Shopper, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    await services.customer.sign_in(shopper, RONI)
    await add(services, shopper, "BAG-001")
    faults.set("placeOrder", Fault(lose_response="drop", times=1))
    outcome = await services.checkout.checkout(shopper, checkout_request(email=None))
    assert len(sandbox_state.orders) == 1
    assert outcome.order is not None
    assert outcome.order.number == sandbox_state.orders[0].number
    assert outcome.order.grand_total == FIFTY_DOLLARS
    assert called(shopper).count("PlaceOrder") == 1


async def test_a_retry_after_an_unconfirmed_place_order_finds_the_order_without_sending_it_again(
    services: Services, shopper: Shopper, next_request: NextRequest, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    faults.set("placeOrder", Fault(lose_response="drop", times=1))

    def magento_goes_away(_: Request[Any]) -> None:
        # The answer is lost and Magento cannot say whether the cart is still active.
        faults.set("GetCart", Fault(error_rate=1.0, error="http503", times=2))

    first = HookedShopper(shopper, {"PlaceOrder": magento_goes_away})
    with pytest.raises(UpstreamUnavailable) as unconfirmed:
        await services.checkout.checkout(first, checkout_request())
    assert unconfirmed.value.message == "We could not confirm the order yet. Retry with the same idempotencyKey."
    assert len(sandbox_state.orders) == 1
    retry = await next_request(shopper)
    outcome = await services.checkout.checkout(retry, checkout_request())
    assert outcome.order == Order(number=None, email="jane@example.com", grand_total=FIFTY_DOLLARS)
    assert len(sandbox_state.orders) == 1
    assert "PlaceOrder" not in called(retry)


async def test_guest_email_missing_at_place_order_is_checkout_incomplete(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")

    def email_lost(request: Request[Any]) -> None:
        # The cart read just before placeOrder still had the e-mail; Magento's copy has lost it.
        sandbox_state.carts[str(request.variables["cartId"])].email = None

    hooked = HookedShopper(shopper, {"PlaceOrder": email_lost})
    outcome = await services.checkout.checkout(hooked, checkout_request())
    assert outcome.order is None
    assert [(p.code, p.message) for p in outcome.problems] == [
        (Code.CHECKOUT_INCOMPLETE, "Checkout is not complete: missing email.")
    ]
    assert called(shopper).count("PlaceOrder") == 1
    assert sandbox_state.orders == []


async def test_a_duplicate_in_flight_waits_for_the_first_and_gets_its_order(
    services: Services, shopper: Shopper, next_request: NextRequest, faults: FaultPlan, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    duplicate = await next_request(shopper)  # a second tab, same session, same key
    faults.set("placeOrder", Fault(latency_ms=100))  # keeps the first in flight while the duplicate arrives
    first, second = await asyncio.gather(
        services.checkout.checkout(shopper, checkout_request()),
        services.checkout.checkout(duplicate, checkout_request()),
    )
    assert len(sandbox_state.orders) == 1
    assert first.order == second.order
    assert first.order is not None
    assert first.order.number == sandbox_state.orders[0].number
    assert (first.replayed, second.replayed) == (False, True)
    assert called(shopper).count("PlaceOrder") + called(duplicate).count("PlaceOrder") == 1


class _FirstJournalWriteFails(MemoryIdempotencyStore):
    """The real memory store, except that the first journal write fails as if Redis had just died."""

    failed = False

    async def record_step(self, scope: str, key: str, step: str, data: object) -> None:
        if not self.failed:
            self.failed = True
            raise StoreUnavailable(operation="idempotency.record_step", detail="ConnectionError")
        await super().record_step(scope, key, step, data)


async def test_a_store_failure_right_after_the_claim_gives_the_key_up(
    settings: Settings, clock: FakeClock, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    """Else every retry with the key would wait out the whole lease for a request that is gone."""
    store = _FirstJournalWriteFails(clock, ttl_seconds=settings.checkout.idempotency_ttl_s)
    services = build_services(settings, store, clock)
    await add(services, shopper, "BAG-001")
    with pytest.raises(StoreUnavailable):
        await services.checkout.checkout(shopper, checkout_request())
    retried = await services.checkout.checkout(shopper, checkout_request())
    assert retried.order is not None
    assert retried.order.number == sandbox_state.orders[0].number
