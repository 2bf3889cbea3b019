"""`bff serve`'s app moves its start-up heap out of the garbage collector's reach once started."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from bff.app import create_app
from bff.settings import Settings


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
async def test_the_served_app_freezes_the_start_up_heap_once_its_lifespan_started(
    settings: Settings, sandbox_app: Starlette
) -> None:
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app), freeze_heap=True)
    assert gc.get_freeze_count() == 0
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 0


@pytest.mark.usefixtures("unfrozen")
async def test_an_app_built_for_tests_never_freezes_the_heap(settings: Settings, sandbox_app: Starlette) -> None:
    app = create_app(settings, magento_transport=httpx.ASGITransport(app=sandbox_app))
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
