"""The sandbox's records: one coherent business (`business/`), served in both dialects.

`Dataset(...)` builds a `business.Site` - a Melbourne plumbing & electrical contractor with its
staff, clients, jobs, labour, timesheets, invoices, payments and the rest - from its sizes, a
seed and a clock (`now`), and renders its records on demand: in AroFlo's zone shapes (from the
docs fixture, `docs.py`/`shape.py`) and, for users, suppliers and payments, in the seed's REST
shape. The data is a pure function of (seed, sizes, now, the mutations applied).
"""

from __future__ import annotations

import bisect
import functools
import threading
from datetime import datetime, timedelta, timezone
from typing import Dict, Iterable, List

from . import docs
from .business.core import TAGS, decode_zone_id as _decode, mix, rid
from .business.site import ZONE_NAMES as _SITE_ZONES, Site
from .business.views import Views
from .shape import SITE_TZ, Template

TABLES = ("users", "suppliers", "payments")
# Every zone the sandbox serves (all of AroFlo's documented zones with a GET but `lastupdate`).
ZONE_NAMES = TABLES + tuple(z for z in _SITE_ZONES if z not in TABLES)
# The zones AroFlo documents in the `lastupdate` change feed; a server or dataset can
# name others (`feed_zones=`), e.g. to play a site whose feed also carries users.
FEED_ZONES = docs.FEED_ZONES
# The documented feed zones the sandbox serves (the default feed).
FEED_TABLES = tuple(name for name in ZONE_NAMES if name in FEED_ZONES)
DEFAULT_NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=timezone.utc)
DEFAULT_YEARS = 3.0

# REST ids are fixed-width decimal strings so string order == numeric order.
_REST_ID_BASE = {"users": 10_000_001, "suppliers": 20_000_001, "payments": 30_000_001}
_DAY = 86400
_OFFSETS = [timezone.utc, timezone(timedelta(hours=10)), timezone(timedelta(hours=-5)),
            timezone.utc, timezone(timedelta(hours=5, minutes=30)),
            timezone(timedelta(hours=11)), timezone(timedelta(hours=-3, minutes=-30))]
_REGIONS = ["Inner Melbourne", "Eastern Suburbs", "Bayside", "Northern Suburbs", "Western Suburbs"]

# Site M: a 38-user business with five years of history (sizes at scale 1.0).
SITE_M = {"tasks": 75_000, "schedules": 83_000, "timesheets": 66_000, "tasklabours": 66_000,
          "taskmaterials": 90_000, "taskexpenses": 5_000, "clientnotes": 8_000, "invoices": 32_000,
          "payments": 3_200, "quotes": 500, "quotelineitems": 3_000, "purchaseorders": 5_000, "bills": 1_000,
          "billlineitems": 4_000, "projects": 300, "stages": 900, "workorders": 100, "workorderlineitems": 300,
          "users": 60, "inventory": 1_000, "inventorystocklevels": 1_500, "clients": 5_700, "contacts": 6_900,
          "suppliers": 490, "locations": 5_000, "assets": 10_000, "documentsandphotos": 20_000,
          # the reference zones
          "businessunits": 4, "userposition": 16, "permissiongroups": 8, "trackingcentres": 12,
          "transactionterms": 6, "tasktypes": 16, "substatus": 11, "priorities": 5, "assetcategories": 15,
          "inventorycategories": 32, "customholders": 10, "messagetemplates": 40, "messageboard": 250,
          "inventorylists": 24}


def zone_dt(ts: float) -> str:
    """Zone response datetime: `2023/05/23 23:28:15` (UTC)."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y/%m/%d %H:%M:%S")


def zone_date(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y/%m/%d")


def decode_zone_id(value: str):
    return _decode(value)


@functools.lru_cache(maxsize=None)
def _example_blanks() -> Dict[str, Dict[str, str]]:
    """Per zone, the blanks (`""` / `" "`) of AroFlo's example bodies by field path (the fixture's
    samples are null when every value was blank; the bodies tell a blank date from a blank
    date-time); "*" holds them for any zone."""
    out: Dict[str, Dict[str, str]] = {"*": {}}

    def walk(obj, path, zone):
        if isinstance(obj, dict):
            for k, v in obj.items():
                walk(v, f"{path}.{k}" if path else k, zone)
        elif isinstance(obj, list):
            for item in obj:
                walk(item, path + "[]", zone)
        elif obj in ("", " "):
            out.setdefault(zone, {}).setdefault(path, obj)
            out["*"].setdefault(path, obj)

    for zone in docs.zone_names():
        body = docs.example(zone)
        records = ((body or {}).get("zoneresponse") or {}).get(docs.zone(zone).list_key) or []
        for record in records:
            walk(record, "", zone)
    return out


@functools.lru_cache(maxsize=None)
def template(zone: str) -> Template:
    """A zone's documented record shape (null samples filled with the examples' blanks)."""
    blanks = _example_blanks()
    fields = {}
    for path, spec in docs.zone(zone).fields.items():
        if spec.get("sample") is None and spec.get("type") not in ("object", "array"):
            blank = blanks.get(zone, {}).get(path, blanks["*"].get(path))
            if blank is not None:
                spec = dict(spec, sample=blank)
        fields[path] = spec
    return Template(fields)


@functools.lru_cache(maxsize=None)
def join_paths(zone: str, joins: frozenset) -> frozenset:
    """The record paths the requested joins fill (`docs.JOINS`)."""
    table = docs.JOINS.get(zone, {})
    return frozenset(p for j in joins for p in table.get(j, ()))


@functools.lru_cache(maxsize=None)
def bound_paths(zone: str) -> frozenset:
    return frozenset(p for paths in docs.JOINS.get(zone, {}).values() for p in paths)


class Rec(int):
    """A record index that carries the joins of the page it belongs to (so a server rendering a
    joined page, or caching one, tells it from the same record without joins)."""

    def __new__(cls, index: int, joins: frozenset):
        obj = int.__new__(cls, index)
        obj.joins = joins
        return obj

    def __hash__(self):
        return hash((int(self), self.joins))

    def __eq__(self, other):
        return isinstance(other, Rec) and int(self) == int(other) and self.joins == other.joins

    def __ne__(self, other):
        return not self.__eq__(other)


class Dataset:
    """The sandbox's records. Thread-safe for concurrent readers + mutations (`lock`)."""

    def __init__(self, users: int = 60, suppliers: int = 40, payments: int = 80,
                 seed: int = 0, now: datetime | None = None, zones: int | dict = 12,
                 feed_zones: Iterable[str] | None = None, years: float | None = None):
        self.seed = seed
        # The zones the `lastupdate` feed lists (None: FEED_ZONES); read by the zone engine.
        self.feed_zones = tuple(feed_zones) if feed_zones is not None else None
        now = now or DEFAULT_NOW
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        self.params = {"users": users, "suppliers": suppliers, "payments": payments, "seed": seed, "now": now,
                       "zones": zones, "feed_zones": self.feed_zones, "years": years}
        counts = zones if isinstance(zones, dict) else {"*": zones}
        sizes = {z: counts.get(z, counts.get("*", 12)) for z in ZONE_NAMES}
        sizes.update(users=users, suppliers=suppliers, payments=payments)
        self.site = Site(sizes, seed=seed, now=now.timestamp(), years=years or DEFAULT_YEARS)
        self.views = Views(self.site)
        self.lock = threading.RLock()
        self.version = 0  # bumps on every mutation; caches key on it
        self.table_version = {t: 0 for t in ZONE_NAMES}
        self._rest_order_cache: Dict[str, tuple] = {}
        # Every zone but the seed's three: kept for callers that ask `table in ds.generic`.
        self.generic = frozenset(z for z in ZONE_NAMES if z not in TABLES)

    @classmethod
    def site_m(cls, scale: float = 1.0, seed: int = 0, now: datetime | None = None, **kw) -> "Dataset":
        """Site M: a 38-user plumbing & electrical business with five years of history
        (`SITE_M` sizes times `scale`)."""
        sizes = {z: max(1, int(round(n * scale))) for z, n in SITE_M.items()}
        users, suppliers, payments = sizes.pop("users"), sizes.pop("suppliers"), sizes.pop("payments")
        return cls(users=users, suppliers=suppliers, payments=payments, seed=seed, now=now, zones=sizes,
                   years=5.0, **kw)

    # ------------------------------------------------------------------------- columns
    @property
    def updated(self) -> Dict[str, list]:
        return {z: self.site.t[z].updated for z in ZONE_NAMES}

    @property
    def created(self) -> Dict[str, list]:
        return {z: self.site.t[z].created for z in ZONE_NAMES}

    @property
    def rev(self) -> Dict[str, list]:
        return {z: self.site.t[z].rev for z in ZONE_NAMES}

    @property
    def blank(self) -> Dict[str, set]:
        return {z: self.site.t[z].blank for z in ZONE_NAMES}

    # ---------------------------------------------------------------------------- clock
    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.site.now, timezone.utc)

    @property
    def now_ts(self) -> float:
        return self.site.now

    def advance(self, seconds: float = 1.0) -> datetime:
        """Move the logical clock forward (touch/add without `at` do this)."""
        with self.lock:
            self.site.now += seconds
            return self.now

    # ------------------------------------------------------------------------- identity
    def count(self, table: str) -> int:
        return len(self.site.t[table])

    def updated_ts(self, table: str, idx: int) -> float:
        return self.site.t[table].updated[idx]

    def revision(self, table: str, idx: int) -> int:
        return self.site.t[table].rev[idx]

    def deleted(self, table: str):
        """Indices of records deleted in AroFlo (gone from the zone; the feed still lists them)."""
        return self.site.t[table].deleted

    def rest_id(self, table: str, idx: int) -> str:
        return str(_REST_ID_BASE[table] + idx)

    def zone_id(self, table: str, idx: int) -> str:
        return rid(table, idx)

    def ids(self, table: str, dialect: str = "rest") -> List[str]:
        """All ids of a table in index (creation) order (records deleted in AroFlo left out)."""
        fn = self.rest_id if dialect == "rest" else self.zone_id
        gone = self.deleted(table)
        return [fn(table, i) for i in range(self.count(table)) if i not in gone]

    def index_of(self, table: str, record_id: str) -> int:
        """Index for a REST id or a zone id; KeyError if unknown."""
        rid_ = str(record_id)
        if table in _REST_ID_BASE and rid_.isdigit():
            idx = int(rid_) - _REST_ID_BASE[table]
            if 0 <= idx < self.count(table):
                return idx
        dec = _decode(rid_)
        if dec and dec[0] == TAGS[table] and dec[1] < self.count(table):
            return dec[1]
        raise KeyError(f"{table}: unknown id {record_id!r}")

    # ------------------------------------------------------------------------- mutation
    def _idxs(self, table: str, ids, count) -> List[int]:
        if ids is not None:
            return [self.index_of(table, i) for i in ids]
        t = self.site.t[table]
        order = sorted((i for i in range(len(t)) if i not in t.deleted), key=lambda i: (t.updated[i], i))
        return sorted(order[: count if count is not None else 1])  # the oldest ones, in index order

    def _at(self, at: datetime | None) -> float:
        return at.timestamp() if at is not None else self.advance(1).timestamp()

    def _out(self, table: str, idxs: Iterable[int]) -> List[str]:
        fn = self.rest_id if table in TABLES else self.zone_id
        return [fn(table, i) for i in idxs]

    def touch(self, table: str, ids: Iterable[str] | None = None, at: datetime | None = None,
              count: int | None = None) -> List[str]:
        """Edit records as the business does (an invoice's status, a task's substatus, a labour
        line's hours, a payment's date paid, a phone number...): their update time (and change
        feed entry) moves to `at` (default: the clock, advanced 1 s). `ids` are REST or zone
        ids; or `count` picks the records with the oldest update times. Returns the ids touched
        (REST ids for users/suppliers/payments, zone ids otherwise)."""
        with self.lock:
            idxs = self._idxs(table, ids, count)
            ts = self._at(at)
            changed = self.site.touch(table, idxs, ts)
            self._mutated(changed)
            return self._out(table, idxs)

    def add(self, table: str, n: int = 1, at: datetime | None = None) -> List[str]:
        """Create `n` records at `at` (default: clock + 1 s), linked to existing ones (a labour
        line on an open job with its timesheet, a payment against an invoice with a balance...)."""
        with self.lock:
            ts = self._at(at)
            idxs, changed = self.site.add(table, n, ts)
            self._mutated(changed | {table})
            return self._out(table, idxs)

    def delete(self, table: str, ids: Iterable[str], at: datetime | None = None) -> List[str]:
        """Delete records: gone from their zone; the change feed still lists them (as AroFlo's
        does: an entry whose record no longer exists)."""
        with self.lock:
            idxs = [self.index_of(table, i) for i in ids]
            ts = self._at(at)
            self.site.delete(table, idxs, ts)
            self._mutated({table})
            return self._out(table, idxs)

    def soft_delete(self, table: str, ids: Iterable[str], at: datetime | None = None) -> List[str]:
        """AroFlo's soft delete (tasks, tasklabours, taskmaterials): `deleteddatetime` /
        `deleteddate` / `deleted` set; the records are still returned."""
        with self.lock:
            idxs = [self.index_of(table, i) for i in ids]
            ts = self._at(at)
            changed = self.site.soft_delete(table, idxs, ts)
            self._mutated(changed)
            return self._out(table, idxs)

    def remove_line(self, table: str, parent_id: str, line_id: str, at: datetime | None = None) -> str:
        """Take a line off an invoice, quote, purchase order, bill or work order: it leaves the
        parent's `lines`, the parent's totals and update time move."""
        with self.lock:
            parent = self.index_of(table, parent_id)
            ts = self._at(at)
            changed = self.site.remove_line(table, parent, line_id, ts)
            self._mutated(changed)
            return self.zone_id(table, parent)

    def busy_hour(self) -> Dict[str, List[str]]:
        """One busy hour of the business from the current `now` (events over the next hour; the
        caller then advances the clock): about 25 jobs changed (some new), 10 labour and 15
        material lines, 8 invoices, 10 bookings, 8 timesheet entries, a few quotes, purchase
        orders, clients, contacts, client notes and documents. Returns the zone ids per zone."""
        with self.lock:
            changes = self.site.busy_hour()
            self._mutated(set(changes))
            return {z: [self.zone_id(z, i) for i in sorted(set(idxs))] for z, idxs in changes.items()}

    def _mutated(self, tables: Iterable[str]) -> None:
        self.version += 1
        for table in tables:
            if table in self.table_version:
                self.table_version[table] += 1

    # --------------------------------------------------------------------------- orders
    def rest_order(self, table: str) -> List[int]:
        """Indices ordered by (updated_at instant, id) - the REST dialect order."""
        return self._rest_sorted(table)[1]

    def _rest_sorted(self, table: str) -> tuple:
        with self.lock:
            cached = self._rest_order_cache.get(table)
            tv = (self.table_version[table], len(self.site.t[table]))
            if cached and cached[0] == tv:
                return cached
            upd = self.site.t[table].updated
            order = sorted(range(len(upd)), key=lambda i: (int(upd[i]), i))
            entry = (tv, order, [int(upd[i]) for i in order])
            self._rest_order_cache[table] = entry
            return entry

    def rest_query(self, table: str, since_ts: float | None) -> List[int]:
        _, order, keys = self._rest_sorted(table)
        if since_ts is None:
            return order
        return order[bisect.bisect_left(keys, since_ts):]

    def rest_records(self, table: str) -> List[dict]:
        """Every record in REST order (updated_at instant, then id)."""
        return [self.rest_record(table, i) for i in self.rest_order(table)]

    def zone_records(self, table: str, joins: Iterable[str] = ()) -> List[dict]:
        """Every record in zone (creation) order."""
        gone = self.deleted(table)
        return [self.zone_record(table, i, joins) for i in range(self.count(table)) if i not in gone]

    # ------------------------------------------------------------------------ rendering
    def zone_record(self, table: str, idx: int, joins: Iterable[str] = ()) -> dict:
        """Record `idx` as AroFlo's zone API shows it, with the arrays `joins` fill."""
        joins = getattr(idx, "joins", None) or frozenset(j.lower() for j in joins)
        idx = int(idx)
        active = join_paths(table, frozenset(joins)) if joins else frozenset()
        values = self.views.values(table, idx, active)
        return template(table).render(values, active, bound_paths(table))

    def rest_record(self, table: str, idx: int) -> dict:
        return getattr(self, f"_rest_{table}")(idx)

    def _iso(self, ts: float, idx: int, salt: int) -> str:
        """ISO-8601 in a per-record UTC offset ('Z', '+00:00', '+10:00', '-05:00', ...)."""
        pick = (idx * 13 + salt * 5 + idx // 7) % (len(_OFFSETS) * 3)
        tz = _OFFSETS[pick % len(_OFFSETS)]
        s = datetime.fromtimestamp(ts, timezone.utc).astimezone(tz).isoformat(
            timespec="milliseconds" if ts % 1 else "seconds")
        if s.endswith("+00:00") and pick % 3:
            s = s[:-6] + "Z"
        return s

    def _rest_users(self, idx: int) -> dict:
        u = self.site.t["users"]
        v = self.views.v_users(idx, frozenset())
        h = mix(self.seed, 11, idx)
        status = "archived" if u.left[idx] > 0 else ("inactive" if h % 23 == 0 else "active")
        first_boss = next((k for k in self.site.office_staff if k != idx and u.kind[k] == "manager"), -1)
        rec = {"id": self.rest_id("users", idx), "first_name": u.given[idx], "last_name": u.surname[idx],
               "email": v["email"], "phone": v["mobile"], "role": u.role[idx],
               "department": self.site.t["businessunits"].name[u.bu[idx]],
               "employee_id": None if h % 19 == 0 else f"EMP-{idx + 1:05d}", "status": status,
               "access_level": v["accesstype"].lower(),
               "territory": None if h % 7 == 0 else _REGIONS[(h >> 8) % len(_REGIONS)],
               "created_at": self._iso(u.created[idx], idx, 1), "updated_at": self._iso(u.updated[idx], idx, 2),
               "address": {"street": f"{(h >> 40) % 300 + 1} {['High St', 'Station St', 'Main Rd'][(h >> 44) % 3]}",
                           "city": "Melbourne", "postcode": "" if h % 29 == 0 else "3000"},
               "manager": None if first_boss < 0 or h % 5 == 0 else {
                   "id": self.rest_id("users", first_boss), "name": f"{u.given[first_boss]} {u.surname[first_boss]}"},
               "hire_date": datetime.fromtimestamp(u.hired[idx], SITE_TZ).strftime("%Y-%m-%d"), "locale": "en-AU"}
        if h % 11 == 0:
            del rec["phone"]          # missing key
        if h % 31 == 0:
            del rec["department"]
        return rec

    def _rest_suppliers(self, idx: int) -> dict:
        s = self.site.t["suppliers"]
        v = self.views.v_suppliers(idx, frozenset())
        h = mix(self.seed, 23, idx)
        rec = {"id": self.rest_id("suppliers", idx), "name": s.name[idx],
               "contact_person": f"{s.given[idx]} {s.surname[idx]}", "email": s.email[idx], "phone": v["phone"],
               "address": s.street[idx], "city": s.suburb[idx], "state": "VIC", "country": "Australia",
               "postal_code": s.postcode[idx],
               "payment_terms": self.site.t["transactionterms"].name[s.term[idx]], "tax_id": s.abn[idx],
               "account_code": s.extid[idx][:8].upper() or None,
               "status": "archived" if s.archived[idx] else "active",
               "created_at": self._iso(s.created[idx], idx, 3), "updated_at": self._iso(s.updated[idx], idx, 4),
               "bank": {"name": ["ANZ", "Westpac", "NAB", "Commonwealth Bank"][h % 4], "bsb": f"0{h % 90 + 10}-000"},
               "website": None if h % 4 == 0 else f"https://{s.email[idx].split('@')[1]}"}
        if h % 13 == 0:
            del rec["tax_id"]
        return rec

    def _rest_payments(self, idx: int) -> dict:
        p, inv, t, c = self.site.t["payments"], self.site.t["invoices"], self.site.t["tasks"], self.site.t["clients"]
        invoice = p.invoice[idx]
        task = inv.task[invoice]
        client = t.client[task]
        h = mix(self.seed, 37, idx)
        paid = datetime.fromtimestamp(p.updated[idx], SITE_TZ).strftime("%Y-%m-%d")
        rec = {"id": self.rest_id("payments", idx), "amount": p.amount[idx] / 100, "currency": "AUD",
               "payment_date": paid, "payment_method": p.method[idx], "status": "completed",
               "reference_number": f"INV{inv.number[invoice]}" if h % 9 else "",
               "customer_id": f"C{client + 1:05d}", "invoice_id": f"INV-{inv.number[invoice]}",
               "job_id": f"JOB-{t.jobno[task]}", "transaction_type": "invoice",
               "notes": None if h % 8 == 0 else ("Part payment" if len(self.site.invoice_payments[invoice]) > 1
                                                 else "Paid in full"),
               "created_at": self._iso(p.created[idx], idx, 5), "updated_at": self._iso(p.updated[idx], idx, 6),
               "customer": {"id": f"C{client + 1:05d}", "name": c.name[client]},
               "fee": round(p.surcharge[idx] / 100, 2)}
        if h % 15 == 0:
            del rec["job_id"]
        return rec
