"""What a request is rate-limited by (bff/limits/rate_keys.py): its root mutation fields and sign-in e-mails."""

from __future__ import annotations

from typing import Any

from graphql import parse

from bff.limits.rate_keys import RequestKeys, request_keys

IP = "203.0.113.9"
SESSION = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

SIGN_IN = 'mutation { signIn(email: "  Ada@Example.COM ", password: "secret") { viewer { signedIn } } }'
SIGN_IN_WITH_VARIABLES = """
mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { viewer { signedIn } }
}
"""
SIGN_IN_WITH_A_DEFAULT = """
mutation SignIn($email: String! = "grace@example.com", $password: String!) {
  signIn(email: $email, password: $password) { viewer { signedIn } }
}
"""
SIGN_UP_INLINE = """
mutation SignUp($email: String!) {
  signUp(input: {firstname: "Ada", lastname: "L", email: $email, password: "Secret-123"}) { viewer { signedIn } }
}
"""
SIGN_UP_WITH_AN_INPUT = "mutation SignUp($input: SignUpInput!) { signUp(input: $input) { viewer { signedIn } } }"
ALIASED_SIGN_INS = """
mutation {
  a: signIn(email: "one@example.com", password: "x") { viewer { signedIn } }
  b: signIn(email: "two@example.com", password: "x") { viewer { signedIn } }
  c: signIn(email: "ONE@example.com", password: "y") { viewer { signedIn } }
}
"""
THROUGH_FRAGMENTS = """
mutation { ...Attempt ... on Mutation { placeOrder(idempotencyKey: "k-1") { order { number } } } }
fragment Attempt on Mutation { signIn(email: "frag@example.com", password: "x") { viewer { signedIn } } }
"""
CHECKOUT_STATE = "query { checkout { ready } }"
TWO_OPERATIONS = """
query Cart { cart { id } }
mutation Order { placeOrder(idempotencyKey: "k-2") { order { number } } }
"""


def keys(document: str, variables: dict[str, Any] | None = None, operation_name: str | None = None) -> RequestKeys:
    return request_keys(parse(document), operation_name, variables, ip=IP, session_id=SESSION)


def test_a_sign_in_names_its_email_normalised() -> None:
    assert keys(SIGN_IN) == RequestKeys(IP, SESSION, frozenset({"signIn"}), frozenset({"ada@example.com"}))


def test_the_email_is_read_from_the_variables() -> None:
    found = keys(SIGN_IN_WITH_VARIABLES, {"email": "Bob@Example.com", "password": "x"})
    assert found.sign_in_emails == frozenset({"bob@example.com"})


def test_a_variables_default_counts_when_the_variable_is_not_sent() -> None:
    assert keys(SIGN_IN_WITH_A_DEFAULT, {"password": "x"}).sign_in_emails == frozenset({"grace@example.com"})


def test_a_sign_up_names_the_email_of_its_input_literal() -> None:
    found = keys(SIGN_UP_INLINE, {"email": "New@Example.com"})
    assert (found.signs_in, found.sign_in_emails) == (True, frozenset({"new@example.com"}))


def test_a_sign_up_names_the_email_of_its_input_variable() -> None:
    variables = {"input": {"firstname": "A", "lastname": "B", "email": "In@Example.com", "password": "Secret-123"}}
    assert keys(SIGN_UP_WITH_AN_INPUT, variables).sign_in_emails == frozenset({"in@example.com"})


def test_every_aliased_sign_in_names_its_email() -> None:
    assert keys(ALIASED_SIGN_INS).sign_in_emails == frozenset({"one@example.com", "two@example.com"})


def test_root_fields_are_read_through_fragments() -> None:
    found = keys(THROUGH_FRAGMENTS)
    assert (found.mutation_fields, found.sign_in_emails) == (
        frozenset({"signIn", "placeOrder"}),
        frozenset({"frag@example.com"}),
    )
    assert (found.signs_in, found.checks_out) == (True, True)


def test_a_missing_variable_names_no_email() -> None:
    found = keys(SIGN_IN_WITH_VARIABLES, {"password": "x"})
    assert (found.signs_in, found.sign_in_emails) == (True, frozenset())


def test_reading_the_checkout_state_is_not_a_checkout() -> None:
    assert keys(CHECKOUT_STATE) == RequestKeys(IP, SESSION)


def test_the_named_operation_is_the_one_read() -> None:
    assert keys(TWO_OPERATIONS, operation_name="Cart").mutation_fields == frozenset()
    assert keys(TWO_OPERATIONS, operation_name="Order").checks_out


def test_an_unknown_operation_name_reads_every_operation() -> None:
    assert keys(TWO_OPERATIONS, operation_name="Nope").mutation_fields == frozenset({"placeOrder"})
