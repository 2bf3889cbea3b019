"""Sandbox-only store configuration at runtime: ``GET``/``POST /__sandbox/config``.

Every ``SandboxConfig`` field is a switch, exposed generically: ``GET`` answers them all as JSON
(decimals as strings, tuples as lists); ``POST`` takes a JSON object of the fields to change and
answers the whole configuration after the change. An unknown field or a value of the wrong type
refuses the whole change (``ConfigInputError``, HTTP 400) and changes nothing.

A change replaces ``state.config`` (the config itself stays frozen); the assignment counts into
``catalog_generation``, so remembered searches and views see switches such as
``show_out_of_stock`` at once.
"""

from __future__ import annotations

import dataclasses
import typing
from decimal import Decimal, InvalidOperation
from typing import Any

from bff.sandbox.state import SandboxConfig, SandboxState
from bff.sandbox.totals import FLATRATE, FREESHIPPING, PAYMENT_TITLES

SEED_ONLY = frozenset({"seed", "product_count"})  # they shape the seeded catalog, not the running one


# the codes a list switch may hold: the methods the sandbox implements
KNOWN_CODES: dict[str, frozenset[str]] = {
    "payment_methods": frozenset(PAYMENT_TITLES),
    "shipping_methods": frozenset({FLATRATE[0], FREESHIPPING[0]}),
}


class ConfigInputError(ValueError):
    pass


def _field_types() -> dict[str, Any]:
    hints = typing.get_type_hints(SandboxConfig)
    return {f.name: hints[f.name] for f in dataclasses.fields(SandboxConfig)}


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def config_json(config: SandboxConfig) -> dict[str, object]:
    """Every switch and its value, JSON-ready."""
    return {f.name: _json_value(getattr(config, f.name)) for f in dataclasses.fields(config)}


def _coerced(name: str, kind: Any, value: object) -> object:
    wrong = ConfigInputError(f"{name}: expected {_kind_name(kind)}, got {value!r}")
    if kind is bool:
        if not isinstance(value, bool):
            raise wrong
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
        return value
    if kind is Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise wrong
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise wrong from None
        if not number.is_finite():
            raise wrong
        return number
    if typing.get_origin(kind) is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong
        strange = sorted(set(value) - KNOWN_CODES.get(name, frozenset(value)))
        if strange:
            known = ", ".join(sorted(KNOWN_CODES[name]))
            raise ConfigInputError(f"{name}: unknown code(s) {', '.join(strange)} (known: {known})")
        return tuple(value)
    raise ConfigInputError(f"{name} cannot be changed at runtime")


def _kind_name(kind: Any) -> str:
    if kind is Decimal:
        return "a decimal number or string"
    if typing.get_origin(kind) is tuple:
        return "a list of strings"
    return "a JSON " + {bool: "boolean", int: "integer"}.get(kind, str(kind))


def changed_config(config: SandboxConfig, changes: object) -> SandboxConfig:
    """``config`` with ``changes`` applied (raises ``ConfigInputError``, changing nothing)."""
    if not isinstance(changes, dict):
        raise ConfigInputError("expected a JSON object of fields to change")
    types = _field_types()
    unknown = sorted(set(changes) - set(types))
    if unknown:
        raise ConfigInputError(f"unknown field(s): {', '.join(unknown)}")
    fixed = sorted(SEED_ONLY & set(changes))
    if fixed:
        raise ConfigInputError(f"{', '.join(fixed)}: only used when the sandbox is seeded (bff sandbox --seed)")
    values: dict[str, Any] = {name: _coerced(name, types[name], value) for name, value in changes.items()}
    return dataclasses.replace(config, **values)


def configure(state: SandboxState, changes: object) -> SandboxConfig:
    """Apply ``changes`` to the running sandbox; the new configuration."""
    state.config = changed_config(state.config, changes)
    return state.config
