"""``SingleFlight``: callers of one key in flight together share one run; nothing is kept after."""

from __future__ import annotations

import asyncio

from bff.cache.singleflight import SingleFlight
from tests.recording import settle


class Work:
    """Work that counts its runs and finishes when the test says so."""

    def __init__(self) -> None:
        self.runs = 0
        self.done = asyncio.Event()

    async def __call__(self) -> list[int]:
        self.runs += 1
        await self.done.wait()
        return [self.runs]


async def test_callers_of_one_key_in_flight_together_share_one_run() -> None:
    flights: SingleFlight[str, list[int]] = SingleFlight()
    work = Work()
    callers = [asyncio.create_task(flights.run("k", work)) for _ in range(3)]
    await settle()
    work.done.set()
    assert ([await c for c in callers], work.runs) == ([([1], False), ([1], True), ([1], True)], 1)


async def test_different_keys_run_separately() -> None:
    flights: SingleFlight[str, list[int]] = SingleFlight()
    work = Work()
    callers = [asyncio.create_task(flights.run(key, work)) for key in ("a", "b")]
    await settle()
    work.done.set()
    await asyncio.gather(*callers)
    assert work.runs == 2


async def test_a_key_is_forgotten_when_its_work_ends() -> None:
    flights: SingleFlight[str, list[int]] = SingleFlight()
    work = Work()
    work.done.set()
    await flights.run("k", work)
    assert (await flights.run("k", work), len(flights)) == (([2], False), 0)


async def test_a_cancelled_leader_leaves_the_work_running_for_the_others() -> None:
    flights: SingleFlight[str, list[int]] = SingleFlight()
    work = Work()
    leader = asyncio.create_task(flights.run("k", work))
    await settle()
    follower = asyncio.create_task(flights.run("k", work))
    await settle()
    leader.cancel()
    await settle()
    work.done.set()
    assert await follower == ([1], True)


async def test_every_caller_gets_the_same_exception() -> None:
    flights: SingleFlight[str, list[int]] = SingleFlight()

    async def failing() -> list[int]:
        await asyncio.sleep(0)
        raise LookupError("gone")

    results = await asyncio.gather(*(flights.run("k", failing) for _ in range(2)), return_exceptions=True)
    assert (isinstance(results[0], LookupError), results[0] is results[1]) == (True, True)
