"""The cap on in-flight upstream calls (``bff.magento.inflight``)."""

from __future__ import annotations

import asyncio

from bff.magento.inflight import InflightCap


async def test_slots_are_taken_up_to_the_limit() -> None:
    cap = InflightCap(2)
    assert [cap.try_enter(), cap.try_enter(), cap.try_enter()] == [True, True, False]
    assert cap.inflight == 2


async def test_a_caller_that_gets_no_slot_in_time_is_refused() -> None:
    cap = InflightCap(1)
    cap.try_enter()
    assert await cap.enter(0.01) is False
    assert cap.inflight == 1


async def test_a_slot_given_back_goes_to_the_first_caller_waiting() -> None:
    cap = InflightCap(1)
    cap.try_enter()
    first = asyncio.create_task(cap.enter(5))
    second = asyncio.create_task(cap.enter(5))
    await asyncio.sleep(0)
    cap.leave()
    assert await first is True
    assert (second.done(), cap.inflight) == (False, 1)
    cap.leave()
    assert await second is True


async def test_a_cancelled_waiter_gives_up_its_place_in_line() -> None:
    cap = InflightCap(1)
    cap.try_enter()
    waiting = asyncio.create_task(cap.enter(5))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    cap.leave()
    assert (cap.inflight, cap.try_enter()) == (0, True)


async def test_leaving_frees_the_slot_when_no_one_waits() -> None:
    cap = InflightCap(1)
    cap.try_enter()
    cap.leave()
    assert (cap.inflight, cap.try_enter()) == (0, True)
