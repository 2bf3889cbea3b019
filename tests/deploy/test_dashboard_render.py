"""The dashboard's screenshot renderer (tools/render_dashboard.py), in a short run: a real Prometheus
scraping a real bff serve and bff worker under load accepts every panel's queries, and the panels
are drawn into a PNG."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.deploy.tools import require_tool
from tools.grafana_dashboard import OUTPUT
from tools.render_dashboard import PanelResult, render

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[PanelResult]]:
    require_tool("prometheus", "prometheus", install="scripts/setup --with-prometheus (Debian's prometheus)")
    require_tool("redis-server", "redis-server", install="scripts/setup --with-redis (Debian's redis-server)")
    out = tmp_path_factory.mktemp("render") / "dashboard.png"
    return out, render(out, seconds=12, checkouts=3)


def test_prometheus_accepts_every_query_of_every_panel(rendered: tuple[Path, list[PanelResult]]) -> None:
    _, results = rendered
    assert [error for result in results for error in result.errors] == []


def test_every_panel_of_the_dashboard_is_queried(rendered: tuple[Path, list[PanelResult]]) -> None:
    _, results = rendered
    board = json.loads(OUTPUT.read_text())
    assert [r.title for r in results] == [p["title"] for p in board["panels"] if p["type"] != "row"]


def test_the_load_shows_in_requests_orders_refusals_and_the_cache(rendered: tuple[Path, list[PanelResult]]) -> None:
    _, results = rendered
    series = {result.title: result.series for result in results}
    for title in ("Request rate", "Orders placed", "Throttled and rejected requests", "Cache hit ratio"):
        assert any(any(v > 0 for v in s.values) for s in series[title]), title


def test_the_panels_are_drawn_into_a_png(rendered: tuple[Path, list[PanelResult]]) -> None:
    out, _ = rendered
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    assert out.stat().st_size > 50_000  # drawn panels, not an empty canvas
