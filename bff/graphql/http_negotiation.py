"""GraphQL over HTTP (graphql.github.io/graphql-over-http): the response media type and status.

**Media type.** ``negotiate`` reads the ``Accept`` header (RFC 9110, section 12.5.1) and picks
``application/graphql-response+json`` or ``application/json``, whichever has the higher quality;
on a tie, the one matched by the more specific range (``application/json`` over ``application/*``
over ``*/*``), then the one named first. A range that matches both equally (``*/*``,
``application/*``) means ``application/json``, as does a missing or empty header (the spec's
legacy rule, which keeps clients that predate the new media type working). ``None`` when the header
allows neither: the view answers 406.

**Status.** With ``application/json`` the BFF answers as before the new media type existed: a
GraphQL response is HTTP 200 even when its document failed to parse or validate. With
``application/graphql-response+json`` a *request error* (the document did not parse or validate,
or the variables could not be coerced: nothing executed) is HTTP 400 and the response has no
``data`` entry; a response that executed is 200, with errors or not. A request error is told from
a field error by the spec's own rule: field errors carry a ``path``, request errors never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from graphql import GraphQLError

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
JSON: Final = "application/json"
RESPONSE_MEDIA_TYPES: Final = (GRAPHQL_RESPONSE_JSON, JSON)

# The Content-Type of each: JSON as before (RFC 8259 defines no charset parameter, and Starlette
# sends none); the new media type with the explicit charset the spec's examples show.
CONTENT_TYPES: Final = {GRAPHQL_RESPONSE_JSON: f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8", JSON: JSON}


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    quality: float
    position: int

    def specificity(self, media_type: str) -> int | None:
        """How specifically this range matches ``media_type`` (2 exact, 1 ``type/*``, 0 ``*/*``), or None."""
        main, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != main:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def _quality(value: str) -> float:
    try:
        quality = float(value)
    except ValueError:
        return 1.0  # lenient: a malformed weight does not make the range unacceptable
    return min(max(quality, 0.0), 1.0)


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for position, item in enumerate(accept.split(",")):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        main, slash, sub = media_range.lower().partition("/")
        if not slash or not main or not sub:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                quality = _quality(value.strip())
        ranges.append(_Range(main, sub, quality, position))
    return ranges


def _preference(ranges: Sequence[_Range], media_type: str) -> tuple[float, int, int] | None:
    """(quality, specificity, -position) of the most specific range matching ``media_type``."""
    best: tuple[int, _Range] | None = None
    for media_range in ranges:
        specificity = media_range.specificity(media_type)
        if specificity is not None and (best is None or specificity > best[0]):
            best = (specificity, media_range)
    if best is None or best[1].quality <= 0:
        return None
    specificity, media_range = best
    return (media_range.quality, specificity, -media_range.position)


def negotiate(accept: str | None) -> str | None:
    """The response media type for an ``Accept`` header (see the module docstring), or None."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    if not ranges:
        return JSON  # nothing readable: treated like a missing header
    new, json = _preference(ranges, GRAPHQL_RESPONSE_JSON), _preference(ranges, JSON)
    if new is None:
        return JSON if json is not None else None
    if json is None:
        return GRAPHQL_RESPONSE_JSON
    return GRAPHQL_RESPONSE_JSON if new > json else JSON


def is_request_error(data: object, errors: Sequence[GraphQLError] | None) -> bool:
    """Whether a result is a request error: no data and errors none of which has a ``path``."""
    return data is None and bool(errors) and all(not error.path for error in errors or ())
