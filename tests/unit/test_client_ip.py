"""The shopper's IP forwarded to Magento: only trusted proxies may speak for the client."""

from __future__ import annotations

from bff.client_ip import shopper_ip

TRUSTED = ["10.0.0.0/8", "127.0.0.1"]


def test_without_a_proxy_the_peer_is_the_shopper() -> None:
    assert shopper_ip("203.0.113.9", None, TRUSTED) == "203.0.113.9"


def test_forwarded_for_from_an_untrusted_peer_is_ignored() -> None:
    assert shopper_ip("203.0.113.9", "198.51.100.1", TRUSTED) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_last_untrusted_hop_is_the_shopper() -> None:
    assert shopper_ip("10.1.2.3", "198.51.100.7, 10.0.0.5", TRUSTED) == "198.51.100.7"


def test_a_spoofed_left_most_entry_does_not_win() -> None:
    assert shopper_ip("10.1.2.3", "1.2.3.4, 198.51.100.7", TRUSTED) == "198.51.100.7"


def test_garbage_in_forwarded_for_falls_back_to_the_peer() -> None:
    assert shopper_ip("127.0.0.1", "not-an-ip", TRUSTED) == "127.0.0.1"
