"""``checkoutAgreements``: the store's terms and conditions, as Magento's CheckoutAgreementsGraphQl answers."""

from __future__ import annotations

from dataclasses import replace

from bff.sandbox.state import SandboxState
from tests.sandbox.conftest import Gql

AGREEMENTS = "{ checkoutAgreements { agreement_id name content content_height checkbox_text is_html mode } }"


def enable_agreements(state: SandboxState) -> None:
    state.config = replace(state.config, enable_agreements=True)


async def test_a_default_install_has_no_agreements(gql: Gql) -> None:
    r"""follows Magento\GraphQl\CheckoutAgreements\GetCheckoutAgreementsTest::testGetAgreementNotSet"""
    assert await gql(AGREEMENTS) == {"data": {"checkoutAgreements": []}}


async def test_the_active_agreements_are_listed_when_enabled(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\CheckoutAgreements\GetCheckoutAgreementsTest::testGetActiveAgreement"""
    enable_agreements(state)
    assert (await gql(AGREEMENTS))["data"]["checkoutAgreements"] == [
        {
            "agreement_id": 1,
            "name": "Terms and Conditions",
            "content": "<p>Orders placed in this <b>sandbox</b> store are never shipped or charged.</p>",
            "content_height": "200px",
            "checkbox_text": "I agree to the Terms and Conditions.",
            "is_html": True,
            "mode": "MANUAL",
        }
    ]


async def test_an_agreement_of_another_store_view_is_shown_only_there(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\CheckoutAgreements\GetCheckoutAgreementsTest::testGetActiveAgreementOnSecondStore
    and ::testGetActiveAgreementFromSecondStoreOnDefaultStore"""
    enable_agreements(state)
    german = (await gql(AGREEMENTS, headers={"Store": "de"}))["data"]["checkoutAgreements"]
    default = (await gql(AGREEMENTS))["data"]["checkoutAgreements"]
    assert [a["agreement_id"] for a in german] == [1, 3]
    assert [a["agreement_id"] for a in default] == [1]


async def test_agreements_switched_off_are_not_listed_though_they_exist(gql: Gql, state: SandboxState) -> None:
    r"""follows Magento\GraphQl\CheckoutAgreements\GetCheckoutAgreementsTest::testDisabledAgreements"""
    enable_agreements(state)
    assert (await gql(AGREEMENTS, headers={"Store": "de"}))["data"]["checkoutAgreements"] != []
    state.config = replace(state.config, enable_agreements=False)
    assert (await gql(AGREEMENTS, headers={"Store": "de"}))["data"]["checkoutAgreements"] == []
