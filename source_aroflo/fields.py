"""The field language of the zone declarations: one token per field, separated by white space.

    name            text (a string)
    name:kind       kind is one of id, text, int, num, bool, date, utc, local
    name{ ... }     an object; its fields become columns `name_field` (flattened with `_`)
    name[ ... ]     an array of objects, kept as an array; its items are typed as declared
    name[]          an array of objects whose fields are not documented

`utc` is a date-time AroFlo sends in UTC (fields with `utc` in their name); `local` is a
date-time in the site's own time zone (fields without `utc` in their name), converted with the
`site_timezone` option; `date` is a calendar date; `num` is money or any decimal that AroFlo
sends as a string ("296.7600"); `bool` is "true"/"TRUE"/"false".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Optional, Tuple

SCALAR_KINDS = ("id", "text", "int", "num", "bool", "date", "utc", "local")
TIME_KINDS = ("utc", "local")
OBJECT, ARRAY = "object", "array"


class DeclarationError(ValueError):
    """A zone declaration contradicts itself or the contract."""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # one of SCALAR_KINDS, OBJECT or ARRAY
    children: Tuple["Field", ...] = ()

    def flat(self, prefix: str = "") -> Iterator[Tuple[str, "Field"]]:
        """(column name, field) of every column this field becomes once objects are flattened."""
        if self.kind == OBJECT:
            for child in self.children:
                yield from child.flat(f"{prefix}{self.name}_")
        else:
            yield prefix + self.name, self

    def paths(self, prefix: str = "") -> Iterator[Tuple[str, "Field"]]:
        """(path, field) of this field and everything inside it: objects joined with `.`,
        array items with `[]` (`client.clientid`, `lines[].lineid`) — the notation of AroFlo's
        documented example fields."""
        path = prefix + self.name
        yield path, self
        inner = f"{path}." if self.kind == OBJECT else f"{path}[]."
        for child in self.children:
            yield from child.paths(inner)


_TOKEN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\s*([{\[\]}])?")


def parse_fields(text: str) -> Tuple[Field, ...]:
    """The field language above -> a tuple of `Field`; a `DeclarationError` says where it is wrong."""
    fields, rest = _parse_block(text, 0, closing=None)
    if rest != len(text):
        raise DeclarationError(f"unexpected {text[rest:rest + 20]!r} in field list")
    return fields


def _parse_block(text: str, at: int, closing: Optional[str]) -> Tuple[Tuple[Field, ...], int]:
    out: list = []
    seen: set = set()
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            if closing:
                raise DeclarationError(f"missing {closing!r} in field list")
            return tuple(out), at
        if text[at] in "]}":
            if text[at] != closing:
                raise DeclarationError(f"unexpected {text[at]!r} at {text[max(0, at - 20):at + 1]!r}")
            return tuple(out), at + 1
        match = _TOKEN.match(text, at)
        if not match:
            raise DeclarationError(f"cannot read a field at {text[at:at + 20]!r}")
        name, kind, bracket = match.group(1), match.group(2), match.group(3)
        at = match.end()
        if name in seen:
            raise DeclarationError(f"field {name!r} is declared twice")
        seen.add(name)
        if bracket in ("{", "["):
            if kind:
                raise DeclarationError(f"field {name!r}: an object or array has no kind")
            children, at = _parse_block(text, at, "}" if bracket == "{" else "]")
            if bracket == "{" and not children:
                raise DeclarationError(f"object {name!r} declares no field")
            out.append(Field(name, OBJECT if bracket == "{" else ARRAY, children))
            continue
        if bracket in ("]", "}"):
            at -= 1  # closes the enclosing block
        kind = kind or "text"
        if kind not in SCALAR_KINDS:
            raise DeclarationError(f"field {name!r}: unknown kind {kind!r} (known: {', '.join(SCALAR_KINDS)})")
        out.append(Field(name, kind))
