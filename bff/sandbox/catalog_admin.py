"""Sandbox-only catalog admin: change a product's price or stock, then tell the BFF's cache.

``POST /__sandbox/catalog/products/{sku}`` with ``{"price": "39.00", "stock_status": "OUT_OF_STOCK"}``
(either key) changes the product as a Magento admin save would. When the sandbox has a
``CacheHook`` (a URL and a secret), it then POSTs the product's cache tags (``cat_p_<id>``, and its
parent's for a configurable child) to that URL, signed the way the BFF's invalidation hook
expects: ``X-Bff-Timestamp`` (unix seconds) and ``X-Bff-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>">``. The few lines of signing live here because the sandbox imports nothing
from the BFF: the signature is a wire format, like Magento's own webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from bff.sandbox.state import SandboxState

IN_STOCK_QTY = 100  # what a product put back in stock gets


class AdminInputError(ValueError):
    pass


@dataclass(frozen=True)
class CacheHook:
    """Where the sandbox reports catalog changes (the BFF's ``POST /hooks/magento/cache``)."""

    url: str
    secret: str
    transport: httpx.AsyncBaseTransport | None = None  # tests: the BFF app over ASGI

    def signed(self, body: bytes, timestamp: int) -> dict[str, str]:
        mac = hmac.new(self.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return {
            "Content-Type": "application/json",
            "X-Bff-Timestamp": str(timestamp),
            "X-Bff-Signature": f"sha256={mac}",
        }

    async def send(self, tags: list[str], timestamp: int) -> int:
        """POST the purge; the HTTP status the BFF answered."""
        body = json.dumps({"tags": tags}).encode()
        async with httpx.AsyncClient(transport=self.transport, timeout=5.0) as client:
            response = await client.post(self.url, content=body, headers=self.signed(body, timestamp))
        return response.status_code


def change_product(state: SandboxState, sku: str, changes: Any) -> list[str]:
    """Apply ``changes`` to the product; its cache tags (raises ``KeyError``, ``AdminInputError``)."""
    product = state.products[sku]
    if not isinstance(changes, dict) or not changes or set(changes) - {"price", "stock_status"}:
        raise AdminInputError('expected {"price": ..., "stock_status": "IN_STOCK" | "OUT_OF_STOCK"}')
    if "price" in changes:
        try:
            price = Decimal(str(changes["price"]))
        except InvalidOperation as exc:
            raise AdminInputError("price must be a decimal number") from exc
        if price < 0:
            raise AdminInputError("price must not be negative")
        product.price = price
        product.special_price = None
    if "stock_status" in changes:
        status = changes["stock_status"]
        if status not in ("IN_STOCK", "OUT_OF_STOCK"):
            raise AdminInputError("stock_status must be IN_STOCK or OUT_OF_STOCK")
        if status == "OUT_OF_STOCK":
            product.qty = 0
        elif product.qty <= 0:
            product.qty = IN_STOCK_QTY
    tags = [f"cat_p_{product.id}"]
    parent = state.products.get(product.parent_sku) if product.parent_sku else None
    if parent is not None:
        tags.append(f"cat_p_{parent.id}")
    return tags
