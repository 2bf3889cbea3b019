"""Sandbox carts behave like Magento's: ids, lines, stock, coupons and GetCartForUser's rules."""

from __future__ import annotations

import base64
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from bff.sandbox.state import SandboxState
from tests.sandbox.conftest import Gql

CREATE = "mutation { createGuestCart { cart { id } } }"
CREATE_WITH_ID = "mutation C($id: ID) { createGuestCart(input: {cart_uid: $id}) { cart { id } } }"
SIGN_IN = "mutation S($e: String!, $p: String!) { generateCustomerToken(email: $e, password: $p) { token } }"
LINES = """
  id total_quantity
  itemsV2 { total_count items { __typename uid quantity is_available errors { code message }
    product { sku }
    ... on ConfigurableCartItem { configured_variant { sku } configurable_options { option_label value_label } }
  } }
"""
ADD = f"""
mutation A($cart: String!, $items: [CartItemInput!]!) {{
  addProductsToCart(cartId: $cart, cartItems: $items) {{ cart {{ {LINES} }} user_errors {{ code message }} }}
}}"""
UPDATE = """
mutation U($cart: String!, $uid: ID!, $qty: Float!) {
  updateCartItems(input: {cart_id: $cart, cart_items: [{cart_item_uid: $uid, quantity: $qty}]}) {
    cart { total_quantity itemsV2 { items { uid quantity } } }
  }
}"""
REMOVE = """
mutation R($cart: String!, $uid: ID!) {
  removeItemFromCart(input: {cart_id: $cart, cart_item_uid: $uid}) { cart { total_quantity } }
}"""
COUPON = """
mutation P($cart: String!, $code: String!) {
  applyCouponToCart(input: {cart_id: $cart, coupon_code: $code}) {
    cart { applied_coupons { code } prices { discounts { label amount { value } } } }
  }
}"""
UNCOUPON = """
mutation N($cart: String!) { removeCouponFromCart(input: {cart_id: $cart}) { cart { applied_coupons { code } } } }
"""
CART = "query Q($cart: String!) { cart(cart_id: $cart) { id total_quantity } }"


def option(attribute_id: int, value_index: int) -> str:
    return base64.b64encode(f"configurable/{attribute_id}/{value_index}".encode()).decode()


RED, BLUE, SMALL, LARGE = option(93, 4), option(93, 5), option(144, 10), option(144, 12)


async def new_cart(gql: Gql, headers: dict[str, str] | None = None) -> str:
    body = await gql(CREATE, headers=headers)
    cart_id: str = body["data"]["createGuestCart"]["cart"]["id"]
    return cart_id


async def add(gql: Gql, cart_id: str, *items: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    body = await gql(ADD, {"cart": cart_id, "items": list(items)}, headers=headers)
    return body["data"]["addProductsToCart"]


async def bearer(gql: Gql, *credentials: str) -> dict[str, str]:
    email, password = credentials or ("roni_cost@example.com", "Roni-Cost-3")
    body = await gql(SIGN_IN, {"e": email, "p": password})
    return {"Authorization": f"Bearer {body['data']['generateCustomerToken']['token']}"}


def error_of(body: dict[str, Any]) -> tuple[str, str]:
    error = body["errors"][0]
    return error["message"], error["extensions"]["category"]


# --- cart ids ------------------------------------------------------------------------------------


async def test_guest_cart_ids_are_32_letters_and_digits(gql: Gql) -> None:
    first, second = await new_cart(gql), await new_cart(gql)
    assert len(first) == 32
    assert first.isalnum()
    assert first.isascii()
    assert first != second


async def test_a_client_chosen_cart_id_is_used_as_is(gql: Gql) -> None:
    chosen = "A" * 32
    body = await gql(CREATE_WITH_ID, {"id": chosen})
    assert body["data"]["createGuestCart"]["cart"]["id"] == chosen


async def test_a_client_chosen_cart_id_must_have_32_characters(gql: Gql) -> None:
    body = await gql(CREATE_WITH_ID, {"id": "short"})
    assert error_of(body) == ("Cart ID length should to be 32 symbols.", "graphql-input")


async def test_a_client_chosen_cart_id_cannot_be_reused(gql: Gql) -> None:
    chosen = "b" * 32
    await gql(CREATE_WITH_ID, {"id": chosen})
    body = await gql(CREATE_WITH_ID, {"id": chosen})
    assert error_of(body) == (f'Cart with ID "{chosen}" already exists.', "graphql-already-exists")


async def test_a_signed_in_customer_is_sent_to_customer_cart(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\Quote\Customer\CreateGuestCartTest::testFailForLoggedInUser
    (``CreateGuestCart`` raises a GraphQlAlreadyExistsException)."""
    body = await gql(CREATE, headers=await bearer(gql))
    assert error_of(body) == ("Use `Query.customerCart` for logged in customer.", "graphql-already-exists")


async def test_create_empty_cart_returns_a_masked_id_for_a_guest(gql: Gql) -> None:
    body = await gql("mutation { createEmptyCart }")
    cart_id = body["data"]["createEmptyCart"]
    assert (await gql(CART, {"cart": cart_id}))["data"]["cart"]["id"] == cart_id


async def test_create_empty_cart_returns_the_customers_cart_for_a_customer(gql: Gql) -> None:
    headers = await bearer(gql)
    created = (await gql("mutation { createEmptyCart }", headers=headers))["data"]["createEmptyCart"]
    customer_cart = (await gql("{ customerCart { id } }", headers=headers))["data"]["customerCart"]["id"]
    assert created == customer_cart


# --- adding lines --------------------------------------------------------------------------------


async def test_adding_the_same_sku_again_increases_the_line(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1})
    result = await add(gql, cart_id, {"sku": "BAG-001", "quantity": 2})
    items = result["cart"]["itemsV2"]["items"]
    assert [(i["product"]["sku"], i["quantity"]) for i in items] == [("BAG-001", 3.0)]
    assert result["user_errors"] == []


async def test_a_configurable_is_added_by_parent_sku_and_option_value_uids(gql: Gql) -> None:
    result = await add(gql, await new_cart(gql), {"sku": "TEE-CFG", "quantity": 1, "selected_options": [RED, SMALL]})
    item = result["cart"]["itemsV2"]["items"][0]
    assert item["__typename"] == "ConfigurableCartItem"
    assert item["product"]["sku"] == "TEE-CFG"
    assert item["configured_variant"]["sku"] == "TEE-CFG-Red-S"
    assert item["configurable_options"] == [
        {"option_label": "Color", "value_label": "Red"},
        {"option_label": "Size", "value_label": "S"},
    ]


async def test_a_configurable_child_is_added_by_its_sku_with_parent_sku(gql: Gql) -> None:
    result = await add(gql, await new_cart(gql), {"sku": "TEE-CFG-Blue-S", "parent_sku": "TEE-CFG", "quantity": 2})
    item = result["cart"]["itemsV2"]["items"][0]
    assert (item["__typename"], item["configured_variant"]["sku"], item["quantity"]) == (
        "ConfigurableCartItem",
        "TEE-CFG-Blue-S",
        2.0,
    )


async def test_bad_lines_come_back_as_user_errors_while_good_lines_are_added(gql: Gql) -> None:
    result = await add(
        gql,
        await new_cart(gql),
        {"sku": "NOPE-404", "quantity": 1},
        {"sku": "BAG-001", "quantity": 1},
        {"sku": "SOLD-OUT", "quantity": 1},
    )
    assert result["user_errors"] == [
        {"code": "PRODUCT_NOT_FOUND", "message": 'Could not find a product with SKU "NOPE-404"'},
        {"code": "PRODUCT_NOT_FOUND", "message": 'Could not find a product with SKU "SOLD-OUT"'},
    ]
    assert [i["product"]["sku"] for i in result["cart"]["itemsV2"]["items"]] == ["BAG-001"]


async def test_an_out_of_stock_simple_product_is_not_found(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\Quote\Guest\AddSimpleProductToCartTest::testAddDisabledProductToCart:
    2.4.7's ``AddProductsToCart::addItemToCart`` answers 'Could not find a product with SKU' for
    any product that is not salable (disabled or out of stock) before trying to add it."""
    result = await add(gql, await new_cart(gql), {"sku": "SOLD-OUT", "quantity": 1})
    assert result["user_errors"] == [
        {"code": "PRODUCT_NOT_FOUND", "message": 'Could not find a product with SKU "SOLD-OUT"'}
    ]


async def test_adding_more_than_the_stock_is_insufficient_stock(gql: Gql) -> None:
    result = await add(gql, await new_cart(gql), {"sku": "LAST-ONE", "quantity": 2})
    assert result["user_errors"] == [{"code": "INSUFFICIENT_STOCK", "message": "The requested qty is not available"}]
    assert result["cart"]["total_quantity"] == 0


async def test_an_out_of_stock_variant_is_insufficient_stock(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\ConfigurableProduct\AddConfigurableProductToCartSingleMutationTest::testOutOfStockVariationToCart
    """
    result = await add(gql, await new_cart(gql), {"sku": "TEE-CFG", "quantity": 1, "selected_options": [BLUE, LARGE]})
    assert result["user_errors"] == [{"code": "INSUFFICIENT_STOCK", "message": "This product is out of stock."}]


@pytest.mark.parametrize(
    "options",
    [[], [RED], [option(0, 0)], [RED, option(144, 99)]],
    ids=["none", "incomplete", "unknown-attribute", "unknown-value"],
)
async def test_a_configurable_without_options_matching_a_variant_needs_its_options_chosen(
    gql: Gql, options: list[str]
) -> None:
    r"""Follows
    Magento\GraphQl\ConfigurableProduct\AddConfigurableProductToCartSingleMutationTest::testAddConfigurableProductWithWrongSuperAttributes
    (``Configurable::_prepareProduct`` answers its "specify option" message; the code is UNDEFINED)."""
    result = await add(gql, await new_cart(gql), {"sku": "TEE-CFG", "quantity": 1, "selected_options": options})
    assert result["user_errors"] == [{"code": "UNDEFINED", "message": "You need to choose options for your item."}]


async def test_a_quantity_below_one_is_an_undefined_user_error(gql: Gql) -> None:
    result = await add(gql, await new_cart(gql), {"sku": "BAG-001", "quantity": 0})
    assert result["user_errors"] == [{"code": "UNDEFINED", "message": "The product quantity should be greater than 0"}]


async def test_lines_paginate_and_sort_in_items_v2(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-002", "quantity": 1}, {"sku": "BAG-001", "quantity": 1})
    query = """query Q($cart: String!) { cart(cart_id: $cart) {
      itemsV2(pageSize: 1, currentPage: 2, sort: {field: SKU, order: ASC}) {
        total_count page_info { page_size current_page total_pages } items { product { sku } } } } }"""
    page = (await gql(query, {"cart": cart_id}))["data"]["cart"]["itemsV2"]
    assert page["total_count"] == 2
    assert page["page_info"] == {"page_size": 1, "current_page": 2, "total_pages": 2}
    assert page["items"] == [{"product": {"sku": "BAG-002"}}]


# --- updating and removing lines -------------------------------------------------------------------


async def test_updating_a_line_to_zero_removes_it(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    uid = (await add(gql, cart_id, {"sku": "BAG-001", "quantity": 2}))["cart"]["itemsV2"]["items"][0]["uid"]
    body = await gql(UPDATE, {"cart": cart_id, "uid": uid, "qty": 0})
    assert body["data"]["updateCartItems"]["cart"] == {"total_quantity": 0.0, "itemsV2": {"items": []}}


async def test_updating_a_line_changes_its_quantity(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    uid = (await add(gql, cart_id, {"sku": "BAG-001", "quantity": 2}))["cart"]["itemsV2"]["items"][0]["uid"]
    body = await gql(UPDATE, {"cart": cart_id, "uid": uid, "qty": 5})
    assert body["data"]["updateCartItems"]["cart"]["itemsV2"]["items"] == [{"uid": uid, "quantity": 5.0}]


async def test_updating_beyond_the_stock_names_the_product(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\CatalogInventory\UpdateCartItemsTest::testUpdateCartItemDecimalQuantity
    (``UpdateCartItem::validateCartItem``: "Could not update the product with SKU <sku>: <reason>")."""
    cart_id = await new_cart(gql)
    uid = (await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1}))["cart"]["itemsV2"]["items"][0]["uid"]
    body = await gql(UPDATE, {"cart": cart_id, "uid": uid, "qty": 101})
    assert error_of(body) == (
        "Could not update the product with SKU BAG-001: The requested qty is not available",
        "graphql-input",
    )


async def test_the_minimum_quantity_is_checked_before_whole_units(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\CatalogInventory\UpdateCartItemsTest::testUpdateCartItemDecimalQuantity
    """
    cart_id = await new_cart(gql)
    uid = (await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1}))["cart"]["itemsV2"]["items"][0]["uid"]
    below = await gql(UPDATE, {"cart": cart_id, "uid": uid, "qty": 0.5})
    assert error_of(below) == (
        "Could not update the product with SKU BAG-001: The fewest you may purchase is 1.",
        "graphql-input",
    )
    fractional = await gql(UPDATE, {"cart": cart_id, "uid": uid, "qty": 1.5})
    assert error_of(fractional) == (
        "Could not update the product with SKU BAG-001: You cannot use decimal quantity for this product.",
        "graphql-input",
    )


async def test_adding_less_than_the_minimum_quantity_is_insufficient_stock(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\CatalogInventory\UpdateCartItemsTest::testUpdateCartItemDecimalQuantity
    (the same quantity rules on add; "The fewest you may purchase is" is INSUFFICIENT_STOCK)."""
    result = await add(gql, await new_cart(gql), {"sku": "BAG-001", "quantity": 0.5})
    assert result["user_errors"] == [{"code": "INSUFFICIENT_STOCK", "message": "The fewest you may purchase is 1."}]


async def test_more_than_the_maximum_sale_quantity_is_refused_with_magentos_message(
    gql: Gql, state: SandboxState
) -> None:
    r"""Follows
    Magento\GraphQl\CatalogInventory\AddProductToCartTest::testAddMoreProductsThatAllowed
    (``cataloginventory/item_options/max_sale_qty``, here 5; 2.4.7's inventory check, MSI's
    ``IsCorrectQtyCondition``, words it "The requested qty exceeds the maximum qty allowed in
    shopping cart", which ``AddProductsToCartError`` has no code for)."""
    state.config = replace(state.config, max_sale_qty=Decimal(5))
    cart_id = await new_cart(gql)
    result = await add(gql, cart_id, {"sku": "BAG-001", "quantity": 6})
    assert result["user_errors"] == [
        {"code": "UNDEFINED", "message": "The requested qty exceeds the maximum qty allowed in shopping cart"}
    ]
    uid = (await add(gql, cart_id, {"sku": "BAG-001", "quantity": 5}))["cart"]["itemsV2"]["items"][0]["uid"]
    body = await gql(UPDATE, {"cart": cart_id, "uid": uid, "qty": 6})
    assert error_of(body) == (
        "Could not update the product with SKU BAG-001: "
        "The requested qty exceeds the maximum qty allowed in shopping cart",
        "graphql-input",
    )


async def test_a_cart_item_id_of_zero_is_a_missing_id(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\Quote\Guest\UpdateCartItemsTest::testUpdateWithMissedItemRequiredParameters
    (data set missed_cart_item_id: ``UpdateCartItems`` checks the id with PHP's ``empty()``, so 0 is missing)."""
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1})
    update = """mutation U($cart: String!) { updateCartItems(input: {cart_id: $cart,
      cart_items: [{cart_item_id: 0, quantity: 2}]}) { cart { total_quantity } } }"""
    body = await gql(update, {"cart": cart_id})
    assert error_of(body) == ('Required parameter "cart_item_id" for "cart_items" is missing.', "graphql-input")


async def test_removing_a_line_empties_the_cart(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    uid = (await add(gql, cart_id, {"sku": "BAG-001", "quantity": 2}))["cart"]["itemsV2"]["items"][0]["uid"]
    body = await gql(REMOVE, {"cart": cart_id, "uid": uid})
    assert body["data"]["removeItemFromCart"]["cart"]["total_quantity"] == 0


async def test_removing_a_line_of_id_zero_is_a_missing_id(gql: Gql) -> None:
    r"""Follows
    Magento\GraphQl\Quote\Guest\RemoveItemFromCartTest::testUpdateWithMissedItemRequiredParameters
    (data set missed_cart_item_id; the resolver tests the id with PHP's ``empty()``)."""
    remove = """mutation R($cart: String!) { removeItemFromCart(input: {cart_id: $cart, cart_item_id: 0}) {
      cart { total_quantity } } }"""
    body = await gql(remove, {"cart": "test"})  # as Magento's test: checked before the cart is looked up
    assert error_of(body) == ('Required parameter "cart_item_id" is missing.', "graphql-input")


async def test_removing_an_unknown_line_is_no_such_entity(gql: Gql) -> None:
    body = await gql(REMOVE, {"cart": await new_cart(gql), "uid": base64.b64encode(b"999").decode()})
    assert error_of(body) == ("The cart doesn't contain the item", "graphql-no-such-entity")


# --- coupons -------------------------------------------------------------------------------------


async def test_a_coupon_applies_its_discount(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1})
    cart = (await gql(COUPON, {"cart": cart_id, "code": "SAVE10"}))["data"]["applyCouponToCart"]["cart"]
    assert cart["applied_coupons"] == [{"code": "SAVE10"}]
    assert cart["prices"]["discounts"] == [{"label": "SAVE10", "amount": {"value": 4.5}}]


async def test_an_unknown_coupon_is_no_such_entity(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1})
    body = await gql(COUPON, {"cart": cart_id, "code": "NOPE"})
    assert error_of(body) == ("The coupon code isn't valid. Verify the code and try again.", "graphql-no-such-entity")


async def test_a_second_coupon_is_refused(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1})
    await gql(COUPON, {"cart": cart_id, "code": "SAVE10"})
    body = await gql(COUPON, {"cart": cart_id, "code": "TAKE5"})
    assert error_of(body) == (
        "A coupon is already applied to the cart. Please remove it to apply another",
        "graphql-input",
    )


async def test_a_coupon_needs_products_in_the_cart(gql: Gql) -> None:
    body = await gql(COUPON, {"cart": await new_cart(gql), "code": "SAVE10"})
    assert error_of(body) == ("Cart does not contain products.", "graphql-no-such-entity")


async def test_a_removed_coupon_leaves_no_applied_coupons(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-001", "quantity": 1})
    await gql(COUPON, {"cart": cart_id, "code": "SAVE10"})
    body = await gql(UNCOUPON, {"cart": cart_id})
    assert body["data"]["removeCouponFromCart"]["cart"]["applied_coupons"] is None


# --- who may use a cart --------------------------------------------------------------------------


async def test_an_unknown_cart_id_is_no_such_entity(gql: Gql) -> None:
    body = await gql(CART, {"cart": "x" * 32})
    assert error_of(body) == (f'Could not find a cart with ID "{"x" * 32}"', "graphql-no-such-entity")


async def test_a_guest_cart_used_with_a_customer_token_is_refused(gql: Gql) -> None:
    cart_id = await new_cart(gql)
    body = await gql(CART, {"cart": cart_id}, headers=await bearer(gql))
    assert error_of(body) == (
        f'The current user cannot perform operations on cart "{cart_id}"',
        "graphql-authorization",
    )


async def test_a_customer_cart_used_by_a_guest_is_refused(gql: Gql) -> None:
    cart_id = (await gql("{ customerCart { id } }", headers=await bearer(gql)))["data"]["customerCart"]["id"]
    body = await gql(CART, {"cart": cart_id})
    assert error_of(body)[1] == "graphql-authorization"


async def test_a_customer_cart_used_by_another_customer_is_refused(gql: Gql) -> None:
    cart_id = (await gql("{ customerCart { id } }", headers=await bearer(gql)))["data"]["customerCart"]["id"]
    body = await gql(CART, {"cart": cart_id}, headers=await bearer(gql, "john.doe@example.com", "John-Doe-123"))
    assert error_of(body) == (
        f'The current user cannot perform operations on cart "{cart_id}"',
        "graphql-authorization",
    )


PRICED = """query Q($cart: String!) {
  cart(cart_id: $cart) { total_quantity itemsV2 { items { product { sku } quantity } }
                         prices { grand_total { value currency } } }
}"""


async def test_a_cart_used_with_another_store_view_moves_there_like_update_cart_currency(
    gql: Gql, state: SandboxState
) -> None:
    r"""Follows
    Magento\GraphQl\Quote\Guest\GetCartTest::testGetCartWithWrongStore
    and
    Magento\GraphQl\Quote\Guest\GetCartTest::testGetCartWithDifferentStoreDifferentCurrency
    (2.4.7: a cart of the default store view asked for with another store view's code is answered,
    not refused) and ``QuoteGraphQl\Model\Cart\UpdateCartCurrency``: same website, so the cart
    keeps its lines, moves to the store view and is priced in its currency."""
    cart_id = await new_cart(gql)
    await add(gql, cart_id, {"sku": "BAG-001", "quantity": 2})
    body = await gql(PRICED, {"cart": cart_id}, headers={"Store": "de"})
    assert body["data"]["cart"] == {
        "total_quantity": 2.0,
        "itemsV2": {"items": [{"product": {"sku": "BAG-001"}, "quantity": 2.0}]},
        "prices": {"grand_total": {"value": 82.8, "currency": "EUR"}},
    }
    assert state.carts[cart_id].store_code == "de"


async def test_a_cart_of_another_website_is_refused(gql: Gql, state: SandboxState) -> None:
    r"""Follows
    Magento\GraphQl\Quote\Guest\GetCartTest::testGetCartWithDifferentStoreDifferentWebsite
    (``QuoteGraphQl\Model\Cart\UpdateCartCurrency::execute`` refuses to move the cart there)."""
    cart_id = await new_cart(gql)
    state.stores["de"] = replace(state.stores["de"], website_code="other")
    body = await gql(CART, {"cart": cart_id}, headers={"Store": "de"})
    assert error_of(body) == ("Can't assign cart to store in different website.", "graphql-input")


async def test_customer_cart_needs_a_signed_in_customer(gql: Gql) -> None:
    body = await gql("{ customerCart { id } }")
    assert error_of(body) == ("The request is allowed for logged in customer", "graphql-authorization")


async def test_customer_cart_is_created_once_and_then_reused(gql: Gql, state: SandboxState) -> None:
    headers = await bearer(gql)
    first = (await gql("{ customerCart { id email } }", headers=headers))["data"]["customerCart"]
    second = (await gql("{ customerCart { id } }", headers=headers))["data"]["customerCart"]
    assert first == {"id": second["id"], "email": "roni_cost@example.com"}
    assert state.carts[first["id"]].customer_id is not None
