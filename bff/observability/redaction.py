"""The redaction processor: no shopper data, secret or Magento id reaches a log line.

It runs on every event (structlog's and the stdlib's, after exceptions are rendered to text):

* by key: the value of any key that names personal or secret data (password, token, cookie,
  authorization, email, phone, address parts, names, card/payment data, cart ids) is replaced
  whole, at any depth of nested dicts and lists;
* by shape: every other string (messages, tracebacks, nested values) is scrubbed of e-mail
  addresses, ``Bearer``/``Basic`` credentials, JWTs, long random tokens (24+ URL-safe characters
  that look random: session tokens, Magento masked cart ids, customer tokens, hashes) and phone
  numbers. Objects that are not JSON types are turned into text first, so a ``repr`` cannot leak.

Names, streets and cities have no shape; they are caught by their key only. So log values under
descriptive keys, and never interpolate shopper input into a message.

**Cost.** It runs on the event loop for every line, so it does no work that cannot change the
result: a key's verdict is remembered (``sensitive_key``), and so is the scrubbed form of a
short string (under 24 characters, too short to be a token: ``POST``, ``/graphql``, ``OK``, the
operation names an access line is made of), both in bounded LRUs; longer strings are scrubbed
every time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

from structlog.typing import EventDict, WrappedLogger

REDACTED: Final = "[redacted]"

# A key is sensitive when, lower-cased and without separators, it contains one of these ...
_SENSITIVE_FRAGMENTS: Final = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "apikey",
    "email",
    "phone",
    "street",
    "postcode",
    "postalcode",
    "firstname",
    "lastname",
    "fullname",
    "creditcard",
    "cardnumber",
    "cvv",
    "cvc",
    "iban",
    "cartid",
    "maskedid",
)
# ... or when one of its words (split at separators and camelCase humps) is one of these.
_SENSITIVE_WORDS: Final = frozenset(
    {"address", "city", "zip", "telephone", "card", "cc", "pan", "payment", "company", "region", "dob"}
)
# Values we generate ourselves and that must stay readable; never scrubbed by shape.
_TRUSTED_KEYS: Final = frozenset({"timestamp", "level", "logger", "logger_name", "request_id", "trace_id", "span_id"})
_MAX_DEPTH: Final = 8

_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)\s+[^\s,;\"'}\]]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_\-]*\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")
_LONG_RUN = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z0-9_\-]{24,}(?![A-Za-z0-9_\-])")
_HEX = re.compile(r"[0-9a-f]{32,}")
# Not inside words, paths, IP addresses or decimals; not an ISO date.
_PHONE = re.compile(r"(?<![\w/])(?<!\d[.:])(?!\d{4}-\d{2}-\d{2})\+?\(?\d[\d\s()\-]{5,}\d(?![\w/])(?![.:]\d)")


def sensitive_key(key: object) -> bool:
    """Whether values under ``key`` are personal or secret data."""
    return isinstance(key, str) and _sensitive_name(key)


@lru_cache(maxsize=2048)
def _sensitive_name(key: str) -> bool:
    flat = re.sub(r"[\s_\-.]", "", key).lower()
    if any(fragment in flat for fragment in _SENSITIVE_FRAGMENTS):
        return True
    return any(word.lower() in _SENSITIVE_WORDS for word in _WORDS.findall(key))


def _looks_random(run: str) -> bool:
    """A 24+ character identifier-like run that is a token rather than a word or a code name.

    Tokens (base64url, Magento's masked ids, hex digests) nearly always contain a digit. Without
    one: mixed case at the lengths of our tokens (32: masked cart ids; 40+: session and customer
    tokens), or with far more capitals than CamelCase names (``SetShippingAddressesOnCart``) have.
    """
    if any(c.isdigit() for c in run) or _HEX.fullmatch(run):
        return True
    letters = [c for c in run if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if not 0 < upper < len(letters):
        return False
    return len(run) == 32 or len(run) >= 40 or upper / len(letters) > 0.3


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    return "[phone]" if sum(c.isdigit() for c in text) >= 7 else text


_LONG_RUN_CHARS: Final = 24  # the shortest text _LONG_RUN can match


def scrub_text(text: str) -> str:
    """``text`` without e-mail addresses, credentials, tokens and phone numbers."""
    if len(text) < _LONG_RUN_CHARS:
        return _scrub_short(text)
    return _scrub(text)


@lru_cache(maxsize=4096)
def _scrub_short(text: str) -> str:
    return _scrub(text)


def _scrub(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _CREDENTIAL.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _JWT.sub("[token]", text)
    text = _LONG_RUN.sub(lambda m: "[token]" if _looks_random(m.group(0)) else m.group(0), text)
    return _PHONE.sub(_phone, text)


def redact_value(value: Any, depth: int = 0) -> Any:
    """A copy of ``value`` with sensitive keys blanked and every string scrubbed."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return scrub_text(value)
    if depth >= _MAX_DEPTH:
        return "[…]"
    if isinstance(value, Mapping):
        return {k: REDACTED if sensitive_key(k) else redact_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(v, depth + 1) for v in value]
    return scrub_text(str(value))


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The structlog processor (place it after ``format_exc_info``, before the renderer)."""
    for key, value in event_dict.items():
        if key in _TRUSTED_KEYS:
            continue
        if sensitive_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = redact_value(value)
    return event_dict
