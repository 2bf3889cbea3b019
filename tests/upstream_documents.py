"""What the BFF asked Magento for: the operations a ``RecordingTransport`` saw, and the fields
each one selects once its ``@include``/``@skip`` switches are applied to the variables sent
(a switch not sent takes its default), as dotted paths by response key: ``products.items.sku``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
)


@dataclass(frozen=True)
class SentOperation:
    name: str
    document: str
    variables: dict[str, Any]
    answer_bytes: int | None = None

    @property
    def selected(self) -> frozenset[str]:
        """Every field path the operation selects with these variables."""
        return selected_paths(self.document, self.variables)


def sent_operation(request: httpx.Request) -> SentOperation:
    """The operation of one request to Magento (a POST body, or a GET's query parameters)."""
    if request.method == "GET":
        params = request.url.params
        variables = json.loads(params.get("variables") or "{}")
        document, name = params["query"], params.get("operationName")
    else:
        body = json.loads(request.content)
        document, name, variables = body["query"], body.get("operationName"), body.get("variables") or {}
    if name is None:
        name = next(
            d.name.value for d in parse(document).definitions if isinstance(d, OperationDefinitionNode) and d.name
        )
    return SentOperation(name=name, document=document, variables=variables)


def selected_paths(document: str, variables: dict[str, Any]) -> frozenset[str]:
    tree = parse(document)
    fragments = {d.name.value: d for d in tree.definitions if isinstance(d, FragmentDefinitionNode)}
    [operation] = [d for d in tree.definitions if isinstance(d, OperationDefinitionNode)]
    values = {
        d.variable.name.value: d.default_value.value
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, BooleanValueNode)
    }
    values.update(variables)
    paths: set[str] = set()

    def on(directives: tuple[DirectiveNode, ...] | None) -> bool:
        for directive in directives or ():
            argument = next(a for a in directive.arguments or () if a.name.value == "if")
            node = argument.value
            value = values.get(node.name.value) if isinstance(node, VariableNode) else getattr(node, "value", None)
            if (directive.name.value == "include" and not value) or (directive.name.value == "skip" and value):
                return False
        return True

    def walk(selections: SelectionSetNode, prefix: str) -> None:
        for selection in selections.selections:
            if not on(selection.directives):
                continue
            if isinstance(selection, FieldNode):
                path = prefix + (selection.alias or selection.name).value
                paths.add(path)
                if selection.selection_set is not None:
                    walk(selection.selection_set, path + ".")
            elif isinstance(selection, FragmentSpreadNode):
                walk(fragments[selection.name.value].selection_set, prefix)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, prefix)

    walk(operation.selection_set, "")
    return frozenset(paths)
