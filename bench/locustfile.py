"""A storefront's traffic for QA load tests with Locust: ``locust -f bench/locustfile.py``.

Each simulated shopper is one browser: its own cookie jar, so the BFF's session cookie is kept
from the first add to cart to the order (the BFF must then serve the cookie without ``Secure``
over plain http, ``BFF_SESSION__COOKIE_SECURE=false``: see the README's "Load testing with
Locust"). The mix is a shop's, mostly browsing: per 100 actions about 30 category pages, 15
searches, 25 product pages, 10 cart reads, 8 adds to cart, 2 guest checkouts (e-mail, address,
shipping, payment and the order in one ``checkout`` call, with a fresh idempotency key) and 2
sign-ins of a sandbox demo customer (then their account page and sign-out); the menu
(``categoryTree``) is read when a shopper arrives. Think time is 1 to 4 s.

A request fails in Locust's figures when its HTTP status is not 200 or its answer carries GraphQL
``errors``; a ``userErrors`` entry is a failure only where a shop would not expect one (a
product out of stock when added is expected; the sandbox's stock runs down as orders are placed).
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

OPERATIONS = Path(__file__).resolve().parents[1] / "examples" / "operations"
NAVIGATION = (OPERATIONS / "Navigation.graphql").read_text()
LISTING = (OPERATIONS / "Listing.graphql").read_text()
PRODUCT_PAGE = (OPERATIONS / "ProductPage.graphql").read_text()
ADD_TO_CART = (OPERATIONS / "AddToCart.graphql").read_text()
CART = (OPERATIONS / "Cart.graphql").read_text()
CHECKOUT = (OPERATIONS / "Checkout.graphql").read_text()
CATEGORY = """query Category($urlPath: String!) {
  category(urlPath: $urlPath) { id uid name urlPath productCount children { id name urlPath } }
}"""
SIGN_IN = """mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    viewer { signedIn } cart { id totalQuantity } userErrors { code message }
  }
}"""
ACCOUNT = """query Account {
  viewer { signedIn customer { id firstname email orderCount orders { totalCount items { id } } } }
}"""
SIGN_OUT = "mutation SignOut { signOut { viewer { signedIn } userErrors { code message } } }"

SEARCH_WORDS = ("bag", "tee", "jacket", "pants", "shorts", "hoodie", "duffle", "yoga", "watch", "backpack")
DEMO_CUSTOMERS = (("roni_cost@example.com", "Roni-Cost-3"), ("john.doe@example.com", "John-Doe-123"))
ADDRESS = {
    "firstname": "Jane",
    "lastname": "Doe",
    "street": ["1 Main St"],
    "city": "Austin",
    "region": "TX",
    "postcode": "78701",
    "countryCode": "US",
    "telephone": "5125550100",
}
EXPECTED_ADD_REFUSALS = frozenset({"INSUFFICIENT_STOCK", "NOT_SALABLE", "PRODUCT_NOT_FOUND"})


def category_paths(tree: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(urlPath, id) of every category in the menu, at any depth."""
    found: list[tuple[str, str]] = []
    for node in tree:
        if node.get("urlPath"):
            found.append((node["urlPath"], node["id"]))
        found.extend(category_paths(node.get("children") or []))
    return found


class Shopper(HttpUser):
    """One browser on the storefront (set ``--host`` to the BFF, e.g. http://127.0.0.1:8000)."""

    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.categories: list[tuple[str, str]] = []
        self.seen_url_keys: list[str] = []
        self.cart_quantity = 0.0
        tree = self.gql("Navigation", NAVIGATION)
        if tree is not None:
            self.categories = category_paths(tree["categoryTree"])

    def gql(self, name: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """POST /graphql; the answer's ``data``, or None after recording a failure."""
        body = {"query": query, "operationName": name, "variables": variables or {}}
        with self.client.post("/graphql", json=body, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return None
            try:
                answer = response.json()
            except json.JSONDecodeError:
                response.failure("not JSON")
                return None
            if answer.get("errors"):
                response.failure(f"errors: {answer['errors'][0].get('extensions', {}).get('code')}")
                return None
            data: dict[str, Any] = answer["data"]
            return data

    def refused(self, name: str, detail: str) -> None:
        """Record an answer a shop would not expect (a ``userErrors`` entry) as a failed request."""
        self.environment.events.request.fire(
            request_type="GraphQL", name=name, response_time=0, response_length=0,
            exception=RuntimeError(detail), context={},
        )  # fmt: skip

    def remember(self, items: list[dict[str, Any]]) -> None:
        self.seen_url_keys.extend(item["urlKey"] for item in items if item.get("urlKey"))
        del self.seen_url_keys[:-50]

    @task(30)
    def category_page(self) -> None:
        if not self.categories:
            return
        url_path, _ = random.choice(self.categories)
        category = self.gql("Category", CATEGORY, {"urlPath": url_path})
        if category is None or category["category"] is None:
            return
        listing = self.gql("Listing", LISTING, {"categoryUid": category["category"]["uid"], "page": 1})
        if listing is not None:
            self.remember(listing["products"]["items"])

    @task(15)
    def search(self) -> None:
        listing = self.gql(
            "Listing", LISTING, {"search": random.choice(SEARCH_WORDS), "page": random.choice((1, 1, 2))}
        )
        if listing is not None:
            self.remember(listing["products"]["items"])

    @task(25)
    def product_page(self) -> None:
        self.open_product()

    def open_product(self) -> dict[str, Any] | None:
        """A product page of a product seen in a listing (after a search when none was seen yet)."""
        if not self.seen_url_keys:
            self.search()
        if not self.seen_url_keys:
            return None
        page = self.gql("ProductPage", PRODUCT_PAGE, {"urlKey": random.choice(self.seen_url_keys)})
        product: dict[str, Any] | None = page["product"] if page is not None else None
        return product

    @task(8)
    def add_to_cart(self) -> None:
        product = self.open_product()
        if product is None or not product["inStock"]:
            return
        item: dict[str, Any] = {"sku": product["sku"], "quantity": 1}
        if product["options"]:
            variants = [v for v in product["variants"] if v["inStock"]]
            if not variants:
                return
            item["selectedOptions"] = [a["valueUid"] for a in random.choice(variants)["attributes"]]
        added = self.gql("AddToCart", ADD_TO_CART, {"items": [item]})
        if added is None:
            return
        refused = {e["code"] for e in added["addToCart"]["userErrors"]} - EXPECTED_ADD_REFUSALS
        if refused:
            self.refused("AddToCart refused", f"userErrors {sorted(refused)}")
        self.cart_quantity = added["addToCart"]["cart"]["totalQuantity"]

    @task(10)
    def cart_page(self) -> None:
        cart = self.gql("Cart", CART)
        if cart is not None:
            self.cart_quantity = cart["cart"]["totalQuantity"]

    @task(2)
    def checkout(self) -> None:
        if not self.cart_quantity:
            self.add_to_cart()
        if not self.cart_quantity:
            return
        checkout_input = {
            "idempotencyKey": str(uuid.uuid4()),
            "email": f"shopper-{uuid.uuid4().hex[:12]}@example.com",
            "shippingAddress": ADDRESS,
            "shippingMethod": {"carrierCode": "flatrate", "methodCode": "flatrate"},
            "paymentMethod": {"code": "checkmo"},
        }
        placed = self.gql("Checkout", CHECKOUT, {"input": checkout_input})
        if placed is None:
            return
        errors = placed["checkout"]["userErrors"]
        if errors or placed["checkout"]["order"] is None:
            self.refused("Checkout refused", f"userErrors {[e['code'] for e in errors]}")
        self.cart_quantity = placed["checkout"]["cart"]["totalQuantity"]

    @task(2)
    def sign_in(self) -> None:
        email, password = random.choice(DEMO_CUSTOMERS)
        signed = self.gql("SignIn", SIGN_IN, {"email": email, "password": password})
        if signed is None:
            return
        if signed["signIn"]["userErrors"] or not signed["signIn"]["viewer"]["signedIn"]:
            self.refused("SignIn refused", f"userErrors {signed['signIn']['userErrors']}")
            return
        self.gql("Account", ACCOUNT)
        out = self.gql("SignOut", SIGN_OUT)
        self.cart_quantity = 0
        if out is not None and out["signOut"]["viewer"]["signedIn"]:
            self.refused("SignOut kept the customer", "still signed in")
