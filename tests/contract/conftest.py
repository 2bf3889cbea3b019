"""Magento's real schema, built once per session (schema.graphql + default-install.graphql)."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema

from bff.sandbox.execution import sandbox_schema
from tests.magento_files import magento_dir, require
from tools.magento_schema import magento_schema as build_magento_schema


@pytest.fixture(scope="session")
def magento_schema() -> GraphQLSchema:
    folder = magento_dir()
    require(folder / "schema.graphql")
    require(folder / "default-install.graphql")
    return build_magento_schema(folder)


@pytest.fixture(scope="session")
def sandbox() -> GraphQLSchema:
    return sandbox_schema()
