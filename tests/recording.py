"""An httpx transport that passes requests to the sandbox unchanged and keeps each one.

It shows what Magento receives on the wire (headers, documents) without mocking our client.
"""

from __future__ import annotations

import httpx


class RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)
