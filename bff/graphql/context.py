"""The per-request GraphQL context: the shopper and the services. Built by ``view.get_context``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry

from bff.shopper import Shopper

if TYPE_CHECKING:
    from bff.services import Services


@dataclass(frozen=True, slots=True)
class GraphQLContext:
    shopper: Shopper
    services: Services


Info: TypeAlias = strawberry.Info[GraphQLContext, None]
