"""``Validation``: the schema's validation step, run by the BFF so it can hide suggestions.

graphql-core's messages add "Did you mean …?" suggestions, which map the schema for anyone
probing it. Outside development ``hide_suggestions`` drops them (``build_schema`` decides); the
rules are Strawberry's own plus those other extensions added (e.g. no introspection).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule


class Validation(SchemaExtension):
    def __init__(self, *, hide_suggestions: bool) -> None:
        super().__init__()
        self.hide_suggestions = hide_suggestions

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            rules = (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)
            context.pre_execution_errors = validate(
                context.schema._schema, context.graphql_document, rules, hide_suggestions=self.hide_suggestions
            )
        yield
