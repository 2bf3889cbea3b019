"""``lifted``: a generated document with its argument literals moved into variables.

hypothesis-graphql writes every argument inline; clients mostly send variables. Each argument of
the operation becomes ``$vN`` declared with the argument's type, and its literal (valid or, in
negative mode, not) becomes the JSON value of ``variables``, so variable coercion is fuzzed too.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    parse_type,
    print_ast,
    value_from_ast_untyped,
    visit,
)


class _Lift(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.definitions: list[VariableDefinitionNode] = []
        self.values: dict[str, Any] = {}

    def enter_argument(self, node: ArgumentNode, *_: Any) -> ArgumentNode | None:
        argument = self.type_info.get_argument()
        if argument is None or isinstance(node.value, VariableNode):
            return None
        name = f"v{len(self.definitions)}"
        self.values[name] = value_from_ast_untyped(node.value)
        variable = VariableNode(name=NameNode(value=name))
        self.definitions.append(VariableDefinitionNode(variable=variable, type=parse_type(str(argument.type))))
        return ArgumentNode(name=node.name, value=variable)

    def leave_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> OperationDefinitionNode:
        return OperationDefinitionNode(
            operation=node.operation,
            name=node.name,
            variable_definitions=(*(node.variable_definitions or ()), *self.definitions),
            directives=node.directives,
            selection_set=node.selection_set,
        )


def lifted(schema: GraphQLSchema, document: str) -> tuple[str, dict[str, Any]]:
    """(the document with variables, their values)."""
    type_info = TypeInfo(schema)
    lift = _Lift(type_info)
    result = visit(parse(document), TypeInfoVisitor(type_info, lift))
    return print_ast(result), lift.values
