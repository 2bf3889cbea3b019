"""``DocumentCache``: every GraphQL document a process sees, parsed and analysed once.

A ``Document`` is one document text with what the layers above learn from it, each computed on
first use and kept with the text: the parsed ``DocumentNode`` (``ast``, with locations, so the
errors Strawberry reports point where they always did) and any *fact* a layer derives from it
(``derive``): the static-limit figures (``bff.limits.static``), the validation errors against
one schema with one set of rules (``bff.graphql.validation``), the operations' names, types and
root fields (logs, metrics, traces, the CDN rule). A fact is a hashable callable — a function,
or a frozen dataclass holding its parameters (a limit, a schema) — so facts that depend on
settings or on a schema are kept apart by their key, and only for the document they came from.

The view fetches a request's ``Document`` once and keeps it in the request's ``GraphQLRecord``;
admission, Strawberry's parse and validate steps, persisted queries and the access log all read
that one object, so a document a frontend sends again is neither parsed nor validated again.

**Bounded.** The cache is an LRU of at most ``max_entries`` documents (least recently used
dropped first); a document longer than ``max_chars`` is never kept (it gets a ``Document`` of
its own, shared within its request only). Parsing stops after ``max_tokens`` tokens (at least
``MAX_TOKENS``; ``bff.app`` raises it to admission's token limit when that is higher) and a
nesting too deep for the parser's recursion counts as not parsing, so a hostile text costs a
bounded amount whoever reads it first (admission's limits scan the text before reading ``ast``).

Everything here runs on the event loop; nothing is shared across threads.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Final, TypeVar, cast

from graphql import DocumentNode, GraphQLError, parse

MAX_TOKENS: Final = 10_000  # no storefront document comes near; admission's own limit is lower
DEFAULT_MAX_ENTRIES: Final = 1_000
DEFAULT_MAX_CHARS: Final = 16_384

T = TypeVar("T")


class Document:
    """One document text, its parsed form and the facts derived from it (see the module docstring)."""

    __slots__ = ("_ast", "_facts", "_max_tokens", "_parsed", "text")

    def __init__(self, text: str, *, max_tokens: int = MAX_TOKENS) -> None:
        self.text = text
        self._max_tokens = max_tokens
        self._parsed = False
        self._ast: DocumentNode | None = None
        self._facts: dict[Hashable, object] = {}

    @property
    def ast(self) -> DocumentNode | None:
        """The parsed document; None when it does not parse (Strawberry then reports the syntax error)."""
        if not self._parsed:
            self._parsed = True
            try:
                self._ast = parse(self.text, max_tokens=self._max_tokens)
            except (GraphQLError, RecursionError):
                self._ast = None
        return self._ast

    def derive(self, fact: Callable[[Document], T]) -> T:
        """``fact(self)``, computed once per document (``fact`` is also its key)."""
        facts = self._facts
        if fact in facts:
            return cast(T, facts[fact])  # stored under this very key below
        value = facts[fact] = fact(self)
        return value


class DocumentCache:
    """An LRU of ``Document`` by text (see the module docstring)."""

    def __init__(
        self,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_chars: int = DEFAULT_MAX_CHARS,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, got {max_entries}")
        self.max_entries = max_entries
        self.max_chars = max_chars
        self.max_tokens = max(max_tokens, MAX_TOKENS)
        self._entries: OrderedDict[str, Document] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, text: str) -> Document:
        """The ``Document`` of ``text``: the cached one, else a new one (kept when not too long)."""
        entries = self._entries
        document = entries.get(text)
        if document is not None:
            entries.move_to_end(text)
            return document
        document = Document(text, max_tokens=self.max_tokens)
        if len(text) <= self.max_chars:
            entries[text] = document
            if len(entries) > self.max_entries:
                entries.popitem(last=False)
        return document
