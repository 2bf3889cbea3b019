"""Cost of the Magento boundary: mapping a 20-product listing and a full cart into models.

Answers are taken from the built-in sandbox over the real client, then each mapping runs many
times in-process. Printed per case: microseconds per mapping (best of several rounds), and the
ratio to ``json.loads`` of the same answer, measured in the same run (a baseline that moves with
the machine). Usage: ``.venv/bin/python bench/mapping.py [--rounds 7] [--number 2000]``
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import timeit
from collections.abc import Callable
from typing import Any

import httpx

from bff.cart.mapping import cart_from_magento
from bff.catalog.mapping import product_page_from_magento
from bff.magento.client import MagentoClient
from bff.magento.results.cart import GetCartResult
from bff.magento.results.catalog import ProductListingResult
from bff.sandbox import create_sandbox_app
from bff.sandbox.seed import seeded_state
from bff.settings import MagentoSettings

CART_SKUS = ("BAG-001", "BAG-002", "FREEBIE")


async def answers() -> tuple[dict[str, Any], dict[str, Any]]:
    """(ProductListing data for 20 products, GetCart data of a cart with lines, coupon, address)."""
    transport = httpx.ASGITransport(app=create_sandbox_app(seeded_state()))
    async with httpx.AsyncClient(transport=transport) as http:
        magento = MagentoClient(http, MagentoSettings(), "http://sandbox/graphql")
        listing = await magento.execute(
            "ProductListing", {"search": None, "filter": {}, "pageSize": 20, "currentPage": 1, "sort": None}
        )
        created = await magento.execute("CreateGuestCart")
        cart_id = created["createGuestCart"]["cart"]["id"]
        items = [{"sku": sku, "quantity": 2.0} for sku in CART_SKUS]
        tee = {"sku": "TEE-CFG", "quantity": 1.0, "selected_options": []}
        product = await magento.execute("ProductBySku", {"sku": "TEE-CFG"})
        options = product["products"]["items"][0]["configurable_options"]
        tee["selected_options"] = [o["values"][0]["uid"] for o in options]
        await magento.execute("AddProductsToCart", {"cartId": cart_id, "items": [*items, tee]})
        await magento.execute("ApplyCoupon", {"cartId": cart_id, "code": "SAVE10"})
        address = {"firstname": "Jane", "lastname": "Doe", "street": ["1 Main St"], "city": "Austin",
                   "region": "TX", "postcode": "78701", "country_code": "US", "telephone": "5125550100"}  # fmt: skip
        await magento.execute("SetShippingAddress", {"cartId": cart_id, "address": address})
        cart = await magento.execute("GetCart", {"cartId": cart_id})
    return listing, cart


def best_us(run: Callable[[], object], rounds: int, number: int) -> float:
    return min(timeit.repeat(run, repeat=rounds, number=number)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    listing, cart = asyncio.run(answers())
    cases: dict[str, tuple[str, Callable[[], object]]] = {
        "listing (20 products)": (
            json.dumps(listing),
            lambda: product_page_from_magento(ProductListingResult(listing).products, page=1, page_size=20),
        ),
        "cart (4 lines, coupon, address)": (
            json.dumps(cart),
            lambda: cart_from_magento(GetCartResult(cart).cart),  # type: ignore[arg-type]
        ),
    }
    print(f"{'case':34} {'map µs':>9} {'json.loads µs':>14} {'ratio':>6}")
    for name, (raw, run) in cases.items():
        mapped = best_us(run, args.rounds, args.number)
        baseline = best_us(functools.partial(json.loads, raw), args.rounds, args.number)
        print(f"{name:34} {mapped:9.1f} {baseline:14.1f} {mapped / baseline:6.2f}")


if __name__ == "__main__":
    main()
