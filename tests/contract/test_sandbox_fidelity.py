"""The sandbox declares only what Magento declares: every type, field and argument, same types."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    parse,
    validate,
)

from bff.sandbox.execution import sandbox_schema
from tests.magento_files import magento_dir, require
from tools.make_sandbox_schema import STORE_FILTER_ATTRIBUTES

SANDBOX_TYPES = sorted(n for n in sandbox_schema().type_map if not n.startswith("__"))


def _kind(t: GraphQLNamedType) -> str:
    return type(t).__name__


@pytest.mark.parametrize("name", SANDBOX_TYPES)
def test_sandbox_type_exists_in_magento_with_the_same_members(
    name: str, sandbox: GraphQLSchema, magento_schema: GraphQLSchema
) -> None:
    ours = sandbox.type_map[name]
    theirs = magento_schema.get_type(name)
    assert theirs is not None, f"{name} is not a Magento type"
    assert _kind(ours) == _kind(theirs)
    problems: list[str] = []
    if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(theirs, GraphQLObjectType | GraphQLInterfaceType)
        for fname, field in ours.fields.items():
            other = theirs.fields.get(fname)
            if other is None:
                problems.append(f"{name}.{fname} is not in Magento")
                continue
            if str(field.type) != str(other.type):
                problems.append(f"{name}.{fname}: {field.type} != Magento's {other.type}")
            for aname, arg in field.args.items():
                their_arg = other.args.get(aname)
                if their_arg is None:
                    problems.append(f"{name}.{fname}({aname}) is not in Magento")
                elif str(arg.type) != str(their_arg.type):
                    problems.append(f"{name}.{fname}({aname}): {arg.type} != Magento's {their_arg.type}")
        missing_ifaces = {i.name for i in ours.interfaces} - {i.name for i in theirs.interfaces}
        problems += [f"{name} implements {i}, Magento's does not" for i in sorted(missing_ifaces)]
    elif isinstance(ours, GraphQLInputObjectType):
        assert isinstance(theirs, GraphQLInputObjectType)
        for fname, input_field in ours.fields.items():
            their_field = theirs.fields.get(fname)
            if their_field is None and name == "ProductAttributeFilterInput" and fname in STORE_FILTER_ATTRIBUTES:
                # the sandbox store's filterable select attributes, which Magento adds at run time
                assert str(input_field.type) == STORE_FILTER_ATTRIBUTES[fname] == "FilterEqualTypeInput"
                continue
            if their_field is None:
                problems.append(f"{name}.{fname} is not in Magento")
            elif str(input_field.type) != str(their_field.type):
                problems.append(f"{name}.{fname}: {input_field.type} != Magento's {their_field.type}")
    elif isinstance(ours, GraphQLEnumType):
        assert isinstance(theirs, GraphQLEnumType)
        problems += [f"{name}.{v} is not in Magento" for v in set(ours.values) - set(theirs.values)]
    elif isinstance(ours, GraphQLUnionType):
        assert isinstance(theirs, GraphQLUnionType)
        extra = {t.name for t in ours.types} - {t.name for t in theirs.types}
        problems += [f"{name} | {t} is not in Magento" for t in sorted(extra)]
    assert problems == []


def _sample_operations() -> list[str]:
    folder = magento_dir() / "operations-sample"
    return sorted(p.name for p in folder.glob("*.graphql")) if folder.exists() else ["(missing)"]


@pytest.mark.parametrize("filename", _sample_operations())
def test_sandbox_serves_every_magento_sample_operation(filename: str, sandbox: GraphQLSchema) -> None:
    path = require(magento_dir() / "operations-sample" / filename)
    assert [e.message for e in validate(sandbox, parse(path.read_text()))] == []
