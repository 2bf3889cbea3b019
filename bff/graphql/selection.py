"""What a client selected below a field, so that a resolver asks Magento only for those parts.

``selection_of(info)`` merges every occurrence of the resolved field (a field may be selected in
several places under one response key) through fragment spreads and inline fragments, by schema
field name (aliases do not matter: ``a: price`` and ``price`` both need the price). Type
conditions are not narrowed and a client's ``@skip``/``@include`` only drops what its arguments
drop for sure: the selection may hold more than executes, never less, so a part is never left
out of the upstream document while the client still reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from bff.graphql.context import Info


@dataclass(frozen=True, slots=True)
class Selected:
    """The fields selected below one field, by schema name, each with its own selection (filled
    by ``selection_of``, read only afterwards)."""

    fields: dict[str, Selected]

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def below(self, name: str) -> Selected:
        """The selection below the field ``name`` (empty when it is not selected)."""
        return self.fields.get(name) or _NOTHING

    def any_of(self, *names: str) -> bool:
        return any(name in self.fields for name in names)


_NOTHING = Selected({})  # below a field that is not selected (never filled)


def selection_of(info: Info, depth: int = 2) -> Selected:
    """The selection below the field ``info`` resolves, ``depth`` levels deep (the resolvers look
    at a page's fields and its tiles' fields; deeper levels are not walked)."""
    fields: dict[str, Selected] = {}
    for field in info.selected_fields:
        _merge(fields, field.selections, depth)
    return Selected(fields)


def _merge(into: dict[str, Selected], selections: Iterable[Selection], depth: int) -> None:
    for selection in selections:
        if selection.directives and _skipped(selection.directives):
            continue
        if isinstance(selection, SelectedField):
            below = into.get(selection.name)
            if below is None:
                below = into[selection.name] = Selected({})
            if depth > 1 and selection.selections:
                _merge(below.fields, selection.selections, depth - 1)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            _merge(into, selection.selections, depth)


def _skipped(directives: Mapping[str, Mapping[str, Any]]) -> bool:
    skip, include = directives.get("skip"), directives.get("include")
    return (skip is not None and skip.get("if") is True) or (include is not None and include.get("if") is False)
