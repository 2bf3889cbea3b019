"""The tests' wait-for-a-condition helpers (tests/waiting.py): they wait, and they give up."""

from __future__ import annotations

import itertools

import pytest

from tests.waiting import eventually, wait_until


def test_wait_until_returns_once_the_condition_holds() -> None:
    checks = itertools.count(1)
    wait_until(lambda: next(checks) == 3, what="the third check", interval_s=0)
    assert next(checks) == 4


def test_wait_until_gives_up_after_the_timeout_naming_the_condition() -> None:
    with pytest.raises(TimeoutError, match=r"^still not true after 0.05s: the moon is cheese$"):
        wait_until(lambda: False, what="the moon is cheese", timeout_s=0.05)


async def test_eventually_returns_once_the_async_condition_holds() -> None:
    checks = itertools.count(1)

    async def third() -> bool:
        return next(checks) == 3

    await eventually(third, what="the third check", interval_s=0)
    assert next(checks) == 4


async def test_eventually_gives_up_after_the_timeout_naming_the_condition() -> None:
    async def never() -> bool:
        return False

    with pytest.raises(TimeoutError, match=r"^still not true after 0.05s: the moon is cheese$"):
        await eventually(never, what="the moon is cheese", timeout_s=0.05)
