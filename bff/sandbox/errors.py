"""Magento's error vocabulary: GraphQL errors with ``extensions.category``.

The categories are those of ``Magento\\Framework\\GraphQl\\Exception\\*`` (FACTS.md, "How errors
come back"). Resolvers raise these; graphql-core turns them into ``errors[]`` entries.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import GraphQLError


class MagentoError(GraphQLError):
    category = "graphql-input"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"category": self.category})


class InputError(MagentoError):
    category = "graphql-input"


class InputErrors(InputError):
    """A ``GraphQlInputException`` with errors added to it (``addError``), as
    ``SetShippingAddressesOnCart`` raises for an address that fails the validator: Magento's
    ``ErrorHandler`` answers each added error as its own ``errors[]`` entry (message and category,
    no locations or path, since it is not a located GraphQL error) instead of the outer message."""

    def __init__(self, message: str, errors: Sequence[str]) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class NoSuchEntityError(MagentoError):
    category = "graphql-no-such-entity"


class AuthorizationError(MagentoError):
    category = "graphql-authorization"


class AuthenticationError(MagentoError):
    category = "graphql-authentication"


class AlreadyExistsError(MagentoError):
    category = "graphql-already-exists"


class PreExecutionError(Exception):
    """A request refused before execution; Magento answers these with HTTP 500."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
