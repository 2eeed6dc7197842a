"""Secrets never leave the process: a logging filter on every handler, and a scrub for messages.

The CDK masks the config's `airbyte_secret` values in what it formats, but not the values
derived from them: the encoded `Authorization` header, the HMAC signature, a bearer token in a
header dump from `requests`/`urllib3` debug logs. This filter removes those too, and drops
tracebacks from log records (the message keeps the exception's class and text).
"""

from __future__ import annotations

import logging
import re
from typing import Iterable

from .auth import encode_uri_component

_PATTERNS = [
    re.compile(r"(HMAC\s+)[0-9a-fA-F]{16,}"),
    re.compile(r"(Bearer\s+)[^\s'\",}]+"),
    re.compile(r"((?:uencoded|pencoded|orgEncoded)=)[^&\s'\",}]*", re.IGNORECASE),
    re.compile(r"(['\"]?(?:Authorization|Authentication)['\"]?\s*[:=]\s*['\"]?)[^'\",}\n]+", re.IGNORECASE),
]
MASK = "****"
_secrets: set = set()


def register_secrets(values: Iterable[str]) -> None:
    for value in values:
        if value and len(value) >= 3:
            _secrets.add(value)
            _secrets.add(encode_uri_component(value))


def scrub(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message} ({type(error).__name__}: {error})"
            record.exc_info = None
            record.exc_text = None
        record.msg = scrub(message)
        record.args = None
        defaults = _DEFAULT_ATTRS
        for key, value in list(record.__dict__.items()):
            if key not in defaults and value is not None:
                record.__dict__[key] = scrub(str(value))
        return True


_DEFAULT_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, None, None, None).__dict__) | {"message", "asctime"}


def install() -> None:
    """Attach the filter to every handler of the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
