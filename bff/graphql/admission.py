"""``Admission``: what every GraphQL operation passes before it may run, in this order.

1. the static limits of its document (size, tokens, depth, aliases, root fields, directives,
   selections: ``bff.limits.static``), answered ``QUERY_TOO_COMPLEX``;
2. its requested cost with the request's variables (``bff.limits.cost``), ``QUERY_TOO_COMPLEX``
   when over ``BFF_LIMITS__MAX_COST``;
3. the HTTP rate limits (``bff.limits.rate``: per IP, per session; ``signIn``/``signUp`` per
   e-mail and IP; ``placeOrder``/``checkout`` per session), ``RATE_LIMITED`` with HTTP 429;
4. the client's cost budget (``bff.limits.buckets``: API key, else session, else IP), charged
   the requested cost: ``THROTTLED`` with HTTP 429 and ``Retry-After`` when it is used up.

Nothing reaches Magento before all of them pass. When the store of the rate limits or budgets
(Redis) does not answer, admission fails open (logged): shoppers are not refused for it. The
request's ``CostRecord`` is kept in its ``RequestState``; after execution ``finish`` measures the
actual cost, gives the unspent part back to the budget and updates ``throttleStatus`` for
``extensions.cost``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

from bff.document_cache import Document
from bff.document_operations import selected_operation
from bff.errors import StoreUnavailable
from bff.limits.buckets import BucketStore
from bff.limits.clients import client_identity
from bff.limits.cost import UpstreamCosts, requested_cost, returned_objects
from bff.limits.rate import RateLimits
from bff.limits.rate_keys import RequestKeys, request_keys
from bff.limits.static import check_document, refuse
from bff.limits.throttle import Bucket
from bff.request_state import CostRecord, RequestState
from bff.settings import LimitsSettings, ThrottleSettings

log = logging.getLogger("bff.limits")


class Admission:
    def __init__(
        self,
        limits: LimitsSettings,
        schema: GraphQLSchema,
        upstream: UpstreamCosts,
        *,
        throttle: ThrottleSettings,
        buckets: BucketStore,
        rate_limits: RateLimits,
    ) -> None:
        self.limits = limits
        self.schema = schema
        self.upstream = upstream
        self.throttle = throttle
        self.buckets = buckets
        self.rate_limits = rate_limits

    def operation(
        self, document: Document, operation_name: str | None
    ) -> tuple[DocumentNode, OperationDefinitionNode] | None:
        """The parsed document and its selected operation, once the static limits pass (the
        figures are facts of the ``Document``: measured once, however often it is sent)."""
        parsed = check_document(document, operation_name, self.limits)
        if parsed is None:
            return None
        operation = selected_operation(parsed.document, operation_name)
        return (parsed.document, operation) if operation is not None else None

    async def admit(
        self,
        state: RequestState,
        document: Document | None,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> None:
        """Run every check of the module docstring for one operation (raises a ``RequestRefused``)."""
        selected = self.operation(document, operation_name) if document is not None and document.text else None
        cost = 0
        if selected is not None:
            ast, operation = selected
            cost = requested_cost(self.schema, ast, operation, variables, self.upstream)
            state.cost = CostRecord(requested=cost)
            if cost > self.limits.max_cost:
                raise refuse("cost", cost, self.limits.max_cost, "the requested cost")
        meta = state.meta
        ip = meta.shopper_ip if meta is not None else None
        session = state.session.current if state.session is not None else None
        session_id = session.id if session is not None else None
        keys = (
            request_keys(selected[0], operation_name, variables, ip=ip, session_id=session_id)
            if selected is not None
            else RequestKeys(ip=ip, session_id=session_id)
        )
        try:
            status = await self.rate_limits.check(keys)
        except StoreUnavailable:  # fail open: a shopper is not refused because Redis is down
            log.warning("rate limits not counted: their store did not answer")
            status = None
        if status is not None:
            state.response_headers.update(status.headers())
        if self.throttle.mode == "off" or state.cost is None:
            return
        client = client_identity(
            self.throttle, api_key=meta.api_key if meta is not None else None, session_id=session_id, ip=ip
        )
        try:
            charge = await self.buckets.charge(client.id, cost, client.bucket, enforce=self.throttle.mode == "enforce")
        except StoreUnavailable:
            log.warning("cost budget not charged: its store did not answer")
            return
        state.cost.throttle_status = charge.status.as_extension()
        state.cost.client, state.cost.charged = client.id, charge.charged
        state.cost.budget = (client.bucket.maximum, client.bucket.restore_rate)
        if not charge.allowed:
            raise charge.refusal(cost)

    async def finish(
        self, state: RequestState, document: Document | None, operation_name: str | None, data: Any
    ) -> None:
        """Measure the actual cost (objects returned plus the Magento calls made) and give the
        unspent part of the charge back to the client's budget."""
        cost = state.cost
        if cost is None or document is None or not document.text:
            return
        selected = self.operation(document, operation_name)
        objects = returned_objects(*selected, data) if selected is not None and isinstance(data, dict) else 0
        cost.actual = objects + sum(self.upstream.get(call.operation, 0) for call in state.calls)
        refund = max(0, cost.charged - cost.actual)
        if cost.client is not None and cost.budget is not None and refund:
            try:
                status = await self.buckets.refund(cost.client, refund, Bucket(*cost.budget))
            except StoreUnavailable:
                log.warning("cost budget not refunded: its store did not answer")
                return
            cost.throttle_status = status.as_extension()


def cost_extension(cost: CostRecord) -> dict[str, object]:
    """``extensions.cost`` of a response."""
    extension: dict[str, object] = {"requestedQueryCost": cost.requested, "actualQueryCost": cost.actual}
    if cost.throttle_status is not None:
        extension["throttleStatus"] = cost.throttle_status
    return extension
