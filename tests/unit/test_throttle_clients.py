"""Who is charged for a request's cost (bff/limits/clients.py): a partner key, the session or the IP."""

from __future__ import annotations

import pytest

from bff.errors import InvalidApiKey
from bff.limits.clients import Client, client_identity
from bff.limits.throttle import Bucket
from bff.settings import ApiKeyBudget, ThrottleSettings

PARTNER_KEY = "pk_live_8f3a1c9e2b7d4f60a5e1"
SETTINGS = ThrottleSettings(
    maximum=2_000,
    restore_rate=100.0,
    api_keys={
        "erp": ApiKeyBudget(key=PARTNER_KEY, maximum=20_000, restore_rate=1_000.0),
        "pim": ApiKeyBudget(key="pk_live_0d4e6b2a9c1f7e35b8a2", maximum=5_000, restore_rate=250.0),
    },
)
SHOPPER = Bucket(2_000, 100.0)
SESSION_ID = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_a_partner_key_is_charged_to_the_partner_with_its_own_budget() -> None:
    client = client_identity(SETTINGS, api_key=PARTNER_KEY, session_id=SESSION_ID, ip="203.0.113.9")
    assert client == Client("key:erp", Bucket(20_000, 1_000.0))


def test_each_partner_has_its_own_budget() -> None:
    client = client_identity(SETTINGS, api_key="pk_live_0d4e6b2a9c1f7e35b8a2", session_id=None, ip=None)
    assert client == Client("key:pim", Bucket(5_000, 250.0))


@pytest.mark.parametrize("api_key", ["pk_live_wrong", PARTNER_KEY.upper(), PARTNER_KEY + " ", ""])
def test_a_key_that_is_no_partners_is_refused_as_unauthenticated(api_key: str) -> None:
    with pytest.raises(InvalidApiKey) as refused:
        client_identity(SETTINGS, api_key=api_key, session_id=SESSION_ID, ip="203.0.113.9")
    error = refused.value
    assert (error.code, error.status) == ("UNAUTHENTICATED", 401)
    assert (error.message, error.extensions, error.headers) == (
        "The X-Api-Key header is not a valid API key.",
        {},
        {"WWW-Authenticate": "ApiKey"},
    )


def test_a_refused_key_is_never_echoed() -> None:
    with pytest.raises(InvalidApiKey) as refused:
        client_identity(SETTINGS, api_key="pk_live_guess_12345", session_id=None, ip=None)
    error = refused.value
    assert "pk_live_guess_12345" not in f"{error} {error!r} {error.detail} {error.extensions} {error.headers}"


def test_without_a_key_the_session_is_charged_with_the_shopper_budget() -> None:
    client = client_identity(SETTINGS, api_key=None, session_id=SESSION_ID, ip="203.0.113.9")
    assert client == Client(f"session:{SESSION_ID}", SHOPPER)


def test_without_a_session_the_shopper_ip_is_charged() -> None:
    client = client_identity(SETTINGS, api_key=None, session_id=None, ip="2001:db8::7")
    assert client == Client("ip:2001:db8::7", SHOPPER)


def test_requests_without_an_ip_share_one_budget() -> None:
    assert client_identity(SETTINGS, api_key=None, session_id=None, ip=None) == Client("ip:unknown", SHOPPER)


def test_the_client_unpacks_as_its_id_and_bucket() -> None:
    client_id, bucket = client_identity(SETTINGS, api_key=None, session_id=None, ip="203.0.113.9")
    assert (client_id, bucket) == ("ip:203.0.113.9", SHOPPER)
