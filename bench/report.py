"""The benchmark's figures: one measurement per scenario and round, their medians, the table and
the ratios the issue asks for (aims are printed beside them; missing one is not a failure)."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

PROCESSES = ("bff", "sandbox", "redis", "floor")
RATIO_INPUTS = (
    "floor", "bff_listing_cached_get", "bff_listing_cached_post", "bff_listing_uncached", "bff_cart", "sandbox_cart",
)  # fmt: skip


@dataclass(frozen=True)
class Measurement:
    """One wrk run of one scenario: throughput, latency, and CPU ms per request of each process."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    cpu_ms_per_request: dict[str, float]
    upstream_calls_per_request: float | None  # the BFF's Magento calls (its metrics); None off the BFF


def median(measurements: Sequence[Measurement]) -> Measurement:
    """Each figure's median over the rounds (taken figure by figure); requests and errors are summed."""
    upstream = [m.upstream_calls_per_request for m in measurements if m.upstream_calls_per_request is not None]
    return Measurement(
        rps=statistics.median(m.rps for m in measurements),
        p50_ms=statistics.median(m.p50_ms for m in measurements),
        p99_ms=statistics.median(m.p99_ms for m in measurements),
        requests=sum(m.requests for m in measurements),
        errors=sum(m.errors for m in measurements),
        cpu_ms_per_request={p: statistics.median(m.cpu_ms_per_request[p] for m in measurements) for p in PROCESSES},
        upstream_calls_per_request=statistics.median(upstream) if upstream else None,
    )


@dataclass(frozen=True)
class Ratio:
    name: str
    value: float
    unit: str
    aim: str
    met: bool


def ratios(medians: Mapping[str, Measurement]) -> list[Ratio]:
    floor = medians["floor"].rps
    get, post = medians["bff_listing_cached_get"].rps, medians["bff_listing_cached_post"].rps
    uncached_cpu = medians["bff_listing_uncached"].cpu_ms_per_request["bff"]
    added_p50 = medians["bff_cart"].p50_ms - medians["sandbox_cart"].p50_ms
    return [
        Ratio("cached listing (persisted GET) req/s / floor req/s", get / floor, "x", ">= 1.0", get / floor >= 1.0),
        Ratio("cached listing (POST) req/s / floor req/s", post / floor, "x", ">= 1.0", post / floor >= 1.0),
        Ratio("BFF CPU per uncached listing", uncached_cpu, "ms", "<= 2.5", uncached_cpu <= 2.5),
        Ratio("BFF added p50 on a cart read (BFF - direct)", added_p50, "ms", "<= 1.5", added_p50 <= 1.5),
    ]


def table(titles: Mapping[str, str], medians: Mapping[str, Measurement]) -> str:
    cpu_heads = "".join(f"{p:>9}" for p in PROCESSES)
    lines = [
        f"{'scenario':52} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'up/req':>6}   CPU ms/request:",
        f"{'':52} {'':>8} {'':>7} {'':>7} {'':>6} {'':>6} {cpu_heads}",
    ]
    for key, m in medians.items():
        upstream = "-" if m.upstream_calls_per_request is None else f"{m.upstream_calls_per_request:.2f}"
        cpus = "".join(f"{m.cpu_ms_per_request[p]:9.3f}" for p in PROCESSES)
        lines.append(
            f"{titles[key]:52} {m.rps:8.0f} {m.p50_ms:7.2f} {m.p99_ms:7.2f} {m.errors:6d} {upstream:>6} {cpus}"
        )
    return "\n".join(lines)


def ratio_lines(found: Sequence[Ratio]) -> str:
    return "\n".join(
        f"{r.name:52} {r.value:8.3f} {r.unit:2}  aim {r.aim:7} {'met' if r.met else 'missed'}" for r in found
    )


def as_json(
    meta: Mapping[str, Any],
    titles: Mapping[str, str],
    rounds: Mapping[str, Sequence[Measurement]],
    medians: Mapping[str, Measurement],
) -> dict[str, Any]:
    return {
        **meta,
        "scenarios": {
            key: {"title": titles[key], "median": asdict(medians[key]), "rounds": [asdict(m) for m in rounds[key]]}
            for key in medians
        },
        "ratios": [asdict(r) for r in ratios(medians)] if all(k in medians for k in RATIO_INPUTS) else [],
    }


def progress_line(when: str, title: str, m: Measurement) -> str:
    """The line the benchmark prints on stderr after each scenario's run (``when``: "round 2/5", "warm-up")."""
    return (
        f"bench: {when:11} {title:52} {m.rps:8.0f} req/s  p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms  "
        f"errors {m.errors}  BFF CPU {m.cpu_ms_per_request['bff']:.3f} ms/req"
    )
