"""Zone-API query engine: `where` / `order` / paging over the dataset (contract §1).

Filters run on compact dataset arrays for date fields so 100k-record zones stay
fast; the selected key list is cached per (query without paging, dataset
version) so paging through a large result costs one filter + one page render.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from source_aroflo.zones import ZONES_BY_NAME

from .dataset import FEED_TABLES, GENERIC_ZONES, Dataset, zone_dt

_DAY = 86400
MAX_PAGE_SIZE = 500
DEFAULT_WINDOW_DAYS = 30

# Filterable/orderable fields per zone and their kinds.
FIELDS = {
    "users": {"userid": "id", "givennames": "str", "surname": "str", "position": "str",
              "createdutc": "date", "createddatetimeutc": "datetime",
              "lastupdatedutc": "date", "lastupdateddatetimeutc": "datetime", "archived": "bool"},
    "suppliers": {"supplierid": "id", "suppliername": "str", "postable": "bool",
                  "archived": "bool", "datecreated": "date", "dateinserted": "date",
                  "datetimeinserted": "datetime"},
    "payments": {"paymentid": "id", "datepaid": "date"},
    "lastupdate": {"zonename": "str", "zoneid": "id", "lastupdateutc": "datetime"},
}
_KINDS = {"id": "id", "text": "str", "bool": "bool", "int": "str", "num": "str",
          "date": "date", "utc": "datetime", "local": "datetime"}
for _zone in GENERIC_ZONES:  # every other zone: its documented where fields, from its declaration
    FIELDS[_zone.name] = {name: _KINDS.get(_zone.where_kind(name), "str") for name in _zone.where}
    if _zone.id_where is None:
        FIELDS[_zone.name][_zone.id] = "id"  # not documented, but harmless to accept
# The field the implicit "last 30 days" filter applies to when no `where` is sent; a zone
# without one in its declaration has no default filter.
DEFAULT_WINDOW_FIELD = {"users": "lastupdateddatetimeutc", "suppliers": "datetimeinserted",
                        "payments": "datepaid"}
DEFAULT_WINDOW_FIELD.update({z.name: "*" for z in GENERIC_ZONES if z.default_filter})
# The list key of each zone's answer (§5.5: not always the zone name).
LIST_KEYS = {name: zone.list_key for name, zone in ZONES_BY_NAME.items()}
OPS = ("=", "!=", "<", ">", "IN", "NOT IN")
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M", "%Y-%m-%d")


class ZoneError(Exception):
    """A query AroFlo would refuse; answered as HTTP 200 with a non-zero body status."""

    def __init__(self, message: str, status: str = "5"):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class ZoneQuery:
    zone: str
    wheres: tuple  # ((conj, field, op, values_tuple), ...)
    orders: tuple  # ((field, descending), ...)
    page: int
    page_size: int
    page_size_asked: int


def _int_param(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        v = int(raw)
    except ValueError:
        raise ZoneError(f"Invalid {name}: {raw!r} is not an integer") from None
    if v < 1:
        raise ZoneError(f"Invalid {name}: must be 1 or more")
    return v


def parse_zone_query(params: list[tuple[str, str]]) -> ZoneQuery:
    """Turn decoded (name, value) pairs into a ZoneQuery; ZoneError when malformed."""
    zone = None
    wheres, orders = [], []
    page_raw = size_raw = None
    for name, value in params:
        key = name.lower()
        if key == "zone":
            zone = value.strip().lower()
        elif key == "where":
            parts = value.split("|", 3)
            if len(parts) != 4:
                raise ZoneError(f"Invalid where {value!r}: expected and|field|operator|value")
            conj, field, op, val = parts[0].strip().lower(), parts[1].strip().lower(), \
                parts[2].strip().upper(), parts[3]
            if conj not in ("and", "or"):
                raise ZoneError(f"Invalid where {value!r}: must start with 'and' or 'or'")
            if op not in OPS:
                raise ZoneError(f"Invalid where {value!r}: operator must be one of {OPS}")
            vals = tuple(val.split("*")) if op in ("IN", "NOT IN") else (val,)
            wheres.append((conj, field, op, vals))
        elif key == "order":
            parts = value.split("|")
            direction = parts[1].strip().lower() if len(parts) > 1 else "asc"
            if direction not in ("asc", "desc") or len(parts) > 2:
                raise ZoneError(f"Invalid order {value!r}: expected field|asc or field|desc")
            orders.append((parts[0].strip().lower(), direction == "desc"))
        elif key == "page":
            page_raw = value
        elif key == "pagesize":
            size_raw = value
    if not zone:
        raise ZoneError("No zone specified")
    if zone not in FIELDS:
        raise ZoneError(f"Invalid zone {zone!r}")
    allowed = FIELDS[zone]
    for _, field, _, _ in wheres:
        if field not in allowed:
            raise ZoneError(f"Invalid where field {field!r} for zone {zone}; "
                            f"filterable: {', '.join(allowed)}")
    for field, _ in orders:
        if field not in allowed:
            raise ZoneError(f"Invalid order field {field!r} for zone {zone}")
    size = _int_param("pageSize", size_raw, MAX_PAGE_SIZE)
    return ZoneQuery(zone, tuple(wheres), tuple(orders), _int_param("page", page_raw, 1),
                     min(size, MAX_PAGE_SIZE), size)


def parse_where_datetime(value: str) -> float:
    """Where dates use '-' (`2023-05-23 23:28:15`, `2023-12-01`); '/' is tolerated."""
    v = value.strip().replace("/", "-")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    raise ZoneError(f"Invalid date value {value!r}: use YYYY-MM-DD or YYYY-MM-DD HH:mm:ss")


class ZoneEngine:
    """Selects, orders and pages zone records; thread-safe, cached by dataset version."""

    def __init__(self, dataset: Dataset, window_days: int = DEFAULT_WINDOW_DAYS):
        self.ds = dataset
        self.window_days = window_days
        self._cache: dict = {}
        self._lock = threading.Lock()

    # -- keys ----------------------------------------------------------------
    def _all_keys(self, zone: str) -> list:
        if zone == "lastupdate":
            # One entry per record of every feed zone, at its last change (deleted ones too).
            return [(t, i) for t in FEED_TABLES for i in range(self.ds.count(t))]
        gone = self.ds.deleted(zone)
        return [i for i in range(self.ds.count(zone)) if i not in gone]

    def render(self, zone: str, key) -> dict:
        if zone == "lastupdate":
            t, i = key
            return {"zoneid": self.ds.zone_id(t, i), "zonename": t,
                    "zoneidreference": ZONES_BY_NAME[t].id_where,
                    "lastupdateutc": zone_dt(self.ds.updated_ts(t, i))}
        return self.ds.zone_record(zone, key)

    def _getter(self, zone: str, field: str):
        kind = FIELDS[zone][field]
        ds = self.ds
        if zone == "lastupdate":
            if field == "zonename":
                return lambda k: k[0]
            if field == "zoneid":
                return lambda k: ds.zone_id(k[0], k[1])
            return lambda k: ds.updated_ts(k[0], k[1])
        generic = ds.generic.get(zone)
        if generic is not None:
            return lambda i: generic.where_value(field, i)
        if kind == "id":
            return lambda i: ds.zone_id(zone, i)
        if kind in ("date", "datetime"):
            if zone == "users" and field == "lastupdateddatetimeutc":
                upd, blank = ds.updated["users"], ds.blank["users"]
                return lambda i: None if i in blank else upd[i]
            return lambda i: ds.zone_date_value(zone, i, field)
        return lambda i: str(ds.zone_record(zone, i).get(field) or "").casefold()

    def _predicate(self, zone: str, field: str, op: str, values: tuple):
        kind = FIELDS[zone][field]
        get = self._getter(zone, field)
        if kind in ("date", "datetime"):
            vals = [parse_where_datetime(v) for v in values]
        elif kind == "bool":
            norm = {"1": "true", "0": "false"}
            vals = [norm.get(v.strip().lower(), v.strip().lower()) for v in values]
        elif kind == "str":
            vals = [v.casefold() for v in values]
        else:
            vals = list(values)
        # Date fields hold midnight values, so a datetime operand compares as in SQL. A blank
        # value is NULL to AroFlo's SQL: no comparison matches it (`!=` and `NOT IN` neither).
        v0 = vals[0]
        if op == "=":
            return lambda k: (v := get(k)) is not None and v == v0
        if op == "!=":
            return lambda k: (v := get(k)) is not None and v != v0
        if op == "<":
            return lambda k: (v := get(k)) is not None and v < v0
        if op == ">":
            return lambda k: (v := get(k)) is not None and v > v0
        s = set(vals)
        if op == "IN":
            return lambda k: get(k) in s
        return lambda k: (v := get(k)) is not None and v not in s

    # -- selection -----------------------------------------------------------
    def select(self, q: ZoneQuery) -> list:
        """All keys matching the query, ordered (without paging)."""
        ds = self.ds
        window = not q.wheres
        cache_key = (q.zone, q.wheres, q.orders, ds.version, ds.now_ts if window else None)
        with self._lock:
            hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        with ds.lock:
            keys = self._all_keys(q.zone)
            if window and q.zone in DEFAULT_WINDOW_FIELD:
                field = DEFAULT_WINDOW_FIELD[q.zone]
                since = ds.now_ts - self.window_days * _DAY
                if field == "*":
                    get = ds.generic[q.zone].default_window_value
                else:
                    if FIELDS[q.zone][field] == "date":
                        since -= since % _DAY
                    get = self._getter(q.zone, field)
                keys = [k for k in keys if (v := get(k)) is not None and v >= since]
            elif window:
                pass  # no default filter documented for this zone: every record
            else:
                pred = None
                for conj, field, op, values in q.wheres:
                    p = self._predicate(q.zone, field, op, values)
                    if pred is None:
                        pred = p
                    elif conj == "and":
                        pred = (lambda a, b: lambda k: a(k) and b(k))(pred, p)
                    else:
                        pred = (lambda a, b: lambda k: a(k) or b(k))(pred, p)
                keys = [k for k in keys if pred(k)]
            for field, desc in reversed(q.orders):
                get = self._getter(q.zone, field)
                # Blank (NULL) values sort first, as in AroFlo's SQL.
                keys.sort(key=lambda k: (0, 0) if (v := get(k)) is None else (1, v), reverse=desc)
        with self._lock:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[cache_key] = keys
        return keys

    def page_keys(self, q: ZoneQuery, page: int | None = None) -> list:
        p = page or q.page
        start = (p - 1) * q.page_size
        return self.select(q)[start:start + q.page_size]

    def page(self, q: ZoneQuery, page: int | None = None) -> list[dict]:
        with self.ds.lock:
            return [self.render(q.zone, k) for k in self.page_keys(q, page)]
