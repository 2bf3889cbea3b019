"""Static limits of a GraphQL document, measured before anything runs.

Measured as the document would execute: aliases, root fields and field selections are counted
through fragments, each time a fragment is spread (a fragment of 10 aliases spread 10 times is 100
aliases). Each fragment is measured once and its figures reused, so a document whose fragments
multiply each other is measured in time proportional to its length, not to its expansion.

``check_document`` raises ``QueryTooComplex`` naming the measure, its value and its limit; the
client's document is never echoed. Unparseable documents are left to GraphQL validation.

The figures that need no variables are a fact of the ``Document`` (``bff.document_cache``), keyed
by the token and depth limits: a document is scanned, parsed and measured once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    visit,
)
from graphql.language import DirectiveNode, Lexer, TokenKind, Visitor

from bff.document_cache import Document
from bff.document_operations import fragments_of
from bff.errors import QueryTooComplex
from bff.settings import LimitsSettings

MAX_SELECTIONS: Final = 10_000  # field selections as executed (through fragments); bounds the cost walk


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    selections: int = 0  # field selections as executed
    top_fields: int = 0  # fields at this level (root fields, for an operation)

    def plus(self, other: Measure) -> Measure:
        return Measure(max(self.depth, other.depth), self.aliases + other.aliases,
                       self.selections + other.selections, self.top_fields + other.top_fields)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed document with the measures that need no variables."""

    document: DocumentNode
    tokens: int
    directives: int
    operations: dict[str | None, Measure]  # per operation name (None: the anonymous one)


def refuse(measure: str, value: int, limit: int, what: str) -> QueryTooComplex:
    return QueryTooComplex(
        f"The query is too complex: {what} ({value}) is over the limit ({limit}).",
        extensions={"measure": measure, "value": value, "limit": limit},
    )


_OPENING: Final = frozenset({TokenKind.BRACE_L, TokenKind.BRACKET_L, TokenKind.PAREN_L})
_CLOSING: Final = frozenset({TokenKind.BRACE_R, TokenKind.BRACKET_R, TokenKind.PAREN_R})
NESTING_MARGIN: Final = 8  # brackets of arguments and input values, on top of the selection depth


def scan(text: str, stop_after: int) -> tuple[int, int]:
    """(lexical tokens, deepest bracket nesting) of ``text``, counting stopped once past
    ``stop_after`` tokens. Run before parsing: the parser recurses once per nesting level."""
    lexer = Lexer(Source(text))
    count = nesting = deepest = 0
    try:
        while (token := lexer.advance()).kind is not TokenKind.EOF:
            count += 1
            if token.kind in _OPENING:
                nesting += 1
                deepest = max(deepest, nesting)
            elif token.kind in _CLOSING:
                nesting -= 1
            if count > stop_after:
                break
    except GraphQLError:
        pass  # a lexical error: the parser reports it
    return count, deepest


class _CountDirectives(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def enter_directive(self, node: DirectiveNode, *_: object) -> None:
        self.count += 1


def _measure(document: DocumentNode) -> dict[str | None, Measure]:
    fragments = fragments_of(document)
    memo: dict[str, Measure] = {}
    visiting: set[str] = set()

    def fragment(name: str) -> Measure:
        if name in memo:
            return memo[name]
        if name in visiting or name not in fragments:
            return Measure()  # a cycle or an unknown fragment: validation refuses the document
        visiting.add(name)
        memo[name] = selections(fragments[name].selection_set)
        visiting.discard(name)
        return memo[name]

    def selections(node: SelectionSetNode) -> Measure:
        total = Measure()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = selections(selection.selection_set) if selection.selection_set else Measure()
                total = total.plus(Measure(depth=inner.depth + 1, aliases=inner.aliases + (selection.alias is not None),
                                           selections=inner.selections + 1, top_fields=1))  # fmt: skip
            elif isinstance(selection, FragmentSpreadNode):
                total = total.plus(fragment(selection.name.value))
            elif isinstance(selection, InlineFragmentNode):
                total = total.plus(selections(selection.selection_set))
        return total

    return {
        (d.name.value if d.name else None): selections(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    }


@dataclass(frozen=True, slots=True)
class StaticFigures:
    """The fact ``Document.derive`` keeps: the document scanned, parsed and measured under these limits."""

    max_tokens: int
    max_depth: int

    def __call__(self, document: Document) -> Parsed | QueryTooComplex | None:
        tokens, nesting = scan(document.text, self.max_tokens)
        if tokens > self.max_tokens:
            return refuse("tokens", tokens, self.max_tokens, "the number of tokens")
        if nesting > self.max_depth + NESTING_MARGIN:
            return refuse("depth", nesting, self.max_depth, "the nesting depth")
        ast = document.ast
        if ast is None:
            return None
        counter = _CountDirectives()
        visit(ast, counter)
        return Parsed(ast, tokens, counter.count, _measure(ast))


def _size_bytes(document: Document) -> int:
    return len(document.text.encode())


def check_document(document: Document, operation_name: str | None, limits: LimitsSettings) -> Parsed | None:
    """The parsed document, after checking every static limit; None when it does not parse
    (GraphQL validation then answers it). Parsing and measuring are facts of the ``Document``."""
    size = document.derive(_size_bytes)
    if size > limits.max_document_bytes:
        raise refuse("documentBytes", size, limits.max_document_bytes, "the document's size in bytes")
    parsed = document.derive(StaticFigures(limits.max_tokens, limits.max_depth))
    if isinstance(parsed, QueryTooComplex):
        raise parsed
    if parsed is None:
        return None
    if parsed.directives > limits.max_directives:
        raise refuse("directives", parsed.directives, limits.max_directives, "the number of directives")
    measure = _selected(parsed, operation_name)
    if measure is None:
        return parsed
    if measure.depth > limits.max_depth:
        raise refuse("depth", measure.depth, limits.max_depth, "the depth")
    if measure.aliases > limits.max_aliases:
        raise refuse("aliases", measure.aliases, limits.max_aliases, "the number of aliases")
    if measure.top_fields > limits.max_root_fields:
        raise refuse("rootFields", measure.top_fields, limits.max_root_fields, "the number of root fields")
    if measure.selections > MAX_SELECTIONS:
        raise refuse("selections", measure.selections, MAX_SELECTIONS, "the number of field selections")
    return parsed


def _selected(parsed: Parsed, operation_name: str | None) -> Measure | None:
    if operation_name is not None:
        return parsed.operations.get(operation_name)
    if len(parsed.operations) == 1:
        return next(iter(parsed.operations.values()))
    return None  # ambiguous: GraphQL answers "must provide operation name"
