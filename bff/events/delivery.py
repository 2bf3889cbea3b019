"""Signed HTTP delivery of one event to one endpoint (Standard Webhooks).

Headers: ``webhook-id`` (the event id: receivers dedupe on it), ``webhook-timestamp`` (Unix
seconds) and ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``,
keyed with the base64-decoded part of the secret after ``whsec_``. Any 2xx answer is a delivery;
anything else (another status, a refused or dropped connection, the timeout) is an error whose
text names only its kind (never the body, the URL's query or the secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

import httpx

from bff.events.models import Event


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret."""
    if not secret.startswith("whsec_"):
        raise ValueError("a Standard Webhooks secret starts with whsec_")
    return base64.b64decode(secret.removeprefix("whsec_"), validate=True)


def signature(key: bytes, event_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def signed_headers(key: bytes, event: Event, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": event.id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(key, event.id, timestamp, body),
    }


class HttpDelivery:
    """Posts events with ``httpx`` (its own client, not Magento's)."""

    def __init__(
        self,
        secret: str,
        timeout_s: float,
        *,
        now: Callable[[], float] = time.time,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._key = secret_key(secret)
        self._now = now
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s), follow_redirects=False)

    async def deliver(self, url: str, event: Event) -> str | None:
        """None when delivered, else what went wrong (``HTTP 503``, ``ConnectError``, …)."""
        body = event.body()
        headers = signed_headers(self._key, event, body, int(self._now()))
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return type(exc).__name__
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"

    async def aclose(self) -> None:
        await self._client.aclose()
