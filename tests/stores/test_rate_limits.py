"""HTTP rate limits (bff/limits/rate.py), counted in memory and on a real redis-server."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib

import pytest
from limits import parse
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter
from redis.asyncio import Redis

from bff.clock import SYSTEM_CLOCK
from bff.errors import RateLimited, StoreUnavailable
from bff.limits.memory import MemoryWindowCounter, memory_rate_storage
from bff.limits.rate import RateLimits, RateStatus
from bff.limits.rate_keys import RequestKeys
from bff.limits.redis import RedisWindowCounter, redis_rate_storage
from bff.limits.windows import Count, Window, WindowCounter
from bff.sessions.redis_connection import redis_from_url
from bff.settings import RateLimitSettings
from tests.fake_clock import FakeClock
from tests.stores.conftest import BACKENDS
from tests.waiting import eventually

IP, OTHER_IP = "203.0.113.9", "198.51.100.7"
SESSION = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
OTHER_SESSION = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
EMAIL, OTHER_EMAIL = "ada@example.com", "grace@example.com"


def sign_in(email: str = EMAIL, ip: str = IP) -> RequestKeys:
    return RequestKeys(ip, None, frozenset({"signIn"}), frozenset({email}))


def place_order(session: str = SESSION) -> RequestKeys:
    return RequestKeys(IP, session, frozenset({"placeOrder"}))


def browse(ip: str | None = IP, session: str | None = None) -> RequestKeys:
    return RequestKeys(ip, session)


Stores = tuple[Storage, WindowCounter]  # the moving windows' storage, the fixed windows' counter


@pytest.fixture(params=BACKENDS)
def storage(request: pytest.FixtureRequest) -> Stores:
    if request.param == "memory":
        return memory_rate_storage(), MemoryWindowCounter(SYSTEM_CLOCK)
    client: Redis = request.getfixturevalue("redis_client")
    return redis_rate_storage(client), RedisWindowCounter(client)


async def refused(limits: RateLimits, keys: RequestKeys) -> RateLimited:
    with pytest.raises(RateLimited) as caught:
        await limits.check(keys)
    return caught.value


async def test_the_sixth_sign_in_attempt_for_one_email_within_a_minute_is_refused(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(), *storage)
    for _ in range(5):
        await limits.check(sign_in())
    error = await refused(limits, sign_in())
    assert (error.code, error.status) == ("RATE_LIMITED", 429)
    assert error.message == (
        "Too many sign-in attempts for this e-mail address: at most 5 per 1 minute. Retry in 60 s."
    )
    assert error.extensions == {"retryAfterSeconds": 60}
    assert error.headers == {
        "Retry-After": "60",
        "RateLimit-Limit": "5",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "60",
    }


async def test_a_refused_sign_in_is_refused_from_any_ip(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(), *storage)
    for _ in range(5):
        await limits.check(sign_in())
    assert (await refused(limits, sign_in(ip=OTHER_IP))).code == "RATE_LIMITED"


async def test_other_emails_can_still_sign_in(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(), *storage)
    for _ in range(6):
        with contextlib.suppress(RateLimited):
            await limits.check(sign_in())
    assert await limits.check(sign_in(OTHER_EMAIL)) == RateStatus(limit=5, remaining=4, reset_s=60)


async def test_sign_in_attempts_from_one_ip_are_limited_whatever_the_email(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(sign_in_per_ip="3/minute"), *storage)
    for n in range(3):
        await limits.check(sign_in(f"user{n}@example.com"))
    error = await refused(limits, sign_in("user3@example.com"))
    assert error.message == "Too many sign-in attempts from this IP address: at most 3 per 1 minute. Retry in 60 s."


async def test_other_ips_are_unaffected_by_one_ips_sign_in_limit(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(sign_in_per_ip="3/minute"), *storage)
    for n in range(3):
        await limits.check(sign_in(f"user{n}@example.com"))
    assert await limits.check(sign_in("user3@example.com", ip=OTHER_IP)) == RateStatus(3, 2, 60)


async def test_a_sign_in_limit_resets_once_its_window_has_passed(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(sign_in_per_email="2/second", sign_in_per_ip="1000/minute"), *storage)
    await limits.check(sign_in())
    await limits.check(sign_in())
    assert (await refused(limits, sign_in())).headers["RateLimit-Reset"] == "1"

    async def signs_in() -> bool:
        try:
            await limits.check(sign_in())
        except RateLimited:
            return False
        return True

    await eventually(signs_in, what="the sign-in limit frees up after its 1 s window", timeout_s=3, interval_s=0.05)


async def test_an_ip_over_its_request_limit_is_refused_and_others_are_not(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(per_ip="3/minute"), *storage)
    for _ in range(3):
        await limits.check(browse())
    error = await refused(limits, browse())
    assert error.message == "Too many requests from this IP address: at most 3 per 1 minute. Retry in 60 s."
    assert await limits.check(browse(OTHER_IP)) == RateStatus(3, 2, 60)


async def test_a_session_over_its_request_limit_is_refused_from_any_ip(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(per_session="3/minute"), *storage)
    for n in range(3):
        await limits.check(browse(f"203.0.113.{n}", SESSION))
    error = await refused(limits, browse(OTHER_IP, SESSION))
    assert error.message == "Too many requests in this session: at most 3 per 1 minute. Retry in 60 s."
    assert await limits.check(browse(OTHER_IP, OTHER_SESSION)) == RateStatus(3, 2, 60)


async def test_checkout_attempts_are_limited_per_session(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(checkout_per_session="2/minute"), *storage)
    await limits.check(place_order())
    await limits.check(place_order())
    error = await refused(limits, place_order())
    assert error.message == "Too many checkout attempts in this session: at most 2 per 1 minute. Retry in 60 s."
    assert await limits.check(browse(IP, SESSION)) == RateStatus(300, 296, 60)
    assert await limits.check(place_order(OTHER_SESSION)) == RateStatus(2, 1, 60)


async def test_a_successful_check_reports_the_limit_closest_to_running_out(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(), *storage)
    status = await limits.check(sign_in())
    assert status == RateStatus(limit=5, remaining=4, reset_s=60)
    assert status.headers() == {"RateLimit-Limit": "5", "RateLimit-Remaining": "4", "RateLimit-Reset": "60"}


async def test_disabled_rate_limits_never_refuse(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(enabled=False, per_ip="1/minute", sign_in_per_email="1/minute"), *storage)
    assert [await limits.check(sign_in()) for _ in range(10)] == [None] * 10


async def test_a_request_without_ip_or_session_is_not_limited(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(per_ip="1/minute"), *storage)
    assert [await limits.check(browse(None)) for _ in range(3)] == [None] * 3


async def test_several_limits_in_one_setting_all_apply(storage: Stores) -> None:
    limits = RateLimits(RateLimitSettings(per_ip="10/minute;2/second"), *storage)
    await limits.check(browse())
    assert await limits.check(browse()) == RateStatus(2, 0, 1)
    assert (await refused(limits, browse())).message.startswith("Too many requests from this IP address: at most 2 per")


async def test_the_storage_answers_ping(storage: Stores) -> None:
    assert await RateLimits(RateLimitSettings(), *storage).ping() is True


# The fixed-window counters alone (bff/limits/windows.py), the same specification for both stores


@pytest.fixture(params=BACKENDS)
def counter(request: pytest.FixtureRequest) -> WindowCounter:
    if request.param == "memory":
        return MemoryWindowCounter(SYSTEM_CLOCK)
    return RedisWindowCounter(request.getfixturevalue("redis_client"))


def minute(key: str) -> Window:
    return Window(key, 60_000)


async def test_each_hit_counts_one_more_in_its_window(counter: WindowCounter) -> None:
    counts = [await counter.hit([minute("a")]) for _ in range(3)]
    assert [c[0].hits for c in counts] == [1, 2, 3]


async def test_a_window_reports_the_time_left_until_it_ends(counter: WindowCounter) -> None:
    [count] = await counter.hit([minute("a")])
    assert 59_000 < count.reset_ms <= 60_000


async def test_several_windows_are_counted_apart_in_one_call(counter: WindowCounter) -> None:
    await counter.hit([minute("a")])
    counts = await counter.hit([minute("a"), minute("b"), Window("c", 1000)])
    assert [c.hits for c in counts] == [2, 1, 1]
    assert counts[2].reset_ms <= 1000


async def test_a_window_starts_again_once_it_has_ended(counter: WindowCounter) -> None:
    await counter.hit([Window("a", 100)])
    await counter.hit([Window("a", 100)])

    async def restarted() -> bool:
        [count] = await counter.hit([Window("a", 100)])
        return count.hits == 1

    await eventually(restarted, what="a new window after 100 ms", timeout_s=3, interval_s=0.05)


async def test_no_windows_is_no_hit(counter: WindowCounter) -> None:
    assert await counter.hit([]) == []


async def test_a_memory_window_ends_by_the_injected_clock() -> None:
    clock = FakeClock()
    counter = MemoryWindowCounter(clock)
    await counter.hit([minute("a")])
    clock.advance(59.5)
    assert await counter.hit([minute("a")]) == [Count(2, 500)]
    clock.advance(0.5)
    assert await counter.hit([minute("a")]) == [Count(1, 60_000)]


async def test_a_redis_window_left_without_expiry_gets_one(redis_client: Redis) -> None:
    await redis_client.set("bff:v1:rate:a", 7)
    [count] = await RedisWindowCounter(redis_client).hit([minute("a")])
    assert (count.hits, count.reset_ms) == (8, 60_000)
    assert 0 < await redis_client.pttl("bff:v1:rate:a") <= 60_000


async def test_redis_fixed_windows_share_their_counters_with_the_limits_packages_fixed_window(
    redis_client: Redis,
) -> None:
    """Replicas counting with the ``limits`` package (before the script) and with the script count together."""
    item, identifiers = parse("3/minute"), ("per_ip", hashlib.sha256(IP.encode()).hexdigest())
    assert await FixedWindowRateLimiter(redis_rate_storage(redis_client)).hit(item, *identifiers)
    limits = RateLimits(
        RateLimitSettings(per_ip="3/minute"), redis_rate_storage(redis_client), RedisWindowCounter(redis_client)
    )
    assert await limits.check(browse()) == RateStatus(3, 1, 60)


async def test_a_redis_that_does_not_answer_makes_the_counter_unavailable() -> None:
    client = Redis(port=1, socket_connect_timeout=0.5)
    try:
        with pytest.raises(StoreUnavailable):
            await RedisWindowCounter(client).hit([minute("a")])
    finally:
        await client.aclose()


def test_a_limit_that_does_not_parse_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match=r"^rate_limits.sign_in_per_ip: '5 per fortnight' is not a limit"):
        RateLimits(
            RateLimitSettings(sign_in_per_ip="5 per fortnight"),
            memory_rate_storage(),
            MemoryWindowCounter(SYSTEM_CLOCK),
        )


# Redis only


async def test_redis_keys_hold_no_ip_session_or_email(redis_client: Redis) -> None:
    limits = RateLimits(RateLimitSettings(), redis_rate_storage(redis_client), RedisWindowCounter(redis_client))
    await limits.check(RequestKeys(IP, SESSION, frozenset({"signIn"}), frozenset({EMAIL})))
    keys = sorted(k.decode() if isinstance(k, bytes) else k for k in await redis_client.keys("*"))
    assert [k.split("/")[1] for k in keys] == ["per_ip", "per_session", "sign_in_per_email", "sign_in_per_ip"]
    assert all(k.startswith("bff:v1:rate:LIMITER/") for k in keys)
    assert not any(secret in k for k in keys for secret in (IP, SESSION, EMAIL, "example.com"))


async def clients_not_of_sentinels(redis_client: Redis) -> int:
    """Connected clients, without a Sentinel's own links to the server (they come and go as it monitors)."""
    return sum(1 for c in await redis_client.client_list() if not str(c.get("name", "")).startswith("sentinel-"))


@pytest.mark.parametrize("through", ["redis", "sentinel"])
async def test_limits_are_counted_on_the_bffs_own_bounded_pool(
    through: str, request: pytest.FixtureRequest, redis_client: Redis
) -> None:
    url: str = request.getfixturevalue("redis_url" if through == "redis" else "sentinel_url")
    before = await clients_not_of_sentinels(redis_client)
    client = redis_from_url(url, pool_size=2, pool_timeout_s=5.0)
    try:
        limits = RateLimits(
            RateLimitSettings(per_ip="30/minute"), redis_rate_storage(client), RedisWindowCounter(client)
        )
        await asyncio.gather(*(limits.check(browse()) for _ in range(30)))
        assert (await refused(limits, browse())).headers["RateLimit-Remaining"] == "0"
        assert await clients_not_of_sentinels(redis_client) - before <= 2
    finally:
        await client.aclose()
