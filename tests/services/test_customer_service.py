"""``CustomerService`` against the sandbox, through the real Magento client (no BFF HTTP, no GraphQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bff.cart.models import Cart
from bff.customer.models import AuthResult, Credentials, Customer, SignUp, Viewer
from bff.errors import Unauthenticated, UserErrorCode, UserFacingError
from bff.request_state import RequestMeta
from bff.sandbox import SandboxState
from bff.services import Services
from bff.sessions.memory import MemorySessionStore
from bff.shopper import Shopper
from tests.fake_clock import FakeClock
from tests.services.support import RONI, NewShopper, NextRequest, add, called, codes, item, quantities

Code = UserErrorCode
TOKEN_LIFETIME_S = 3600  # the sandbox store's customer_access_token_lifetime (Magento's default)
RONI_VIEWER = Viewer.of(Customer(firstname="Veronica", lastname="Costello", email="roni_cost@example.com"))
ADA = SignUp.of("Ada", "Lovelace", "ada@example.com", "Analytical-1")


def customer_token(shopper: Shopper) -> str:
    session = shopper.session.current
    assert session is not None
    assert session.customer_token is not None
    return session.customer_token


# --- viewer ----------------------------------------------------------------------------------


async def test_the_viewer_of_a_guest_is_signed_out_without_calling_magento(
    services: Services, shopper: Shopper, next_request: NextRequest
) -> None:
    await add(services, shopper, "BAG-001")  # a guest with a session (and a cart)
    later = await next_request(shopper)
    assert await services.customer.viewer(later) == Viewer.signed_out()
    assert later.calls == []


async def test_the_viewer_of_a_customer_is_their_account(
    services: Services, shopper: Shopper, next_request: NextRequest
) -> None:
    await services.customer.sign_in(shopper, RONI)
    later = await next_request(shopper)
    assert await services.customer.viewer(later) == RONI_VIEWER
    assert called(later) == ["Viewer"]


async def test_an_expired_customer_token_makes_the_viewer_unauthenticated_and_ends_the_customer_part(
    services: Services, shopper: Shopper, next_request: NextRequest, clock: FakeClock
) -> None:
    await services.customer.sign_in(shopper, RONI)
    clock.advance(TOKEN_LIFETIME_S + 1)
    later = await next_request(shopper)
    with pytest.raises(Unauthenticated):
        await services.customer.viewer(later)
    assert later.calls == []  # expiry is known from the session: Magento is not asked
    assert later.session.current is not None
    assert later.session.current.signed_in is False
    assert later.session.current.cart_id is None
    after = await next_request(later)
    assert await services.customer.viewer(after) == Viewer.signed_out()


async def test_a_token_magento_refuses_makes_the_viewer_unauthenticated_and_ends_the_customer_part(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await services.customer.sign_in(shopper, RONI)
    sandbox_state.tokens[customer_token(shopper)].revoked = True
    with pytest.raises(Unauthenticated):
        await services.customer.viewer(shopper)
    assert shopper.session.current is not None
    assert shopper.session.current.signed_in is False


# --- sign-in ---------------------------------------------------------------------------------


async def test_a_wrong_password_is_invalid_credentials_and_leaves_the_session_as_it_was(
    services: Services, shopper: Shopper, session_store: MemorySessionStore, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    before, token_before = shopper.session.current, shopper.session.issued_token
    assert before is not None
    with pytest.raises(UserFacingError) as refused:
        await services.customer.sign_in(shopper, Credentials.of(RONI.email, "Not-Her-Password-1"))
    assert codes(refused.value.problems) == [Code.INVALID_CREDENTIALS]
    assert shopper.session.current == before
    assert shopper.session.issued_token == token_before
    assert await session_store.load(before.id) == before
    assert sandbox_state.tokens == {}


async def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(services: Services, shopper: Shopper) -> None:
    with pytest.raises(UserFacingError) as refused:
        await services.customer.sign_in(shopper, Credentials.of("nobody@example.com", "Roni-Cost-3"))
    assert codes(refused.value.problems) == [Code.INVALID_CREDENTIALS]
    assert shopper.session.current is None


async def test_sign_in_rotates_the_session(
    services: Services, shopper: Shopper, session_store: MemorySessionStore, clock: FakeClock
) -> None:
    await add(services, shopper, "BAG-001")
    guest = shopper.session.current
    guest_token = shopper.session.issued_token
    assert guest is not None
    result = await services.customer.sign_in(shopper, RONI)
    assert result.viewer == RONI_VIEWER
    customer = shopper.session.current
    assert customer is not None
    assert customer.id != guest.id
    assert shopper.session.issued_token not in (None, guest_token)
    assert await session_store.load(guest.id) is None
    assert await session_store.load(customer.id) == customer
    assert customer.customer_expires_at == clock.now() + TOKEN_LIFETIME_S


async def test_sign_in_merges_the_guest_lines_into_the_customers_cart(
    services: Services, shopper: Shopper, new_shopper: NewShopper, next_request: NextRequest
) -> None:
    earlier = new_shopper()  # Roni on another device, with a cart of her own
    await services.customer.sign_in(earlier, RONI)
    await add(services, earlier, "BAG-002")
    await services.cart.add_items(shopper, [item("BAG-001", 2)])
    result = await services.customer.sign_in(shopper, RONI)
    assert result.notices == ()
    assert quantities(await services.cart.get(await next_request(shopper))) == {
        "BAG-001": Decimal(2),
        "BAG-002": Decimal(1),
    }
    customer = shopper.session.current
    assert customer is not None
    assert earlier.session.current is not None
    assert customer.cart_id == earlier.session.current.cart_id  # one active cart per customer


async def test_sign_in_reports_a_guest_line_moved_in_part_as_quantity_adjusted(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await services.cart.add_items(shopper, [item("BAG-001", 4)])
    sandbox_state.products["BAG-001"].qty = 2
    result = await services.customer.sign_in(shopper, RONI)
    assert codes(result.notices) == [Code.QUANTITY_ADJUSTED]
    assert quantities(await services.cart.get(shopper)) == {"BAG-001": Decimal(2)}


async def test_signing_in_twice_is_already_signed_in(services: Services, shopper: Shopper) -> None:
    await services.customer.sign_in(shopper, RONI)
    session = shopper.session.current
    with pytest.raises(UserFacingError) as refused:
        await services.customer.sign_in(shopper, Credentials.of("john.doe@example.com", "John-Doe-123"))
    assert codes(refused.value.problems) == [Code.ALREADY_SIGNED_IN]
    assert shopper.session.current == session


async def test_credentials_are_checked_before_magento_is_asked(services: Services, shopper: Shopper) -> None:
    with pytest.raises(UserFacingError) as refused:
        await services.customer.sign_in(shopper, Credentials.of("not-an-email", ""))
    assert [(p.code, p.field) for p in refused.value.problems] == [
        (Code.INVALID_EMAIL, ("email",)),
        (Code.INVALID_INPUT, ("password",)),
    ]
    assert shopper.calls == []


# --- sign-up ---------------------------------------------------------------------------------


async def test_sign_up_creates_the_account_and_signs_in(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    result = await services.customer.sign_up(shopper, ADA)
    assert result.viewer == Viewer.of(Customer(firstname="Ada", lastname="Lovelace", email="ada@example.com"))
    assert sandbox_state.customer_by_email("ada@example.com") is not None
    assert shopper.signed_in is True


async def test_sign_up_with_a_taken_email_is_email_taken(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    taken = SignUp.of("Veronica", "Costello", "roni_cost@example.com", "Another-Pass-1")
    with pytest.raises(UserFacingError) as refused:
        await services.customer.sign_up(shopper, taken)
    assert [(p.code, p.field) for p in refused.value.problems] == [(Code.EMAIL_TAKEN, ("email",))]
    assert len(sandbox_state.customers) == 2
    assert shopper.signed_in is False
    assert "GenerateCustomerToken" not in called(shopper)


async def test_sign_up_refuses_a_weak_password_without_creating_the_account(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    with pytest.raises(UserFacingError) as refused:
        await services.customer.sign_up(shopper, SignUp.of("Ada", "Lovelace", "ada@example.com", "lovelace"))
    assert codes(refused.value.problems) == [Code.WEAK_PASSWORD]
    assert called(shopper) == ["CustomerPolicy"]
    assert sandbox_state.customer_by_email("ada@example.com") is None


# --- sign-out --------------------------------------------------------------------------------


async def test_sign_out_ends_the_customer_part_and_starts_a_fresh_guest_session(
    services: Services, shopper: Shopper, session_store: MemorySessionStore, sandbox_state: SandboxState
) -> None:
    await services.customer.sign_in(shopper, RONI)
    await add(services, shopper, "BAG-001")
    signed_in = shopper.session.current
    assert signed_in is not None
    token = customer_token(shopper)
    result = await services.customer.sign_out(shopper)
    assert result.viewer == Viewer.signed_out()
    guest = shopper.session.current
    assert guest is not None
    assert guest.id != signed_in.id
    assert (guest.customer_token, guest.customer_expires_at, guest.cart_id) == (None, None, None)
    assert await session_store.load(signed_in.id) is None
    assert sandbox_state.tokens[token].revoked is True
    assert await services.cart.get(shopper) == Cart.empty("USD")


async def test_sign_out_of_a_guest_is_harmless_and_leaves_the_session_alone(
    services: Services, shopper: Shopper
) -> None:
    await add(services, shopper, "BAG-001")
    session = shopper.session.current
    calls = len(shopper.calls)
    result = await services.customer.sign_out(shopper)
    assert result == AuthResult(Viewer.signed_out())
    assert shopper.session.current == session
    assert len(shopper.calls) == calls


async def test_sign_out_keeps_the_store_view_and_currency(services: Services, new_shopper: NewShopper) -> None:
    shopper = new_shopper(RequestMeta(store="de", currency="EUR"))
    await services.customer.sign_in(shopper, RONI)
    await services.customer.sign_out(shopper)
    guest = shopper.session.current
    assert guest is not None
    assert (guest.store, guest.currency, guest.signed_in) == ("de", "EUR", False)


async def test_sign_out_after_the_token_expired_does_not_ask_magento(
    services: Services, shopper: Shopper, next_request: NextRequest, clock: FakeClock
) -> None:
    await services.customer.sign_in(shopper, RONI)
    clock.advance(TOKEN_LIFETIME_S + 1)
    later = await next_request(shopper)
    assert await services.customer.sign_out(later) == AuthResult(Viewer.signed_out())
    assert later.calls == []
    assert later.session.current is not None
    assert later.session.current.signed_in is False


async def test_a_customer_whose_token_expired_can_sign_in_again(
    services: Services, shopper: Shopper, next_request: NextRequest, clock: FakeClock
) -> None:
    await services.customer.sign_in(shopper, RONI)
    clock.advance(TOKEN_LIFETIME_S + 1)
    later = await next_request(shopper)
    result = await services.customer.sign_in(later, RONI)
    assert result == AuthResult(RONI_VIEWER)
    assert later.signed_in is True
    assert later.session.current is not None
    assert later.session.current.customer_expires_at == clock.now() + TOKEN_LIFETIME_S
