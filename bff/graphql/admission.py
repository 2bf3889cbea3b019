"""``Admission``: what every GraphQL operation passes before it may run, in this order.

1. the static limits of its document (size, tokens, depth, aliases, root fields, directives,
   selections: ``bff.limits.static``), answered ``QUERY_TOO_COMPLEX``;
2. its requested cost with the request's variables (``bff.limits.cost``), ``QUERY_TOO_COMPLEX``
   when over ``BFF_LIMITS__MAX_COST``.

Nothing reaches Magento before all of them pass. The request's ``CostRecord`` is kept in its
``RequestState``; after execution ``finish`` measures the actual cost for ``extensions.cost``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

from bff.limits.cost import UpstreamCosts, operation_of, requested_cost, returned_objects
from bff.limits.static import check_document, refuse
from bff.request_state import CostRecord, RequestState
from bff.settings import LimitsSettings


class Admission:
    def __init__(self, limits: LimitsSettings, schema: GraphQLSchema, upstream: UpstreamCosts) -> None:
        self.limits = limits
        self.schema = schema
        self.upstream = upstream

    def operation(self, query: str, operation_name: str | None) -> tuple[DocumentNode, OperationDefinitionNode] | None:
        """The parsed document and its selected operation, once the static limits pass."""
        parsed = check_document(query, operation_name, self.limits)
        if parsed is None:
            return None
        operation = operation_of(parsed.document, operation_name)
        return (parsed.document, operation) if operation is not None else None

    def admit(
        self, state: RequestState, query: str | None, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> None:
        """Check the limits of one operation (raises ``QueryTooComplex``) and record its cost."""
        if not query:
            return
        selected = self.operation(query, operation_name)
        if selected is None:
            return
        document, operation = selected
        cost = requested_cost(self.schema, document, operation, variables, self.upstream)
        state.cost = CostRecord(requested=cost)
        if cost > self.limits.max_cost:
            raise refuse("cost", cost, self.limits.max_cost, "the requested cost")

    def finish(self, state: RequestState, query: str | None, operation_name: str | None, data: Any) -> None:
        """Measure the actual cost: objects returned plus the Magento calls made."""
        if state.cost is None or not query:
            return
        selected = self.operation(query, operation_name)
        objects = returned_objects(*selected, data) if selected is not None and isinstance(data, dict) else 0
        state.cost.actual = objects + sum(self.upstream.get(call.operation, 0) for call in state.calls)


def cost_extension(cost: CostRecord) -> dict[str, object]:
    """``extensions.cost`` of a response."""
    extension: dict[str, object] = {"requestedQueryCost": cost.requested, "actualQueryCost": cost.actual}
    if cost.maximum_available is not None:
        extension["throttleStatus"] = {
            "maximumAvailable": cost.maximum_available,
            "currentlyAvailable": cost.currently_available,
            "restoreRate": cost.restore_rate,
        }
    return extension
