"""What a request is rate-limited by: its IP, its session and what its operation does.

``request_keys`` reads the operation the request runs (the named one; all of them when the name
matches none, since such a request runs nothing anyway): the root fields of a *mutation*,
through fragments (``Query.checkout`` only reads the checkout's state), and the e-mail
addresses its ``signIn(email:)`` and ``signUp(input: {email})`` fields name, from literals,
variables or variable defaults. Every aliased ``signIn`` counts, so ten attempts in one request
are ten attempts. Fields under ``@skip``/``@include`` count as if they ran (conservative).

E-mail addresses are normalised (trimmed, lower-case) and only ever used hashed (``rate.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    value_from_ast_untyped,
)

from bff.document_operations import fragments_of, root_field_nodes

SIGN_IN_FIELDS: Final = frozenset({"signIn", "signUp"})
CHECKOUT_FIELDS: Final = frozenset({"placeOrder", "checkout"})


@dataclass(frozen=True, slots=True)
class RequestKeys:
    ip: str | None = None  # the shopper IP (``bff.client_ip.shopper_ip``)
    session_id: str | None = None  # the session's id, when the request has a session
    mutation_fields: frozenset[str] = frozenset()  # root fields of the mutation it runs
    sign_in_emails: frozenset[str] = frozenset()  # normalised addresses its signIn/signUp fields name

    @property
    def signs_in(self) -> bool:
        return not self.mutation_fields.isdisjoint(SIGN_IN_FIELDS)

    @property
    def checks_out(self) -> bool:
        return not self.mutation_fields.isdisjoint(CHECKOUT_FIELDS)


def normalised_email(address: str) -> str:
    return address.strip().lower()


def _operations(document: DocumentNode, operation_name: str | None) -> list[OperationDefinitionNode]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    named = [o for o in operations if (o.name.value if o.name else None) == operation_name]
    return named or operations


def _variables(operation: OperationDefinitionNode, variables: Mapping[str, Any] | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if variables is not None and name in variables:
            values[name] = variables[name]
        elif definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values


def _email(field: FieldNode, variables: dict[str, Any]) -> str | None:
    arguments = {a.name.value: a.value for a in field.arguments or ()}
    value: Any = Undefined
    if field.name.value == "signIn" and "email" in arguments:
        value = value_from_ast_untyped(arguments["email"], variables)
    elif field.name.value == "signUp" and "input" in arguments:
        given = value_from_ast_untyped(arguments["input"], variables)
        value = given.get("email") if isinstance(given, Mapping) else None
    return normalised_email(value) if isinstance(value, str) else None


def request_keys(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    *,
    ip: str | None,
    session_id: str | None,
) -> RequestKeys:
    """The keys of a request running ``operation_name`` of ``document`` with ``variables``."""
    fragments = fragments_of(document)
    fields: set[str] = set()
    emails: set[str] = set()
    for operation in _operations(document, operation_name):
        if operation.operation is not OperationType.MUTATION:
            continue
        values = _variables(operation, variables)
        for field in root_field_nodes(operation.selection_set, fragments):
            fields.add(field.name.value)
            if field.name.value in SIGN_IN_FIELDS and (email := _email(field, values)):
                emails.add(email)
    return RequestKeys(ip, session_id, mutation_fields=frozenset(fields), sign_in_emails=frozenset(emails))
