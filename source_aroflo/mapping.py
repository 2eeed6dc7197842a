"""API records -> rows (contract §3 for the seed tables, the zone declarations for the rest).

A mapper is built once per stream and is a plain function over one record: flatten nested
objects with `_`, type every declared field (UTC timestamps, site-local times converted to UTC,
dates, numbers, booleans, ids; blank `" "` and `""` values of those become null), keep arrays
as arrays of typed objects, keep every field that is not declared under its flattened name, and
fill every declared column the record lacks with null. The seed tables' column rules
(renames, "archived" -> status, ...) are applied from their declarations. No regex and no
copying beyond the output dict, because it runs for every record.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional

from .declaration import ARRAY, OBJECT, UPDATED_AT, ArchivedStatus, FirstOf, Joined, LinkedId, Rename, Zone

Record = dict
Mapper = Callable[[Mapping[str, Any]], Record]
_UTC = timezone.utc


def flatten(record: Mapping[str, Any], out: dict, prefix: str = "") -> dict:
    """{"address": {"suburb": "X"}} -> {"address_suburb": "X"}; lists are kept as they are."""
    for key, value in record.items():
        if type(value) is dict:
            flatten(value, out, f"{prefix}{key}_")
        else:
            out[prefix + key] = value
    return out


def to_utc(value: str) -> Optional[str]:
    """Any ISO-8601 date-time (any offset, or none = UTC) -> `YYYY-MM-DDTHH:MM:SSZ`.

    Fast paths, by table look-ups and integer arithmetic, for the shapes the APIs send: already
    canonical; `YYYY-MM-DDTHH:MM:SS[.fff]±HH:MM` (any offset, crossing midnight through a
    remembered calendar of the days seen); AroFlo's `2023/05/23 23:28:15` (UTC). Everything
    else, and anything that does not check out on the way, goes through `datetime`.
    """
    n = len(value)
    if n == 20 and value[19] == "Z" and value[10] == "T":
        return value
    if (n == 25 or (n == 29 and value[19] == ".")) and value[n - 3] == ":" and value[10] == "T" \
            and value[13] == ":" and value[16] == ":":
        sign = value[n - 6]
        try:  # each part a two-digit number in its range, or a KeyError
            _MINUTES[value[17:19]]  # the seconds are checked too
            minutes = _HOURS[value[11:13]] + _MINUTES[value[14:16]]
            offset = _HOURS[value[n - 5:n - 3]] + _MINUTES[value[n - 2:]]
        except KeyError:
            return _to_utc_parsed(value)
        if sign == "+":
            minutes -= offset
        elif sign == "-":
            minutes += offset
        else:
            return _to_utc_parsed(value)
        day = value[:10]
        around = _DAYS.get(day)
        if around is None:
            around = _days_around(day)
            if around is None:
                return _to_utc_parsed(value)
        if minutes < 0:
            day, minutes = around[0], minutes + 1440
        elif minutes >= 1440:
            day, minutes = around[1], minutes - 1440
        end = 19 if (n == 25 or value[20:23] == "000") else 23
        return day + _CLOCK[minutes] + value[16:end] + "Z"
    if n == 19 and value[4] == "/" and value[7] == "/" and value[13] == ":":
        return f"{value[:4]}-{value[5:7]}-{value[8:10]}T{value[11:19]}Z"
    return _to_utc_parsed(value)


_HOURS = {f"{h:02d}": h * 60 for h in range(24)}  # "HH" -> minutes
_MINUTES = {f"{m:02d}": m for m in range(60)}  # "MM" (or "SS") -> its value
_CLOCK = [f"T{m // 60:02d}:{m % 60:02d}" for m in range(1440)]  # minutes of the day -> "THH:MM"
_DAYS: dict = {}  # "YYYY-MM-DD" -> (the day before, the day after); only real calendar days
_DAYS_KEPT = 4096  # bounded: memory stays flat however many records pass


def _days_around(day: str) -> Optional[tuple]:
    try:
        moment = date.fromisoformat(day)
        around = ((moment - _ONE_DAY).isoformat(), (moment + _ONE_DAY).isoformat())
    except (ValueError, OverflowError):
        return None
    if len(day) != 10 or day[4] != "-" or day[7] != "-" or moment.year < 1000:
        return None
    if len(_DAYS) >= _DAYS_KEPT:
        _DAYS.clear()
    _DAYS[day] = around
    return around


_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def _to_utc_parsed(value: str) -> Optional[str]:
    """Any ISO-8601 date-time (any offset, or none = UTC) -> `YYYY-MM-DDTHH:MM:SSZ`.

    Sub-second precision is kept as milliseconds. Cached: equal timestamps are common.
    """
    text = value.strip()
    if not text:
        return None
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":
        return text  # already canonical: the common case
    try:
        parsed = datetime.fromisoformat(text.replace("/", "-") if "/" in text else text)
    except ValueError:
        return value  # not a timestamp we understand: keep what the API sent rather than lose it
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    elif parsed.utcoffset():
        parsed = parsed.astimezone(_UTC)
    if parsed.year < 1000:  # isoformat() pads the year, strftime does not: keep the old text
        parsed = parsed.astimezone(_UTC)
        if parsed.microsecond:
            return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    # isoformat() is several times cheaper than strftime(); its first 19 (or 23) characters are
    # `YYYY-MM-DDTHH:MM:SS(.mmm)` once the value is in UTC.
    text = parsed.isoformat()
    return (text[:23] if parsed.microsecond else text[:19]) + "Z"


@lru_cache(maxsize=8192)
def to_date(value: str) -> Optional[str]:
    """`2023/12/18`, `2023-12-18` or a date-time -> `2023-12-18` (a date-time is taken in UTC)."""
    text = value.strip()
    if not text:
        return None
    if len(text) == 10:
        return text.replace("/", "-")
    utc = to_utc(text)
    return utc[:10] if utc else None


def to_number(value: Any) -> Any:
    if value is None or type(value) in (int, float):
        return value
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text) if ("." in text or "e" in text.lower()) else int(text)
    except ValueError:
        return value  # keep the raw value: a typed destination column will say more than we can


def to_bool(value: Any) -> Any:
    if value is None or type(value) is bool:
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    return None if text == "" else value


def _text(value: Any) -> Any:
    return value if value is None or type(value) is str else str(value)


def _utc(value: Any) -> Any:
    return to_utc(value) if type(value) is str else value


def _date(value: Any) -> Any:
    return to_date(value) if type(value) is str else value


_CONVERTERS = {"string": _text, "date-time": _utc, "date": _date, "number": to_number, "boolean": to_bool}


def _converter_for(schema: Mapping[str, Any]) -> Callable[[Any], Any]:
    if schema.get("format") in ("date-time", "date"):
        return _CONVERTERS[schema["format"]]
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    for name in ("number", "boolean", "string"):
        if name in types:
            return _CONVERTERS[name]
    return lambda value: value


_NESTED_KEPT = 64  # keys remembered per stream as holding objects (an API has a handful)


def _rest_mapper(template: Mapping[str, Any], converters: Mapping[str, Callable[[Any], Any]]) -> Mapper:
    """The seed's REST fields already carry the column names: flatten, then type what we know.

    Built for the per-record cost: the record is laid over the seed columns in one C-level
    update, the keys known to hold objects are spread into prefixed columns, and one C-level
    scan catches an object under a key not seen before (which is then remembered).
    """
    timestamps = [name for name, conv in converters.items() if conv is _utc]
    typed = [(name, conv) for name, conv in converters.items() if conv is not _text and conv is not _utc]
    nested: list = []  # keys seen holding an object, in the order first seen

    def spread(row: dict, key: str) -> None:
        value = row.pop(key)
        if key in template:
            row[key] = None  # a seed column sent as an object: its parts get their own columns
        flatten(value, row, key + "_")

    def map_rest(record: Mapping[str, Any]) -> Record:
        row = template.copy()
        row.update(record)
        for key in nested:
            if type(row.get(key)) is dict:
                spread(row, key)
        if dict in map(type, row.values()):
            for key in [key for key, value in row.items() if type(value) is dict]:
                if len(nested) < _NESTED_KEPT:
                    nested.append(key)
                spread(row, key)
        for name in timestamps:
            value = row[name]
            if type(value) is str:
                row[name] = to_utc(value)
        for name, convert in typed:
            value = row[name]
            if value is not None:
                row[name] = convert(value)
        ident = row["id"]
        if ident is not None and type(ident) is not str:
            row["id"] = str(ident)
        return row

    return map_rest


# ---- site-local times (§5.3) ----------------------------------------------------------------
@lru_cache(maxsize=4096)
def local_to_utc(value: str, tz: tzinfo) -> Optional[str]:
    """A site-local date-time (`2023/05/23 08:28:15`, `2018-10-16 13:30:19.58`) -> UTC `...Z`.

    A time that does not exist locally (the hour skipped when daylight saving starts) is read
    with the offset in force before the change (02:30 -> as 03:30 daylight time); a time that
    happens twice (the hour repeated when it ends) is read as its first occurrence (fold=0).
    A value that carries its own offset keeps it; anything unreadable is kept as sent.
    """
    text = value.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    if parsed.year < 1000:
        return value
    text = parsed.astimezone(_UTC).isoformat()
    return (text[:23] if parsed.microsecond else text[:19]) + "Z"


def to_int(value: Any) -> Any:
    if value is None or type(value) is int:
        return value
    number = to_number(value)
    if type(number) is float and number.is_integer():
        return int(number)
    return number


def _identity(value: Any) -> Any:
    return value


def _ident(value: Any) -> Any:
    if type(value) is str:
        return None if not value.strip() else value
    return value if value is None else str(value)


def _kind_converters(site_tz: tzinfo) -> dict:
    def local(value: Any) -> Any:
        return local_to_utc(value, site_tz) if type(value) is str else value

    return {"id": _ident, "text": _text, "int": to_int, "num": to_number, "bool": to_bool,
            "date": _date, "utc": _utc, "local": local}


# ---- the zone dialect: one mapper per zone declaration --------------------------------------
_BLANK = ("", " ")


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
    """Flatten `record` into `out` (objects -> `parent_child`), typing every declared field."""
    for key, value in record.items():
        how = plan.get(key)
        if how is None:
            if type(value) is dict:
                flatten(value, out, f"{prefix}{key}_")
            else:
                out[prefix + key] = value
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


def build_zone_mapper(zone: Zone, columns: Mapping[str, dict], site_tz: tzinfo) -> Mapper:
    """The function that maps one record of `zone` (zone dialect) to a row with `columns`."""
    converters = _kind_converters(site_tz)
    plan = _plan(zone.fields, converters)
    template = dict.fromkeys(columns)
    rules = []
    if zone.seed is not None:
        seed_converters = {name: _converter_for(schema) for name, schema in zone.seed.columns.items()}
        # Rules that only look come before the ones that take their fields out of the row.
        ordered = sorted(zone.seed.zone_rules.items(), key=lambda item: bool(item[1].consumes))
        rules = [(column, _compile_rule(rule), seed_converters[column]) for column, rule in ordered]
    copy_cursor = zone.cursor_key if (zone.cursor_column == UPDATED_AT and zone.seed is None) else None

    def map_zone(record: Mapping[str, Any]) -> Record:
        row = template.copy()
        _lay(record, plan, row, "")
        for column, compute, convert in rules:
            value = compute(row)
            row[column] = convert(value) if value is not None else None
        if copy_cursor is not None:
            row[UPDATED_AT] = row.get(copy_cursor)
        return row

    return map_zone


def build_rest_mapper(columns: Mapping[str, dict], objects: tuple = ()) -> Mapper:
    """The seed's REST records: already in the seed's columns, flattened and typed. `objects`:
    keys that hold objects (their parts become columns); sent as null, such a key is dropped, so
    every column a row has is declared (its parts are simply absent)."""
    template = dict.fromkeys(columns)
    converters = {name: _converter_for(schema) for name, schema in columns.items()}
    mapper = _rest_mapper(template, converters)
    objects = tuple(key for key in objects if key not in template)
    if not objects:
        return mapper

    def map_rest_dropping_null_objects(record: Mapping[str, Any]) -> Record:
        row = mapper(record)
        for key in objects:
            if key in row and row[key] is None:
                del row[key]
        return row

    return map_rest_dropping_null_objects


def build_mapper(dialect: str, zone: Any, site_tz: Optional[tzinfo] = None) -> Mapper:
    """The mapper of one stream: `zone` a declaration or a zone name, `dialect` hmac or bearer."""
    from .schemas import json_schema
    from .zones import ZONES_BY_NAME

    if isinstance(zone, str):
        zone = ZONES_BY_NAME[zone]
    if dialect == "bearer":
        return build_rest_mapper(zone.seed.columns, zone.seed.rest_objects)
    tz = site_tz or _DEFAULT_SITE_TZ
    return build_zone_mapper(zone, json_schema(zone, dialect)["properties"], tz)


_DEFAULT_SITE_TZ = __import__("zoneinfo").ZoneInfo("Australia/Melbourne")
