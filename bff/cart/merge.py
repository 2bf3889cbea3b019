"""Moving a guest cart's lines into the customer's cart at sign-in, as much of each as stock allows.

Pure algorithms: the Magento calls come in as callables, so the rules are unit-tested without
HTTP. ``CartService.merge_guest_lines`` wires them to ``addProductsToCart``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from decimal import ROUND_FLOOR, Decimal
from functools import partial

from bff.cart.models import CartLine
from bff.errors import Unauthenticated, UserErrorCode, UserProblem

log = logging.getLogger("bff.cart")


class LineRefused(Exception):
    """Magento refused a line for a reason no smaller quantity fixes (unknown SKU, not salable)."""


async def add_clamped(add: Callable[[Decimal], Awaitable[bool]], wanted: Decimal) -> Decimal:
    """Add up to ``wanted`` units of one line; returns how many were added.

    ``add(q)`` adds ``q`` units and answers True, or answers False when stock does not allow
    ``q`` (nothing added). On a refusal the step is halved (whole units); after a success the
    same step is tried on what is left. A refusal at step ``2s`` means less than ``2s`` can be
    added, so each step size succeeds at most once before it is halved: at most about
    ``2 * log2(wanted) + 1`` calls. ``LineRefused`` (and any other exception) propagates.
    """
    left = wanted
    added = Decimal(0)
    step = wanted
    while left > 0 and step > 0:
        step = min(step, left)
        if await add(step):
            added += step
            left -= step
        else:
            step = (step / 2).to_integral_value(rounding=ROUND_FLOOR)
    return added


def line_label(line: CartLine) -> str:
    chosen = ", ".join(o.value for o in line.options if o.value)
    return f"{line.name} ({chosen})" if chosen else (line.name or line.sku)


def clamp_notice(line: CartLine, added: Decimal) -> UserProblem | None:
    """The notice for a line of which ``added`` units were moved (None: all of it)."""
    if added >= line.quantity:
        return None
    if added <= 0:
        return UserProblem(
            UserErrorCode.MERGE_FAILED, f"{line_label(line)} from your earlier cart could not be added to your cart."
        )
    return UserProblem(
        UserErrorCode.QUANTITY_ADJUSTED,
        f"Only {_plain(added)} of {_plain(line.quantity)} × {line_label(line)} "
        "from your earlier cart could be added (limited stock).",
    )


def _plain(quantity: Decimal) -> str:
    return f"{quantity.normalize():f}" if quantity != quantity.to_integral_value() else f"{int(quantity)}"


async def merge_lines(
    lines: tuple[CartLine, ...], add: Callable[[CartLine, Decimal], Awaitable[bool]]
) -> tuple[UserProblem, ...]:
    """Re-add each line with ``add_clamped``; one notice per line not moved in full.

    A line that fails for any reason (refused, Magento unreachable…) becomes ``MERGE_FAILED`` and
    the next line is tried: this never raises, except ``Unauthenticated`` (the customer session
    itself ended, so there is no cart to merge into).
    """
    notices: list[UserProblem] = []
    for line in lines:
        try:
            added = await add_clamped(partial(add, line), line.quantity)
        except Unauthenticated:
            raise
        except LineRefused:
            added = Decimal(0)
        except Exception:  # a failed line must not cost the shopper the others
            log.warning("merging a guest cart line failed", exc_info=True)
            added = Decimal(0)
        notice = clamp_notice(line, added)
        if notice is not None:
            notices.append(notice)
    return tuple(notices)
