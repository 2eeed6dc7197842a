"""API records -> rows of the normalized tables (contract §3).

A mapper is built once per stream (`build_mapper(dialect, table)`) and is a plain function over
one record: flatten nested objects with `_`, rename source fields to seed columns, type the
values (UTC timestamps, dates, numbers, booleans), keep every other field under its flattened
name and fill missing seed columns with null. No regex and no copying beyond the output dict,
because it runs for every record.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional

from .schemas import SEED_COLUMNS

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


def _status_from_archived(flat: dict) -> str:
    return "archived" if to_bool(flat.pop("archived", None)) is True else "active"


def _joined(*fields: str, separator: str) -> Callable[[dict], Optional[str]]:
    def join(flat: dict) -> Optional[str]:
        parts = [str(flat.pop(f)).strip() for f in fields if flat.get(f) not in (None, "")]
        for f in fields:
            flat.pop(f, None)
        parts = [p for p in parts if p]
        return separator.join(parts) or None
    return join


def _first_of(*fields: str) -> Callable[[dict], Any]:
    def first(flat: dict) -> Any:
        found = None
        for f in fields:
            value = flat.pop(f, None)
            if found is None and value not in (None, ""):
                found = value
        return found
    return first


def _invoice_id(flat: dict) -> Any:
    kind = flat.get("linkedto_linkedtotype")
    if isinstance(kind, str) and kind.strip().lower() == "invoice":
        return flat.pop("linkedto_linkedtoid", None)
    return None  # linked to something else: its id stays as linkedto_linkedtoid, not lost


# Zone field -> seed column, per table (contract §3). A string is a plain rename; a function
# computes the column from the flattened record and pops the fields it consumed.
ZONE_COLUMNS: Mapping[str, Mapping[str, Any]] = {
    "users": {
        "id": "userid", "first_name": "givennames", "last_name": "surname", "email": "email",
        "phone": "phone", "role": _first_of("userposition_positionname", "position"),
        "department": "org_orgname", "status": _status_from_archived, "access_level": "accesstype",
        "created_at": "createddatetimeutc", "updated_at": "lastupdateddatetimeutc",
    },
    "suppliers": {
        "id": "supplierid", "name": "suppliername",
        "contact_person": _joined("firstname", "surname", separator=" "),
        "email": "email", "phone": "phone",
        "address": _joined("address_addressline1", "address_addressline2", separator=", "),
        "city": "address_suburb", "state": "address_state", "country": "address_country",
        "postal_code": "address_postcode",
        "payment_terms": _first_of("transactionterms_transactionterm", "terms"),
        "tax_id": "abn", "account_code": "link_externalid", "status": _status_from_archived,
        "created_at": "datetimeinserted",
    },
    "payments": {
        "id": "paymentid", "amount": "amount", "payment_date": "datepaid",
        "payment_method": "paymentmethodname", "reference_number": "reference",
        # Computed after invoice_id, which needs linkedto_linkedtotype still in the record.
        "invoice_id": _invoice_id, "transaction_type": _first_of("linkedto_linkedtotype"), "notes": "notes",
    },
}


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


def build_mapper(dialect: str, table: str, extra_schema: Optional[Mapping[str, dict]] = None) -> Mapper:
    """Return the function that maps one API record of `table` to a row, for `dialect`."""
    columns = SEED_COLUMNS[table]
    template = dict.fromkeys(columns)
    converters = {name: _converter_for(schema) for name, schema in columns.items()}
    extra_converters = {name: _converter_for(schema) for name, schema in (extra_schema or {}).items()}

    if dialect == "bearer":
        return _rest_mapper(template, converters)

    renames = []
    computed = []
    for column, source in ZONE_COLUMNS[table].items():
        if isinstance(source, str):
            renames.append((column, source, converters[column]))
        else:
            computed.append((column, source, converters[column]))
    typed_extras = [(name, conv) for name, conv in extra_converters.items() if conv is not _text]

    def map_zone(record: Mapping[str, Any]) -> Record:
        flat = flatten(record, {})
        row = template.copy()
        for column, source, convert in renames:
            value = flat.pop(source, None)
            if value is not None:
                row[column] = convert(value)
        for column, compute, convert in computed:
            value = compute(flat)
            if value is not None:
                row[column] = convert(value)
        for name, convert in typed_extras:
            value = flat.get(name)
            if value is not None:
                flat[name] = convert(value)
        row.update(flat)
        return row

    return map_zone

