"""Deterministic sandbox dataset rendered in both AroFlo dialects.

One logical record set per table is kept as compact parallel int arrays
(timestamps, versions); every other field is derived from the record index
with a cheap integer hash.  That keeps 100k+ records per table cheap to build,
keeps the two dialects consistent with each other, and makes the data a pure
function of (seed, sizes, now, sequence of touch/add calls).
"""

from __future__ import annotations

import base64
import bisect
import functools
import random
import unicodedata
import threading
from datetime import datetime, timedelta, timezone
from typing import Iterable

from source_aroflo.declaration import FEED_ZONES
from source_aroflo.zones import ZONES

from .generic import GenericTable, build_tables, local_text, mix, zone_id as encode_zone_id

TABLES = ("users", "suppliers", "payments")
# Every other zone the connector declares, generated from its declaration (`generic.py`).
GENERIC_ZONES = tuple(z for z in ZONES if z.seed is None and z.name != "lastupdate")
ZONE_NAMES = TABLES + tuple(z.name for z in GENERIC_ZONES)
# The zones the `lastupdate` change feed lists (§5.6), as the sandbox serves them.
FEED_TABLES = tuple(name for name in ZONE_NAMES if name in FEED_ZONES)
DEFAULT_NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=timezone.utc)

# REST ids are fixed-width decimal strings so string order == numeric order.
_REST_ID_BASE = {"users": 10_000_001, "suppliers": 20_000_001, "payments": 30_000_001}
_ZONE_TAG = {"users": 0x55, "suppliers": 0x53, "payments": 0x50}
_TABLE_SALT = {"users": 11, "suppliers": 23, "payments": 37}
_DAY = 86400

_FIRST = ["Zoë", "Ngā", "李", "José", "Aroha", "Mia", "Liam", "Olivia", "Noah", "Chloé",
          "Søren", "Priya", "Tāne", "Ava", "Jack", "Émile", "Ana", "Björn", "Siobhán", "Wei"]
_LAST = ["Smith", "Ngata", "王", "O'Brien", "Müller", "Nguyen", "Patel", "Te Rangi", "García",
         "Brown", "Wilson", "Kowalski", "Døssing", "Tāmaki", "Lee", "Martin", "Zhang",
         "Ó Súilleabháin"]
_POSITIONS = ["Technician", "Senior Technician", "Apprentice", "Project Manager",
              "Office Admin", "Estimator", "Plumber", "Electrician"]
_ORGS = ["Melbourne Field Services", "Sydney Office", "Auckland Branch – Ngā Tai",
         "Brisbane Projects"]
_ACCESS = ["Admin", "User", "Field", "Limited"]
_TERRITORIES = ["VIC-North", "VIC-South", "NSW-Metro", "QLD", "NZ-Auckland"]
_STREETS = ["Collins St", "Queen St", "Te Awe Awe St", "Rue de l'Église", "George St",
            "Smith St", "Ponsonby Rd", "Chapel St"]
_CITIES = [("Melbourne", "VIC", "3000", "Australia"), ("Sydney", "NSW", "2000", "Australia"),
           ("Brisbane", "QLD", "4000", "Australia"), ("Auckland", "AUK", "1010", "New Zealand"),
           ("Wellington", "WGN", "6011", "New Zealand"), ("Hobart", "TAS", "7000", "Australia")]
_SUPPLIER_WORDS = ["Plumbing", "Electrical", "Hardware", "Timber", "Café Supplies", "Tools",
                   "Pipe & Fittings", "Kōwhai Trading", "李氏 Imports", "Cables"]
_SUPPLIER_SUFFIX = ["Pty Ltd", "Ltd", "& Co", "Wholesale", "Group", ""]
_TERMS = [("30 Days", "30", 3), ("14 Days", "14", 2), ("COD", "0", 1),
          ("End of Month", "EOM", 4), ("60 Days", "60", 5)]
_BANKS = [("ANZ", "013-000"), ("Westpac", "032-000"), ("NAB", "083-000"),
          ("Commonwealth Bank", "062-000"), ("ASB", "12-3010")]
_PAY_METHODS = ["EFT", "Credit Card", "Cash", "Cheque", "Direct Debit"]
_LINK_TYPES = ["invoice"] * 7 + ["job", "quote", "prepayment"]
_PAY_STATUS = ["completed", "completed", "completed", "pending", "failed", "refunded"]
_OFFSETS = [timezone.utc, timezone(timedelta(hours=10)), timezone(timedelta(hours=-5)),
            timezone.utc, timezone(timedelta(hours=5, minutes=30)),
            timezone(timedelta(hours=11)), timezone(timedelta(hours=-3, minutes=-30))]
_mix = mix  # splitmix64-style hash: a stable, fast per-field pseudo random number


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


def zone_dt(ts: float) -> str:
    """Zone response datetime: `2023/05/23 23:28:15` (UTC)."""
    return _utc(ts).strftime("%Y/%m/%d %H:%M:%S")


def zone_date(ts: float) -> str:
    return _utc(ts).strftime("%Y/%m/%d")


def decode_zone_id(value: str) -> tuple[int, int] | None:
    try:
        raw = base64.b64decode(value, validate=True)
    except Exception:
        return None
    if len(raw) != 10 or raw[:3] != b"$$:":
        return None
    return raw[3], int.from_bytes(raw[4:8], "big")


class Dataset:
    """The sandbox's records.  Thread-safe for concurrent readers + touch/add."""

    def __init__(self, users: int = 60, suppliers: int = 40, payments: int = 80,
                 seed: int = 0, now: datetime | None = None, zones: int | dict = 12):
        self.seed = seed
        self._user_pool = max(users, 1)  # payments' receivedby never shifts on add()
        now = now or DEFAULT_NOW
        if now.tzinfo is None:
            now = now.replace(tzinfo=timezone.utc)
        self._now = now.timestamp()
        self.params = {"users": users, "suppliers": suppliers, "payments": payments,
                       "seed": seed, "now": now}
        self.lock = threading.RLock()
        self.version = 0  # bumps on every mutation; caches key on it
        self.table_version = {t: 0 for t in TABLES}
        self.created: dict[str, list[float]] = {}
        self.updated: dict[str, list[int]] = {}
        self.rev: dict[str, list[int]] = {}
        self.paid_day: list[int] = []  # payments only: epoch day of datepaid
        self._zone_index: dict[str, dict[str, int]] = {}
        self._rest_order_cache: dict[str, tuple[int, list[int], list[int]]] = {}
        self._rng = {t: random.Random(seed * 1_000_003 + _TABLE_SALT[t]) for t in TABLES}
        # Records whose zone cursor AroFlo leaves blank (" " / ""), as in AroFlo's own examples.
        self.blank: dict[str, set] = {t: set() for t in TABLES}
        if users > 25:
            self.blank["users"].add(23)
        if payments > 40:
            self.blank["payments"].add(37)
        for table, n in (("users", users), ("suppliers", suppliers), ("payments", payments)):
            self.created[table], self.updated[table], self.rev[table] = [], [], []
            self._generate(table, n)
        counts = zones if isinstance(zones, dict) else {"*": zones}
        self.params["zones"] = zones
        self.generic: dict[str, GenericTable] = build_tables(GENERIC_ZONES, counts, seed, self._now)
        for name in self.generic:
            self.table_version[name] = 0

    # ----------------------------------------------------------------- clock
    @property
    def now(self) -> datetime:
        return _utc(self._now)

    @property
    def now_ts(self) -> float:
        return self._now

    def advance(self, seconds: float = 1.0) -> datetime:
        """Move the logical clock forward (touch/add without `at` do this)."""
        with self.lock:
            self._now += seconds
            return self.now

    # ------------------------------------------------------------ generation
    def _generate(self, table: str, n: int) -> None:
        rng = self._rng[table]
        now = int(self._now)
        created, updated, rev = self.created[table], self.updated[table], self.rev[table]
        start = len(updated)
        for i in range(start, start + n):
            u = rng.random()
            if u < 0.25:
                age = rng.uniform(0, 29.5)        # recently changed: inside 30-day window
            elif u < 0.4:
                age = rng.uniform(30.5, 89)
            elif u < 0.65:
                age = rng.uniform(91, 364)       # older than 90 days
            else:
                age = rng.uniform(366, 1100)     # older than a year
            upd = now - int(age * _DAY)
            if i % 17 == 5 and i > 0:
                upd = updated[i - 1]             # pairwise ties
            if 10 <= i < 17:
                upd = now - 3 * _DAY - 3600      # one cluster of 7 records sharing an instant
            cre = upd - int(rng.uniform(0, 400) * _DAY) if i % 4 else upd
            frac = (_mix(i, 99) % 1000) / 1000 if table == "suppliers" else 0.0
            created.append(cre + frac)
            updated.append(upd)
            rev.append(0)
            if table == "payments":
                self.paid_day.append(upd // _DAY if i % 3 else cre // _DAY)
        self._zone_index.pop(table, None)

    # ------------------------------------------------------------- identity
    def count(self, table: str) -> int:
        generic = self.generic.get(table)
        return generic.count() if generic is not None else len(self.updated[table])

    def updated_ts(self, table: str, idx: int) -> float:
        generic = self.generic.get(table)
        return generic.updated[idx] if generic is not None else self.updated[table][idx]

    def revision(self, table: str, idx: int) -> int:
        generic = self.generic.get(table)
        return generic.rev[idx] if generic is not None else self.rev[table][idx]

    def deleted(self, table: str) -> set:
        generic = self.generic.get(table)
        return generic.deleted if generic is not None else set()

    def rest_id(self, table: str, idx: int) -> str:
        return str(_REST_ID_BASE[table] + idx)

    def zone_id(self, table: str, idx: int) -> str:
        generic = self.generic.get(table)
        return generic.record_id(idx) if generic is not None else encode_zone_id(_ZONE_TAG[table], idx)

    def ids(self, table: str, dialect: str = "rest") -> list[str]:
        """All ids of a table in index (creation) order (records deleted in AroFlo left out)."""
        fn = self.rest_id if dialect == "rest" else self.zone_id
        gone = self.deleted(table)
        return [fn(table, i) for i in range(self.count(table)) if i not in gone]

    def index_of(self, table: str, record_id: str) -> int:
        """Index for a REST id or a zone id; KeyError if unknown."""
        rid = str(record_id)
        generic = self.generic.get(table)
        if generic is not None:
            dec = decode_zone_id(rid)
            if dec and dec[0] == generic.tag and dec[1] < generic.count():
                return dec[1]
            raise KeyError(f"{table}: unknown id {record_id!r}")
        if rid.isdigit():
            idx = int(rid) - _REST_ID_BASE[table]
            if 0 <= idx < self.count(table):
                return idx
        dec = decode_zone_id(rid)
        if dec and dec[0] == _ZONE_TAG[table] and dec[1] < self.count(table):
            return dec[1]
        raise KeyError(f"{table}: unknown id {record_id!r}")

    # ------------------------------------------------------------- mutation
    def touch(self, table: str, ids: Iterable[str] | None = None, at: datetime | None = None,
              count: int | None = None) -> list[str]:
        """Change records: bump their update time (and datepaid for payments) and a field.

        `ids` are REST or zone ids; or `count` picks the records with the oldest
        update times.  Without `at` the logical clock advances by one second.
        Returns the REST ids touched.
        """
        with self.lock:
            generic = self.generic.get(table)
            if generic is not None:
                if ids is None:
                    order = sorted(generic.alive(), key=lambda i: (generic.updated[i], i))
                    idxs = order[: count if count is not None else 1]
                else:
                    idxs = [self.index_of(table, i) for i in ids]
                ts = at.timestamp() if at is not None else self.advance(1).timestamp()
                generic.touch(idxs, ts)
                self._mutated(table)
                return [generic.record_id(i) for i in idxs]
            if ids is None:
                order = self.rest_order(table)
                idxs = order[: count if count is not None else 1]
            else:
                idxs = [self.index_of(table, i) for i in ids]
            ts = at.timestamp() if at is not None else self.advance(1).timestamp()
            for idx in idxs:
                self.updated[table][idx] = int(ts)
                self.rev[table][idx] += 1
                self.blank[table].discard(idx)
                if table == "payments":
                    self.paid_day[idx] = int(ts) // _DAY
            self._mutated(table)
            return [self.rest_id(table, i) for i in idxs]

    def add(self, table: str, n: int = 1, at: datetime | None = None) -> list[str]:
        """Append `n` new records created/updated at `at` (default: clock + 1 s)."""
        with self.lock:
            ts = int(at.timestamp() if at is not None else self.advance(1).timestamp())
            generic = self.generic.get(table)
            if generic is not None:
                added = generic.add(n, ts)
                self._mutated(table)
                return [generic.record_id(i) for i in added]
            start = self.count(table)
            for i in range(start, start + n):
                frac = (_mix(i, 99) % 1000) / 1000 if table == "suppliers" else 0.0
                self.created[table].append(ts + frac)
                self.updated[table].append(ts)
                self.rev[table].append(0)
                if table == "payments":
                    self.paid_day.append(ts // _DAY)
            self._zone_index.pop(table, None)
            self._mutated(table)
            return [self.rest_id(table, i) for i in range(start, start + n)]

    def delete(self, table: str, ids: Iterable[str], at: datetime | None = None) -> list[str]:
        """Delete records of a generated zone: they stop coming back, and the change feed lists
        the deletion (as AroFlo's does: an entry whose record no longer exists)."""
        with self.lock:
            generic = self.generic[table]
            idxs = [self.index_of(table, i) for i in ids]
            ts = at.timestamp() if at is not None else self.advance(1).timestamp()
            for idx in idxs:
                generic.updated[idx] = int(ts)
                generic.deleted.add(idx)
            self._mutated(table)
            return [generic.record_id(i) for i in idxs]

    def _mutated(self, table: str) -> None:
        self.version += 1
        self.table_version[table] += 1

    # -------------------------------------------------------------- orders
    def rest_order(self, table: str) -> list[int]:
        """Indices ordered by (updated_at instant, id) - the REST dialect order."""
        return self._rest_sorted(table)[1]

    def _rest_sorted(self, table: str) -> tuple[int, list[int], list[int]]:
        with self.lock:
            cached = self._rest_order_cache.get(table)
            tv = self.table_version[table]
            if cached and cached[0] == tv:
                return cached
            upd = self.updated[table]
            order = sorted(range(len(upd)), key=lambda i: (upd[i], i))
            keys = [upd[i] for i in order]
            entry = (tv, order, keys)
            self._rest_order_cache[table] = entry
            return entry

    def rest_query(self, table: str, since_ts: float | None) -> list[int]:
        """REST order, restricted to updated_at >= since_ts (inclusive)."""
        _, order, keys = self._rest_sorted(table)
        if since_ts is None:
            return order
        return order[bisect.bisect_left(keys, since_ts):]

    def rest_records(self, table: str) -> list[dict]:
        return [self.rest_record(table, i) for i in self.rest_order(table)]

    def zone_records(self, table: str) -> list[dict]:
        """Zone records in the zone's default (creation) order."""
        gone = self.deleted(table)
        return [self.zone_record(table, i) for i in range(self.count(table)) if i not in gone]

    # ----------------------------------------------------------- rendering
    def rest_record(self, table: str, idx: int) -> dict:
        return getattr(self, f"_rest_{table}")(idx)

    def zone_record(self, table: str, idx: int) -> dict:
        generic = self.generic.get(table)
        if generic is not None:
            return generic.render(idx)
        return getattr(self, f"_zone_{table}")(idx)

    def _iso(self, ts: float, idx: int, salt: int) -> str:
        """ISO-8601 in a per-record UTC offset ('Z', '+00:00', '+10:00', '-05:00', ...)."""
        pick = (idx * 13 + salt * 5 + idx // 7) % (len(_OFFSETS) * 3)
        tz = _OFFSETS[pick % len(_OFFSETS)]
        s = _utc(ts).astimezone(tz).isoformat(timespec="milliseconds" if ts % 1 else "seconds")
        if s.endswith("+00:00") and pick % 3:
            s = s[:-6] + "Z"
        return s

    def _person(self, idx: int, salt: int, h: int | None = None) -> tuple[str, str]:
        h = _mix(self.seed, salt, idx) if h is None else h
        return _FIRST[h % len(_FIRST)], _LAST[(h >> 8) % len(_LAST)]

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def _ascii(s: str) -> str:
        """ASCII login/domain part of a (possibly unicode) name."""
        out = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()
        out = "".join(c for c in out if c.isalnum())
        return out or "user"

    def _phone(self, idx: int, salt: int, rev: int, h: int | None = None) -> str:
        h = _mix(self.seed, salt, idx) if h is None else h
        return f"+61 3 9{h % 1000:03d} {(h >> 10) % 10000 + rev:04d}"

    # users ---------------------------------------------------------------
    def _user_core(self, idx: int) -> dict:
        h = _mix(self.seed, 11, idx)
        first, last = self._person(idx, 11, h)
        login = f"{self._ascii(first)}.{self._ascii(last)}{idx}"
        return {
            "first": first, "last": last, "login": login,
            "email": "" if h % 13 == 0 else f"{login}@example.com.au",
            "position": _POSITIONS[(h >> 16) % len(_POSITIONS)],
            "pos_n": (h >> 16) % len(_POSITIONS),
            "org_n": (h >> 20) % len(_ORGS),
            "access": _ACCESS[(h >> 24) % len(_ACCESS)],
            "archived": (h >> 28) % 9 == 0,
            "h": h,
        }

    def _rest_users(self, idx: int) -> dict:
        c = self._user_core(idx)
        h = c["h"]
        rev = self.rev["users"][idx]
        city = _CITIES[(h >> 32) % len(_CITIES)]
        rec = {
            "id": self.rest_id("users", idx),
            "first_name": c["first"], "last_name": c["last"], "email": c["email"],
            "phone": self._phone(idx, 11, rev, h),
            "role": c["position"], "department": _ORGS[c["org_n"]],
            "employee_id": None if h % 19 == 0 else f"EMP-{idx + 1:05d}",
            "status": "archived" if c["archived"] else ("inactive" if h % 23 == 0 else "active"),
            "access_level": c["access"].lower(),
            "territory": None if h % 7 == 0 else _TERRITORIES[(h >> 36) % len(_TERRITORIES)],
            "created_at": self._iso(self.created["users"][idx], idx, 1),
            "updated_at": self._iso(self.updated["users"][idx], idx, 2),
            "address": {"street": f"{(h >> 40) % 300 + 1} {_STREETS[(h >> 44) % len(_STREETS)]}",
                        "city": city[0], "postcode": "" if h % 29 == 0 else city[2]},
            "manager": None if h % 5 == 0 or idx == 0 else {
                "id": self.rest_id("users", (h >> 48) % max(idx, 1)),
                "name": " ".join(self._person((h >> 48) % max(idx, 1), 11))},
            "hire_date": zone_date(self.created["users"][idx]).replace("/", "-"),
            "locale": "en-NZ" if city[3] == "New Zealand" else "en-AU",
        }
        if h % 11 == 0:
            del rec["phone"]          # missing key
        if h % 31 == 0:
            del rec["department"]
        return rec

    def _zone_users(self, idx: int) -> dict:
        c = self._user_core(idx)
        h = c["h"]
        rev = self.rev["users"][idx]
        cre, upd = self.created["users"][idx], self.updated["users"][idx]
        rec = {
            "userid": self.zone_id("users", idx),
            "givennames": c["first"], "surname": c["last"], "username": c["login"],
            "email": c["email"], "email2": "",
            "phone": "" if h % 11 == 0 else self._phone(idx, 11, rev, h),
            "mobile": f"04{h % 100000000:08d}" if h % 3 else "", "fax": "",
            "position": c["position"],
            "userposition": {"positionid": encode_zone_id(0x70, c["pos_n"]),
                             "positionname": c["position"]},
            "org": {"orgid": encode_zone_id(0x4F, c["org_n"]), "orgname": _ORGS[c["org_n"]]},
            "accesstype": c["access"],
            "archived": ("TRUE" if h % 2 else "true") if c["archived"]
            else ("false" if h % 4 else "FALSE"),
            "createdutc": zone_date(cre), "createddatetimeutc": zone_dt(cre),
            "lastupdatedutc": zone_date(upd), "lastupdateddatetimeutc": zone_dt(upd),
        }
        if idx in self.blank["users"]:  # as in AroFlo's own examples: a blank update time
            rec["lastupdatedutc"], rec["lastupdateddatetimeutc"] = "", " "
        if h % 9 == 0:
            del rec["userposition"]   # role must fall back to `position`
        return rec

    # suppliers -----------------------------------------------------------
    def _supplier_core(self, idx: int) -> dict:
        h = _mix(self.seed, 23, idx)
        word = _SUPPLIER_WORDS[h % len(_SUPPLIER_WORDS)]
        suffix = _SUPPLIER_SUFFIX[(h >> 8) % len(_SUPPLIER_SUFFIX)]
        first, last = self._person(idx, 23, h)
        name = f"{last} {word} {suffix}".strip() + ("" if idx < len(_LAST) * 3 else f" #{idx}")
        return {"h": h, "name": name, "first": first, "last": last,
                "city": _CITIES[(h >> 12) % len(_CITIES)],
                "street": f"{(h >> 16) % 500 + 1} {_STREETS[(h >> 20) % len(_STREETS)]}",
                "unit": f"Unit {(h >> 24) % 20 + 1}" if h % 3 == 0 else "",
                "terms": _TERMS[(h >> 28) % len(_TERMS)],
                "abn": f"{(h >> 32) % 90 + 10} {(h >> 36) % 900 + 100} {(h >> 40) % 900 + 100} "
                       f"{(h >> 44) % 900 + 100}",
                "account": "" if h % 7 == 0 else f"SUP{idx + 1:06d}",
                "archived": (h >> 48) % 8 == 0,
                "email": "" if h % 10 == 0 else f"accounts@{self._ascii(last)}{idx}.example.com"}

    def _rest_suppliers(self, idx: int) -> dict:
        c = self._supplier_core(idx)
        h, rev = c["h"], self.rev["suppliers"][idx]
        bank = _BANKS[(h >> 52) % len(_BANKS)]
        rec = {
            "id": self.rest_id("suppliers", idx), "name": c["name"],
            "contact_person": f"{c['first']} {c['last']}", "email": c["email"],
            "phone": self._phone(idx, 23, rev, h),
            "address": ", ".join(x for x in (c["street"], c["unit"]) if x),
            "city": c["city"][0], "state": c["city"][1], "country": c["city"][3],
            "postal_code": c["city"][2], "payment_terms": c["terms"][0],
            "tax_id": c["abn"], "account_code": c["account"] or None,
            "status": "archived" if c["archived"] else "active",
            "created_at": self._iso(self.created["suppliers"][idx], idx, 3),
            "updated_at": self._iso(self.updated["suppliers"][idx], idx, 4),
            "bank": {"name": bank[0], "bsb": bank[1]},
            "website": None if h % 4 == 0 else f"https://{self._ascii(c['last'])}.example.com",
        }
        if h % 13 == 0:
            del rec["tax_id"]
        return rec

    def _zone_suppliers(self, idx: int) -> dict:
        c = self._supplier_core(idx)
        h, rev = c["h"], self.rev["suppliers"][idx]
        cre = self.created["suppliers"][idx]
        ms = round((cre % 1) * 1000)
        frac = ("." + f"{ms:03d}".rstrip("0")) if ms else ""
        org_n = (h >> 56) % len(_ORGS)
        addr = {"addressline1": c["street"], "addressline2": c["unit"], "suburb": c["city"][0],
                "state": c["city"][1], "postcode": c["city"][2], "country": c["city"][3]}
        term = c["terms"]
        return {
            "supplierid": self.zone_id("suppliers", idx), "suppliername": c["name"],
            "suppliertype": "Contractor" if h % 5 == 0 else "Supplier",
            "shortname": self._ascii(c["last"])[:8].upper(),
            "firstname": c["first"], "surname": c["last"], "email": c["email"],
            "phone": self._phone(idx, 23, rev, h), "mobile": "", "fax": "",
            "website": "" if h % 4 == 0 else f"https://{self._ascii(c['last'])}.example.com",
            "abn": c["abn"] if h % 13 else "",
            "address": addr,
            "mailingaddress": dict(addr) if h % 2 else {k: "" for k in addr},
            "orgs": [{"orgid": encode_zone_id(0x4F, org_n), "orgname": _ORGS[org_n],
                      "archived": "false"}],
            "link": {"orgid": encode_zone_id(0x4F, org_n), "orgname": _ORGS[org_n],
                     "externalid": c["account"]},
            "transactionterms": {"transactionterm": term[0] if h % 6 else "",
                                 "transactiontermnote": "", "transactiontermid":
                                 encode_zone_id(0x74, term[2])},
            "terms": term[1], "termsnote": "",
            "postable": "TRUE" if h % 3 else "false",
            "archived": "TRUE" if c["archived"] else "false",
            # Site-local time (Melbourne), `2018-10-16 13:30:19.58` as AroFlo sends suppliers' dates.
            "datecreated": local_text(cre, dash=True), "dateinserted": local_text(cre, dash=True),
            "datetimeinserted": local_text(int(cre), dash=True) + frac,
        }

    # payments ------------------------------------------------------------
    def _payment_core(self, idx: int) -> dict:
        h = _mix(self.seed, 37, idx)
        special = {0: 1, 1: 100_000_000, 2: 29676}
        cents = special.get(idx, h % 500_000 + 100)
        link = _LINK_TYPES[(h >> 20) % len(_LINK_TYPES)]
        status = _PAY_STATUS[(h >> 24) % len(_PAY_STATUS)]
        if status == "refunded":
            cents = -cents
        surcharge = cents * 15 // 1000 if h % 5 == 0 else 0
        return {"h": h, "cents": cents, "surcharge": surcharge, "link": link, "status": status,
                "method": _PAY_METHODS[(h >> 28) % len(_PAY_METHODS)],
                "ref": "" if h % 9 == 0 else f"PAY-{idx + 1:06d}",
                "customer": (h >> 32) % 5000 + 1, "linkid": (h >> 40) % 90000 + 1000,
                "user": (h >> 48) % self._user_pool}

    def _notes(self, idx: int, table: str, h: int) -> str | None:
        rev = self.rev[table][idx]
        base = ["", "Paid in full", "Part payment – balance to follow", "Zahlung erhalten ✓",
                "Ref: \"urgent\"\nsecond line"][h % 5]
        return base + (f" (rev {rev})" if rev else "")

    def _rest_payments(self, idx: int) -> dict:
        c = self._payment_core(idx)
        h = c["h"]
        rec = {
            "id": self.rest_id("payments", idx), "amount": c["cents"] / 100,
            "currency": "NZD" if h % 7 == 0 else "AUD",
            "payment_date": _utc(self.paid_day[idx] * _DAY).strftime("%Y-%m-%d"),
            "payment_method": c["method"],
            "status": c["status"] if not self.rev["payments"][idx] else "completed",
            "reference_number": c["ref"], "customer_id": f"C{c['customer']:05d}",
            "invoice_id": f"INV-{c['linkid']}" if c["link"] == "invoice" else None,
            "job_id": f"JOB-{c['linkid']}" if c["link"] == "job" else None,
            "transaction_type": c["link"], "notes": self._notes(idx, "payments", h),
            "created_at": self._iso(self.created["payments"][idx], idx, 5),
            "updated_at": self._iso(self.updated["payments"][idx], idx, 6),
            "customer": {"id": f"C{c['customer']:05d}",
                         "name": " ".join(self._person(c["customer"], 41))},
            "fee": round(c["surcharge"] / 100, 2),
        }
        if h % 8 == 0:
            rec["notes"] = None
        if h % 15 == 0:
            del rec["job_id"]
        return rec

    def _zone_payments(self, idx: int) -> dict:
        c = self._payment_core(idx)
        h, paid = c["h"], self.paid_day[idx] * _DAY
        processed = h % 4 != 0
        user_idx = c["user"]
        first, last = self._person(user_idx, 11)
        return {
            "paymentid": self.zone_id("payments", idx),
            "amount": f"{c['cents'] / 100:.4f}",
            "totalamount": f"{(c['cents'] + c['surcharge']) / 100:.4f}",
            "surchargeamount": f"{c['surcharge'] / 100:.4f}",
            "surchargepercentage": "1.50" if c["surcharge"] else "0.00",
            "datepaid": "" if idx in self.blank["payments"] else zone_date(paid),
            "paymentmethodname": c["method"],
            "reference": c["ref"], "notes": self._notes(idx, "payments", h) or "",
            "chequenumber": f"{(h >> 8) % 900000 + 100000}" if c["method"] == "Cheque" else "",
            "bankname": _BANKS[(h >> 12) % len(_BANKS)][0] if c["method"] == "Cheque" else "",
            "bankaccountnumber": "", "bankbranch": "", "bankcode": "",
            "linkprocessed": "true" if processed else "false",
            "datelinkprocessed": zone_date(paid + _DAY) if processed else "",
            "linkedto": {"linkedtoid": encode_zone_id(0x49 if c["link"] == "invoice" else 0x4A,
                                                      c["linkid"]),
                         "linkedtotype": c["link"]},
            "receivedby": {"userid": self.zone_id("users", user_idx),
                           "username": f"{self._ascii(first)}.{self._ascii(last)}{user_idx}"},
        }

    # ------------------------------------------------------ zone field values
    def zone_date_value(self, table: str, idx: int, field: str) -> float:
        """Epoch value of a zone date/datetime field, without rendering the record."""
        if table == "users":
            if field in ("createdutc", "createddatetimeutc"):
                ts = self.created["users"][idx]
            elif idx in self.blank["users"]:
                return None  # blank: NULL to AroFlo's SQL, matched by no comparison
            else:
                ts = self.updated["users"][idx]
            return ts - ts % _DAY if field.endswith("utc") and "datetime" not in field else ts
        if table == "suppliers":
            ts = self.created["suppliers"][idx]
            return ts if field == "datetimeinserted" else int(ts) - int(ts) % _DAY
        if table == "payments":
            return None if idx in self.blank["payments"] else self.paid_day[idx] * _DAY
        raise KeyError(field)
