"""The session store contract, on the memory twin and on a real redis-server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from bff.errors import StoreUnavailable
from bff.sessions.memory import MemorySessionStore
from bff.sessions.models import Session, customer_key_of
from bff.sessions.redis import RedisSessionStore
from bff.sessions.store import SessionStore
from bff.sessions.tokens import looks_like_token, new_token, session_id
from tests.fake_clock import START, FakeClock
from tests.servers import free_port
from tests.stores.conftest import IDLE_TTL

Sessions = tuple[SessionStore, FakeClock]


def a_session(**changes: object) -> tuple[str, Session]:
    token = new_token()
    session = Session(
        id=session_id(token),
        cart_id="Xq9cZ3KpL0mN8bVt",
        customer_token="magento-customer-token-1",
        customer_expires_at=START + 3600.25,
        store="default",
        currency="EUR",
        created_at=START + 0.123456789,
    )
    return token, session.with_changes(**changes)


@pytest.fixture
def memory_sessions(clock: FakeClock) -> MemorySessionStore:
    return MemorySessionStore(clock, idle_ttl_seconds=IDLE_TTL)


@pytest.fixture
def redis_sessions(redis_client: Redis) -> RedisSessionStore:
    return RedisSessionStore(redis_client, idle_ttl_seconds=IDLE_TTL)


@pytest.fixture
async def unreachable_redis() -> AsyncIterator[Redis]:
    client = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0))
    try:
        yield client
    finally:
        await client.aclose()


# Tokens


def test_new_tokens_are_256_bit_urlsafe_and_distinct() -> None:
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(looks_like_token(t) and len(t) == 43 for t in tokens)


def test_session_id_is_the_hex_sha256_of_the_token() -> None:
    assert session_id("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@pytest.mark.parametrize(
    "value",
    ["", "short", "x" * 39, "x" * 65, "a" * 42 + "=", "a" * 42 + "/", "a" * 42 + " ", None, 42, b"a" * 43],
)
def test_garbage_does_not_look_like_a_token(value: object) -> None:
    assert not looks_like_token(value)


# Contract (both stores)


async def test_a_created_session_loads_back_unchanged(sessions: Sessions) -> None:
    store, _ = sessions
    _, session = a_session()
    await store.create(session)
    assert await store.load(session.id) == session


async def test_a_session_with_only_defaults_round_trips(sessions: Sessions) -> None:
    store, _ = sessions
    session = Session(id=session_id(new_token()))
    await store.create(session)
    assert await store.load(session.id) == session


async def test_an_unknown_session_id_loads_as_none(sessions: Sessions) -> None:
    store, _ = sessions
    assert await store.load(session_id(new_token())) is None


async def test_save_overwrites_the_session(sessions: Sessions) -> None:
    store, _ = sessions
    _, session = a_session()
    await store.create(session)
    changed = session.signed_out().with_changes(currency="USD", store="us")
    await store.save(changed)
    assert await store.load(session.id) == changed


async def test_save_does_not_bring_back_a_deleted_session(sessions: Sessions) -> None:
    store, _ = sessions
    _, session = a_session()
    await store.create(session)
    await store.delete(session.id)
    await store.save(session)
    assert await store.load(session.id) is None


async def test_a_deleted_session_loads_as_none(sessions: Sessions) -> None:
    store, _ = sessions
    _, session = a_session()
    _, other = a_session()
    await store.create(session)
    await store.create(other)
    await store.delete(session.id)
    await store.delete(session.id)  # deleting twice (or an unknown id) is fine
    assert await store.load(session.id) is None
    assert await store.load(other.id) == other


async def test_ending_a_customers_sessions_deletes_every_one_signed_in_as_them(sessions: Sessions) -> None:
    store, _ = sessions
    key = customer_key_of(f"{new_token()}@example.com")
    _, phone = a_session(customer_key=key)
    _, laptop = a_session(customer_key=key)
    _, someone_else = a_session(customer_key=customer_key_of(f"{new_token()}@example.com"))
    for session in (phone, laptop, someone_else):
        await store.create(session)
    assert await store.end_customer_sessions(key) == 2
    assert (await store.load(phone.id), await store.load(laptop.id)) == (None, None)
    assert await store.load(someone_else.id) == someone_else


async def test_ending_a_customers_sessions_spares_one_that_signed_out_since(sessions: Sessions) -> None:
    store, _ = sessions
    key = customer_key_of(f"{new_token()}@example.com")
    _, session = a_session(customer_key=key)
    await store.create(session)
    await store.save(session.signed_out())
    assert await store.end_customer_sessions(key) == 0
    assert await store.load(session.id) == session.signed_out()


def test_the_customer_key_ignores_case_and_surrounding_spaces() -> None:
    assert customer_key_of(" Ada@Example.com ") == customer_key_of("ada@example.com")


async def test_ping_is_true_when_the_store_is_reachable(sessions: Sessions) -> None:
    store, _ = sessions
    assert await store.ping() is True


# Idle expiry: the memory twin, driven by the FakeClock


async def test_an_idle_session_expires_after_the_idle_timeout(
    memory_sessions: MemorySessionStore, clock: FakeClock
) -> None:
    _, session = a_session()
    await memory_sessions.create(session)
    clock.advance(IDLE_TTL + 1)
    assert await memory_sessions.load(session.id) is None


async def test_loading_just_before_expiry_extends_the_idle_timeout(
    memory_sessions: MemorySessionStore, clock: FakeClock
) -> None:
    _, session = a_session()
    await memory_sessions.create(session)
    clock.advance(IDLE_TTL - 1)
    assert await memory_sessions.load(session.id) == session
    clock.advance(IDLE_TTL - 1)
    assert await memory_sessions.load(session.id) == session
    clock.advance(IDLE_TTL)
    assert await memory_sessions.load(session.id) is None


async def test_saving_extends_the_idle_timeout(memory_sessions: MemorySessionStore, clock: FakeClock) -> None:
    _, session = a_session()
    await memory_sessions.create(session)
    clock.advance(IDLE_TTL - 1)
    await memory_sessions.save(session.signed_out())
    clock.advance(IDLE_TTL - 1)
    assert await memory_sessions.load(session.id) == session.signed_out()


async def test_the_memory_store_warns_it_is_not_for_production(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="bff.sessions"):
        MemorySessionStore(clock, idle_ttl_seconds=IDLE_TTL)
    assert [r.getMessage() for r in caplog.records] == [
        "in-process session store: sessions are lost on restart and not shared between replicas; "
        "set BFF_REDIS_URL in production"
    ]


# Idle expiry: Redis, enforced by the server (assert TTLs)


async def test_create_sets_the_ttl_to_the_idle_timeout(redis_sessions: RedisSessionStore, redis_client: Redis) -> None:
    _, session = a_session()
    await redis_sessions.create(session)
    assert await redis_client.ttl(f"bff:v1:session:{session.id}") == IDLE_TTL


async def test_loading_resets_the_ttl_to_the_idle_timeout(
    redis_sessions: RedisSessionStore, redis_client: Redis
) -> None:
    _, session = a_session()
    key = redis_sessions.key(session.id)
    await redis_sessions.create(session)
    await redis_client.expire(key, 5)
    assert await redis_sessions.load(session.id) == session
    assert await redis_client.ttl(key) == IDLE_TTL


async def test_saving_resets_the_ttl_to_the_idle_timeout(
    redis_sessions: RedisSessionStore, redis_client: Redis
) -> None:
    _, session = a_session()
    key = redis_sessions.key(session.id)
    await redis_sessions.create(session)
    await redis_client.expire(key, 5)
    await redis_sessions.save(session.signed_out())
    assert await redis_client.ttl(key) == IDLE_TTL


async def test_redis_expires_an_idle_session_on_the_server(redis_client: Redis) -> None:
    store = RedisSessionStore(redis_client, idle_ttl_seconds=0.1)
    _, session = a_session()
    await store.create(session)
    await asyncio.sleep(0.25)
    assert await store.load(session.id) is None


async def test_the_raw_token_never_appears_in_redis(redis_sessions: RedisSessionStore, redis_client: Redis) -> None:
    token, session = a_session()
    await redis_sessions.create(session)
    await redis_sessions.load(session.id)
    await redis_sessions.save(session.with_changes(currency="USD"))
    keys = [key async for key in redis_client.scan_iter(match="*")]
    assert keys == [f"bff:v1:session:{session.id}".encode()]
    for key in keys:
        value = await redis_client.get(key)
        assert value is not None
        assert token.encode() not in key
        assert token.encode() not in value


async def test_ping_is_false_when_redis_is_unreachable(unreachable_redis: Redis) -> None:
    assert await RedisSessionStore(unreachable_redis, idle_ttl_seconds=IDLE_TTL).ping() is False


async def test_redis_connection_errors_are_store_unavailable(unreachable_redis: Redis) -> None:
    store = RedisSessionStore(unreachable_redis, idle_ttl_seconds=IDLE_TTL)
    with pytest.raises(StoreUnavailable) as caught:
        await store.load(session_id(new_token()))
    assert (caught.value.code, type(caught.value.__cause__)) == ("UPSTREAM_UNAVAILABLE", RedisConnectionError)
