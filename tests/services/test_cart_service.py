"""``CartService`` against the sandbox, through the real Magento client (no BFF HTTP, no GraphQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bff.cart.models import Cart, CartItemUpdate, CartOutcome
from bff.errors import UserErrorCode, UserFacingError
from bff.money import Money
from bff.request_state import RequestMeta
from bff.sandbox import SandboxState
from bff.services import Services
from bff.shopper import Shopper
from tests.services.support import RONI, NewShopper, NextRequest, add, called, codes, item, quantities

Code = UserErrorCode


async def signed_in_shopper(services: Services, new_shopper: NewShopper) -> Shopper:
    """A visitor without a guest cart who has just signed in as Roni."""
    shopper = new_shopper()
    assert (await services.customer.sign_in(shopper, RONI)).notices == ()
    return shopper


# --- the cart and its id ---------------------------------------------------------------------


async def test_get_without_a_cart_answers_the_empty_cart_without_calling_magento(
    services: Services, shopper: Shopper
) -> None:
    assert await services.cart.get(shopper) == Cart.empty("USD")
    assert shopper.calls == []
    assert shopper.session.current is None


async def test_the_first_add_opens_a_guest_cart_whose_id_only_the_session_keeps(
    services: Services, shopper: Shopper, next_request: NextRequest, sandbox_state: SandboxState
) -> None:
    outcome = await services.cart.add_items(shopper, [item("BAG-001", 2)])
    assert called(shopper) == ["CreateGuestCart", "AddProductsToCart"]
    assert quantities(outcome.cart) == {"BAG-001": Decimal(2)}
    assert outcome.cart.prices.grand_total == Money(Decimal("90.00"), "USD")
    stored = (await next_request(shopper)).session.current
    assert stored is not None
    assert stored.cart_id is not None
    assert list(sandbox_state.carts) == [stored.cart_id]
    assert sandbox_state.carts[stored.cart_id].customer_id is None
    assert stored.cart_id not in repr(outcome)


async def test_the_next_request_reads_the_cart_the_session_remembers(
    services: Services, shopper: Shopper, next_request: NextRequest
) -> None:
    await add(services, shopper, "BAG-001")
    later = await next_request(shopper)
    assert quantities(await services.cart.get(later)) == {"BAG-001": Decimal(1)}
    assert called(later) == ["GetCart"]


async def test_refused_lines_come_back_as_notices_while_the_others_are_added(
    services: Services, shopper: Shopper
) -> None:
    outcome = await services.cart.add_items(shopper, [item("BAG-001"), item("NO-SUCH-SKU"), item("LAST-ONE", 5)])
    assert codes(outcome.notices) == [Code.PRODUCT_NOT_FOUND, Code.INSUFFICIENT_STOCK]
    assert [n.field for n in outcome.notices] == [("1", "sku"), ("2", "quantity")]
    assert quantities(outcome.cart) == {"BAG-001": Decimal(1)}


async def test_a_single_refused_line_names_the_first_item(services: Services, shopper: Shopper) -> None:
    outcome = await services.cart.add_items(shopper, [item("SOLD-OUT")])
    assert [(n.code, n.field) for n in outcome.notices] == [(Code.PRODUCT_NOT_FOUND, ("0", "sku"))]
    assert outcome.cart.lines == ()


async def test_an_add_to_a_cart_magento_lost_opens_a_new_cart_with_cart_recreated(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    assert shopper.session.current is not None
    lost = shopper.session.current.cart_id
    assert lost is not None
    del sandbox_state.carts[lost]
    outcome = await services.cart.add_items(shopper, [item("BAG-002")])
    assert codes(outcome.notices) == [Code.CART_RECREATED]
    assert quantities(outcome.cart) == {"BAG-002": Decimal(1)}
    new_id = shopper.session.current.cart_id
    assert new_id is not None
    assert new_id != lost
    assert list(sandbox_state.carts) == [new_id]


async def test_reading_a_cart_magento_deactivated_answers_the_empty_cart_and_forgets_it(
    services: Services, shopper: Shopper, sandbox_state: SandboxState
) -> None:
    await add(services, shopper, "BAG-001")
    assert shopper.session.current is not None
    cart_id = shopper.session.current.cart_id
    assert cart_id is not None
    sandbox_state.carts[cart_id].is_active = False
    assert await services.cart.get(shopper) == Cart.empty("USD")
    assert shopper.session.current.cart_id is None


# --- items -----------------------------------------------------------------------------------


async def test_updating_a_line_sets_its_quantity(services: Services, shopper: Shopper) -> None:
    line = (await add(services, shopper, "BAG-001")).lines[0]
    outcome = await services.cart.update_items(shopper, [CartItemUpdate(line.uid, Decimal(3))])
    assert quantities(outcome.cart) == {"BAG-001": Decimal(3)}
    assert outcome.cart.total_quantity == Decimal(3)


async def test_quantity_zero_removes_the_line(services: Services, shopper: Shopper) -> None:
    cart = await add(services, shopper, "BAG-001", "BAG-002")
    bag_001 = next(line for line in cart.lines if line.sku == "BAG-001")
    outcome = await services.cart.update_items(shopper, [CartItemUpdate(bag_001.uid, Decimal(0))])
    assert quantities(outcome.cart) == {"BAG-002": Decimal(1)}
    assert outcome.notices == ()


async def test_updating_beyond_the_stock_is_insufficient_stock(services: Services, shopper: Shopper) -> None:
    line = (await add(services, shopper, "LAST-ONE")).lines[0]
    with pytest.raises(UserFacingError) as refused:
        await services.cart.update_items(shopper, [CartItemUpdate(line.uid, Decimal(2))])
    assert [(p.code, p.field) for p in refused.value.problems] == [(Code.INSUFFICIENT_STOCK, ("0", "quantity"))]


async def test_updating_an_unknown_line_is_cart_item_not_found(services: Services, shopper: Shopper) -> None:
    await add(services, shopper, "BAG-001")
    with pytest.raises(UserFacingError) as refused:
        await services.cart.update_items(shopper, [CartItemUpdate("OTk5", Decimal(2))])
    assert [(p.code, p.field) for p in refused.value.problems] == [(Code.CART_ITEM_NOT_FOUND, ("0", "uid"))]


async def test_updating_without_a_cart_is_cart_item_not_found_without_calling_magento(
    services: Services, shopper: Shopper
) -> None:
    with pytest.raises(UserFacingError) as refused:
        await services.cart.update_items(shopper, [CartItemUpdate("MQ==", Decimal(2))])
    assert codes(refused.value.problems) == [Code.CART_ITEM_NOT_FOUND]
    assert shopper.calls == []


# --- coupons ---------------------------------------------------------------------------------


async def test_a_coupon_discounts_the_cart(services: Services, shopper: Shopper) -> None:
    await add(services, shopper, "BAG-001")
    outcome = await services.cart.apply_coupon(shopper, "SAVE10")
    assert outcome.cart.applied_coupons == ("SAVE10",)
    assert outcome.cart.prices.grand_total == Money(Decimal("40.50"), "USD")


async def test_applying_the_applied_coupon_again_changes_nothing(services: Services, shopper: Shopper) -> None:
    await add(services, shopper, "BAG-001")
    first = await services.cart.apply_coupon(shopper, "SAVE10")
    again = await services.cart.apply_coupon(shopper, "save10")
    assert again == first
    assert again.notices == ()
    assert called(shopper)[-3:] == ["ApplyCoupon", "ApplyCoupon", "GetCart"]


async def test_an_unknown_coupon_is_coupon_not_found(services: Services, shopper: Shopper) -> None:
    await add(services, shopper, "BAG-001")
    with pytest.raises(UserFacingError) as refused:
        await services.cart.apply_coupon(shopper, "NO-SUCH-COUPON")
    assert [(p.code, p.field) for p in refused.value.problems] == [(Code.COUPON_NOT_FOUND, ())]


async def test_a_second_coupon_is_coupon_already_applied(services: Services, shopper: Shopper) -> None:
    await add(services, shopper, "BAG-001")
    await services.cart.apply_coupon(shopper, "SAVE10")
    with pytest.raises(UserFacingError) as refused:
        await services.cart.apply_coupon(shopper, "TAKE5")
    assert codes(refused.value.problems) == [Code.COUPON_ALREADY_APPLIED]


async def test_a_coupon_without_a_cart_is_cart_empty_without_calling_magento(
    services: Services, shopper: Shopper
) -> None:
    with pytest.raises(UserFacingError) as refused:
        await services.cart.apply_coupon(shopper, "SAVE10")
    assert codes(refused.value.problems) == [Code.CART_EMPTY]
    assert shopper.calls == []


# --- checkout steps --------------------------------------------------------------------------


async def test_a_shipping_method_before_the_address_is_checkout_incomplete(
    services: Services, shopper: Shopper
) -> None:
    await add(services, shopper, "BAG-001")
    with pytest.raises(UserFacingError) as refused:
        await services.cart.set_shipping_method(shopper, "flatrate", "flatrate")
    assert codes(refused.value.problems) == [Code.CHECKOUT_INCOMPLETE]
    assert refused.value.problems[0].message == "Set the shipping address first."


# --- sign-in merge ---------------------------------------------------------------------------


async def test_merging_guest_lines_moves_them_into_the_customers_cart(
    services: Services, shopper: Shopper, new_shopper: NewShopper, sandbox_state: SandboxState
) -> None:
    outcome = await services.cart.add_items(shopper, [item("BAG-001", 2), item("BAG-002")])
    customer = await signed_in_shopper(services, new_shopper)
    notices = await services.cart.merge_guest_lines(customer, outcome.cart.lines)
    assert notices == ()
    assert quantities(await services.cart.get(customer)) == {"BAG-001": Decimal(2), "BAG-002": Decimal(1)}
    assert customer.session.current is not None
    cart_id = customer.session.current.cart_id
    assert cart_id is not None
    roni = sandbox_state.customer_by_email(RONI.email)
    assert roni is not None
    assert sandbox_state.carts[cart_id].customer_id == roni.id


async def test_merging_more_than_the_stock_moves_what_is_left_with_quantity_adjusted(
    services: Services, shopper: Shopper, new_shopper: NewShopper, sandbox_state: SandboxState
) -> None:
    outcome = await services.cart.add_items(shopper, [item("BAG-001", 5)])
    sandbox_state.products["BAG-001"].qty = 3
    customer = await signed_in_shopper(services, new_shopper)
    notices = await services.cart.merge_guest_lines(customer, outcome.cart.lines)
    assert [(n.code, n.message) for n in notices] == [
        (
            Code.QUANTITY_ADJUSTED,
            "Only 3 of 5 × Joust Duffle Bag from your earlier cart could be added (limited stock).",
        )
    ]
    assert quantities(await services.cart.get(customer)) == {"BAG-001": Decimal(3)}


async def test_merging_a_line_without_stock_left_is_merge_failed(
    services: Services, shopper: Shopper, new_shopper: NewShopper
) -> None:
    outcome = await services.cart.add_items(shopper, [item("LAST-ONE")])
    customer = await signed_in_shopper(services, new_shopper)
    await add(services, customer, "LAST-ONE")  # the customer's cart already holds the only one
    notices = await services.cart.merge_guest_lines(customer, outcome.cart.lines)
    assert codes(notices) == [Code.MERGE_FAILED]
    assert quantities(await services.cart.get(customer)) == {"LAST-ONE": Decimal(1)}


async def test_removing_a_coupon_without_a_cart_answers_the_empty_cart_without_calling_magento(
    services: Services, shopper: Shopper
) -> None:
    assert await services.cart.remove_coupon(shopper) == CartOutcome(Cart.empty("USD"))
    assert shopper.calls == []


async def test_a_signed_in_shopper_cannot_set_a_guest_email(services: Services, new_shopper: NewShopper) -> None:
    customer = await signed_in_shopper(services, new_shopper)
    await add(services, customer, "BAG-001")
    calls = len(customer.calls)
    with pytest.raises(UserFacingError) as refused:
        await services.cart.set_guest_email(customer, "jane@example.com")
    assert [(p.code, p.field) for p in refused.value.problems] == [(Code.ALREADY_SIGNED_IN, ())]
    assert len(customer.calls) == calls


async def test_a_shopper_without_a_cart_gets_the_empty_cart_in_the_store_views_currency(
    services: Services, new_shopper: NewShopper
) -> None:
    german = RequestMeta(store="de")
    assert (await add(services, new_shopper(german), "BAG-001")).currency == "EUR"  # what Magento answers
    assert (await services.cart.get(new_shopper(german))).currency == "EUR"
