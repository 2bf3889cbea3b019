"""The cart end to end: lazy creation, adding (simple, configurable, refused lines), quantities,
removal, coupons, and recovery when Magento loses the cart behind the BFF's back."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from bff.sandbox import Fault, FaultPlan, SandboxState
from tests.storefront_fixtures import Gql

CART_FIELDS = """
fragment CartView on Cart {
  items {
    quantity
    product { sku variantSku }
    prices { price { value } rowTotal { value } }
    selectedOptions { label value }
  }
  totalQuantity
  prices { subtotal { value currency } discounts { label amount { value } } grandTotal { value currency } }
  appliedCoupons
}
"""
CART = "query { cart { ...CartView } }" + CART_FIELDS
ADD = (
    """mutation Add($items: [CartItemInput!]!) {
  addToCart(items: $items) { cart { ...CartView } userErrors { code field } }
}"""
    + CART_FIELDS
)
UPDATE = (
    """mutation Update($items: [CartItemUpdateInput!]!) {
  updateCartItems(items: $items) { cart { ...CartView } userErrors { code field } }
}"""
    + CART_FIELDS
)
REMOVE = (
    """mutation Remove($uid: ID!) {
  removeCartItem(uid: $uid) { cart { ...CartView } userErrors { code field } }
}"""
    + CART_FIELDS
)
APPLY_COUPON = (
    """mutation Apply($code: String!) {
  applyCoupon(code: $code) { cart { ...CartView } userErrors { code field } }
}"""
    + CART_FIELDS
)
REMOVE_COUPON = "mutation { removeCoupon { cart { ...CartView } userErrors { code field } } }" + CART_FIELDS
LINE_UIDS = "query { cart { items { uid product { sku } } } }"
TEE_OPTIONS = """query { product(sku: "TEE-CFG") { options { code values { uid label } } } }"""

NUMBERS = frozenset({"value", "quantity", "totalQuantity"})


def numbers(data: Any) -> Any:
    """``data`` with decimal strings (amounts, quantities) as Decimals: "2.0" == "2" == "2.00"."""
    if isinstance(data, dict):
        return {k: _number(v) if k in NUMBERS else numbers(v) for k, v in data.items()}
    if isinstance(data, list):
        return [numbers(v) for v in data]
    return data


def _number(value: Any) -> Any:
    try:
        return Decimal(value) if isinstance(value, str) else numbers(value)
    except InvalidOperation:  # e.g. an option's value label
        return value


EMPTY_CART = numbers(
    {
        "items": [],
        "totalQuantity": 0,
        "prices": {
            "subtotal": {"value": "0", "currency": "USD"},
            "discounts": [],
            "grandTotal": {"value": "0", "currency": "USD"},
        },
        "appliedCoupons": [],
    }
)


def bag_line(quantity: int, row_total: str) -> Any:
    return numbers(
        {
            "quantity": str(quantity),
            "product": {"sku": "BAG-001", "variantSku": None},
            "prices": {"price": {"value": "45"}, "rowTotal": {"value": row_total}},
            "selectedOptions": [],
        }
    )


async def run(gql: Gql, document: str, variables: dict[str, Any] | None = None) -> Any:
    """The first root field's answer, with numbers as Decimals."""
    body = await gql(document, variables)
    assert "errors" not in body, body
    return numbers(next(iter(body["data"].values())))


async def add(gql: Gql, *items: tuple[str, float], options: list[str] | None = None) -> Any:
    variables = {"items": [{"sku": sku, "quantity": qty, "selectedOptions": options} for sku, qty in items]}
    return await run(gql, ADD, variables)


async def line_uid(gql: Gql, sku: str) -> str:
    items = (await gql(LINE_UIDS))["data"]["cart"]["items"]
    return str(next(i["uid"] for i in items if i["product"]["sku"] == sku))


async def option_uids(gql: Gql, **choices: str) -> list[str]:
    options = (await gql(TEE_OPTIONS))["data"]["product"]["options"]
    return [next(v["uid"] for v in o["values"] if v["label"] == choices[o["code"]]) for o in options]


def only_cart(state: SandboxState) -> Any:
    (cart,) = state.carts.values()
    return cart


# --- reading and creating ------------------------------------------------------------------------


async def test_a_new_shopper_has_an_empty_cart_without_any_magento_call(
    gql: Gql, sandbox_state: SandboxState, faults: FaultPlan
) -> None:
    faults.set("*", Fault(error_rate=1.0, error="graphql"))
    assert await run(gql, CART) == EMPTY_CART
    assert sandbox_state.carts == {}


async def test_the_first_add_opens_a_cart_that_later_requests_see(gql: Gql, sandbox_state: SandboxState) -> None:
    payload = await add(gql, ("BAG-001", 2))
    assert payload["userErrors"] == []
    assert payload["cart"]["items"] == [bag_line(2, "90")]
    assert payload["cart"]["totalQuantity"] == 2
    assert len(sandbox_state.carts) == 1
    assert await run(gql, CART) == payload["cart"]


async def test_adding_the_same_product_again_raises_the_line_quantity(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    payload = await add(gql, ("BAG-001", 2))
    assert payload["cart"]["items"] == [bag_line(3, "135")]


async def test_a_configurable_product_is_added_by_its_option_values(gql: Gql) -> None:
    chosen = await option_uids(gql, color="Red", size="M")
    payload = await add(gql, ("TEE-CFG", 1), options=chosen)
    assert payload["userErrors"] == []
    (line,) = payload["cart"]["items"]
    assert line["product"] == {"sku": "TEE-CFG", "variantSku": "TEE-CFG-Red-M"}
    assert line["selectedOptions"] == [{"label": "Color", "value": "Red"}, {"label": "Size", "value": "M"}]


async def test_an_unknown_sku_is_reported_while_the_other_items_are_added(gql: Gql) -> None:
    payload = await add(gql, ("NO-SUCH-SKU", 1), ("BAG-001", 1))
    assert payload["userErrors"] == [{"code": "PRODUCT_NOT_FOUND", "field": ["items", "0", "sku"]}]
    assert payload["cart"]["items"] == [bag_line(1, "45")]


async def test_more_than_the_stock_is_insufficient_stock_and_the_cart_is_returned(gql: Gql) -> None:
    payload = await add(gql, ("LAST-ONE", 2))
    assert payload == {
        "cart": EMPTY_CART,
        "userErrors": [{"code": "INSUFFICIENT_STOCK", "field": ["items", "0", "quantity"]}],
    }


async def test_a_sold_out_product_is_product_not_found_as_magento_answers_it(gql: Gql) -> None:
    """Magento 2.4.7's addProductsToCart reports a product it cannot sell as not found
    (``AddProductsToCart::addItemToCart``); the BFF cannot tell sold out from unknown."""
    payload = await add(gql, ("SOLD-OUT", 1))
    assert payload["userErrors"] == [{"code": "PRODUCT_NOT_FOUND", "field": ["items", "0", "sku"]}]


async def test_an_out_of_stock_variant_is_insufficient_stock(gql: Gql) -> None:
    payload = await add(gql, ("TEE-CFG", 1), options=await option_uids(gql, color="Blue", size="L"))
    assert payload["userErrors"] == [{"code": "INSUFFICIENT_STOCK", "field": ["items", "0", "quantity"]}]


async def test_a_configurable_product_without_its_options_is_invalid_options(gql: Gql) -> None:
    payload = await add(gql, ("TEE-CFG", 1))
    assert payload["userErrors"] == [{"code": "INVALID_OPTIONS", "field": ["items", "0", "selectedOptions"]}]


async def test_quantities_outside_one_to_ten_thousand_are_refused_before_magento(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    payload = await add(gql, ("BAG-001", 0), ("BAG-002", 10_001))
    assert payload == {
        "cart": EMPTY_CART,
        "userErrors": [
            {"code": "INVALID_QUANTITY", "field": ["items", "0", "quantity"]},
            {"code": "INVALID_QUANTITY", "field": ["items", "1", "quantity"]},
        ],
    }
    assert sandbox_state.carts == {}


async def test_an_overlong_sku_is_invalid_input(gql: Gql) -> None:
    payload = await add(gql, ("X" * 65, 1))
    assert payload == {"cart": EMPTY_CART, "userErrors": [{"code": "INVALID_INPUT", "field": ["items", "0", "sku"]}]}


# --- changing lines ----------------------------------------------------------------------------


async def test_a_line_quantity_is_updated(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    payload = await run(gql, UPDATE, {"items": [{"uid": await line_uid(gql, "BAG-001"), "quantity": 3}]})
    assert payload["userErrors"] == []
    assert payload["cart"]["items"] == [bag_line(3, "135")]


async def test_quantity_zero_removes_the_line(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    payload = await run(gql, UPDATE, {"items": [{"uid": await line_uid(gql, "BAG-001"), "quantity": 0}]})
    assert payload == {"cart": EMPTY_CART, "userErrors": []}


async def test_updating_beyond_the_stock_is_insufficient_stock(gql: Gql) -> None:
    await add(gql, ("LAST-ONE", 1))
    payload = await run(gql, UPDATE, {"items": [{"uid": await line_uid(gql, "LAST-ONE"), "quantity": 5}]})
    assert payload == {
        "cart": await run(gql, CART),
        "userErrors": [{"code": "INSUFFICIENT_STOCK", "field": ["items", "0", "quantity"]}],
    }


async def test_updating_an_unknown_line_is_cart_item_not_found(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    payload = await run(gql, UPDATE, {"items": [{"uid": "OTk5OQ==", "quantity": 1}]})
    assert payload == {
        "cart": await run(gql, CART),
        "userErrors": [{"code": "CART_ITEM_NOT_FOUND", "field": ["items", "0", "uid"]}],
    }


async def test_a_line_is_removed(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1), ("BAG-002", 1))
    payload = await run(gql, REMOVE, {"uid": await line_uid(gql, "BAG-002")})
    assert payload["userErrors"] == []
    assert payload["cart"]["items"] == [bag_line(1, "45")]


async def test_removing_an_unknown_line_is_cart_item_not_found(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    payload = await run(gql, REMOVE, {"uid": "OTk5OQ=="})
    assert payload == {"cart": await run(gql, CART), "userErrors": [{"code": "CART_ITEM_NOT_FOUND", "field": ["uid"]}]}


async def test_removing_a_line_without_a_cart_is_cart_item_not_found_without_magento(
    gql: Gql, faults: FaultPlan
) -> None:
    faults.set("*", Fault(error_rate=1.0, error="graphql"))
    payload = await run(gql, REMOVE, {"uid": "MQ=="})
    assert payload == {"cart": EMPTY_CART, "userErrors": [{"code": "CART_ITEM_NOT_FOUND", "field": ["uid"]}]}


# --- coupons -----------------------------------------------------------------------------------


async def test_a_coupon_changes_the_totals(gql: Gql) -> None:
    await add(gql, ("BAG-001", 2))
    payload = await run(gql, APPLY_COUPON, {"code": "SAVE10"})
    assert payload["userErrors"] == []
    assert payload["cart"]["appliedCoupons"] == ["SAVE10"]
    assert payload["cart"]["prices"] == numbers(
        {
            "subtotal": {"value": "90", "currency": "USD"},
            "discounts": [{"label": "SAVE10", "amount": {"value": "9"}}],
            "grandTotal": {"value": "81", "currency": "USD"},
        }
    )


async def test_an_unknown_coupon_is_coupon_not_found(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    payload = await run(gql, APPLY_COUPON, {"code": "NOPE"})
    assert payload == {"cart": await run(gql, CART), "userErrors": [{"code": "COUPON_NOT_FOUND", "field": ["code"]}]}


async def test_a_second_coupon_is_coupon_already_applied(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    await run(gql, APPLY_COUPON, {"code": "SAVE10"})
    payload = await run(gql, APPLY_COUPON, {"code": "TAKE5"})
    assert payload == {
        "cart": await run(gql, CART),
        "userErrors": [{"code": "COUPON_ALREADY_APPLIED", "field": ["code"]}],
    }


async def test_applying_the_applied_coupon_again_succeeds(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    await run(gql, APPLY_COUPON, {"code": "SAVE10"})
    payload = await run(gql, APPLY_COUPON, {"code": "save10"})
    assert payload["userErrors"] == []
    assert payload["cart"]["appliedCoupons"] == ["SAVE10"]


async def test_a_coupon_without_a_cart_is_cart_empty(gql: Gql, sandbox_state: SandboxState) -> None:
    payload = await run(gql, APPLY_COUPON, {"code": "SAVE10"})
    assert payload == {"cart": EMPTY_CART, "userErrors": [{"code": "CART_EMPTY", "field": None}]}
    assert sandbox_state.carts == {}


async def test_removing_the_coupon_restores_the_totals(gql: Gql) -> None:
    await add(gql, ("BAG-001", 2))
    await run(gql, APPLY_COUPON, {"code": "SAVE10"})
    payload = await run(gql, REMOVE_COUPON)
    assert payload["userErrors"] == []
    assert payload["cart"]["appliedCoupons"] == []
    assert payload["cart"]["prices"]["grandTotal"] == {"value": 90, "currency": "USD"}


async def test_removing_a_coupon_without_a_cart_answers_the_empty_cart(gql: Gql) -> None:
    assert await run(gql, REMOVE_COUPON) == {"cart": EMPTY_CART, "userErrors": []}


# --- carts Magento lost ------------------------------------------------------------------------

RECREATED = [{"code": "CART_RECREATED", "field": None}]


def skus(cart: dict[str, Any]) -> list[str]:
    return [i["product"]["sku"] for i in cart["items"]]


async def test_an_add_to_an_inactive_cart_starts_a_new_cart_and_says_so(gql: Gql, sandbox_state: SandboxState) -> None:
    await add(gql, ("BAG-001", 1))
    only_cart(sandbox_state).is_active = False
    payload = await add(gql, ("BAG-002", 1))
    assert payload["userErrors"] == RECREATED
    assert skus(payload["cart"]) == ["BAG-002"]
    assert len(sandbox_state.carts) == 2
    assert skus(await run(gql, CART)) == ["BAG-002"]


async def test_an_add_to_a_cart_magento_no_longer_knows_starts_a_new_cart(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    await add(gql, ("BAG-001", 1))
    sandbox_state.carts.clear()
    payload = await add(gql, ("BAG-002", 1))
    assert payload["userErrors"] == RECREATED
    assert skus(payload["cart"]) == ["BAG-002"]


async def test_a_guest_cart_that_became_a_customers_is_replaced(gql: Gql, sandbox_state: SandboxState) -> None:
    await add(gql, ("BAG-001", 1))
    only_cart(sandbox_state).customer_id = next(iter(sandbox_state.customers))
    payload = await add(gql, ("BAG-002", 1))
    assert payload["userErrors"] == RECREATED
    assert skus(payload["cart"]) == ["BAG-002"]


async def test_reading_an_inactive_cart_answers_an_empty_cart(gql: Gql, sandbox_state: SandboxState) -> None:
    await add(gql, ("BAG-001", 1))
    only_cart(sandbox_state).is_active = False
    assert await run(gql, CART) == EMPTY_CART


async def test_changing_a_line_of_an_inactive_cart_answers_a_new_empty_cart(
    gql: Gql, sandbox_state: SandboxState
) -> None:
    await add(gql, ("BAG-001", 1))
    uid = await line_uid(gql, "BAG-001")
    only_cart(sandbox_state).is_active = False
    payload = await run(gql, UPDATE, {"items": [{"uid": uid, "quantity": 2}]})
    assert payload == {"cart": EMPTY_CART, "userErrors": RECREATED}


async def test_a_coupon_on_an_inactive_cart_answers_a_new_empty_cart(gql: Gql, sandbox_state: SandboxState) -> None:
    await add(gql, ("BAG-001", 1))
    only_cart(sandbox_state).is_active = False
    assert await run(gql, APPLY_COUPON, {"code": "SAVE10"}) == {"cart": EMPTY_CART, "userErrors": RECREATED}


# --- sign-in merge -----------------------------------------------------------------------------

SIGN_IN = """mutation { signIn(email: "roni_cost@example.com", password: "Roni-Cost-3") { userErrors { code } } }"""


async def test_signing_in_moves_a_configurable_line_with_its_options(gql: Gql) -> None:
    await add(gql, ("TEE-CFG", 2), options=await option_uids(gql, color="Red", size="M"))
    assert (await run(gql, SIGN_IN))["userErrors"] == []
    (line,) = (await run(gql, CART))["items"]
    assert line["product"] == {"sku": "TEE-CFG", "variantSku": "TEE-CFG-Red-M"}
    assert line["quantity"] == 2


async def test_a_line_whose_stock_ran_out_says_so_with_a_code(gql: Gql, sandbox_state: SandboxState) -> None:
    await gql(ADD, {"items": [{"sku": "BAG-001", "quantity": 2}]})
    sandbox_state.products["BAG-001"].qty = 1
    body = await gql("{ cart { items { available problems } } }")
    assert body["data"]["cart"]["items"] == [{"available": False, "problems": ["INSUFFICIENT_STOCK"]}]


# --- which line was refused, and numbers as the client sees them -------------------------------


async def test_a_refused_second_item_is_named_by_its_index(gql: Gql) -> None:
    payload = await add(gql, ("BAG-001", 1), ("NO-SUCH-SKU", 1), ("BAG-002", 1))
    assert payload["userErrors"] == [{"code": "PRODUCT_NOT_FOUND", "field": ["items", "1", "sku"]}]


async def test_several_refused_items_are_each_named_by_their_index(gql: Gql) -> None:
    payload = await add(gql, ("SOLD-OUT", 1), ("BAG-001", 1), ("LAST-ONE", 5))
    assert payload["userErrors"] == [
        {"code": "PRODUCT_NOT_FOUND", "field": ["items", "0", "sku"]},
        {"code": "INSUFFICIENT_STOCK", "field": ["items", "2", "quantity"]},
    ]


async def test_a_refused_item_already_in_the_cart_among_added_ones_is_reported_at_the_list(gql: Gql) -> None:
    # Magento does not say which item it refused; LAST-ONE already has a line, so the cart's
    # answer cannot tell it apart from the added BAG-001 (a documented limitation).
    await add(gql, ("LAST-ONE", 1))
    payload = await add(gql, ("LAST-ONE", 1), ("BAG-001", 1))
    assert payload["userErrors"] == [{"code": "INSUFFICIENT_STOCK", "field": ["items"]}]


async def test_a_fractional_quantity_of_a_product_sold_in_whole_units_is_invalid_quantity(gql: Gql) -> None:
    payload = await add(gql, ("BAG-001", 1.5))
    assert payload == {
        "cart": EMPTY_CART,
        "userErrors": [{"code": "INVALID_QUANTITY", "field": ["items", "0", "quantity"]}],
    }


async def test_updating_to_a_fractional_quantity_of_a_whole_unit_product_is_invalid_quantity(gql: Gql) -> None:
    await add(gql, ("BAG-001", 1))
    payload = await run(gql, UPDATE, {"items": [{"uid": await line_uid(gql, "BAG-001"), "quantity": 2.5}]})
    assert payload == {
        "cart": await run(gql, CART),
        "userErrors": [{"code": "INVALID_QUANTITY", "field": ["items", "0", "quantity"]}],
    }
    assert payload["cart"]["totalQuantity"] == 1


async def test_quantities_are_json_numbers_and_money_keeps_the_currencys_scale(gql: Gql) -> None:
    await add(gql, ("BAG-001", 2))
    body = await gql(
        "query { cart { totalQuantity items { quantity prices { price { value } } } prices { tax { value } } } }"
    )
    assert body["data"]["cart"] == {
        "totalQuantity": 2,
        "items": [{"quantity": 2, "prices": {"price": {"value": "45.00"}}}],
        "prices": {"tax": {"value": "0.00"}},
    }
    assert isinstance(body["data"]["cart"]["totalQuantity"], float)


async def test_the_empty_cart_shows_zero_amounts_with_the_currencys_scale(gql: Gql) -> None:
    body = await gql("query { cart { totalQuantity prices { subtotal { value } grandTotal { value currency } } } }")
    assert body["data"]["cart"] == {
        "totalQuantity": 0,
        "prices": {"subtotal": {"value": "0.00"}, "grandTotal": {"value": "0.00", "currency": "USD"}},
    }


# --- store views ---------------------------------------------------------------------------------


async def test_a_shopper_who_switches_store_view_keeps_the_cart_repriced(gql: Gql, sandbox_state: SandboxState) -> None:
    r"""Magento 2.4.7 moves a cart used with another store view of its website to that store view
    (``QuoteGraphQl\Model\Cart\UpdateCartCurrency``; the sandbox follows
    Magento\GraphQl\Quote\Guest\GetCartTest::testGetCartWithWrongStore): the same lines, priced
    in the new store view's currency (45.00 USD is 41.40 EUR)."""
    await add(gql, ("BAG-001", 2))
    body = await gql(CART, headers={"Store": "de"})
    assert "errors" not in body, body
    cart = numbers(body["data"]["cart"])
    assert [(line["product"]["sku"], line["quantity"]) for line in cart["items"]] == [("BAG-001", 2)]
    assert cart["items"][0]["prices"]["price"] == {"value": Decimal("41.40")}
    assert cart["prices"]["grandTotal"] == {"value": Decimal("82.80"), "currency": "EUR"}
    assert [c.store_code for c in sandbox_state.carts.values()] == ["de"]
