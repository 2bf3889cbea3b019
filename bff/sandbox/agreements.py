"""``checkoutAgreements``: the store's terms and conditions, as ``CheckoutAgreementsGraphQl`` answers them.

Empty unless ``config.enable_agreements`` (``checkout/options/enable_agreements``, off in a default
install); otherwise the active agreements assigned to the request's store view (or to all store
views), in id order. The seed has three, after Magento's test fixtures: an active HTML one for
every store, an inactive text one, and an active one for the ``de`` store view only.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from bff.sandbox.context import RootResolver, context_of
from bff.sandbox.state import CheckoutAgreement, SandboxState

Info = GraphQLResolveInfo
ALL_STORES = 0


def seed_agreements(state: SandboxState) -> None:
    german = state.stores["de"].id
    state.agreements = [
        CheckoutAgreement(
            id=1,
            name="Terms and Conditions",
            content="<p>Orders placed in this <b>sandbox</b> store are never shipped or charged.</p>",
            checkbox_text="I agree to the Terms and Conditions.",
            is_html=True,
            mode="MANUAL",
            content_height="200px",
        ),
        CheckoutAgreement(
            id=2,
            name="Old Terms (inactive)",
            content="Terms that no longer apply.",
            checkbox_text="I agree to the old terms.",
            active=False,
        ),
        CheckoutAgreement(
            id=3,
            name="Allgemeine Geschäftsbedingungen",
            content="Bestellungen in diesem Sandbox-Shop werden weder versandt noch berechnet.",
            checkbox_text="Ich stimme den AGB zu.",
            store_ids=(german,),
        ),
    ]


def agreement_view(agreement: CheckoutAgreement) -> dict[str, Any]:
    return {
        "agreement_id": agreement.id,
        "name": agreement.name,
        "content": agreement.content,
        "content_height": agreement.content_height,
        "checkbox_text": agreement.checkbox_text,
        "is_html": agreement.is_html,
        "mode": agreement.mode,
    }


def resolve_checkout_agreements(_root: Any, info: Info) -> list[dict[str, Any]]:
    ctx = context_of(info)
    if not ctx.state.config.enable_agreements:
        return []
    store_id = ctx.store.id
    shown = [a for a in ctx.state.agreements if a.active and (ALL_STORES in a.store_ids or store_id in a.store_ids)]
    return [agreement_view(a) for a in sorted(shown, key=lambda a: a.id)]


QUERY_FIELDS: dict[str, RootResolver] = {"checkoutAgreements": resolve_checkout_agreements}

__all__ = ["QUERY_FIELDS", "seed_agreements"]
