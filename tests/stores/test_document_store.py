"""The persisted-query document store contract, on the memory twin and on a real redis-server.

The memory twin expires documents by the FakeClock; Redis enforces the TTL on the server, so the
Redis tests assert the key's ``PTTL``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bff.errors import DocumentStoreUnavailable
from bff.persisted.hashes import document_hash
from bff.persisted.memory import MemoryDocumentStore
from bff.persisted.redis import RedisDocumentStore
from bff.persisted.store import DocumentStore
from tests.fake_clock import FakeClock
from tests.servers import free_port
from tests.stores.conftest import APQ_TTL

Documents = tuple[DocumentStore, FakeClock]

PRODUCT = 'query Product { product(sku: "BAG-001") { sku name } }'
CART = "query Cart { cart { totalQuantity } }"
GRÜN = 'query Grün { products(search: "grün") { totalCount } }'


@pytest.fixture
async def unreachable_redis() -> AsyncIterator[Redis]:
    client = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    try:
        yield client
    finally:
        await client.aclose()


# Contract (both stores)


async def test_an_unknown_hash_is_none(documents: Documents) -> None:
    store, _ = documents
    assert await store.get(document_hash(PRODUCT)) is None


async def test_a_registered_document_is_found_by_its_hash(documents: Documents) -> None:
    store, _ = documents
    await store.put(document_hash(PRODUCT), PRODUCT)
    await store.put(document_hash(CART), CART)
    assert [await store.get(document_hash(PRODUCT)), await store.get(document_hash(CART))] == [PRODUCT, CART]


async def test_a_document_round_trips_its_unicode_text_exactly(documents: Documents) -> None:
    store, _ = documents
    await store.put(document_hash(GRÜN), GRÜN)
    assert await store.get(document_hash(GRÜN)) == GRÜN


async def test_registering_a_document_again_keeps_one_copy(documents: Documents) -> None:
    store, _ = documents
    await store.put(document_hash(PRODUCT), PRODUCT)
    await store.put(document_hash(PRODUCT), PRODUCT)
    assert await store.get(document_hash(PRODUCT)) == PRODUCT


# Memory twin


async def test_the_memory_store_forgets_a_document_after_the_ttl(clock: FakeClock) -> None:
    store = MemoryDocumentStore(clock, ttl_seconds=APQ_TTL)
    await store.put(document_hash(PRODUCT), PRODUCT)
    clock.advance(APQ_TTL)
    assert await store.get(document_hash(PRODUCT)) is None


async def test_registering_a_document_again_restarts_the_memory_ttl(clock: FakeClock) -> None:
    store = MemoryDocumentStore(clock, ttl_seconds=APQ_TTL)
    await store.put(document_hash(PRODUCT), PRODUCT)
    clock.advance(APQ_TTL - 1)
    await store.put(document_hash(PRODUCT), PRODUCT)
    clock.advance(APQ_TTL - 1)
    assert await store.get(document_hash(PRODUCT)) == PRODUCT


async def test_the_memory_store_drops_the_least_recently_used_document_beyond_its_size(clock: FakeClock) -> None:
    store = MemoryDocumentStore(clock, ttl_seconds=APQ_TTL, max_bytes=len(PRODUCT) + len(GRÜN.encode()))
    await store.put(document_hash(PRODUCT), PRODUCT)
    await store.put(document_hash(CART), CART)
    await store.get(document_hash(PRODUCT))  # CART is now the least recently used
    await store.put(document_hash(GRÜN), GRÜN)  # (its bytes, not its characters, count)
    assert [await store.get(document_hash(d)) for d in (PRODUCT, CART, GRÜN)] == [PRODUCT, None, GRÜN]


# Redis


async def test_redis_keeps_a_document_under_its_hash_with_the_ttl(redis_client: Redis) -> None:
    await RedisDocumentStore(redis_client, ttl_seconds=APQ_TTL).put(document_hash(PRODUCT), PRODUCT)
    key = f"bff:v1:apq:{document_hash(PRODUCT)}"
    assert (await redis_client.get(key), await redis_client.ttl(key)) == (PRODUCT.encode(), APQ_TTL)


async def test_reading_a_document_does_not_extend_its_redis_ttl(redis_client: Redis) -> None:
    store = RedisDocumentStore(redis_client, ttl_seconds=APQ_TTL)
    await store.put(document_hash(PRODUCT), PRODUCT)
    key = store.key(document_hash(PRODUCT))
    await redis_client.pexpire(key, 5000)
    await store.get(document_hash(PRODUCT))
    assert 0 < await redis_client.pttl(key) <= 5000


async def test_an_unreachable_redis_is_document_store_unavailable(unreachable_redis: Redis) -> None:
    store = RedisDocumentStore(unreachable_redis, ttl_seconds=APQ_TTL)
    with pytest.raises(DocumentStoreUnavailable) as raised:
        await store.get(document_hash(PRODUCT))
    assert (raised.value.code, raised.value.status) == ("UPSTREAM_UNAVAILABLE", 503)


async def test_registering_a_document_again_restarts_its_redis_ttl(redis_client: Redis) -> None:
    store = RedisDocumentStore(redis_client, ttl_seconds=APQ_TTL)
    await store.put(document_hash(PRODUCT), PRODUCT)
    await redis_client.pexpire(store.key(document_hash(PRODUCT)), 5000)
    await store.put(document_hash(PRODUCT), PRODUCT)
    assert await redis_client.ttl(store.key(document_hash(PRODUCT))) == APQ_TTL
