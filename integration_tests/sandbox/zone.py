"""Zone-API query engine: `where` / `order` / `join` / paging over the dataset (apidocs.aroflo.com).

What a zone accepts comes from AroFlo's docs (`docs.py`, the fixture): its WHERE fields (and
the ones its own example requests use) with their documented types, `and`/`or` clauses with
AroFlo's optional parentheses, operators `= != < > >= IN NOT IN` (`*`-joined values), ORDER
BY on the documented order fields and on where fields (several, asc/desc; blanks sort as SQL
NULLs: first ascending), joins, `page`/`pageSize` (at most 500), the documented default filter
(the last 30 days on the zone's default column) when no `where` is sent, and status "5" for an
undocumented zone, where field or order field. The selected keys are cached per query (without
paging) and dataset version, so paging through a large result costs one filter + one page.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Dict, Optional, Tuple

from . import docs
from .business.core import rid
from .business.views import EXTRA, FAST
from .dataset import FEED_ZONES, ZONE_NAMES, Dataset, Rec, template, zone_dt
from .shape import DATE_KINDS, UTC_DT, naive_seconds

_DAY = 86400
MAX_PAGE_SIZE = 500
DEFAULT_WINDOW_DAYS = 30
OPS = ("=", "!=", "<", ">", ">=", "IN", "NOT IN")
_DATE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})(?: (\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")

# The list key of each zone's answer (not always the zone name), from the docs.
LIST_KEYS = {name: docs.zone(name).list_key for name in docs.zone_names()}
LIST_KEYS.setdefault("lastupdate", "lastupdate")
# The lastupdate WHERE table spells three zone names in the singular (docs/api/lastupdate.md).
_FEED_ALIASES = {"tasklabour": "tasklabours", "taskmaterial": "taskmaterials", "taskexpense": "taskexpenses"}


def id_where_field(zone: str) -> Optional[str]:
    """The documented where field that names one record of `zone` (`and|<it>|=|<id>`; the
    feed's `zoneidreference`), None when AroFlo documents none."""
    if zone == "lastupdate":
        return "zoneid"
    if zone in docs.FEED_ID_REFERENCE:
        return docs.FEED_ID_REFERENCE[zone]
    if zone not in docs.load():
        return None
    facts = docs.zone(zone)
    record_id = docs.ID_FIELDS.get(zone)
    for name in facts.where:
        if record_id and facts.path_of(name) == record_id:
            return name
    return None


def record_id_field(zone: str) -> Optional[str]:
    """The record field that carries the id of a record of `zone`."""
    if zone == "lastupdate":
        return "zoneid"
    if zone == "inventorystocklevels":
        return "itemid"  # a stock level is an item held by a holder: no id of its own
    return docs.ID_FIELDS.get(zone)


def feed_tables(dataset: Dataset, feed_zones=None) -> tuple:
    """The zones whose changes the `lastupdate` feed lists: `feed_zones`, else the dataset's
    `feed_zones` (when it has one), else AroFlo's documented list."""
    wanted = feed_zones if feed_zones is not None else getattr(dataset, "feed_zones", None)
    wanted = {_FEED_ALIASES.get(z.strip().lower(), z.strip().lower()) for z in (FEED_ZONES if wanted is None else wanted)}
    return tuple(n for n in ZONE_NAMES if n in wanted)


class ZoneError(Exception):
    """A query AroFlo would refuse; answered as HTTP 200 with a non-zero body status."""

    def __init__(self, message: str, status: str = "5"):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class ZoneQuery:
    zone: str
    wheres: tuple  # ((conj, field, op, values_tuple, opens, closes), ...)
    orders: tuple  # ((field, descending), ...)
    page: int
    page_size: int
    page_size_asked: int
    joins: frozenset = frozenset()


def _int_param(name: str, raw: Optional[str], default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        v = int(raw)
    except ValueError:
        raise ZoneError(f"Invalid {name}: {raw!r} is not an integer") from None
    if v < 1:
        raise ZoneError(f"Invalid {name}: must be 1 or more")
    return v


def _fields_of(zone: str) -> Tuple[Dict[str, str], list]:
    if zone == "lastupdate":
        return {"zonename": "string", "lastupdateutc": "datetime"}, ["lastupdateutc"]
    facts = docs.zone(zone)
    return facts.filterable(), facts.orderable()


def _parse_where(value: str) -> tuple:
    parts = value.split("|")
    conj = parts[0].strip().lower()
    if conj not in ("and", "or"):
        raise ZoneError(f"Invalid where {value!r}: must start with 'and' or 'or'")
    rest = parts[1:]
    opens = closes = 0
    while rest and rest[0].strip() == "(":
        opens += 1
        rest = rest[1:]
    while rest and rest[-1].strip() == ")":
        closes += 1
        rest = rest[:-1]
    if len(rest) < 3:
        raise ZoneError(f"Invalid where {value!r}: expected and|field|operator|value")
    field, op, val = rest[0].strip().lower(), " ".join(rest[1].split()).upper(), "|".join(rest[2:])
    if op not in OPS:
        raise ZoneError(f"Invalid where {value!r}: operator must be one of {OPS}")
    vals = tuple(val.split("*")) if op in ("IN", "NOT IN") else (val,)
    return conj, field, op, vals, opens, closes


def parse_zone_query(params) -> ZoneQuery:
    """Turn decoded (name, value) pairs into a ZoneQuery; ZoneError when AroFlo would refuse."""
    zone = None
    wheres, orders, joins = [], [], set()
    page_raw = size_raw = None
    for name, value in params:
        key = name.lower()
        if key == "zone":
            zone = value.strip().lower()
        elif key == "where":
            wheres.append(_parse_where(value))
        elif key == "order":
            parts = value.split("|")
            direction = parts[1].strip().lower() if len(parts) > 1 else "asc"
            if direction not in ("asc", "desc") or len(parts) > 2:
                raise ZoneError(f"Invalid order {value!r}: expected field|asc or field|desc")
            orders.append((parts[0].strip().lower(), direction == "desc"))
        elif key == "join":
            joins.update(j.strip().lower() for j in value.split(",") if j.strip())
        elif key == "page":
            page_raw = value
        elif key == "pagesize":
            size_raw = value
    if not zone:
        raise ZoneError("No Zone Specified")
    if zone != "lastupdate" and zone not in docs.load():
        raise ZoneError(f"Invalid zone {zone!r}")
    where_fields, order_fields = _fields_of(zone)
    for _, field, _, _, _, _ in wheres:
        if field not in where_fields:
            raise ZoneError(f"Invalid where field {field!r} for zone {zone}; "
                            f"filterable: {', '.join(where_fields) or 'none'}")
    for field, _ in orders:
        if field not in order_fields:
            raise ZoneError(f"Invalid order field {field!r} for zone {zone}; "
                            f"orderable: {', '.join(order_fields) or 'none'}")
    depth = 0
    for _, _, _, _, opens, closes in wheres:
        depth += opens - closes
        if depth < 0:
            raise ZoneError("Invalid where: a ')' closes no '('")
    if depth:
        raise ZoneError("Invalid where: unbalanced parentheses")
    size = _int_param("pageSize", size_raw, MAX_PAGE_SIZE)
    return ZoneQuery(zone, tuple(wheres), tuple(orders), _int_param("page", page_raw, 1),
                     min(size, MAX_PAGE_SIZE), size, frozenset(joins))


def parse_where_datetime(value: str) -> float:
    """A where date (`2023-05-23 23:28:15`, `2023-12-01`; '/' accepted) as wall-clock seconds
    (read as UTC: compared with the field's own wall clock, UTC or site-local)."""
    m = _DATE.match(value.strip())
    if not m:
        raise ZoneError(f"Invalid date value {value!r}: use YYYY-MM-DD or YYYY-MM-DD HH:mm:ss")
    y, mo, d, hh, mm, ss = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0),
                        tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise ZoneError(f"Invalid date value {value!r}") from None


def _literal(kind: str, field: str, value: str):
    v = value.strip()
    if kind in ("date", "datetime"):
        return parse_where_datetime(v)
    if kind == "bool":
        low = v.lower()
        return {"1": "true", "0": "false"}.get(low, low)
    if kind in ("int", "float"):
        try:
            return float(v)
        except ValueError:
            raise ZoneError(f"Invalid number {value!r} for {field}") from None
    if kind == "id":
        return v
    text = v.casefold()
    return text.replace(" ", "") if field.endswith("status") else text


class ZoneEngine:
    """Selects, orders and pages zone records; thread-safe, cached by dataset version."""

    def __init__(self, dataset: Dataset, window_days: int = DEFAULT_WINDOW_DAYS, feed_zones=None):
        self.ds = dataset
        self.window_days = window_days
        self.feed_tables = feed_tables(dataset, feed_zones)
        self._cache: dict = {}
        self._columns: dict = {}
        self._lock = threading.Lock()

    # -- keys ----------------------------------------------------------------
    def _all_keys(self, zone: str) -> list:
        if zone == "lastupdate":
            # One entry per record of every feed zone, at its last change (deleted ones too).
            return [(t, i) for t in self.feed_tables for i in range(self.ds.count(t))]
        gone = self.ds.deleted(zone)
        return [i for i in range(self.ds.count(zone)) if i not in gone]

    def render(self, zone: str, key) -> dict:
        if zone == "lastupdate":
            t, i = key
            entry = {"zoneid": self.ds.zone_id(t, i), "zonename": t, "zoneidreference": id_where_field(t),
                     "lastupdateutc": zone_dt(self.ds.updated_ts(t, i))}
            if t == "quotes":  # as in AroFlo's "Get lastupdate Quotes" example
                entry = {"isdeleted": 1 if i in self.ds.deleted(t) else 0, **entry}
            return entry
        return self.ds.zone_record(zone, key)

    # -- values a where/order compares --------------------------------------
    def _getter(self, zone: str, field: str) -> Tuple[str, Callable]:
        """(comparison kind, key -> comparable value or None for a blank/NULL), reading a column
        of the field's values computed once per dataset version."""
        if zone == "lastupdate":
            return self._raw_getter(zone, field)
        key = (zone, field, self.ds.version, self.ds.count(zone))
        with self._lock:
            hit = self._columns.get(key)
        if hit is None:
            kind, get = self._raw_getter(zone, field)
            column = [get(i) for i in range(self.ds.count(zone))]
            hit = (kind, column)
            with self._lock:
                if len(self._columns) > 256:
                    self._columns.clear()
                self._columns[key] = hit
        kind, column = hit
        return kind, column.__getitem__

    def _raw_getter(self, zone: str, field: str) -> Tuple[str, Callable]:
        ds, views = self.ds, self.ds.views
        if zone == "lastupdate":
            if field == "zonename":
                return "string", lambda k: k[0]
            return "date", lambda k: float(ds.updated_ts(k[0], k[1]))
        where_fields, _ = _fields_of(zone)
        wkind = where_fields.get(field)
        fast = FAST.get(zone, {}).get(field)
        if fast is not None:
            fmt, get = fast
            return "date", lambda i: naive_seconds(fmt, get(views, i))
        facts = docs.zone(zone)
        path = facts.path_of(field)
        if path is None:
            fmt, get = EXTRA[zone][field]
            if fmt in DATE_KINDS:
                return "date", lambda i: naive_seconds(fmt, get(views, i))
            if fmt in ("bool_any", "str_any"):
                conv = (lambda x: "true" if x else "false") if fmt == "bool_any" else \
                    (lambda x: str(x).casefold())
                return "any", lambda i: [conv(x) for x in get(views, i)]
            return self._plain(fmt if fmt != "str" else "string", field, lambda i: get(views, i))
        if path == docs.ID_FIELDS.get(zone):
            return "id", lambda i: rid(zone, i)
        tmpl = template(zone)
        fmt = tmpl.date_kind(path)
        if fmt is not None:
            return "date", lambda i: naive_seconds(fmt, _value(views, zone, i, path))
        if wkind in ("date", "datetime"):
            return "date", lambda i: naive_seconds(UTC_DT, _value(views, zone, i, path))
        return self._plain(wkind, field, lambda i: _value(views, zone, i, path))

    @staticmethod
    def _plain(kind: Optional[str], field: str, get: Callable) -> Tuple[str, Callable]:
        status = field.endswith("status")

        def conv(i):
            v = get(i)
            if v is None:
                return None
            if kind == "bool" or isinstance(v, bool):
                return ("true" if v else "false") if isinstance(v, bool) else str(v).lower()
            if kind in ("int", "float") or (kind is None and isinstance(v, (int, float))):
                try:
                    return float(v)
                except (TypeError, ValueError):
                    return None
            if kind == "id":
                return str(v) or None
            text = str(v).casefold()
            return text.replace(" ", "") if status else text
        return kind or "string", conv

    def _predicate(self, zone: str, clause: tuple) -> Callable:
        _, field, op, values, _, _ = clause
        kind, get = self._getter(zone, field)
        where_fields, _ = _fields_of(zone)
        lit_kind = "datetime" if kind == "date" else where_fields.get(field, "string")
        if kind in ("bool",):
            lit_kind = "bool"
        vals = [_literal(lit_kind, field, v) for v in values]
        v0 = vals[0]
        if kind == "any":  # a stock level attribute of an item: any of its stock levels
            s = set(vals)
            if op in ("=", "IN"):
                return lambda k: any(x in s for x in get(k))
            return lambda k: any(x not in s for x in get(k))
        # A blank value is NULL to AroFlo's SQL: no comparison matches it (`!=`, NOT IN neither).
        if op == "=":
            return lambda k: (v := get(k)) is not None and v == v0
        if op == "!=":
            return lambda k: (v := get(k)) is not None and v != v0
        if op == "<":
            return lambda k: (v := get(k)) is not None and v < v0
        if op == ">":
            return lambda k: (v := get(k)) is not None and v > v0
        if op == ">=":
            return lambda k: (v := get(k)) is not None and v >= v0
        s = set(vals)
        if op == "IN":
            return lambda k: get(k) in s
        return lambda k: (v := get(k)) is not None and v not in s

    def _where(self, zone: str, wheres: tuple) -> Callable:
        """One predicate for the clauses: AND binds tighter than OR; AroFlo's `(` / `)` group."""
        tokens = []
        for n, clause in enumerate(wheres):
            conj, _, _, _, opens, closes = clause
            if n:
                tokens.append(conj)
            tokens += ["("] * opens
            tokens.append(self._predicate(zone, clause))
            tokens += [")"] * closes
        pos = 0

        def expr():
            nonlocal pos
            left = term()
            while pos < len(tokens) and tokens[pos] == "or":
                pos += 1
                right = term()
                left = (lambda a, b: lambda k: a(k) or b(k))(left, right)
            return left

        def term():
            nonlocal pos
            left = factor()
            while pos < len(tokens) and tokens[pos] == "and":
                pos += 1
                right = factor()
                left = (lambda a, b: lambda k: a(k) and b(k))(left, right)
            return left

        def factor():
            nonlocal pos
            tok = tokens[pos]
            if tok == "(":
                pos += 1
                inner = expr()
                pos += 1  # the matching ")"
                return inner
            pos += 1
            return tok

        return expr()

    def _default_value(self, zone: str) -> Optional[Callable]:
        """Epoch seconds of the column the zone's default filter keeps the last 30 days of."""
        column = (docs.zone(zone).default_column or "").lower() if zone != "lastupdate" else ""
        if not column:
            return None
        t = self.ds.site.t[zone]
        if column == "datetimerequested":
            return lambda i: t.requested[i]
        if column == "workdate":
            return lambda i: t.start[i]
        if column in ("dateused", "date_used"):
            return lambda i: t.used[i]
        if column == "datepaid":
            return lambda i: None if i in t.blank else t.updated[i]
        if column == "startdatetime":
            return lambda i: t.start[i]
        if column == "lastupdateddatetimeutc":
            return lambda i: None if i in t.blank else t.updated[i]
        # Created_UTC, DateCreated, created_utc, datetimeInserted, DateRecorded, Start_date,
        # wo_order.created_UTC: when the record was created.
        return lambda i: t.created[i]

    # -- selection -----------------------------------------------------------
    def select(self, q: ZoneQuery) -> list:
        """All keys matching the query, ordered (without paging)."""
        ds = self.ds
        window = not q.wheres
        cache_key = (q.zone, q.wheres, q.orders, ds.version, ds.now_ts if window else None, self.feed_tables)
        with self._lock:
            hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        with ds.lock:
            keys = self._all_keys(q.zone)
            if window:
                get = self._default_value(q.zone)
                if get is not None:
                    since = ds.now_ts - self.window_days * _DAY
                    keys = [k for k in keys if (v := get(k)) is not None and v > since]
            else:
                pred = self._where(q.zone, q.wheres)
                keys = [k for k in keys if pred(k)]
            for field, desc in reversed(q.orders):
                _, get = self._getter(q.zone, field)
                values = {k: get(k) for k in keys}
                # Blank (NULL) values sort first, as in AroFlo's SQL.
                keys.sort(key=lambda k: (0, 0) if (v := values[k]) is None else (1, v), reverse=desc)
        with self._lock:
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[cache_key] = keys
        return keys

    def page_keys(self, q: ZoneQuery, page: Optional[int] = None) -> list:
        p = page or q.page
        start = (p - 1) * q.page_size
        keys = self.select(q)[start:start + q.page_size]
        if q.joins and q.zone != "lastupdate":
            return [Rec(k, q.joins) for k in keys]
        return keys

    def page(self, q: ZoneQuery, page: Optional[int] = None) -> list:
        with self.ds.lock:
            return [self.render(q.zone, k) for k in self.page_keys(q, page)]


def _value(views, zone: str, i: int, path: str):
    """A record's raw value at `path`, without rendering the record."""
    return views.values(zone, i, frozenset()).get(path)
