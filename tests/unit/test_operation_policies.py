"""Each upstream operation declares its policy as data beside its document (policies.toml)."""

from __future__ import annotations

import pytest

from bff.magento.operations import OperationPolicy, all_operations, checked_policies

QUERY = "query Q { storeConfig { store_code } }"
MUTATION = "mutation M { createGuestCart { cart { id } } }"
PUBLIC_READ = {"kind": "read", "audience": "public", "retry": True, "cost": 1}


def test_every_operation_has_a_policy() -> None:
    assert all(isinstance(op.policy, OperationPolicy) for op in all_operations().values())
    assert len(all_operations()) > 30


def test_an_operation_without_a_policy_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no policy for \['Q'\]"):
        checked_policies("catalog", {"Q": QUERY}, {})


def test_a_policy_without_an_operation_is_refused() -> None:
    with pytest.raises(ValueError, match=r"policies without a document: \['Gone'\]"):
        checked_policies("catalog", {"Q": QUERY}, {"Q": PUBLIC_READ, "Gone": PUBLIC_READ})


def test_a_policy_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown keys \['ttl'\]"):
        checked_policies("catalog", {"Q": QUERY}, {"Q": {**PUBLIC_READ, "ttl": 5}})


def test_a_policy_missing_a_required_key_is_refused() -> None:
    with pytest.raises(ValueError, match="policy of Q"):
        checked_policies("catalog", {"Q": QUERY}, {"Q": {"kind": "read", "audience": "public", "retry": True}})


def test_a_write_declared_as_a_read_is_refused() -> None:
    with pytest.raises(ValueError, match="kind 'read' but the document is a mutation"):
        checked_policies("cart", {"M": MUTATION}, {"M": {**PUBLIC_READ, "audience": "private", "retry": False}})


def test_a_retried_write_is_refused() -> None:
    policy = {"kind": "write", "audience": "private", "retry": True, "cost": 1}
    with pytest.raises(ValueError, match="a write is never retried"):
        checked_policies("cart", {"M": MUTATION}, {"M": policy})


def test_a_cached_private_read_is_refused() -> None:
    policy = {"kind": "read", "audience": "private", "retry": True, "cost": 1, "cache_ttl_s": 60}
    with pytest.raises(ValueError, match="only public reads may be cached"):
        checked_policies("cart", {"Q": QUERY}, {"Q": policy})


def test_cache_tags_without_a_ttl_are_refused() -> None:
    with pytest.raises(ValueError, match="cache_tags without cache_ttl_s"):
        checked_policies("catalog", {"Q": QUERY}, {"Q": {**PUBLIC_READ, "cache_tags": ["cat_p"]}})


def test_a_valid_policy_is_read_with_its_tags_as_a_tuple() -> None:
    table = {**PUBLIC_READ, "cache_ttl_s": 300, "cache_tags": ["cat_p", "cat_c"], "timeout_s": 2.5}
    assert checked_policies("catalog", {"Q": QUERY}, {"Q": table}) == {
        "Q": OperationPolicy(
            kind="read",
            audience="public",
            retry=True,
            cost=1,
            timeout_s=2.5,
            cache_ttl_s=300,
            cache_tags=("cat_p", "cat_c"),
        )
    }


def test_every_catalog_operation_is_a_public_cached_read() -> None:
    catalog = [op for op in all_operations().values() if op.domain == "catalog"]
    assert {(op.policy.kind, op.policy.audience, op.policy.cache_ttl_s > 0) for op in catalog} == {
        ("read", "public", True)
    }


def test_no_mutation_is_retried() -> None:
    assert [op.name for op in all_operations().values() if op.is_mutation and op.policy.retry] == []
