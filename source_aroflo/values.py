"""AroFlo's values -> typed values: UTC date-times, site-local times, dates, numbers, booleans, ids.

Every function keeps what it cannot read as it was sent (a typed destination column will say
more than we can) and turns AroFlo's blanks (`""`, `" "`) into null. They run for every field of
every record: table look-ups instead of parsing where the shape is known, caches where values repeat.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_UTC = timezone.utc


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
    """Text; a number or boolean sent for text becomes its text; an object or array is kept as sent."""
    if value is None or type(value) is str or type(value) in (dict, list):
        return value
    return str(value)


def _utc(value: Any) -> Any:
    return to_utc(value) if type(value) is str else value


def _date(value: Any) -> Any:
    return to_date(value) if type(value) is str else value


_CONVERTERS = {"string": _text, "date-time": _utc, "date": _date, "number": to_number, "boolean": to_bool}


def converter_for(schema: Mapping[str, Any]) -> Callable[[Any], Any]:
    if schema.get("format") in ("date-time", "date"):
        return _CONVERTERS[schema["format"]]
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    for name in ("number", "boolean", "string"):
        if name in types:
            return _CONVERTERS[name]
    return lambda value: value


# ---- time zones ------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def time_zones() -> tuple:
    return tuple(sorted(available_timezones()))


def is_time_zone(name: str) -> bool:
    if not name or name != name.strip() or name.startswith("/"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


# ---- site-local times ---------------------------------------------------------------------
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


def _ident(value: Any) -> Any:
    if type(value) is str:
        return None if not value.strip() else value
    return value if value is None else str(value)


def kind_converters(site_tz: tzinfo) -> dict:
    def local(value: Any) -> Any:
        return local_to_utc(value, site_tz) if type(value) is str else value

    return {"id": _ident, "text": _text, "int": to_int, "num": to_number, "bool": to_bool,
            "date": _date, "utc": _utc, "local": local}


