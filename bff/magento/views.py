"""``MagentoView``: the base of the generated result types in ``bff.magento.results``.

A view wraps the JSON object Magento answered and reads each field on access: no copy is made,
so typing the boundary costs about what digging through the dict did. The shape is guaranteed
by GraphQL itself (every document is validated against Magento's schema by the contract tests,
and a GraphQL server answers exactly the selected keys with the schema's types), so views check
nothing at run time; mypy checks every use against the generated types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

V = TypeVar("V", bound="MagentoView")


class MagentoView:
    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MagentoView) and type(other) is type(self) and other._data == self._data

    def __hash__(self) -> int:
        return id(self)

    def narrowed(self, view: type[V]) -> V:
        """This object read as ``view``, a fragment's class: for a selection on an abstract type that
        spreads a fragment on another abstract type it only overlaps (``route { ...CatalogProductDetail
        }``: RoutableInterface and ProductInterface), whose fields the generator can only type as
        optional. Call it once the answer says which type the object is (e.g. ``route.type``)."""
        return view(self._data)

    def __repr__(self) -> str:
        # Keys only: answers hold tokens, masked cart ids and personal data.
        return f"{type(self).__name__}(keys={sorted(self._data)})"
