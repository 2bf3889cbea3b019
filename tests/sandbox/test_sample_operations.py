"""The BFF's real Magento operations (``operations-sample/``) run end to end against the sandbox.

Each test drives a live sandbox over real HTTP (uvicorn on 127.0.0.1) with the documents exactly
as they are in the shared Magento folder: ``$MAGENTO_SHARED/operations-sample`` when set, else
the folder ``tests/magento_files.magento_dir()`` finds. Without it the tests skip, unless
``BFF_REQUIRE_MAGENTO_SCHEMA=1``.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.magento_files import magento_dir, require

CALIFORNIA = {
    "firstname": "Ada",
    "lastname": "Lovelace",
    "street": ["1 Infinite Loop"],
    "city": "Cupertino",
    "region": "CA",
    "postcode": "95014",
    "country_code": "US",
    "telephone": "555-0100",
}
RED_M = [base64.b64encode(b"configurable/93/4").decode(), base64.b64encode(b"configurable/144/11").decode()]


def operations_dir() -> Path:
    shared = os.environ.get("MAGENTO_SHARED")
    return require((Path(shared) if shared else magento_dir()) / "operations-sample")


@dataclass
class Storefront:
    """Sends the sample documents to the sandbox the way the BFF does: POST JSON, operationName."""

    http: httpx.Client
    folder: Path
    token: str | None = None

    def run(self, file: str, operation: str | None = None, **variables: Any) -> dict[str, Any]:
        payload = {"query": (self.folder / file).read_text(), "operationName": operation, "variables": variables}
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.post("/graphql", json=payload, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def checkout(self, cart_id: str, *, billing: str = "BffSetBillingSameAsShipping") -> dict[str, Any]:
        """Address, rates, shipping method, billing, payment, placeOrder: the placeOrder result."""
        ship = self.run("05-set-shipping-address.graphql", cartId=cart_id, address=CALIFORNIA)
        rates = ship["setShippingAddressesOnCart"]["cart"]["shipping_addresses"][0]["available_shipping_methods"]
        assert {(r["carrier_code"], r["method_code"]) for r in rates} >= {("flatrate", "flatrate")}
        again = self.run("06-get-shipping-methods.graphql", cartId=cart_id)
        assert again["cart"]["shipping_addresses"][0]["available_shipping_methods"] == [
            {**r, "price_excl_tax": r["price_incl_tax"]} for r in rates
        ]
        chosen = self.run(
            "07-set-shipping-method.graphql", cartId=cart_id, carrierCode="flatrate", methodCode="flatrate"
        )
        method = chosen["setShippingMethodsOnCart"]["cart"]["shipping_addresses"][0]["selected_shipping_method"]
        assert (method["carrier_title"], method["method_title"]) == ("Flat Rate", "Fixed")
        variables = {"address": CALIFORNIA} if billing == "BffSetBillingAddress" else {}
        billed = self.run("08-set-billing-address.graphql", billing, cartId=cart_id, **variables)
        assert billed["setBillingAddressOnCart"]["cart"]["billing_address"]["city"] == "Cupertino"
        methods = self.run("09-get-payment-methods.graphql", cartId=cart_id)["cart"]["available_payment_methods"]
        assert {"code": "checkmo", "title": "Check / Money order"} in methods
        paid = self.run("10-set-payment-method.graphql", cartId=cart_id, code="checkmo", poNumber=None)
        assert paid["setPaymentMethodOnCart"]["cart"]["selected_payment_method"]["code"] == "checkmo"
        placed: dict[str, Any] = self.run("11-place-order.graphql", cartId=cart_id)["placeOrder"]
        return placed

    def guest_cart(self, *items: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """A new guest cart holding ``items``: its id and its lines."""
        cart_id: str = self.run("01-create-guest-cart.graphql")["createGuestCart"]["cart"]["id"]
        added = self.run("02-add-products-to-cart.graphql", cartId=cart_id, items=list(items))
        assert added["addProductsToCart"]["user_errors"] == []
        lines: list[dict[str, Any]] = added["addProductsToCart"]["cart"]["itemsV2"]["items"]
        return cart_id, lines


@pytest.fixture
def storefront(request: pytest.FixtureRequest) -> Iterator[Storefront]:
    folder = operations_dir()  # skips (or fails) before a server is started
    live_sandbox: str = request.getfixturevalue("live_sandbox")
    with httpx.Client(base_url=live_sandbox, timeout=10) as http:
        yield Storefront(http, folder)


def test_a_guest_checks_out_with_the_sample_operations(storefront: Storefront) -> None:
    tee = {"sku": "TEE-CFG", "quantity": 1, "selected_options": RED_M}
    cart_id, items = storefront.guest_cart({"sku": "BAG-001", "quantity": 1}, tee)
    assert items[1]["configurable_options"] == [
        {"option_label": "Color", "value_label": "Red"},
        {"option_label": "Size", "value_label": "M"},
    ]
    updated = storefront.run(
        "03-update-and-remove-cart-items.graphql",
        "BffUpdateCartItem",
        cartId=cart_id,
        itemUid=items[0]["uid"],
        quantity=2,
    )
    assert updated["updateCartItems"]["cart"]["total_quantity"] == 3
    removed = storefront.run(
        "03-update-and-remove-cart-items.graphql", "BffRemoveCartItem", cartId=cart_id, itemUid=items[1]["uid"]
    )
    assert removed["removeItemFromCart"]["cart"]["total_quantity"] == 2
    coupon = storefront.run("03-update-and-remove-cart-items.graphql", "BffApplyCoupon", cartId=cart_id, code="SAVE10")
    assert coupon["applyCouponToCart"]["cart"]["prices"]["discounts"][0]["amount"]["value"] == 9.0
    email = storefront.run("04-set-guest-email.graphql", cartId=cart_id, email="ada@example.com")
    assert email["setGuestEmailOnCart"]["cart"]["email"] == "ada@example.com"

    placed = storefront.checkout(cart_id)

    assert placed["errors"] == []
    order = placed["orderV2"]
    assert order["number"] == "000000001"
    assert order["email"] == "ada@example.com"
    assert order["items"] == [{"product_sku": "BAG-001", "product_name": "Joust Duffle Bag", "quantity_ordered": 2.0}]
    assert order["total"]["grand_total"] == {"value": 97.68, "currency": "USD"}  # 90 - 9 + 10 + 6.68 tax


def test_a_customer_signs_in_merges_a_guest_cart_and_checks_out(storefront: Storefront) -> None:
    guest_cart, _ = storefront.guest_cart({"sku": "BAG-002", "quantity": 2})
    signed_in = storefront.run(
        "12-generate-customer-token.graphql", "BffSignIn", email="roni_cost@example.com", password="Roni-Cost-3"
    )
    storefront.token = signed_in["generateCustomerToken"]["token"]
    me = storefront.run("13-customer-cart-and-merge.graphql", "BffCustomerCart")
    assert me["customer"]["addresses"][0]["default_shipping"] is True
    customer_cart = me["customerCart"]["id"]
    storefront.run("02-add-products-to-cart.graphql", cartId=customer_cart, items=[{"sku": "BAG-002", "quantity": 1}])
    merged = storefront.run("13-customer-cart-and-merge.graphql", "BffMergeGuestCart", guestCartId=guest_cart)
    assert merged["mergeCarts"]["id"] == customer_cart
    assert merged["mergeCarts"]["total_quantity"] == 3

    placed = storefront.checkout(customer_cart, billing="BffSetBillingAddress")

    assert placed["errors"] == []
    assert placed["orderV2"]["email"] == "roni_cost@example.com"
    assert placed["orderV2"]["items"] == [
        {"product_sku": "BAG-002", "product_name": "Strive Shoulder Pack", "quantity_ordered": 3.0}
    ]
    assert placed["orderV2"]["number"] == "000000001"
    signed_out = storefront.run("12-generate-customer-token.graphql", "BffSignOut")
    assert signed_out == {"revokeCustomerToken": {"result": True}}


def test_a_customer_takes_over_a_guest_cart_and_a_new_account_signs_in(storefront: Storefront) -> None:
    guest_cart, _ = storefront.guest_cart({"sku": "BAG-001", "quantity": 1})
    created = storefront.run(
        "14-create-customer.graphql",
        input={"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "password": "Engine-1843"},
    )
    assert created["createCustomerV2"]["customer"]["email"] == "ada@example.com"
    token = storefront.run(
        "12-generate-customer-token.graphql", "BffSignIn", email="ada@example.com", password="Engine-1843"
    )
    storefront.token = token["generateCustomerToken"]["token"]
    assigned = storefront.run("13-customer-cart-and-merge.graphql", "BffAssignGuestCart", guestCartId=guest_cart)
    assert assigned["assignCustomerToGuestCart"] == {"id": guest_cart, "email": "ada@example.com"}
    assert storefront.run("13-customer-cart-and-merge.graphql", "BffCustomerCart")["customerCart"]["id"] == guest_cart

    placed = storefront.checkout(guest_cart)

    assert placed["errors"] == []
    assert placed["orderV2"]["number"] == "000000001"
