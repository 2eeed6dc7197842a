"""Records for every zone beyond the seed's three, generated from the connector's zone declarations.

Each declared field gets a value in AroFlo's own format for its kind (ids as opaque base64,
amounts as "296.7600", booleans as "true"/"TRUE"/"false", dates "2023/12/18", UTC date-times
"2023/05/23 23:28:15", site-local date-times in Melbourne time, clients' "2018-10-16
13:30:19.58" form), with AroFlo's blanks: `""` dates and `" "` date-times, some of them on
the zone's own cursor. Values are a pure function of (seed, zone, record index, revision), so
the data is deterministic; a table keeps only compact per-record arrays (created, updated,
revision, blank cursor, deleted).
"""

from __future__ import annotations

import base64
import threading
from datetime import datetime, timezone
from typing import Dict, Iterable, List, Optional
from zoneinfo import ZoneInfo

from source_aroflo.declaration import ARRAY, OBJECT, Field, Zone

_DAY = 86400
SITE_TZ = ZoneInfo("Australia/Melbourne")
_MASK = (1 << 64) - 1
_WORDS = ["Hot water", "Kitchen reno", "Switchboard", "Leak – urgent", "Café fit-out", "Ngā Tai job",
          "Blocked drain", "Solar install", "Split system", "Müller St", "Office", "Back-flow test"]
_NAMES = ["Zoë Ngata", "José García", "Aroha Smith", "李 Wei", "Søren Døssing", "Priya Patel"]
_STATUSES = ["notstarted", "inprogress", "pending", "completed", "archived", "Approved"]
# Where a field's value comes from: the record's update time, its creation time, or elsewhere.
_UPDATE_WORDS = ("lastupdate",)
_CREATE_WORDS = ("created", "inserted", "datecreated", "date_created")


def mix(*parts: int) -> int:
    """splitmix64-style hash: a stable, fast per-field pseudo random number."""
    x = 0x9E3779B97F4A7C15
    for p in parts:
        x = (x ^ (p & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        x = (x ^ (x >> 31)) * 0x94D049BB133111EB & _MASK
        x ^= x >> 29
    return x


def _salt(text: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(text))


def zone_id(tag: int, n: int) -> str:
    """An opaque AroFlo-looking id (10 bytes -> 16 base64 characters ending in '==')."""
    raw = b"$$:" + bytes([tag]) + n.to_bytes(4, "big") + b" \n"
    return base64.b64encode(raw).decode("ascii")


def utc_text(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y/%m/%d %H:%M:%S")


def local_text(ts: float, dash: bool = False) -> str:
    moment = datetime.fromtimestamp(ts, timezone.utc).astimezone(SITE_TZ)
    if dash:
        centis = int(round((ts % 1) * 100)) % 100
        return moment.strftime("%Y-%m-%d %H:%M:%S") + (f".{centis:02d}".rstrip("0") if centis else "")
    return moment.strftime("%Y/%m/%d %H:%M:%S")


def date_text(ts: float, local: bool) -> str:
    moment = datetime.fromtimestamp(ts, timezone.utc)
    return (moment.astimezone(SITE_TZ) if local else moment).strftime("%Y/%m/%d")


class GenericTable:
    """One zone's records: compact arrays, rendered on demand from the declaration."""

    def __init__(self, zone: Zone, count: int, seed: int, now: float, tag: int):
        self.zone, self.seed, self.tag = zone, seed, tag
        self.salt = _salt(zone.name)
        self.lock = threading.RLock()
        self.created: List[float] = []
        self.updated: List[float] = []
        self.rev: List[int] = []
        self.blank_cursor: set = set()
        self.deleted: set = set()
        self._dash = zone.name in ("clients", "suppliers")
        self.cursor_key = zone.cursor_key
        self._now = now
        self.add(count, now, initial=True)

    # ---- records -------------------------------------------------------------------------------
    def add(self, n: int, at: float, initial: bool = False) -> List[int]:
        start = len(self.updated)
        for i in range(start, start + n):
            h = mix(self.seed, self.salt, i)
            if initial:
                age = [3, 20, 45, 120, 400, 900][h % 6] * _DAY + (h >> 8) % _DAY
                upd = int(at - age)
                if i % 7 == 3 and i:
                    upd = int(self.updated[i - 1])  # ties on the cursor
            else:
                upd = int(at)
            self.created.append(upd - (h >> 20) % (300 * _DAY) + ((h >> 40) % 100) / 100)
            self.updated.append(upd)
            self.rev.append(0)
            if initial and self.cursor_key and i % 9 == 4:
                self.blank_cursor.add(i)  # AroFlo's `" "`: a cursor with no value
        return list(range(start, start + n))

    def count(self) -> int:
        return len(self.updated)

    def record_id(self, idx: int) -> str:
        return zone_id(self.tag, idx)

    def alive(self) -> Iterable[int]:
        return (i for i in range(self.count()) if i not in self.deleted)

    def touch(self, idxs: Iterable[int], at: float) -> None:
        for idx in idxs:
            self.updated[idx] = int(at)
            self.rev[idx] += 1
            self.blank_cursor.discard(idx)

    def render(self, idx: int) -> dict:
        return self._object(self.zone.fields, idx, "", top=True)

    def _object(self, fields: tuple, idx: int, path: str, top: bool = False) -> dict:
        return {f.name: self._value(f, idx, path + f.name, top) for f in fields}

    def _value(self, f: Field, idx: int, path: str, top: bool):
        """The value of field `f` (at `path` inside the record) of record `idx`."""
        changes = self.rev[idx] if ("note" in path or "description" in path) else 0
        h = mix(self.seed, self.salt, idx, _salt(path), changes)
        if f.kind == OBJECT:
            return self._object(f.children, idx, path + ".")
        if f.kind == ARRAY:
            if not f.children:
                return []
            return [self._object(f.children, idx, f"{path}[{k}].") for k in range(h % 3)]
        if top and f.name == self.zone.id:
            return self.record_id(idx)
        name = f.name.lower()
        kind = f.kind
        if kind in ("utc", "local", "date"):
            return self._time(f, idx, name, h, top)
        if kind == "id":
            return zone_id(0xF0 + (h % 8), (h >> 8) % 100_000)
        if kind == "bool":
            return ["true", "false", "TRUE", "false", "FALSE"][h % 5]
        if kind == "num":
            return f"{((h >> 8) % 1_000_000) / 100:.4f}"
        if kind == "int":
            value = (h >> 8) % 5000 + 1000
            return value if h % 2 else str(value)
        if h % 11 == 0:
            return ""
        if "status" in name:
            return _STATUSES[h % len(_STATUSES)]
        if "name" in name and "user" not in name:
            return _NAMES[h % len(_NAMES)] if h % 2 else _WORDS[h % len(_WORDS)]
        if "note" in name or "description" in name or "content" in name:
            return _WORDS[h % len(_WORDS)] + (f" (rev {changes})" if changes else "") + \
                ("\nsecond line" if h % 7 == 0 else "")
        return f"{_WORDS[h % len(_WORDS)]} {h % 1000}"

    def _time(self, f: Field, idx: int, name: str, h: int, top: bool):
        updated, created = self.updated[idx], self.created[idx]
        if top and (f.name == self.cursor_key or any(w in name for w in _UPDATE_WORDS)):
            if idx in self.blank_cursor:
                return "" if f.kind == "date" else " "
            ts = updated
        elif any(w in name for w in _CREATE_WORDS):
            ts = created
        else:
            if h % 4 == 0:
                return "" if f.kind == "date" else " "  # AroFlo's blanks
            ts = created + (h >> 8) % (40 * _DAY)
        if f.kind == "date":
            return date_text(ts, local="utc" not in name)
        if f.kind == "utc":
            return utc_text(ts)
        return local_text(ts, dash=self._dash)

    # ---- what the zone engine asks -------------------------------------------------------------
    def where_value(self, field: str, idx: int):
        """The value a where clause compares: epoch seconds for dates, text otherwise; None = blank."""
        zone = self.zone
        if field == zone.id_where or field == zone.id:
            return self.record_id(idx)
        kind = zone.where_kind(field)
        if field == zone.cursor:
            if idx in self.blank_cursor:
                return None
            ts = self.updated[idx]
            return ts - ts % _DAY if kind == "date" else ts
        if kind in ("date", "utc", "local"):
            column = zone.column(field)
            if column is not None and column.kind in ("date", "utc", "local"):
                text = self.render(idx).get(field)
                if not isinstance(text, str) or not text.strip():
                    return None
                return _parse(text)
            ts = self.updated[idx] if "lastupdate" in field else self.created[idx]
            return ts - ts % _DAY if kind == "date" else ts
        value = self.render(idx).get(field)
        return str(value if value is not None else "").casefold()

    def default_window_value(self, idx: int) -> float:
        field = (self.zone.default_filter or "").lower()
        return self.updated[idx] if "lastupdate" in field else self.created[idx]


def _parse(text: str) -> Optional[float]:
    value = text.strip().replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    return None


def build_tables(zones: Iterable[Zone], counts: Dict[str, int], seed: int, now: float) -> Dict[str, GenericTable]:
    tables = {}
    for n, zone in enumerate(zones):
        tables[zone.name] = GenericTable(zone, counts.get(zone.name, counts.get("*", 0)), seed, now, 0x80 + n)
    return tables
