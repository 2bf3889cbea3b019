"""httpx transports around the sandbox for tests that watch the wire, without mocking our client.

``RecordingTransport`` passes requests to the sandbox unchanged and keeps each one and its
answer: it shows what Magento receives (headers, documents) and what it answered (headers).
``GatedTransport`` holds every request until the test opens the gate, so calls stay in flight
while the test starts more.
"""

from __future__ import annotations

import asyncio

import httpx


class RecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response = await self.inner.handle_async_request(request)
        self.responses.append(response)
        return response


class GatedTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.held = 0  # requests that arrived (held until the gate opens)
        self._gate = asyncio.Event()

    def open(self) -> None:
        self._gate.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.held += 1
        await self._gate.wait()
        return await self.inner.handle_async_request(request)


async def settle(rounds: int = 200) -> None:
    """Let every task that can run without waiting for I/O or a timer run until it must wait."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class DetachedTransport(httpx.AsyncBaseTransport):
    """Magento as it is over a network: a request the BFF gives up on (timeout, cancellation)
    keeps running to its end there (in-process, the sandbox would be cancelled with the caller)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self._running: set[asyncio.Task[httpx.Response]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        task = asyncio.create_task(self.inner.handle_async_request(request))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)
