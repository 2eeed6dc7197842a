"""AroFlo's record shapes and value formats, taken from the docs' example responses.

A zone's template is the tree of its documented field paths (`client.clientid`,
`lines[].lineid`, ...). The business model gives a record as flat raw values (path -> str,
number, bool, epoch seconds for dates, None for a blank, a list of dicts for an array); the
template renders them in exactly the documented keys, each in the format of the docs' sample
of that field:
- numbers and money as strings with the sample's decimals ("296.76", "300.0000", "2");
- booleans as the sample spells them ("true"/"false", "TRUE"/"FALSE", "1"/"0");
- dates `YYYY/MM/DD`, date-times `YYYY/MM/DD HH:MM:SS`: UTC in fields with `utc` in their
  name, the site's local time (Australia/Melbourne) otherwise; clients' and suppliers'
  `YYYY-MM-DD HH:MM:SS.f`; labour's `Oct 23, 2018 7:00:00 AM`;
- AroFlo's blanks: `""` for an empty date, `" "` for an empty date-time.
A field the business model does not give keeps the docs' sample (ids among them are left
blank: a sample id names nothing in this site).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Callable, Dict, FrozenSet, List, Optional, Tuple
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("Australia/Melbourne")
UTC = timezone.utc

_DT = re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}$")
_DATE = re.compile(r"^\d{4}/\d{2}/\d{2}$")
_DASH = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$")
_LONG = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2}( [AP]M)?$")
_DEC = re.compile(r"^-?\d+\.(\d+)$")
_INT = re.compile(r"^-?\d+$")
_AROFLO_ID = re.compile(r"^[A-Za-z0-9+/]{6,}={0,2}$")

# Format kinds (also what the zone engine compares a date field as).
UTC_DT, LOCAL_DT, UTC_DATE, LOCAL_DATE, DASH_DT, LONG_DT = "utc_dt", "local_dt", "utc_date", "local_date", \
    "dash_dt", "long_dt"
DATE_KINDS = frozenset({UTC_DT, LOCAL_DT, UTC_DATE, LOCAL_DATE, DASH_DT, LONG_DT})


def utc_moment(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def local_moment(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, SITE_TZ)


def fmt_utc_dt(ts: float) -> str:
    return utc_moment(ts).strftime("%Y/%m/%d %H:%M:%S")


def fmt_local_dt(ts: float) -> str:
    return local_moment(ts).strftime("%Y/%m/%d %H:%M:%S")


def fmt_utc_date(ts: float) -> str:
    return utc_moment(ts).strftime("%Y/%m/%d")


def fmt_local_date(ts: float) -> str:
    return local_moment(ts).strftime("%Y/%m/%d")


def fmt_dash(ts: float) -> str:
    """Clients' and suppliers' `2018-10-16 13:30:19.58` (site-local, 1-3 fraction digits)."""
    ms = int(round((ts % 1) * 1000)) % 1000
    frac = f".{ms:03d}".rstrip("0") if ms else ".0"
    return local_moment(int(ts)).strftime("%Y-%m-%d %H:%M:%S") + frac


def fmt_long(ts: float) -> str:
    """Labour's `Oct 23, 2018 7:00:00 AM` (site-local)."""
    m = local_moment(ts)
    hour = m.hour % 12 or 12
    return f"{m:%b} {m.day}, {m.year} {hour}:{m:%M:%S} {'AM' if m.hour < 12 else 'PM'}"


_DATE_FORMATTERS = {UTC_DT: fmt_utc_dt, LOCAL_DT: fmt_local_dt, UTC_DATE: fmt_utc_date,
                    LOCAL_DATE: fmt_local_date, DASH_DT: fmt_dash, LONG_DT: fmt_long}


def naive_seconds(kind: str, ts: Optional[float]) -> Optional[float]:
    """The wall-clock value AroFlo's SQL compares for a date field of `kind`, as seconds since
    1970 read as if UTC (dates at their midnight); None for a blank."""
    if ts is None:
        return None
    if kind in (UTC_DT,):
        return float(ts)
    if kind == UTC_DATE:
        return float(ts - ts % 86400)
    m = local_moment(ts)
    wall = m.replace(tzinfo=UTC).timestamp()
    if kind == LOCAL_DATE:
        return wall - wall % 86400
    return wall


def date_kind(path: str, sample) -> Optional[str]:
    """The date format kind of a field from its docs sample and name (None: not a date)."""
    name = path.rsplit(".", 1)[-1].lower()
    utc = "utc" in name
    if sample is None:  # every example left it blank: the name says what it holds
        sample = " " if "datetime" in name else ""
    if not isinstance(sample, str):
        return None
    if _DT.match(sample):
        return UTC_DT if utc else LOCAL_DT
    if _DATE.match(sample):
        return UTC_DATE if utc else LOCAL_DATE
    if _DASH.match(sample):
        return DASH_DT
    if _LONG.match(sample):
        return LONG_DT
    if sample == " ":
        return UTC_DT if utc else LOCAL_DT
    if sample == "" and ("date" in name or name.endswith("utc")):  # createdutc: a date
        if "datetime" in name:
            return UTC_DT if utc else LOCAL_DT
        return UTC_DATE if utc else LOCAL_DATE
    return None


def _blank_of(kind: Optional[str], sample) -> str:
    if kind in (UTC_DT, LOCAL_DT, LONG_DT, DASH_DT):
        return " "
    return ""


def make_formatter(path: str, sample) -> Tuple[Callable, object, Optional[str]]:
    """(format(value) -> JSON value, default when the model gives none, date kind)."""
    kind = date_kind(path, sample)
    if kind is not None:
        fmt_date = _DATE_FORMATTERS[kind]
        blank = _blank_of(kind, sample)

        def fmt(v, _f=fmt_date, _b=blank):
            if v is None:
                return _b
            if isinstance(v, str):
                return v
            return _f(v)
        return fmt, blank, kind
    if isinstance(sample, bool):
        return (lambda v: bool(v) if v is not None else False), sample, None
    if isinstance(sample, (int, float)) and not isinstance(sample, bool):
        as_float = isinstance(sample, float)

        def fmt(v, _fl=as_float):
            if v is None or isinstance(v, str):
                return v if v is not None else 0
            if isinstance(v, bool):
                return int(v)
            return float(v) if _fl else int(round(v))
        return fmt, sample, None
    s = "" if sample is None else str(sample)
    if s in ("true", "false", "TRUE", "FALSE"):
        t, f = ("TRUE", "FALSE") if s.isupper() else ("true", "false")
    else:
        t, f = "1", "0"
    m = _DEC.match(s)
    if m:
        places = len(m.group(1))

        def fmt(v, _p=places, _t=t, _f=f):
            if v is None:
                return ""
            if isinstance(v, bool):
                return _t if v else _f
            if isinstance(v, (int, float)):
                return f"{v:.{_p}f}"
            return v
        default = "" if _AROFLO_ID.match(s) and not _DEC.match(s) else s
        return fmt, default, None

    def fmt(v, _t=t, _f=f):
        if v is None:
            return ""
        if isinstance(v, bool):
            return _t if v else _f
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            return str(int(v)) if v == int(v) else f"{v:g}"
        return v
    default = s
    if _AROFLO_ID.match(s) and not _INT.match(s) and not s.isalpha():
        default = ""  # a sample AroFlo id names nothing in this site
    return fmt, default, None


class Node:
    __slots__ = ("key", "path", "kind", "children", "fmt", "default", "date_kind")

    def __init__(self, key: str, path: str, kind: str):
        self.key, self.path, self.kind = key, path, kind
        self.children: List["Node"] = []
        self.fmt = None
        self.default = None
        self.date_kind = None


class Template:
    """One zone's documented record shape."""

    def __init__(self, fields: Dict[str, dict]):
        self.root = Node("", "", "object")
        self.paths = list(fields)
        self.leaves: Dict[str, Node] = {}
        self.dropped: List[str] = []  # documented paths that contradict another example's shape
        index: Dict[str, Node] = {"": self.root}
        for path, spec in fields.items():
            self._add(index, path, spec)

    def _parent_path(self, path: str) -> Tuple[str, str]:
        if "." not in path:
            return "", path
        parent, key = path.rsplit(".", 1)
        return parent, key

    def _ensure(self, index: Dict[str, Node], path: str, kind: str) -> Optional[Node]:
        node = index.get(path)
        if node is not None:
            if kind != "leaf" and node.kind == "leaf":
                node.kind = kind
            if kind in ("object", "array") and node.kind != kind and node.kind != "leaf" and kind != "leaf":
                return None  # an object in one example, an array in another: keep the first
            return node
        parent_path, key = self._parent_path(path)
        if parent_path.endswith("[]"):
            parent = self._ensure(index, parent_path[:-2], "array")
            if parent is None:
                return None
            if not parent.children or parent.children[0].key != "[]":
                elem = Node("[]", parent_path, "object")
                parent.children.insert(0, elem)
                index[parent_path] = elem
            parent = index[parent_path]
        else:
            parent = self._ensure(index, parent_path, "object") if parent_path else self.root
            if parent is None:
                return None
        node = Node(key, path, kind)
        parent.children.append(node)
        index[path] = node
        return node

    def _add(self, index: Dict[str, Node], path: str, spec: dict) -> None:
        t = str(spec.get("type") or "").split("|")[0]
        if path.endswith("[]"):  # an array of scalars: keep it an empty array
            self._ensure(index, path[:-2], "array")
            return
        kind = "object" if t == "object" else "array" if t == "array" else "leaf"
        node = self._ensure(index, path, kind)
        if node is None:
            self.dropped.append(path)
            return
        if kind == "leaf":
            node.fmt, node.default, node.date_kind = make_formatter(path, spec.get("sample"))
            self.leaves[path] = node

    # ------------------------------------------------------------------------------------
    def render(self, values: dict, active: FrozenSet[str] = frozenset(), bound: FrozenSet[str] = frozenset()) -> dict:
        """The record for flat `values`; `bound` = join-bound paths, `active` = those joined."""
        return _render_object(self.root, values, "", active, bound)

    def date_kind(self, path: str) -> Optional[str]:
        node = self.leaves.get(path)
        return node.date_kind if node is not None else None


def _render_object(node: Node, values: dict, prefix: str, active, bound) -> dict:
    out = {}
    for child in node.children:
        key = child.key
        rel = prefix + key
        kind = child.kind
        if kind == "leaf":
            v = values.get(rel, _MISSING)
            out[key] = child.default if v is _MISSING else child.fmt(v)
        elif kind == "object":
            if (child.path in bound and child.path not in active) or values.get(rel) is EMPTY:
                out[key] = {}
            else:
                out[key] = _render_object(child, values, rel + ".", active, bound)
        else:
            elem = child.children[0] if child.children and child.children[0].key == "[]" else None
            if elem is None or (child.path in bound and child.path not in active):
                out[key] = []
                continue
            items = values.get(rel)
            out[key] = [_render_object(elem, item, "", active, bound) for item in items] if items else []
    return out


_MISSING = object()
EMPTY = object()  # a value for an object path: AroFlo sends `{}` (e.g. an asset with no location)
