"""``Validation``: the schema's parse and validation steps, run by the BFF so they are done once
per document and can hide suggestions.

**Once per document.** The parsed document and its validation errors are facts of the request's
``Document`` (``bff.document_cache``), the entry admission already read: ``on_parse`` hands
Strawberry the cached ``DocumentNode`` (a text that does not parse is left to Strawberry, whose
syntax error is answered as always), and ``on_validate`` the errors kept for this schema and
these rules (``Validated`` is the fact's key: errors are only reused for the same schema, rules
and suggestion setting). graphql-core's ``validate`` and its messages are unchanged; the errors
are a tuple handed out as a new list, so no request can change what another one sees.

**Suggestions.** graphql-core's messages add "Did you mean …?" suggestions, which map the schema
for anyone probing it. Outside development ``hide_suggestions`` drops them (``build_schema``
decides); the rules are Strawberry's own plus those other extensions added (e.g. no introspection).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import GraphQLError, GraphQLSchema, validate
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from bff.document_cache import Document, DocumentCache


@dataclass(frozen=True, slots=True)
class Validated:
    """The fact: a document's validation errors against ``schema`` with ``rules``."""

    schema: GraphQLSchema
    rules: tuple[type[ASTValidationRule], ...]
    hide_suggestions: bool

    def __call__(self, document: Document) -> tuple[GraphQLError, ...]:
        ast = document.ast
        if ast is None:
            return ()
        return tuple(validate(self.schema, ast, self.rules, hide_suggestions=self.hide_suggestions))


class Validation(SchemaExtension):
    def __init__(self, *, documents: DocumentCache, hide_suggestions: bool) -> None:
        super().__init__()
        self.documents = documents
        self.hide_suggestions = hide_suggestions
        self.document: Document | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            self.document = self.documents.get(context.query)
            context.graphql_document = self.document.ast  # None: Strawberry parses and reports the error
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            rules = (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)
            document = self.document
            if document is not None and document.ast is context.graphql_document:
                errors = list(document.derive(Validated(context.schema._schema, rules, self.hide_suggestions)))
            else:
                errors = validate(
                    context.schema._schema, context.graphql_document, rules, hide_suggestions=self.hide_suggestions
                )
            context.pre_execution_errors = errors
        yield
