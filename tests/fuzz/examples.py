"""How many examples the fuzz tests draw, and from which seed.

CI draws a small, fixed set (``derandomize``: the same examples on every run). A campaign raises
the count with ``BFF_FUZZ_EXAMPLES`` (per test) and may pick another fixed sequence with
``BFF_FUZZ_SEED``; see README ("Fuzzing").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, seed, settings

CI_EXAMPLES = 30
T = TypeVar("T")


def examples(ci: int = CI_EXAMPLES) -> settings:
    """Hypothesis settings for one fuzz test: ``ci`` examples unless ``BFF_FUZZ_EXAMPLES`` says more."""
    count = int(os.environ.get("BFF_FUZZ_EXAMPLES") or ci)
    return settings(
        max_examples=count,
        derandomize="BFF_FUZZ_SEED" not in os.environ,
        database=None,
        deadline=None,
        # One app and sandbox serve every example of a test (the state they build up is part of the fuzz).
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
    )


def campaign_seed(test: Callable[..., T]) -> Callable[..., T]:
    """``BFF_FUZZ_SEED``'s sequence for ``test`` when it is set; CI's derandomized one when not."""
    value = os.environ.get("BFF_FUZZ_SEED")
    return seed(int(value))(test) if value else test
