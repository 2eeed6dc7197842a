"""What a zone declaration is made of, and the check that every declaration holds together.

A zone is one frozen `Zone` (the declarations themselves are data, in `zones.py`). Streams,
JSON schemas, the record mapping, discover, the docs' stream table and the sandbox's data are
all derived from these entries; `check_zones()` runs at import and raises
`DeclarationError` naming the zone and the problem when an entry is inconsistent.

Fields are written in a small language, one token per field, separated by white space:

    name            text (a string)
    name:kind       kind is one of id, text, int, num, bool, date, utc, local
    name{ ... }     an object; its fields become columns `name_field` (flattened with `_`)
    name[ ... ]     an array of objects, kept as an array; its items are typed as declared
    name[]          an array of objects whose fields are not documented

`utc` is a date-time AroFlo sends in UTC (fields with `utc` in their name); `local` is a
date-time in the site's own time zone (§5.3: fields without `utc` in their name), converted
with the `site_timezone` option; `date` is a calendar date; `num` is money or any decimal that
AroFlo sends as a string ("296.7600"); `bool` is "true"/"TRUE"/"false".
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional, Tuple

ZONE = "hmac"  # the dialect names are the config's credentials.auth_type values
REST = "bearer"

SCALAR_KINDS = ("id", "text", "int", "num", "bool", "date", "utc", "local")
TIME_KINDS = ("utc", "local")
OBJECT, ARRAY = "object", "array"

# §5.6: the zones the `lastupdate` change feed documents (its `zonename` values).
FEED_ZONES = frozenset({"tasks", "purchaseorders", "invoices", "clients", "suppliers", "locations",
                        "tasklabours", "taskmaterials", "taskexpenses", "quotes"})
# The column that carries the incremental cursor of every stream that reads a change time
# (the zone's own update time, or the change feed's): one name in every stream.
UPDATED_AT = "updated_at"


class DeclarationError(ValueError):
    """A zone declaration contradicts itself or the contract."""


class Reading(enum.Enum):
    """How a zone is read. Full refresh always pages by number; this says what incremental does."""

    PAGES = "full refresh only"
    SEEK_TIME = "seek on its update time"
    SEEK_DATE = "seek on a date"
    FEED = "change feed"
    FEED_OR_SEEK = "change feed, or seek on its update time when that costs fewer requests"

    @property
    def incremental(self) -> bool:
        return self is not Reading.PAGES

    @property
    def uses_feed(self) -> bool:
        return self in (Reading.FEED, Reading.FEED_OR_SEEK)

    @property
    def seeks(self) -> bool:
        return self in (Reading.SEEK_TIME, Reading.SEEK_DATE, Reading.FEED_OR_SEEK)


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


# ---- column rules of the three seed tables (contract §3) -----------------------------------
@dataclass(frozen=True)
class Rename:
    """The column is this flattened AroFlo field."""

    source: str

    @property
    def consumes(self) -> Tuple[str, ...]:
        return (self.source,)


@dataclass(frozen=True)
class FirstOf:
    """The first of these fields that has a value."""

    sources: Tuple[str, ...]

    @property
    def consumes(self) -> Tuple[str, ...]:
        return self.sources


@dataclass(frozen=True)
class Joined:
    """The fields that have a value, joined with `separator`."""

    sources: Tuple[str, ...]
    separator: str

    @property
    def consumes(self) -> Tuple[str, ...]:
        return self.sources


@dataclass(frozen=True)
class ArchivedStatus:
    """"archived" when the flag is true, else "active"."""

    source: str = "archived"

    @property
    def consumes(self) -> Tuple[str, ...]:
        return (self.source,)


@dataclass(frozen=True)
class LinkedId:
    """`id_field` when `type_field` is one of `types` (the fields stay in the record)."""

    id_field: str
    type_field: str
    types: Tuple[str, ...]

    @property
    def consumes(self) -> Tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class SeedTable:
    """One of the seed's three tables: its columns, and how the zone dialect fills them."""

    columns: Mapping[str, dict]  # column -> JSON schema, in the seed's order
    zone_rules: Mapping[str, Any]  # column -> Rename | FirstOf | Joined | ArchivedStatus | LinkedId
    rest_extra: Mapping[str, dict] = field(default_factory=dict)  # REST fields beyond the seed columns
    rest_objects: Tuple[str, ...] = ()  # REST keys that hold objects (flattened with `_`)


# ---- the zone declaration --------------------------------------------------------------------
@dataclass(frozen=True)
class Zone:
    """One AroFlo zone, and the stream of the same name.

    `where` lists the documented where fields (`name` or `name:kind` for one that is not a
    record field). `cursor` is the where field of the zone's own update time (or date), and
    `cursor_key` its name in the records when AroFlo spells it differently. `default_filter`
    is the field of the filter AroFlo applies when a request has no `where` (None: none is
    documented). `joins` are asked for on every read; `fields` declares every documented field.
    """

    name: str
    id: str
    fields: Any  # str in a declaration, parsed to Tuple[Field, ...]
    where: Any = ""  # str in a declaration, parsed to Tuple[str, ...]
    reading: Reading = Reading.PAGES
    cursor: Optional[str] = None
    cursor_key: Optional[str] = None
    list_key: Optional[str] = None
    default_filter: Optional[str] = None
    joins: Tuple[str, ...] = ()
    key: Tuple[str, ...] = ()  # primary key columns (default: the id field)
    # The where field that names a record: it matches every record (full reads: `!= 0`) and
    # fetches changed ones by id (change feed). Default: `id` when it is a where field.
    id_where: Optional[str] = None
    seed: Optional[SeedTable] = None
    rest: bool = False  # also offered by the seed's REST dialect
    doc: str = ""
    caveat: str = ""  # what an incremental sync of this zone cannot see (logged, and in the docs)
    # Declared fields (flattened column or array-item path) that AroFlo's example responses do not
    # show, each with the reason it is declared anyway; checked against the docs by the oracle test.
    undocumented: Mapping[str, str] = field(default_factory=dict)
    where_kinds: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.fields, str):
            object.__setattr__(self, "fields", parse_fields(self.fields))
        if isinstance(self.where, str):
            names, kinds = [], {}
            for token in self.where.split():
                name, _, kind = token.partition(":")
                names.append(name)
                if kind:
                    kinds[name] = kind
            object.__setattr__(self, "where", tuple(names))
            object.__setattr__(self, "where_kinds", kinds)
        if self.list_key is None:
            object.__setattr__(self, "list_key", self.name)
        if self.cursor and self.cursor_key is None:
            object.__setattr__(self, "cursor_key", self.cursor)
        if self.id_where is None and self.id in self.where:
            object.__setattr__(self, "id_where", self.id)
        if not self.key:
            object.__setattr__(self, "key", ("id",) if self.seed else (self.id,))

    # ---- derived facts ----------------------------------------------------------------------
    @property
    def dialects(self) -> Tuple[str, ...]:
        return (ZONE, REST) if self.rest else (ZONE,)

    def columns(self) -> Iterator[Tuple[str, Field]]:
        """Every flattened column the zone's records carry, in declaration order."""
        for top in self.fields:
            yield from top.flat()

    def column(self, name: str) -> Optional[Field]:
        return next((f for column, f in self.columns() if column == name), None)

    def where_kind(self, name: str) -> str:
        """The kind of a where field: declared with it, or that of the record field of that name."""
        if name in self.where_kinds:
            return self.where_kinds[name]
        if name == self.cursor and self.column(self.cursor_key or ""):
            return self.column(self.cursor_key).kind
        found = self.column(name)
        return found.kind if found is not None else "text"

    @property
    def cursor_kind(self) -> Optional[str]:
        if not self.cursor:
            return None
        found = self.column(self.cursor_key)
        return found.kind if found else None

    @property
    def cursor_column(self) -> Optional[str]:
        """The column that carries the incremental cursor, or None for full refresh only."""
        if not self.reading.incremental:
            return None
        if self.reading is Reading.SEEK_DATE:
            return self.seed_cursor or self.cursor_key
        return UPDATED_AT

    @property
    def seed_cursor(self) -> Optional[str]:
        """The seed column filled from the cursor field (payments: payment_date), if any."""
        if not self.seed:
            return None
        for column, rule in self.seed.zone_rules.items():
            if isinstance(rule, Rename) and rule.source == self.cursor_key:
                return column
        return None


# ---- the check -------------------------------------------------------------------------------
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
JOIN_FIELDS = {  # a join, and the field it adds to each record
    "lineitems": "lines", "stocklevels": "stocklevels", "tasktotals": "tasktotals",
    "notes": "notes", "customfields": "customfields", "documentsandphotos": "documentsandphotos",
    "locations": "locations", "contacts": "contacts", "priorities": "priorities", "items": "items",
}


def check_zone(zone: Zone) -> list:
    """Every inconsistency of one declaration, in words (empty when it holds together)."""
    problems = []
    say = problems.append
    if not _NAME.match(zone.name):
        say(f"stream name {zone.name!r} is not lower-case letters, digits and _")
    columns = dict(zone.columns())
    if zone.id not in columns:
        say(f"id field {zone.id!r} is not among its fields")
    elif columns[zone.id].kind not in ("id", "text", "int"):
        say(f"id field {zone.id!r} is a {columns[zone.id].kind}, not an id")
    if not zone.list_key:
        say("has no list key")
    reading = zone.reading
    if reading.seeks:
        if not zone.cursor:
            say(f"reads by '{reading.value}' but declares no cursor")
        elif zone.cursor not in zone.where:
            say(f"cursor {zone.cursor!r} is not one of its where fields")
        elif zone.cursor_key not in columns:
            say(f"cursor key {zone.cursor_key!r} is not among its fields")
        else:
            kind = columns[zone.cursor_key].kind
            wanted = ("date",) if reading is Reading.SEEK_DATE else ("utc", "local")
            if kind not in wanted:
                say(f"cursor {zone.cursor_key!r} is a {kind}; '{reading.value}' needs a {' or '.join(wanted)}")
    elif zone.cursor:
        say(f"declares cursor {zone.cursor!r} but reads by '{reading.value}'")
    if reading.uses_feed:
        if zone.name not in FEED_ZONES:
            say("reads the change feed, which does not list this zone (§5.6)")
        if not zone.id_where:
            say("reads the change feed but has no id where field to fetch changed records by")
    elif zone.name in FEED_ZONES and not reading.uses_feed:
        say("is in the change feed (§5.6) but does not read it")
    if zone.default_filter is not None and not zone.id_where and zone.name != "lastupdate":
        say("has a default filter but no id where field: a full read could not defeat it")
    for join in zone.joins:
        added = JOIN_FIELDS.get(join)
        if added is None:
            say(f"join {join!r} is not a known join")
        elif added not in {f.name for f in zone.fields}:
            say(f"join {join!r} adds field {added!r}, which is not declared")
    if zone.id_where and zone.id_where not in zone.where:
        say(f"id where field {zone.id_where!r} is not one of its where fields")
    for name, kind in zone.where_kinds.items():
        if kind not in SCALAR_KINDS:
            say(f"where field {name!r} has unknown kind {kind!r}")
    for column in zone.key:
        if zone.seed is None and column not in columns:
            say(f"primary key column {column!r} is not among its fields")
    if zone.rest and zone.seed is None:
        say("is offered by the REST dialect, which has only the seed's three tables")
    if zone.seed is not None:
        for column, rule in zone.seed.zone_rules.items():
            if column not in zone.seed.columns:
                say(f"column rule for {column!r}, which is not a seed column")
            sources = (rule.id_field, rule.type_field) if isinstance(rule, LinkedId) else rule.consumes
            for source in sources:
                if source not in columns:
                    say(f"column {column!r} reads {source!r}, which is not among its fields")
        if "id" not in zone.seed.zone_rules:
            say("seed table without a rule for its id column")
    if not zone.doc:
        say("has no description")
    return problems


def check_zones(zones: Tuple[Zone, ...]) -> None:
    """Raise `DeclarationError` listing every inconsistent declaration."""
    problems = []
    names = [z.name for z in zones]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name}: declared {names.count(name)} times")
    for zone in zones:
        problems += [f"{zone.name}: {p}" for p in check_zone(zone)]
    if problems:
        raise DeclarationError("inconsistent zone declarations: " + "; ".join(problems))
