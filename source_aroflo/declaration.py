"""What a zone declaration is made of, and the check that every declaration holds together.

A zone is one frozen `Zone` (the declarations themselves are data, in `zones/`); a child
stream built from a zone's records — its lines, its custom fields — is one frozen `Child`.
Streams, JSON schemas, the record mapping, discover, the docs' stream table all derive from
these entries; `check_zones()` runs at import and raises `DeclarationError` naming the zone and
the problem when an entry is inconsistent (`checks.py`). The field language is in `fields.py`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional, Tuple

from .fields import ARRAY, OBJECT, SCALAR_KINDS, TIME_KINDS, DeclarationError, Field, parse_fields

__all__ = ["ARRAY", "OBJECT", "SCALAR_KINDS", "TIME_KINDS", "DeclarationError", "Field", "parse_fields",
           "Reading", "Grain", "Zone", "Child", "ZONE", "REST", "UPDATED_AT", "READ_AT", "DELETED_AT", "FEED_ZONES"]

ZONE = "hmac"  # the dialect names are the config's credentials.auth_type values
REST = "bearer"

# The zones AroFlo documents in its `lastupdate` change feed (its `zonename` values).
FEED_ZONES = frozenset({"tasks", "purchaseorders", "invoices", "clients", "suppliers", "locations",
                        "tasklabours", "taskmaterials", "taskexpenses", "quotes"})
# The cursor column of every stream that reads a change time (its own update time or the feed's).
UPDATED_AT = "updated_at"
# The cursor column of zones AroFlo gives no update time: when source-aroflo read the record.
READ_AT = "read_at"
# Airbyte's convention for a deleted record: the destination removes rows where it is set.
DELETED_AT = "_ab_cdc_deleted_at"


class Reading(enum.Enum):
    """How an incremental sync finds what changed. A full refresh always reads every record."""

    FEED = "through the change feed"
    FEED_OR_SEEK = "through the change feed, or its update time when that costs fewer requests"
    SEEK_TIME = "on its update time"
    WINDOW = "on a date: new records every sync, the re-read window at most daily"
    REFRESH = "no change signal: read in full at most every refresh_hours"

    @property
    def uses_feed(self) -> bool:
        return self in (Reading.FEED, Reading.FEED_OR_SEEK)

    @property
    def seeks(self) -> bool:
        return self in (Reading.SEEK_TIME, Reading.FEED_OR_SEEK)


class Grain(enum.Enum):
    """How finely a cursor value compares: to the second (`2024-01-10T05:06:07Z`) or the day."""

    SECOND = 19
    DAY = 10

    @property
    def width(self) -> int:
        return self.value

    def canonical(self, value: str) -> str:
        """A canonical value (or a longer one in the same form) cut to this grain."""
        return value[: self.value] + ("Z" if self is Grain.SECOND else "")


@dataclass(frozen=True)
class Zone:
    """One AroFlo zone, and the stream of the same name.

    `where` lists the documented where fields (`name` or `name:kind` for one that is not a
    record field). `cursor` is the where field of the zone's own update time, `cursor_key` its
    name in the records when AroFlo spells it differently; `window` the where field of a
    WINDOW zone's date (`future`: its dates run ahead of today, as schedules do). `newest` is the
    order field that lists the newest records first (a first sync reads them first). `deleted`
    is the field holding the time AroFlo marked a record deleted. `default_filter` is the field
    of the filter AroFlo applies when a request has no `where`. `joins` are asked for on every
    read; `fields` declares every documented field; `undocumented` names declared fields AroFlo's
    example responses do not show, `narrowed` fields declared with another kind than their samples
    show, each with the reason.
    """

    name: str
    id: str
    fields: Any  # str in a declaration, parsed to Tuple[Field, ...]
    where: Any = ""  # str in a declaration, parsed to Tuple[str, ...]
    reading: Reading = Reading.REFRESH
    cursor: Optional[str] = None
    cursor_key: Optional[str] = None
    window: Optional[str] = None
    future: bool = False
    newest: Optional[str] = None
    deleted: Optional[str] = None
    list_key: Optional[str] = None
    default_filter: Optional[str] = None
    joins: Tuple[str, ...] = ()
    key: Tuple[str, ...] = ()  # primary key columns (default: the id field)
    # The where field that names a record: it matches every record (full reads: `!= 0`) and
    # fetches changed ones by id (change feed). Default: `id` when it is a where field.
    id_where: Optional[str] = None
    seed: Any = None  # seeds.SeedTable for the seed's three tables
    rest: bool = False  # also offered by the seed's REST dialect
    # AroFlo's change feed itself: no daily limit, and every entry carries its time.
    change_feed: bool = False
    doc: str = ""
    caveat: str = ""  # what an incremental sync of this zone cannot see (logged, and in the docs)
    undocumented: Mapping[str, str] = field(default_factory=dict)
    # Declared fields whose kind deliberately differs from AroFlo's samples (a date-time declared
    # as its date, so a column has one type in every stream), each with the reason.
    narrowed: Mapping[str, str] = field(default_factory=dict)
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
        if self.newest is None and self.reading.seeks:
            object.__setattr__(self, "newest", self.cursor)
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

    def paths(self) -> Iterator[Tuple[str, Field]]:
        """Every declared field by its path (`client.clientid`, `lines[].lineid`)."""
        for top in self.fields:
            yield from top.paths()

    def top(self, name: str) -> Optional[Field]:
        return next((f for f in self.fields if f.name == name), None)

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
    def cursor_column(self) -> str:
        """The column that carries the incremental cursor (every zone stream has one)."""
        if self.reading in (Reading.WINDOW, Reading.REFRESH):
            return self.seed_cursor or READ_AT
        return UPDATED_AT

    @property
    def grain(self) -> Grain:
        return Grain.DAY if self.seed_cursor else Grain.SECOND

    @property
    def seed_cursor(self) -> Optional[str]:
        """The seed column a WINDOW zone's date fills (payments: payment_date), if any."""
        if not self.seed or self.reading is not Reading.WINDOW:
            return None
        return self.seed.column_from(self.window)


@dataclass(frozen=True)
class Child:
    """A stream of one record per item of a parent zone's array (invoice lines, a task's custom
    fields), built from the parent's pages as they are read: it costs no request of its own.

    Primary key (parent id, `item_key`); every row carries the parent's id and the parent's
    cursor value (its version: a line removed from an invoice is absent from the newest version).
    `custom_fields`: the items are AroFlo custom fields `{fieldid, name, type, value, archived}`,
    whose value is typed by the field's type.
    """

    name: str
    parent: Zone
    array: str
    join: str
    item_key: str
    doc: str
    custom_fields: bool = False

    @property
    def item(self) -> Field:
        found = self.parent.top(self.array)
        if found is None or found.kind != ARRAY:
            raise DeclarationError(f"{self.name}: {self.parent.name} has no array {self.array!r}")
        return found

    @property
    def parent_key(self) -> str:
        return self.parent.id

    @property
    def key(self) -> Tuple[str, str]:
        return (self.parent_key, self.item_key)

    @property
    def cursor_column(self) -> str:
        return self.parent.cursor_column

    @property
    def grain(self) -> Grain:
        return self.parent.grain

    @property
    def reading(self) -> Reading:
        return self.parent.reading
