"""The check that every declaration holds together: run at import (`zones/__init__.py`), it raises
`DeclarationError` naming each zone and what is wrong with it."""

from __future__ import annotations

import re
from typing import Tuple

from .declaration import FEED_ZONES, SCALAR_KINDS, TIME_KINDS, Child, DeclarationError, Reading, Zone

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
JOIN_FIELDS = {  # a join, and the field it adds to each record
    "lineitems": "lines", "stocklevels": "stocklevels", "tasktotals": "tasktotals",
    "notes": "notes", "customfields": "customfields", "documentsandphotos": "documentsandphotos",
    "locations": "locations", "contacts": "contacts", "priorities": "priorities", "items": "items",
    "task": "task", "project": "project",
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
            say(f"reads '{reading.value}' but declares no cursor")
        elif zone.cursor not in zone.where:
            say(f"cursor {zone.cursor!r} is not one of its where fields")
        elif zone.cursor_key not in columns:
            say(f"cursor key {zone.cursor_key!r} is not among its fields")
        elif columns[zone.cursor_key].kind not in TIME_KINDS:
            say(f"cursor {zone.cursor_key!r} is a {columns[zone.cursor_key].kind}, not a date-time")
    elif zone.cursor:
        say(f"declares cursor {zone.cursor!r} but reads '{reading.value}'")
    if reading is Reading.WINDOW:
        if not zone.window:
            say("reads on a date but declares no window field")
        elif zone.window not in zone.where:
            say(f"window field {zone.window!r} is not one of its where fields")
        elif zone.where_kind(zone.window) not in ("date",) + TIME_KINDS:
            say(f"window field {zone.window!r} is not a date")
    elif zone.window or zone.future:
        say(f"declares a window but reads '{reading.value}'")
    if zone.deleted and zone.deleted not in columns:
        say(f"deletion time {zone.deleted!r} is not among its fields")
    if reading.uses_feed:
        if zone.name not in FEED_ZONES:
            say("reads the change feed, which does not list this zone")
        if not zone.id_where:
            say("reads the change feed but has no id where field to fetch changed records by")
    elif zone.name in FEED_ZONES:
        say("is in the change feed but does not read it")
    if zone.default_filter is not None and not zone.id_where and not zone.change_feed:
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
        problems += zone.seed.check(columns)
    if not zone.doc:
        say("has no description")
    return problems


def check_child(child: Child, names: set) -> list:
    problems = []
    try:
        item = child.item
    except DeclarationError as error:
        return [str(error)]
    if child.join not in child.parent.joins and JOIN_FIELDS.get(child.join) != child.array:
        problems.append(f"join {child.join!r} does not bring {child.array!r}")
    if not child.custom_fields and child.item_key not in {f.name for f in item.children}:
        problems.append(f"item key {child.item_key!r} is not a field of {child.parent.name}.{child.array}")
    if child.name in names:
        problems.append("has the name of a zone")
    if not child.doc:
        problems.append("has no description")
    return problems


def check_zones(zones: Tuple[Zone, ...], children: Tuple[Child, ...] = ()) -> None:
    """Raise `DeclarationError` listing every inconsistent declaration."""
    problems = []
    names = [z.name for z in zones] + [c.name for c in children]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name}: declared {names.count(name)} times")
    for zone in zones:
        problems += [f"{zone.name}: {p}" for p in check_zone(zone)]
    zone_names = {z.name for z in zones}
    for child in children:
        problems += [f"{child.name}: {p}" for p in check_child(child, zone_names)]
    if problems:
        raise DeclarationError("inconsistent zone declarations: " + "; ".join(problems))
