"""Magento's real schema, built once per session (schema.graphql + default-install.graphql)."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, build_schema

from bff.sandbox.execution import sandbox_schema
from tests.magento_files import magento_dir, require


@pytest.fixture(scope="session")
def magento_schema() -> GraphQLSchema:
    folder = magento_dir()
    sdl = require(folder / "schema.graphql").read_text()
    runtime = require(folder / "default-install.graphql").read_text()
    return build_schema(sdl + "\n" + runtime)


@pytest.fixture(scope="session")
def sandbox() -> GraphQLSchema:
    return sandbox_schema()
