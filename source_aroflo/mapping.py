"""API records -> rows (the seed README's columns for its three tables, the declarations for everything else).

A mapper is built once per stream and sync and is a plain function over one record: flatten the
declared objects with `_`, type every declared field (`values.py`; AroFlo's blanks become null),
keep arrays as arrays of typed objects, keep a field that is not declared under its own name —
an undeclared object stays one object column rather than becoming undeclared `a_b` columns —
and fill every declared column the record lacks with null. The seed tables' column rules are
applied from their declarations (a child stream's rows are cut from these rows: `child_rows.py`).
No regex and no copying beyond the output dict: it runs for every record.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional
from zoneinfo import ZoneInfo

from .declaration import ARRAY, DELETED_AT, OBJECT, READ_AT, REST, UPDATED_AT, Zone
from .seeds import ArchivedStatus, FirstOf, Joined, LinkedId, Rename
from .values import converter_for, kind_converters, to_bool

Record = dict
Mapper = Callable[[Mapping[str, Any]], Record]
_BLANK = ("", " ")
DEFAULT_SITE_TZ = ZoneInfo("Australia/Melbourne")


def _plan(fields: tuple, converters: dict) -> dict:
    """key -> a converter, or (OBJECT | ARRAY, the plan of its fields)."""
    plan: dict = {}
    for f in fields:
        if f.kind in (OBJECT, ARRAY):
            plan[f.name] = (f.kind, _plan(f.children, converters))
        else:
            plan[f.name] = converters[f.kind]
    return plan


def _nested(value: Any, plan: dict) -> Any:
    """An array item (or an object inside one): typed as declared, objects kept as objects."""
    if type(value) is not dict:
        return value
    out = {}
    for key, item in value.items():
        how = plan.get(key)
        if how is None:
            out[key] = item
        elif type(how) is tuple:
            out[key] = _array(item, how[1]) if how[0] == ARRAY else _nested(item, how[1])
        else:
            out[key] = how(item) if item is not None else None
    return out


def _array(value: Any, plan: dict) -> Any:
    if type(value) is list:
        return [_nested(item, plan) for item in value]
    if type(value) is dict:  # a one-item list that arrived as the item itself
        return [_nested(value, plan)]
    if value is None or value in _BLANK:
        return None
    return value  # not a list: kept as sent rather than lost


def _lay(record: Mapping[str, Any], plan: dict, out: dict, prefix: str) -> None:
    """Flatten `record` into `out` (declared objects -> `parent_child`), typing every declared field."""
    for key, value in record.items():
        how = plan.get(key)
        if how is None:
            out[prefix + key] = value  # undeclared: kept as sent, an object as one column
        elif type(how) is tuple:
            if how[0] == ARRAY:
                out[prefix + key] = _array(value, how[1])
            elif type(value) is dict:
                _lay(value, how[1], out, f"{prefix}{key}_")
            elif value is not None and value not in _BLANK:
                out[prefix + key] = value  # an object sent as something else: kept as sent
        else:
            out[prefix + key] = how(value) if value is not None else None


def _compile_rule(rule: Any) -> Callable[[dict], Any]:
    if isinstance(rule, Rename):
        source = rule.source
        return lambda row: row.pop(source, None)
    if isinstance(rule, FirstOf):
        sources = rule.sources

        def first(row: dict) -> Any:
            found = None
            for name in sources:
                value = row.pop(name, None)
                if found is None and value is not None and value != "":
                    found = value
            return found
        return first
    if isinstance(rule, Joined):
        sources, separator = rule.sources, rule.separator

        def join(row: dict) -> Any:
            parts = []
            for name in sources:
                value = row.pop(name, None)
                if value is not None and str(value).strip():
                    parts.append(str(value).strip())
            return separator.join(parts) or None
        return join
    if isinstance(rule, ArchivedStatus):
        source = rule.source
        return lambda row: "archived" if to_bool(row.pop(source, None)) is True else "active"
    if isinstance(rule, LinkedId):
        id_field, type_field, types = rule.id_field, rule.type_field, rule.types

        def linked(row: dict) -> Any:
            kind = row.get(type_field)
            return row.get(id_field) if isinstance(kind, str) and kind.strip().lower() in types else None
        return linked
    raise TypeError(f"unknown column rule {rule!r}")


def build_zone_mapper(zone: Zone, columns: Mapping[str, dict], site_tz: Any = DEFAULT_SITE_TZ,
                      read_at: Optional[str] = None) -> Mapper:
    """The function that maps one record of `zone` (zone dialect) to a row with `columns`.

    `read_at`: the sync's start, the cursor of zones without an update time."""
    plan = _plan(zone.fields, kind_converters(site_tz))
    template = dict.fromkeys(columns)
    rules = []
    if zone.seed is not None:
        seed_converters = {name: converter_for(schema) for name, schema in zone.seed.columns.items()}
        # Rules that only look come before the ones that take their fields out of the row.
        ordered = sorted(zone.seed.zone_rules.items(), key=lambda item: bool(item[1].consumes))
        rules = [(column, _compile_rule(rule), seed_converters[column]) for column, rule in ordered]
    own_time = zone.cursor_key if (zone.reading.seeks and zone.seed is None) else None
    stamp = read_at if zone.cursor_column == READ_AT else None
    deleted = zone.deleted

    def map_zone(record: Mapping[str, Any]) -> Record:
        row = template.copy()
        _lay(record, plan, row, "")
        for column, compute, convert in rules:
            value = compute(row)
            row[column] = convert(value) if value is not None else None
        if own_time is not None:
            row[UPDATED_AT] = row.get(own_time)
        elif stamp is not None:
            row[READ_AT] = stamp
        if deleted is not None and row.get(deleted) is not None:
            row[DELETED_AT] = row[deleted]
        return row

    return map_zone


def build_rest_mapper(columns: Mapping[str, dict], objects: tuple = ()) -> Mapper:
    """The seed's REST records: already in the seed's columns. A key that holds an object
    (`objects`) gives its declared parts their columns (`address_city`); what is left of it stays
    one object column (`address`), dropped when nothing is left. Every column is typed."""
    template = dict.fromkeys(columns)
    typed = [(name, converter_for(schema)) for name, schema in columns.items() if name not in objects]
    spreads = [(key, [(column[len(key) + 1:], column) for column in columns if column.startswith(key + "_")])
               for key in objects]

    def map_rest(record: Mapping[str, Any]) -> Record:
        row = template.copy()
        row.update(record)
        for key, parts in spreads:
            value = row.get(key)
            if type(value) is dict:
                rest = dict(value)
                for part, column in parts:
                    if part in rest:
                        row[column] = rest.pop(part)
                if rest:
                    row[key] = rest
                else:
                    del row[key]
            elif value is None and key in row:
                del row[key]
        for name, convert in typed:
            value = row.get(name)
            if value is not None:
                row[name] = convert(value)
        return row

    return map_rest


def build_mapper(dialect: str, declaration: Any, site_tz: Any = None, read_at: Optional[str] = None) -> Mapper:
    """The mapper of one zone stream: `declaration` a `Zone` or a zone name, `dialect` hmac or bearer."""
    from .schemas import columns
    from .zones import ZONES_BY_NAME

    zone = ZONES_BY_NAME[declaration] if isinstance(declaration, str) else declaration
    if dialect == REST:
        return build_rest_mapper(columns(zone, dialect), zone.seed.rest_objects)
    return build_zone_mapper(zone, columns(zone, dialect), site_tz or DEFAULT_SITE_TZ, read_at)
