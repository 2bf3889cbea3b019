"""The benchmark harness's own logic (bench/): its command line, wrk scripts and the report's
arithmetic. No figure is measured here: timing belongs to `scripts/bench`, never to a test."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.report import Measurement, median, ratios
from bench.wrk import UNIQUE, HttpRequest, lua_script, lua_string, parse_output

REPO = Path(__file__).resolve().parents[2]


def measurement(rps: float, p50_ms: float = 1.0, bff_cpu_ms: float = 1.0) -> Measurement:
    cpu = {"bff": bff_cpu_ms, "sandbox": 0.0, "redis": 0.0, "floor": 0.0}
    return Measurement(rps, p50_ms, 2 * p50_ms, 100, 0, cpu, None)


def test_scripts_bench_help_names_the_duration_rounds_and_json_options() -> None:
    done = subprocess.run(["scripts/bench", "--help"], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert "--duration" in done.stdout
    assert "--rounds" in done.stdout
    assert "--json" in done.stdout


def test_a_lua_string_escapes_quotes_backslashes_and_newlines() -> None:
    assert lua_string('{"a": "b\\\n"}') == '"{\\034a\\034: \\034b\\092\\010\\034}"'


def test_a_fixed_request_is_set_once_for_wrk() -> None:
    script = lua_script(HttpRequest("POST", "/graphql", {"Content-Type": "application/json"}, "{}"))
    assert 'wrk.method = "POST"' in script
    assert "function request()" not in script


def test_a_request_with_the_unique_marker_is_rebuilt_per_request_from_a_base_and_a_counter() -> None:
    script = lua_script(HttpRequest("POST", "/graphql", {}, f'{{"priceTo": "{UNIQUE}"}}'))
    assert "function request()" in script
    assert "tostring(base + counter)" in script
    assert UNIQUE not in script


def test_wrk_output_is_read_from_the_done_hooks_json_line() -> None:
    out = 'Running 5s test\nBENCH-JSON {"requests": 500, "duration_us": 5000000, "p50_us": 1500, "p99_us": 9000, '
    out += '"errors": {"connect": 0, "read": 1, "write": 0, "status": 2, "timeout": 0}}\n'
    result = parse_output(out)
    assert (result.rps, result.p50_ms, result.p99_ms, result.errors) == (100.0, 1.5, 9.0, 3)


def test_the_report_takes_each_figures_median_over_the_rounds() -> None:
    assert median([measurement(100), measurement(300), measurement(200)]).rps == 200


def test_the_ratios_compare_the_cached_listing_with_the_floor_and_the_cart_read_with_the_direct_one() -> None:
    medians = {
        "floor": measurement(1000),
        "bff_listing_cached_get": measurement(1100),
        "bff_listing_cached_post": measurement(500),
        "bff_listing_uncached": measurement(100, bff_cpu_ms=3.0),
        "bff_cart": measurement(300, p50_ms=3.0),
        "sandbox_cart": measurement(600, p50_ms=2.0),
    }
    found = {r.name: (r.value, r.met) for r in ratios(medians)}
    assert found == {
        "cached listing (persisted GET) req/s / floor req/s": (1.1, True),
        "cached listing (POST) req/s / floor req/s": (0.5, False),
        "BFF CPU per uncached listing": (3.0, False),
        "BFF added p50 on a cart read (BFF - direct)": (1.0, True),
    }
