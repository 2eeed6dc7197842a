"""The business behind the sandbox: one Melbourne plumbing & electrical contractor.

`Site(sizes, seed, now, years)` builds a coherent history as compact per-record columns (no
record dicts): staff with employment periods and rates; clients with contacts and sites;
suppliers; inventory and stock; jobs (tasks) requested over the years and worked by the
staff employed at the time, day by day (labour lines that fill plausible working days, the
timesheets that match them, the bookings that preceded them and the ones coming up);
materials and expenses on those jobs; quotes (accepted ones became jobs); invoices for
completed jobs whose lines are the jobs' labour, materials and expenses at sell; payments
against the invoices; purchase orders and supplier bills; work orders to contractors;
projects with stages; assets at clients' sites; documents, photos and notes.

Every record has a creation and an update time (epoch seconds); ids are `core.rid(kind, index)`.
The records are rendered on demand by `views.py`. The site is a pure function of its inputs and
of the mutations applied (`touch`, `add`, `delete`, `soft_delete`, `remove_line`, `busy_hour`).
"""

from __future__ import annotations

import bisect
import functools
import random
import unicodedata
from collections import defaultdict
from typing import Dict, Iterable, List, Optional

from . import words as W
from .core import DAY, TAGS, add_workdays, at_local, local_ordinal, mix, next_workday, rid, spread, weekday

ZONE_NAMES = ("assetcategories", "assets", "billlineitems", "bills", "businessunits", "clientnotes", "clients",
              "contacts", "customholders", "documentsandphotos", "inventory", "inventorycategories",
              "inventorylists", "inventorystocklevels", "invoices", "locations", "messageboard",
              "messagetemplates", "payments", "permissiongroups", "priorities", "projects", "purchaseorders",
              "quotelineitems", "quotes", "schedules", "stages", "substatus", "suppliers", "taskexpenses",
              "tasklabours", "taskmaterials", "tasks", "tasktypes", "timesheets", "trackingcentres",
              "transactionterms", "userposition", "users", "workorderlineitems", "workorders")
GST = 0.10
WORKDAY_START = 7 * 60  # minutes after local midnight
MAX_DAY_MINUTES = 10 * 60


@functools.lru_cache(maxsize=65536)
def ascii_of(text: str) -> str:
    out = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in out if c.isalnum()) or "x"


def gst(cents: int) -> int:
    return int(round(cents * GST))


class Table:
    """One kind of record as parallel columns; a record is its index."""

    def __init__(self, zone: str, cols: Iterable[str]):
        self.zone = zone
        self.tag = TAGS[zone]
        self.cols: Dict[str, list] = {c: [] for c in cols}
        assert not set(self.cols) & {"zone", "tag", "cols", "created", "updated", "rev", "deleted", "blank", "_items"}
        self._items = tuple(self.cols.items())
        self.created: List[float] = []
        self.updated: List[float] = []
        self.rev: List[int] = []
        self.deleted: Dict[int, float] = {}  # hard-deleted (gone from the zone) -> when
        self.blank: set = set()              # update time AroFlo leaves blank (" ")

    def __getattr__(self, name):
        try:
            return self.__dict__["cols"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __len__(self) -> int:
        return len(self.created)

    def append(self, created: float, updated: Optional[float] = None, **values) -> int:
        i = len(self.created)
        self.created.append(created)
        # Update times are whole seconds, as AroFlo shows them (creation times may carry a
        # fraction: clients' and suppliers' `datetimeinserted` show it).
        self.updated.append(int(created if updated is None else updated))
        self.rev.append(0)
        get = values.get
        for c, column in self._items:
            column.append(get(c, -1))
        return i

    def id(self, i: int) -> str:
        return rid(self.zone, i)

    def alive(self, i: int) -> bool:
        return i not in self.deleted


class Site:
    AT_LEAST_ONE = frozenset({"users", "clients", "suppliers", "tasks", "tasktypes", "businessunits", "priorities",
                              "transactionterms", "userposition", "permissiongroups", "trackingcentres", "substatus",
                              "customholders", "inventorycategories", "assetcategories", "inventory"})

    def __init__(self, sizes: Dict[str, int], seed: int = 0, now: float = 0.0, years: float = 3.0):
        self.seed = seed
        self.now = float(now)
        self.years = years
        self.start = self.now - years * 365.25 * DAY
        # What the rest of the business hangs on has at least one record; other zones may be empty.
        self.sizes = {z: max(1 if z in self.AT_LEAST_ONE else 0, int(sizes.get(z, 1))) for z in ZONE_NAMES}
        self.t: Dict[str, Table] = {}
        self.version = 0
        self._build()

    # ---------------------------------------------------------------------------- helpers
    def rng(self, salt: str) -> random.Random:
        return random.Random(mix(self.seed, sum((i + 1) * ord(c) for i, c in enumerate(salt))))

    def h(self, *parts) -> int:
        return mix(self.seed, *parts)

    def table(self, name: str, cols: Iterable[str]) -> Table:
        t = Table(name, cols)
        self.t[name] = t
        return t

    def n(self, zone: str) -> int:
        return self.sizes[zone]

    # ------------------------------------------------------------------------------ build
    def task_pos(self) -> Dict[int, List[int]]:
        return self._task_pos

    def supplier_contacts(self) -> Dict[int, List[int]]:
        return self._supplier_contacts

    def wo_bills(self) -> Dict[int, List[int]]:
        return self._wo_bills

    def _build(self) -> None:
        self._task_pos: Dict[int, List[int]] = defaultdict(list)
        self._supplier_contacts: Dict[int, List[int]] = defaultdict(list)
        self._wo_bills: Dict[int, List[int]] = defaultdict(list)
        self._reference()
        self._users()
        self._clients()
        self._suppliers()
        self._contacts()
        self._locations()
        self._inventory()
        self._tasks()
        self._work()            # labour, timesheets, schedules, materials, expenses
        self._quotes()
        self._purchasing()      # purchase orders, bills, work orders
        self._invoices()
        self._payments()
        self._projects()
        self._assets()
        self._documents()
        self._notes()
        self._messages()
        self._settle()

    # ------------------------------------------------------------------------- reference
    def _reference(self) -> None:
        early = self.start - 400 * DAY
        r = self.rng("reference")
        bu = self.table("businessunits", ("name", "short", "archived"))
        for i in range(self.n("businessunits")):
            suffix = "" if i < len(W.BU_NAMES) else f" {i // len(W.BU_NAMES) + 1}"
            bu.append(early + i * 20 * DAY, name=W.BU_NAMES[i % len(W.BU_NAMES)] + suffix,
                      short=W.BU_SHORT[i % len(W.BU_SHORT)], archived=i >= 4 and i % 5 == 4)
        order = ["Director", "Plumber", "Office Manager", "Apprentice Plumber", "Electrician", "Estimator",
                 "Administration", "Senior Plumber", "Apprentice Electrician", "Service Coordinator",
                 "Senior Electrician", "Gasfitter", "Project Manager", "Accounts", "Drainer", "Solar Installer"]
        kinds = dict(W.POSITIONS)
        pos = self.table("userposition", ("name", "kind", "archived"))
        for i in range(self.n("userposition")):
            base = order[i % len(order)]
            pos.append(early, name=base + ("" if i < len(order) else f" {i // len(order) + 1}"),
                       kind=kinds[base], archived=False)
        self.position_by_name = {pos.name[i]: i for i in range(len(pos))}
        self.position_by_kind: Dict[str, int] = {}
        for i in range(len(pos)):
            self.position_by_kind.setdefault(pos.kind[i], i)
        groups = self.table("permissiongroups", ("name", "archived"))
        for i in range(self.n("permissiongroups")):
            base = W.PERMISSION_GROUPS[i % len(W.PERMISSION_GROUPS)]
            groups.append(early, name=base + ("" if i < len(W.PERMISSION_GROUPS) else f" {i + 1}"),
                          archived=i >= len(W.PERMISSION_GROUPS))
        tc = self.table("trackingcentres", ("name", "kind", "bu", "archived", "listorder"))
        for i in range(self.n("trackingcentres")):
            name, kind = W.TRACKING_CENTRES[i % len(W.TRACKING_CENTRES)]
            nbu = len(bu)
            tc.append(early + i * DAY, name=name + ("" if i < len(W.TRACKING_CENTRES) else f" {i + 1}"), kind=kind,
                      bu=(i // len(W.TRACKING_CENTRES)) % nbu, archived=False, listorder=i + 1)
        self.tc_by_kind: Dict[str, int] = {}
        for i in range(len(tc)):
            self.tc_by_kind.setdefault(tc.kind[i], i)
        terms = self.table("transactionterms", ("name", "days", "archived"))
        for i in range(self.n("transactionterms")):
            name, days = W.TERMS[i % len(W.TERMS)]
            terms.append(early, name=name + ("" if i < len(W.TERMS) else f" ({i + 1})"), days=days,
                         archived=i >= len(W.TERMS))
        tt = self.table("tasktypes", ("name", "trade", "bu", "archived"))
        for i in range(self.n("tasktypes")):
            name, trade = W.TASK_TYPES[i % len(W.TASK_TYPES)]
            tt.append(early, name=name + ("" if i < len(W.TASK_TYPES) else f" {i // len(W.TASK_TYPES) + 1}"),
                      trade=trade, bu=(i // len(W.TASK_TYPES)) % len(bu), archived=False)
        ss = self.table("substatus", ("name", "main", "type", "listorder", "bu", "archived"))
        pattern = [("task", s) for s in W.TASK_SUBSTATUS] + [("quote", s) for s in W.QUOTE_SUBSTATUS]
        for i in range(self.n("substatus")):
            kind, (name, main) = pattern[i % len(pattern)]
            ss.append(early, name=name + ("" if i < len(pattern) else f" {i // len(pattern) + 1}"), main=main,
                      type=kind, listorder=i + 1, bu=0, archived=i >= len(pattern) and i % 3 == 0)
        self.substatus_by_name: Dict[str, int] = {}
        for i in range(len(ss)):
            self.substatus_by_name.setdefault(ss.name[i], i)
        pr = self.table("priorities", ("name", "minutes", "no", "bu", "archived"))
        for i in range(self.n("priorities")):
            name, minutes = W.PRIORITIES[i % len(W.PRIORITIES)]
            pr.append(early, name=name, minutes=minutes, no=i % len(W.PRIORITIES),
                      bu=(i // len(W.PRIORITIES)) % len(bu), archived=False)
        ac = self.table("assetcategories", ("name", "parent", "listorder"))
        for i in range(self.n("assetcategories")):
            k = len(W.ASSET_CATEGORIES)
            ac.append(early, name=W.ASSET_CATEGORIES[i % k] + ("" if i < k else f" - Type {i // k + 1}"),
                      parent=-1 if i < k else i % k, listorder=i)
        ic = self.table("inventorycategories", ("name", "parent", "listorder"))
        for i in range(self.n("inventorycategories")):
            k = len(W.INVENTORY_CATEGORIES)
            ic.append(early, name=W.INVENTORY_CATEGORIES[i % k] + ("" if i < k else f" - Range {i // k + 1}"),
                      parent=i if i < k else i % k, listorder=i)
        ch = self.table("customholders", ("name", "archived"))
        for i in range(self.n("customholders")):
            k = len(W.CUSTOM_HOLDERS)
            ch.append(early, name=W.CUSTOM_HOLDERS[i % k] + ("" if i < k else f" #{i // k + 1}"),
                      archived=i >= 3 and i % 11 == 10)
        mt = self.table("messagetemplates", ("name", "format", "bu"))
        stamps = spread(self.n("messagetemplates"), self.start, self.now, r)
        for i, ts in enumerate(stamps):
            name, fmt = W.MESSAGE_TEMPLATES[i % len(W.MESSAGE_TEMPLATES)]
            mt.append(ts, name=name + ("" if i < len(W.MESSAGE_TEMPLATES) else f" v{i // len(W.MESSAGE_TEMPLATES) + 1}"),
                      format=fmt, bu=0)

    # ------------------------------------------------------------------------------ staff
    _PLAN = ["Director", "Office Manager", "Plumber", "Electrician", "Administration", "Senior Plumber",
             "Apprentice Plumber", "Estimator", "Senior Electrician", "Gasfitter", "Apprentice Electrician",
             "Service Coordinator", "Plumber", "Electrician", "Accounts", "Plumber", "Apprentice Plumber",
             "Electrician", "Project Manager", "Drainer", "Plumber", "Electrician", "Solar Installer",
             "Apprentice Electrician", "Senior Plumber", "Plumber", "Electrician", "Estimator"]
    _LATER = ["Plumber", "Electrician", "Apprentice Plumber", "Plumber", "Electrician", "Apprentice Electrician",
              "Senior Plumber", "Senior Electrician", "Gasfitter", "Administration"]

    def _users(self) -> None:
        U = self.n("users")
        r = self.rng("users")
        kinds = dict(W.POSITIONS)
        u = self.table("users", ("given", "surname", "login", "role", "kind", "position", "bu", "hired", "left",
                                 "cost", "sell", "groups", "mobile", "phone"))
        taken = set()
        edits = spread(U, self.start, self.now, r)
        r.shuffle(edits)
        # Staff hired over the years, in index order; the newest started this month.
        hires = spread(max(U - 4, 0), self.start - 200 * DAY, self.now, r)
        for i in range(U):
            h = self.h(11, i)
            role = self._PLAN[i] if i < len(self._PLAN) else self._LATER[h % len(self._LATER)]
            kind = kinds[role]
            given = W.GIVEN[h % len(W.GIVEN)]
            surname = W.SURNAMES[(h >> 8) % len(W.SURNAMES)]
            login = f"{ascii_of(given)}.{ascii_of(surname)}"
            if login in taken:
                login = f"{login}{i}"
            taken.add(login)
            if i < 4:
                hired = self.start - (400 + 30 * i) * DAY
                left = -1.0
            else:
                hired = hires[i - 4]
                left = -1.0
            position = self.position_by_name.get(role, self.position_by_kind.get(kind, 0))
            cost, sell = {"tech": (5200 + (h >> 40) % 1300, 11500 + 500 * ((h >> 44) % 5)),
                          "apprentice": (2800 + (h >> 40) % 800, 7800 + 200 * ((h >> 44) % 4)),
                          "estimator": (6000, 13000), "manager": (7500, 15000)}.get(kind, (4200, 0))
            ngroups = len(self.t["permissiongroups"])
            group = {"manager": 0, "office": 1, "estimator": 5, "tech": 2, "apprentice": 3}[kind] % ngroups
            created = hired
            # Archived staff were archived the day they left.
            updated = left if left > 0 else max(created, edits[i])
            u.append(created, updated, given=given, surname=surname, login=login, role=role, kind=kind,
                     position=position, bu=0 if i % 7 else i // 7 % len(self.t["businessunits"]), hired=hired,
                     left=left, cost=cost, sell=sell, groups=(group, (group + 6) % ngroups) if i % 5 == 0 else (group,),
                     mobile=f"04{h % 100:02d} {(h >> 8) % 1000:03d} {(h >> 20) % 1000:03d}",
                     phone=f"03 9{(h >> 30) % 1000:03d} {(h >> 40) % 10000:04d}")
        # Staff who left over the years (archived): 22 of every 60, as Site M's 38 of 60 users are
        # current; only people who stayed at least five months, and left over a month ago.
        leavers = []
        for i in range(4, len(u)):
            lo, hi = u.hired[i] + 150 * DAY, self.now - 35 * DAY
            if hi > lo:
                leavers.append(((i * 2654435761 + self.seed * 97) % 1000, i, lo, hi))
        leavers.sort()
        for _, i, lo, hi in leavers[:min(len(leavers), int(round(len(u) * 22 / 60)))]:
            h = self.h(13, i)
            u.left[i] = lo + (hi - lo) * (h % 1000) / 1000.0
            u.updated[i] = int(u.left[i])  # archived the day they left
        # Who works in the field (the workforce is capped: a huge user table is REST test data).
        self.field_staff = [i for i in range(len(u)) if u.kind[i] in ("tech", "apprentice")][:200]
        if not self.field_staff:
            self.field_staff = [0]
        self.office_staff = [i for i in range(len(u)) if u.kind[i] in ("office", "manager")][:50] or [0]
        self.estimators = [i for i in range(len(u)) if u.kind[i] in ("estimator", "manager")][:50] or [0]
        self._active_cache: Dict[tuple, list] = {}

    def employed(self, user: int, ts: float) -> bool:
        u = self.t["users"]
        return u.hired[user] <= ts and (u.left[user] < 0 or ts < u.left[user])

    def staff_at(self, pool: str, ts: float) -> List[int]:
        """The staff of a pool (field, office, estimators) employed on the day of `ts`."""
        day = int(ts // DAY)
        key = (pool, day)
        hit = self._active_cache.get(key)
        if hit is None:
            members = {"field": self.field_staff, "office": self.office_staff, "estimators": self.estimators}[pool]
            hit = [i for i in members if self.employed(i, ts)] or [members[0]]
            if len(self._active_cache) > 20000:
                self._active_cache.clear()
            self._active_cache[key] = hit
        return hit

    def pick_staff(self, pool: str, ts: float, h: int) -> int:
        staff = self.staff_at(pool, ts)
        return staff[h % len(staff)]

    # ---------------------------------------------------------------------------- clients
    def _address(self, h: int):
        sub = W.SUBURBS[h % len(W.SUBURBS)]
        street = f"{(h >> 8) % 180 + 1} {W.STREETS[(h >> 16) % len(W.STREETS)]}"
        lat = sub[2] + ((h >> 24) % 2000 - 1000) / 100000.0
        lng = sub[3] + ((h >> 36) % 2000 - 1000) / 100000.0
        return street, sub[0], sub[1], round(lat, 6), round(lng, 6)

    def _clients(self) -> None:
        C = self.n("clients")
        r = self.rng("clients")
        imported = max(1, C // 5)
        stamps = [self.start - 20 * DAY + 3600 * 8 + i * 17.3 + (self.h(21, i) % 1000) / 1000.0
                  for i in range(imported)]
        stamps += [ts + (self.h(22, k) % 1000) / 1000.0
                   for k, ts in enumerate(spread(C - imported, self.start, self.now, r))]
        c = self.table("clients", ("name", "kind", "given", "surname", "street", "suburb", "postcode", "lat", "lng",
                                   "bu", "term", "archived", "short", "phone", "email"))
        self.commercial: List[int] = []
        nterms = len(self.t["transactionterms"])
        for i, ts in enumerate(stamps):
            h = self.h(23, i)
            given = W.GIVEN[(h >> 4) % len(W.GIVEN)]
            surname = W.SURNAMES[(h >> 12) % len(W.SURNAMES)]
            street, suburb, postcode, lat, lng = self._address(h >> 3)
            commercial = h % 10 < 3
            if commercial:
                kind, names = W.COMMERCIAL_KINDS[(h >> 20) % len(W.COMMERCIAL_KINDS)]
                word = names[(h >> 26) % len(names)]
                if kind in ("Real Estate", "Strata"):
                    name = f"{word} {suburb}"
                elif kind == "Builder":
                    name = f"{surname} {word}"
                else:
                    name = f"{suburb} {word}"
                term = (3 if kind != "Strata" else 7) % nterms
                self.commercial.append(i)
            else:
                kind, name, term = "Residential", f"{given} {surname}", (h >> 30) % 2 % nterms
            short = ascii_of(name)[:6].capitalize() or "Client"
            c.append(ts, name=name, kind=kind, given=given, surname=surname, street=street, suburb=suburb,
                     postcode=postcode, lat=lat, lng=lng, bu=0 if h % 9 else (h >> 40) % len(self.t["businessunits"]),
                     term=term, archived=(h >> 44) % 40 == 0, short=short,
                     phone=f"03 9{(h >> 30) % 1000:03d} {(h >> 40) % 10000:04d}" if commercial else
                     f"04{(h >> 30) % 100:02d} {(h >> 36) % 1000:03d} {(h >> 46) % 1000:03d}",
                     email=f"{ascii_of(given)}.{ascii_of(surname)}@example.com.au" if not commercial else
                     f"accounts@{ascii_of(name)[:14]}.example.com.au")
        self.client_locations: Dict[int, List[int]] = defaultdict(list)
        self.client_contacts: Dict[int, List[int]] = defaultdict(list)

    def client_at(self, ts: float, h: int) -> int:
        """A client who exists at `ts` (commercial clients send more work)."""
        c = self.t["clients"]
        bound = max(1, bisect.bisect_right(c.created, ts))
        if self.commercial and h % 100 < 40:
            cb = bisect.bisect_right(self.commercial, bound - 1)
            if cb:
                # Skewed to the established ones: a few agencies send a lot of work.
                k = int(cb * ((h >> 8) % 1000 / 1000.0) ** 1.6)
                return self.commercial[min(k, cb - 1)]
        return (h >> 20) % bound

    # -------------------------------------------------------------------------- suppliers
    def _suppliers(self) -> None:
        S = self.n("suppliers")
        r = self.rng("suppliers")
        imported = max(1, S // 3)
        stamps = [self.start - 20 * DAY + 3600 * 9 + i * 23.7 + (self.h(31, i) % 100) / 100.0 for i in range(imported)]
        stamps += [ts + (self.h(32, k) % 100) / 100.0 for k, ts in enumerate(spread(S - imported, self.start, self.now, r))]
        s = self.table("suppliers", ("name", "type", "trade", "given", "surname", "street", "suburb", "postcode",
                                     "archived", "phone", "email", "term", "abn", "extid"))
        flat = [(n, "plumbing") for n in W.WHOLESALERS["plumbing"]] + [(n, "electrical") for n in W.WHOLESALERS["electrical"]]
        self.wholesalers: Dict[str, List[int]] = {"plumbing": [], "electrical": []}
        self.contractors: List[int] = []
        nterms = len(self.t["transactionterms"])
        for i, ts in enumerate(stamps):
            h = self.h(33, i)
            street, suburb, postcode, _, _ = self._address(h >> 5)
            given = W.GIVEN[(h >> 7) % len(W.GIVEN)]
            surname = W.SURNAMES[(h >> 15) % len(W.SURNAMES)]
            if i < len(flat):
                name, trade = flat[i]
                stype = "wholesaler"
            else:
                pick = h % 100
                if pick < 40:
                    name, trade, stype = f"{surname} {W.CONTRACTORS[(h >> 9) % len(W.CONTRACTORS)]}", "", "contractor"
                elif pick < 85:
                    base, trade = flat[(h >> 9) % len(flat)]
                    name, stype = f"{base} - {suburb}", "wholesaler"
                else:
                    name, trade, stype = f"{W.SERVICES[(h >> 9) % len(W.SERVICES)]} {suburb}", "", "supplier"
            if stype == "wholesaler":
                self.wholesalers[trade].append(i)
            elif stype == "contractor":
                self.contractors.append(i)
            s.append(ts, name=name, type=stype, trade=trade, given=given, surname=surname, street=street,
                     suburb=suburb, postcode=postcode, archived=i >= len(flat) and (h >> 40) % 20 == 0,
                     phone=f"03 9{(h >> 30) % 1000:03d} {(h >> 40) % 10000:04d}",
                     email=f"accounts@{ascii_of(name)[:16]}.example.com.au", term=(4 if h % 3 else 3) % nterms,
                     abn=f"{(h >> 20) % 90 + 10} {(h >> 27) % 900 + 100} {(h >> 37) % 900 + 100} {(h >> 47) % 900 + 100}",
                     extid="" if h % 4 == 0 else "%08x-%04x-%04x-%04x-%012x" % (
                         h & 0xFFFFFFFF, (h >> 32) & 0xFFFF, (h >> 48) & 0xFFFF, mix(h, 1) & 0xFFFF,
                         mix(h, 2) & 0xFFFFFFFFFFFF))
        for trade in ("plumbing", "electrical"):
            if not self.wholesalers[trade]:
                self.wholesalers[trade] = [0]
        if not self.contractors:
            self.contractors = [len(s) - 1]

    # --------------------------------------------------------------------------- contacts
    def _contacts(self) -> None:
        Ct = self.n("contacts")
        c = self.t["clients"]
        s = self.t["suppliers"]
        ct = self.table("contacts", ("given", "surname", "client", "supplier", "type", "archived", "role"))
        for i in range(Ct):
            h = self.h(41, i)
            if i < len(c):
                client, supplier = i, -1
                given, surname = c.given[i], c.surname[i]
                created = c.created[i] + 60
                role = "Primary"
            elif h % 100 < 85 or not self.contractors:
                client = self.commercial[(h >> 8) % len(self.commercial)] if self.commercial and h % 4 else \
                    (h >> 8) % len(c)
                supplier = -1
                given, surname = W.GIVEN[(h >> 16) % len(W.GIVEN)], W.SURNAMES[(h >> 24) % len(W.SURNAMES)]
                created = c.created[client] + (self.now - c.created[client]) * ((h >> 32) % 1000) / 1000.0
                role = ["Property Manager", "Accounts", "Site Manager", "Tenant"][(h >> 40) % 4]
            else:
                client, supplier = -1, self.contractors[(h >> 8) % len(self.contractors)]
                given, surname = W.GIVEN[(h >> 16) % len(W.GIVEN)], s.surname[supplier]
                created = s.created[supplier] + (self.now - s.created[supplier]) * ((h >> 32) % 1000) / 1000.0
                role = "Contractor"
            k = ct.append(created, created, given=given, surname=surname, client=client, supplier=supplier,
                          type="client" if client >= 0 else "contractor", archived=(h >> 44) % 25 == 0, role=role)
            if client >= 0:
                self.client_contacts[client].append(k)
            else:
                self._supplier_contacts[supplier].append(k)

    # -------------------------------------------------------------------------- locations
    def _locations(self) -> None:
        Lc = self.n("locations")
        c, s = self.t["clients"], self.t["suppliers"]
        loc = self.table("locations", ("kind", "owner", "name", "street", "suburb", "postcode", "lat", "lng",
                                       "archived", "contact"))
        n_bu = min(len(self.t["businessunits"]), Lc // 40)
        n_sup = Lc // 25 if Lc >= 25 else 0
        for i in range(Lc):
            h = self.h(51, i)
            street, suburb, postcode, lat, lng = self._address(h >> 3)
            if i < n_bu:
                kind, owner = "businessunit", i
                created = self.t["businessunits"].created[i] + DAY
                name = f"{W.BU_NAMES[i % len(W.BU_NAMES)]} Depot"
            elif i < n_bu + n_sup:
                kind, owner = "supplier", (h >> 10) % len(s)
                created = s.created[owner] + DAY
                name = f"{s.name[owner]} - {suburb}"
            else:
                kind = "client"
                owner = self.commercial[(h >> 10) % len(self.commercial)] if self.commercial and h % 5 else \
                    (h >> 10) % len(c)
                base = c.created[owner]
                created = base + (self.now - base) * (((h >> 30) % 1000) / 1000.0) ** 1.5
                unit = f"Unit {(h >> 44) % 12 + 1}, " if (h >> 40) % 3 == 0 else ""
                name = f"{unit}{street}"
            contacts = self.client_contacts.get(owner) if kind == "client" else None
            k = loc.append(created, created, kind=kind, owner=owner, name=name, street=street, suburb=suburb,
                           postcode=postcode, lat=lat, lng=lng, archived=(h >> 50) % 30 == 0,
                           contact=contacts[0] if contacts else -1)
            if kind == "client":
                self.client_locations[owner].append(k)
        for owner in self.client_locations:
            self.client_locations[owner].sort(key=lambda k: loc.created[k])

    # -------------------------------------------------------------------------- inventory
    _LISTS = [("GPO Install", "task specific"), ("Hot Water Service Kit", "assembly"),
              ("Downlight Install x6", "task specific"), ("Switchboard Upgrade Kit", "assembly"),
              ("Tap Replacement", "sor"), ("Smoke Alarm Compliance", "sor"), ("Toilet Suite Install", "assembly"),
              ("Blocked Drain Clear", "sor")]

    def _inventory(self) -> None:
        Ni = self.n("inventory")
        r = self.rng("inventory")
        fams = W.INVENTORY_FAMILIES
        imported = max(1, Ni * 6 // 10)
        stamps = [self.start - 19 * DAY + 3600 * 10 + i * 5.1 for i in range(imported)]
        stamps += spread(Ni - imported, self.start, self.now, r)
        edits = spread(Ni, self.start, self.now, r)
        r.shuffle(edits)
        inv = self.table("inventory", ("desc", "part", "category", "cost", "sell", "supplier", "manufacturer", "trade",
                                       "family"))
        ncat = len(self.t["inventorycategories"])
        self.items_by_trade: Dict[str, List[int]] = {"plumbing": [], "electrical": []}
        for i, ts in enumerate(stamps):
            h = self.h(61, i)
            f = i % len(fams)
            cat, fname, (lo, hi), sizes, trade, manu = fams[f]
            v = (i // len(fams)) % len(sizes)
            gen = i // (len(fams) * len(sizes))
            desc = f"{fname} {sizes[v]}" + (f" (range {gen + 1})" if gen else "")
            part = "".join(w[0] for w in fname.split() if w[0].isalnum()).upper() + \
                "".join(ch for ch in sizes[v] if ch.isalnum())[:6].upper() + (f"-{gen}" if gen else "")
            cost = lo + h % (hi - lo + 1)
            sell = int(cost * (1.3 + ((h >> 20) % 30) / 100.0))
            suppliers = self.wholesalers[trade]
            inv.append(ts, max(ts, edits[i]), desc=desc, part=part, category=cat % ncat, cost=cost, sell=sell,
                       supplier=suppliers[(h >> 30) % len(suppliers)], manufacturer=manu, trade=trade, family=f)
            self.items_by_trade[trade].append(i)
        for trade in self.items_by_trade:
            if not self.items_by_trade[trade]:
                self.items_by_trade[trade] = [0]
        # Stock levels: what each holder (the business unit's store, the vans, the field staff) holds.
        holders = [("org", b) for b in range(min(len(self.t["businessunits"]), 2))] + \
                  [("cholder", k) for k in range(len(self.t["customholders"]))] + \
                  [("user", u) for u in self.field_staff[:40]]
        self.holders = holders
        St = self.n("inventorystocklevels")
        sl = self.table("inventorystocklevels", ("item", "htype", "holder", "qty"))
        self.item_stock: Dict[int, List[int]] = defaultdict(list)
        stock_edits = spread(St, self.start, self.now, r)
        r.shuffle(stock_edits)
        for k in range(St):
            item = k % Ni
            htype, holder = holders[(k // Ni + item) % len(holders)]
            h = self.h(62, k)
            created = max(inv.created[item], self.start - 10 * DAY) + (h % 5000)
            j = sl.append(created, max(created, stock_edits[k]), item=item, htype=htype, holder=holder,
                          qty=(h >> 12) % 60 * 100 if htype != "user" else (h >> 12) % 12 * 100)
            self.item_stock[item].append(j)
        il = self.table("inventorylists", ("name", "type", "items", "category", "bu"))
        for k in range(self.n("inventorylists")):
            h = self.h(63, k)
            name, ltype = self._LISTS[k % len(self._LISTS)]
            trade = "electrical" if k % 2 == 0 else "plumbing"
            pool = self.items_by_trade[trade]
            items = tuple(sorted({pool[(h >> (4 * j)) % len(pool)] for j in range(2 + h % 4)}))
            il.append(self.start - 10 * DAY + k * DAY,
                      name=name + ("" if k < len(self._LISTS) else f" #{k // len(self._LISTS) + 1}"), type=ltype,
                      items=tuple((it, (1 + (h >> (3 * j + 20)) % 6) * 100) for j, it in enumerate(items)),
                      category=inv.category[items[0]] if items else 0, bu=0)

    # ------------------------------------------------------------------------------ tasks
    def visit_days(self, i: int) -> List[int]:
        t = self.t["tasks"]
        first, visits, gap = t.work_start[i], t.visits[i], t.gap[i]
        if first < 0 or visits <= 0:
            return []
        days = [first]
        for _ in range(visits - 1):
            days.append(add_workdays(days[-1], gap))
        return days

    def _tasks(self) -> None:
        T = self.n("tasks")
        r = self.rng("tasks")
        stamps = spread(T, self.start, self.now, r)
        t = self.table("tasks", ("client", "location", "contact", "type", "priority", "bu", "salesperson",
                                 "requested", "due", "work_start", "visits", "gap", "completed", "status",
                                 "substatus", "project", "stage", "quote", "deleted_at", "linkproc", "custon",
                                 "name", "desc", "lead", "jobno", "refseq", "trade", "readtask"))
        self.client_tasks: Dict[int, List[int]] = defaultdict(list)
        for i, ts in enumerate(stamps):
            self._new_task(ts, self.h(71, i))

    def _new_task(self, requested: float, h: int, client: Optional[int] = None, quote: int = -1) -> int:
        t = self.t["tasks"]
        c = self.t["clients"]
        types = self.t["tasktypes"]
        if client is None:
            client = self.client_at(requested, h)
        ttype = (h >> 7) % len(types)
        tname = types.name[ttype]
        trade = types.trade[ttype]
        emergency = tname.startswith("Emergency") or (h >> 12) % 25 == 0
        npr = len(self.t["priorities"])
        pno = 0 if emergency else 1 + (h >> 14) % 4
        priority = pno % npr
        response = W.PRIORITIES[pno][1] * 60
        locs = [k for k in self.client_locations.get(client, ()) if self.t["locations"].created[k] <= requested]
        location = locs[(h >> 17) % len(locs)] if locs and (h >> 16) % 5 else -1
        contacts = [k for k in self.client_contacts.get(client, ()) if self.t["contacts"].created[k] <= requested]
        contact = contacts[0] if contacts and (h >> 21) % 4 else -1
        req_day = local_ordinal(requested)
        if emergency:
            work = req_day if at_local(req_day, 15 * 60) > requested else next_workday(req_day + 1)
        else:
            work = add_workdays(req_day, 1 + (h >> 23) % 9)
        visits = 1 + ((h >> 27) % 100 >= 60) + ((h >> 27) % 100 >= 88)
        if tname in ("Installation", "Renovation", "Solar", "Switchboard Upgrade") and visits == 1 and (h >> 34) % 2:
            visits = 2
        deleted = requested + 3600 if (h >> 40) % 250 == 7 and requested < self.now - 2 * DAY else -1.0
        if deleted > 0:
            visits = 0
        # Some recent jobs wait for parts or the client: their work is still to come.
        if requested > self.now - 45 * DAY and (h >> 44) % 9 == 0:
            work = add_workdays(local_ordinal(self.now), 1 + (h >> 48) % 8)
        suburb = c.suburb[client] if location < 0 else self.t["locations"].suburb[location]
        desc = W.JOB_WORDS[trade][(h >> 50) % len(W.JOB_WORDS[trade])]
        k = len(t)
        idx = t.append(requested - 60 * ((h >> 3) % 30), requested, client=client, location=location, contact=contact,
                       type=ttype, priority=priority, bu=c.bu[client],
                       salesperson=self.pick_staff("estimators", requested, h >> 5) if (h >> 52) % 4 == 0 else -1,
                       requested=requested, due=requested + response + (0 if emergency else ((h >> 55) % 14) * DAY),
                       work_start=work, visits=visits, gap=1 + (h >> 58) % 5, completed=-1.0, status="Not Started",
                       substatus=-1, project=-1, stage=-1, quote=quote, deleted_at=deleted, linkproc=-1.0,
                       custon=f"W{(h >> 8) % 9000000 + 1000000}/{(h >> 30) % 9 + 1}" if client in self._commercial_set() else "",
                       name=f"{desc} - {suburb}"[:50], desc=desc, lead=self.pick_staff("field", at_local(work, 420), h >> 9),
                       jobno=1001 + k, refseq=len(self.client_tasks[client]) + 1, trade=trade,
                       readtask=-1.0)
        self.client_tasks[client].append(idx)
        return idx

    def _commercial_set(self) -> set:
        cs = self.__dict__.get("_cset")
        if cs is None or len(cs) != len(self.commercial):
            cs = set(self.commercial)
            self.__dict__["_cset"] = cs
        return cs

    # ------------------------------------------------------------------------------- work
    def _work(self) -> None:
        t = self.t["tasks"]
        u = self.t["users"]
        lab = self.table("tasklabours", ("task", "user", "start", "minutes", "worktype", "cost", "sell", "note",
                                         "processed", "verified", "deleted_at", "invoice"))
        self.booked: Dict[tuple, int] = defaultdict(int)   # (user, day) -> minutes booked
        self.task_labours: List[List[int]] = [[] for _ in range(len(t))]
        self.task_materials: List[List[int]] = [[] for _ in range(len(t))]
        self.task_expenses: List[List[int]] = [[] for _ in range(len(t))]
        slots = []
        done_by = self.now
        for i in range(len(t)):
            if t.deleted_at[i] > 0:
                continue
            for j, day in enumerate(self.visit_days(i)):
                if at_local(day, 17 * 60) > done_by:
                    break
                slots.append((day, i, j))
        slots.sort()
        L = self.n("tasklabours")
        if not slots:
            day = local_ordinal(self.now) - 1
            slots = [(day, 0, 0)]
        S = len(slots)
        plan = []
        if L <= S:
            plan = [(slots[(k * S) // L], 1) for k in range(L)]
        else:
            base, extra = divmod(L, S)
            plan = [(slots[k], base + (1 if (k * extra) // S != ((k + 1) * extra) // S else 0)) for k in range(S)]
        for (day, task, visit), m in plan:
            h = self.h(81, task, visit)
            ttype = self.t["tasktypes"].name[t.type[task]]
            if ttype.startswith("Emergency"):
                minutes = 60 + 30 * (h % 5)
            elif ttype in ("Installation", "Renovation", "Solar", "Switchboard Upgrade"):
                minutes = 180 + 30 * (h % 11)
            else:
                minutes = 60 + 30 * (h % 7)
            for w in range(m):
                prefer = t.lead[task] if w == 0 else -1
                self._new_labour(task, day, minutes, h >> (8 + w), prefer=prefer)
        self._timesheets()
        self._schedules()
        self._materials()
        self._expenses()
        # Tasks: what happened to them by now.
        for i in range(len(t)):
            self._settle_task(i)

    def _pick_worker(self, day: int, minutes: int, h: int, prefer: int = -1) -> tuple:
        """A field worker employed on `day` with room for the job in their day -> (user, minutes)."""
        ts = at_local(day, 12 * 60)
        staff = self.staff_at("field", ts)
        cands = ([prefer] if prefer >= 0 and self.employed(prefer, ts) else []) + \
            [staff[(h + k) % len(staff)] for k in range(len(staff))]
        best, room_best = cands[0], -1
        for user in cands:
            room = MAX_DAY_MINUTES - self.booked[(user, day)]
            if room >= minutes:
                return user, minutes
            if room > room_best:
                best, room_best = user, room
        return best, max(30, min(minutes, room_best - room_best % 30)) if room_best >= 30 else 30

    def _find_slot(self, task: int, day: int, minutes: int, h: int, prefer: int) -> tuple:
        """(day, worker, minutes): `day` if someone has room, else the nearest workday (later,
        then earlier, never before the job was requested nor after today) that has."""
        first = local_ordinal(self.t["tasks"].requested[task])
        last = local_ordinal(self.now - 17 * 3600)
        days = [day]
        d = day
        for _ in range(15):
            d = next_workday(d + 1)
            if d > last:
                break
            days.append(d)
        d = day
        for _ in range(15):
            d -= 1
            while d >= first and weekday(d) >= 5:
                d -= 1
            if d < first:
                break
            days.append(d)
        for d in days:
            user, got = self._pick_worker(d, minutes, h, prefer)
            if got == minutes and self.booked[(user, d)] + minutes <= MAX_DAY_MINUTES:
                return d, user, minutes
        user, got = self._pick_worker(day, minutes, h, prefer)
        return day, user, got

    def _new_labour(self, task: int, day: int, minutes: int, h: int, prefer: int = -1,
                    user: Optional[int] = None, entered: Optional[float] = None) -> int:
        t, u, lab = self.t["tasks"], self.t["users"], self.t["tasklabours"]
        if user is None:
            day, user, minutes = self._find_slot(task, day, minutes, h, prefer)
        offset = self.booked[(user, day)]
        start = at_local(day, WORKDAY_START + offset)
        self.booked[(user, day)] = offset + minutes + (30 if minutes < 240 else 0)  # travel to the next job
        worktype = 1 if weekday(day) >= 5 else 0
        mult = W.WORKTYPES[worktype][3]
        end = start + minutes * 60
        if entered is None:
            entered = min(end + 600 + (h % 7200), max(end, self.now - 60))
        processed = end + (7 + h % 8) * DAY if end + 14 * DAY < self.now else -1.0
        # cost and sell are hourly rates (as AroFlo's labour lines show them); a line charges
        # rate x hours (`line_total`).
        k = lab.append(entered, entered if processed < 0 else processed, task=task, user=user, start=start,
                       minutes=minutes, worktype=worktype, cost=int(round(u.cost[user] * mult)),
                       sell=int(round((u.sell[user] or 9500) * mult)),
                       note=(h >> 12) % len(W.LABOUR_NOTES), processed=processed,
                       verified=end < self.now - 2 * DAY, deleted_at=-1.0, invoice=-1)
        self.task_labours[task].append(k)
        return k

    def _timesheets(self) -> None:
        lab, u = self.t["tasklabours"], self.t["users"]
        ts = self.table("timesheets", ("labour", "user", "task", "start", "minutes", "type", "overhead", "worktype"))
        TS = self.n("timesheets")
        L = len(lab)
        self.labour_timesheet: Dict[int, int] = {}
        picks = range(L) if TS >= L else [(k * L) // TS for k in range(TS)]
        for k in picks:
            self._timesheet_for(k)
        extra = TS - len(ts)
        if extra > 0:
            # Non-productive time on days that have room: travel, stock runs, training.
            days = sorted({(int(lab.user[k]), local_ordinal(lab.start[k])) for k in range(L)}, key=lambda x: (x[1], x[0]))
            if not days:
                days = [(self.field_staff[0], local_ordinal(self.now) - 1)]
            for e in range(extra):
                h = self.h(91, e)
                over = (h >> 4) % 4
                minutes = 30 * (1 + h % 3)
                pick = (e * len(days)) // extra if extra <= len(days) else e % len(days)
                for step in range(len(days)):  # a day with room for it
                    user, day = days[(pick + step) % len(days)]
                    if self.booked[(user, day)] + minutes <= MAX_DAY_MINUTES:
                        break
                offset = self.booked[(user, day)]
                start = at_local(day, WORKDAY_START + offset)
                self.booked[(user, day)] = offset + minutes
                created = min(start + minutes * 60 + 1800, self.now)
                ts.append(created, created, labour=-1, user=user, task=-1, start=start, minutes=minutes,
                          type="Non-Productive", overhead=over, worktype=0)

    def _timesheet_for(self, k: int) -> int:
        lab, ts = self.t["tasklabours"], self.t["timesheets"]
        j = ts.append(lab.created[k], lab.created[k], labour=k, user=lab.user[k], task=lab.task[k],
                      start=lab.start[k], minutes=lab.minutes[k], type="Productive", overhead=-1,
                      worktype=lab.worktype[k])
        self.labour_timesheet[k] = j
        return j

    def _schedules(self) -> None:
        lab, t = self.t["tasklabours"], self.t["tasks"]
        sc = self.table("schedules", ("task", "user", "start", "minutes", "kind", "note", "by", "labour"))
        Sc = self.n("schedules")
        future_n = max(1, min(max(1, Sc // 4), int(round(Sc * 0.012)) + 1)) if Sc > 1 else 0
        past_n = Sc - future_n
        L = len(lab)
        picks = range(L) if past_n >= L else [(k * L) // past_n for k in range(past_n)]
        self.labour_schedule: Dict[int, int] = {}
        for k in picks:
            task = lab.task[k]
            h = self.h(101, k)
            inserted = min(lab.start[k] - 3600, max(t.requested[task] + 1800 + h % 14400, t.requested[task]))
            j = sc.append(inserted, inserted, task=task, user=lab.user[k], start=lab.start[k],
                          minutes=(lab.minutes[k] + 29) // 30 * 30, kind="task", note=h % 3,
                          by=self.pick_staff("office", inserted, h >> 8), labour=k)
            self.labour_schedule[k] = j
        r = self.rng("schedules")
        extra = past_n - len(sc)
        for e, when in enumerate(spread(max(extra, 0), self.start, self.now - 2 * DAY, r, recent=False)):
            h = self.h(102, e)
            day = next_workday(local_ordinal(when))
            user = self.pick_staff("field", at_local(day, 720), h)
            offset = self.booked[(user, day)]
            minutes = 60 * (1 + h % 2)
            self.booked[(user, day)] = offset + minutes
            start = at_local(day, WORKDAY_START + offset)
            sc.append(start - 3 * DAY, start - 3 * DAY, task=-1, user=user, start=start, minutes=minutes,
                      kind="ad-hoc event", note=(h >> 8) % len(W.NON_PRODUCTIVE),
                      by=self.pick_staff("office", start - 3 * DAY, h >> 12), labour=-1)
        # Bookings still to come: the open jobs' next visits, over the next few weeks.
        today = local_ordinal(self.now)
        upcoming = []
        for i in range(len(t)):
            if t.deleted_at[i] > 0:
                continue
            for day in self.visit_days(i):
                if at_local(day, 17 * 60) > self.now and day <= today + 24:
                    upcoming.append((day, i))
        upcoming.sort()
        for f in range(future_n):
            h = self.h(103, f)
            if upcoming:
                day, task = upcoming[(f * len(upcoming)) // future_n] if future_n <= len(upcoming) else \
                    upcoming[f % len(upcoming)]
                if future_n > len(upcoming) and f >= len(upcoming):
                    day = add_workdays(day, 1 + f // len(upcoming))
            else:
                day, task = add_workdays(today, 1 + h % 10), -1
            self.book(task, day, 60 * (1 + h % 4), h)

    def book(self, task: int, day: int, minutes: int, h: int, at: Optional[float] = None) -> int:
        """A booking of a field worker on `day` (a job's visit, or an ad-hoc event when task < 0)."""
        sc, t = self.t["schedules"], self.t["tasks"]
        prefer = t.lead[task] if task >= 0 else -1
        user, minutes = self._pick_worker(day, minutes, h, prefer)
        offset = self.booked[(user, day)]
        self.booked[(user, day)] = offset + minutes
        start = at_local(day, WORKDAY_START + offset)
        inserted = at if at is not None else min(self.now - 60 * (1 + h % 600), start)
        if task >= 0:
            inserted = max(inserted, t.created[task])
        return sc.append(inserted, inserted, task=task, user=user, start=start, minutes=minutes,
                         kind="task" if task >= 0 else "ad-hoc event", note=(h >> 8) % 3,
                         by=self.pick_staff("office", inserted, h >> 12), labour=-1)

    def _spread_over(self, count: int, n: int) -> List[tuple]:
        """(parent index, how many) spreading `count` children over `n` parents in order."""
        if n <= 0 or count <= 0:
            return []
        if count <= n:
            return [((k * n) // count, 1) for k in range(count)]
        base, extra = divmod(count, n)
        return [(k, base + (1 if (k * extra) // n != ((k + 1) * extra) // n else 0)) for k in range(n)]

    def _materials(self) -> None:
        lab = self.t["tasklabours"]
        mat = self.table("taskmaterials", ("task", "item", "desc", "qty", "cost", "sell", "used", "htype", "holder",
                                           "po", "processed", "deleted_at", "invoice", "user"))
        for k, m in self._spread_over(self.n("taskmaterials"), len(lab)):
            for q in range(m):
                self._new_material(k, self.h(111, k, q))

    def _new_material(self, k: int, h: int, entered: Optional[float] = None) -> int:
        """A material used on labour line `k`'s job that day (from the worker's van or the store)."""
        lab, t, inv, mat = self.t["tasklabours"], self.t["tasks"], self.t["inventory"], self.t["taskmaterials"]
        task = lab.task[k]
        pool = self.items_by_trade[t.trade[task]]
        if h % 4 == 0:
            item, desc = -1, ["Sundries", "Misc fittings", "Sealant & fixings", "Cable ties & clips",
                              "Replacement washer kit", "Gas cock"][(h >> 4) % 6]
            cost = 300 + (h >> 8) % 4000
            sell = int(cost * 1.4)
        else:
            item = pool[(h >> 4) % len(pool)]
            desc, cost, sell = inv.desc[item], inv.cost[item], inv.sell[item]
        qty = 100 * (1 + (h >> 20) % 4) if cost > 2000 else 100 * (1 + (h >> 20) % 12)
        user = lab.user[k]
        if (h >> 30) % 10 < 6:
            htype, holder = "user", user
        elif len(self.t["customholders"]):
            htype, holder = "cholder", (h >> 34) % len(self.t["customholders"])
        else:
            htype, holder = "user", user
        created = lab.created[k] if entered is None else entered
        processed = created + (7 + h % 8) * DAY if created + 14 * DAY < self.now else -1.0
        j = mat.append(created, created if processed < 0 else processed, task=task, item=item, desc=desc, qty=qty,
                       cost=cost, sell=sell, used=lab.start[k], htype=htype, holder=holder, po=-1,
                       processed=processed, deleted_at=-1.0, invoice=-1, user=user)
        self.task_materials[task].append(j)
        return j

    def _expenses(self) -> None:
        lab = self.t["tasklabours"]
        ex = self.table("taskexpenses", ("task", "user", "kind", "cost", "sell", "used", "invoice", "processed"))
        for k, m in self._spread_over(self.n("taskexpenses"), len(lab)):
            for q in range(m):
                self._new_expense(k, self.h(121, k, q))

    def _new_expense(self, k: int, h: int, entered: Optional[float] = None) -> int:
        lab, ex = self.t["tasklabours"], self.t["taskexpenses"]
        kind = h % len(W.EXPENSES)
        _, lo, hi = W.EXPENSES[kind]
        cost = lo + (h >> 8) % (hi - lo + 1)
        created = lab.created[k] if entered is None else entered
        processed = created + (7 + h % 8) * DAY if created + 14 * DAY < self.now else -1.0
        task = lab.task[k]
        j = ex.append(created, created, task=task, user=lab.user[k], kind=kind, cost=cost,
                      sell=int(round(cost * 1.1)), used=lab.start[k], invoice=-1, processed=processed)
        self.task_expenses[task].append(j)
        return j

    def _settle_task(self, i: int) -> None:
        """Status, completion and substatus of task `i` from what happened to it by now."""
        t, lab = self.t["tasks"], self.t["tasklabours"]
        h = self.h(131, i)
        if t.deleted_at[i] > 0:
            t.status[i], t.completed[i] = "Not Started", -1.0
            return
        days = self.visit_days(i)
        labs = [k for k in self.task_labours[i] if lab.deleted_at[k] < 0]
        done = [d for d in days if at_local(d, 17 * 60) <= self.now]
        if days and len(done) == len(days):
            end = max((lab.start[k] + lab.minutes[k] * 60 for k in labs), default=at_local(days[-1], 16 * 60))
            completed = end + 1800 + (h % 3) * 3600 * 6
            t.completed[i] = completed if completed <= self.now else -1.0
        else:
            t.completed[i] = -1.0
        if t.completed[i] > 0:
            status = "Completed"
            sub = ["Job Complete", "Ready to Invoice"][h % 2]
        elif done or labs:
            status = "In Progress"
            sub = ["Return Visit Needed", "Follow Up Required", None][h % 3]
        elif t.requested[i] < self.now - 3 * DAY and days and days[0] > local_ordinal(self.now):
            status = "Pending"
            sub = ["Waiting for Parts", "Awaiting Client Approval", "On Hold"][h % 3]
        else:
            status = "Not Started"
            sub = "Booked" if h % 2 else None
        t.status[i] = status
        t.substatus[i] = self.substatus_by_name.get(sub, -1) if sub else -1
        read = t.requested[i] + 3600 * (1 + h % 20)
        t.readtask[i] = read if read <= self.now else -1.0

    # ----------------------------------------------------------------------------- quotes
    def _quotes(self) -> None:
        t, c = self.t["tasks"], self.t["clients"]
        Q = self.n("quotes")
        r = self.rng("quotes")
        big = [i for i in range(len(t)) if t.deleted_at[i] < 0 and
               self.t["tasktypes"].name[t.type[i]] in ("Installation", "Renovation", "Solar", "Switchboard Upgrade",
                                                       "Hot Water", "Gas Fitting")] or \
            [i for i in range(len(t)) if t.deleted_at[i] < 0] or [0]
        n_acc = min(len(big), Q * 2 // 5)
        plans = []
        for k in range(n_acc):
            task = big[(k * len(big)) // n_acc]
            h = self.h(141, k)
            created = max(t.requested[task] - (7 + h % 24) * DAY, c.created[t.client[task]] + 3600)
            plans.append((created, task, h))
        others = spread(Q - n_acc, self.start, self.now, r)
        for k, ts in enumerate(others):
            plans.append((ts, -1, self.h(142, k)))
        plans.sort()
        q = self.table("quotes", ("client", "location", "contact", "estimator", "task", "status", "acceptance",
                                  "accepted", "approved", "rejected", "due", "name", "jobno", "substatus", "kind"))
        self.quote_lines: List[List[int]] = []
        for created, task, h in plans:
            self._new_quote(created, h, task)
        ql = self.table("quotelineitems", ("quote", "kind", "item", "desc", "qty", "cost", "sell", "parent"))
        for k, m in self._spread_over(self.n("quotelineitems"), len(q)):
            for j in range(m):
                self._new_quote_line(k, self.h(143, k, j))

    def _new_quote(self, created: float, h: int, task: int = -1) -> int:
        t, q, c = self.t["tasks"], self.t["quotes"], self.t["clients"]
        if task >= 0:
            client, location, contact = t.client[task], t.location[task], t.contact[task]
            trade = t.trade[task]
        else:
            client = self.client_at(created, h)
            locs = [k for k in self.client_locations.get(client, ()) if self.t["locations"].created[k] <= created]
            location = locs[(h >> 9) % len(locs)] if locs and h % 3 else -1
            contacts = self.client_contacts.get(client) or [-1]
            contact = contacts[0] if contacts[0] >= 0 and self.t["contacts"].created[contacts[0]] <= created else -1
            trade = "electrical" if h % 2 else "plumbing"
        age = self.now - created
        approved = rejected = accepted = -1.0
        if task >= 0:
            status, acceptance = "Approved", "Accepted"
            approved = created + 2 * DAY
            accepted = min(t.requested[task] - 3600, max(approved + 3600, t.requested[task] - 3 * DAY))
        elif age < 7 * DAY:
            status, acceptance = ("In Progress", "Not Sent") if h % 2 else ("Pending Approval", "Not Sent")
        elif age < 45 * DAY:
            status, acceptance = "Approved", ["Awaiting Decision", "Need More Information", "Awaiting Decision"][h % 3]
            approved = created + DAY
        else:
            status, acceptance = (("Approved", "Declined") if h % 3 else ("Rejected", "Declined"))
            approved = created + DAY
            rejected = created + (10 + h % 30) * DAY
        desc = W.JOB_WORDS[trade][(h >> 5) % len(W.JOB_WORDS[trade])]
        suburb = c.suburb[client] if location < 0 else self.t["locations"].suburb[location]
        k = len(q)
        sub_name = W.QUOTE_SUBSTATUS[(h >> 13) % len(W.QUOTE_SUBSTATUS)][0]
        j = q.append(created, max(created, accepted, approved, rejected), client=client, location=location,
                     contact=contact, estimator=self.pick_staff("estimators", created, h >> 3), task=task,
                     status=status, acceptance=acceptance, accepted=accepted, approved=approved, rejected=rejected,
                     due=created + 14 * DAY, name=f"Quote: {desc} - {suburb}"[:50],
                     jobno=t.jobno[task] if task >= 0 else 50001 + k,
                     substatus=self.substatus_by_name.get(sub_name, -1) if task < 0 and h % 2 else -1,
                     kind="Detailed" if h % 3 else "Simple")
        self.quote_lines.append([])
        if task >= 0:
            t.quote[task] = j
        return j

    def _new_quote_line(self, quote: int, h: int) -> int:
        q, ql, inv = self.t["quotes"], self.t["quotelineitems"], self.t["inventory"]
        trade = self.t["tasks"].trade[q.task[quote]] if q.task[quote] >= 0 else ("electrical" if quote % 2 else "plumbing")
        first = not self.quote_lines[quote]
        if h % 3 == 0:
            kind, item, desc = "Labour", -1, f"Labour - {'Electrician' if trade == 'electrical' else 'Plumber'}"
            qty, cost, sell = 100 * (2 + h % 14), 5800, 11800
        else:
            pool = self.items_by_trade[trade]
            item = pool[(h >> 4) % len(pool)]
            kind, desc, cost, sell = "Material", inv.desc[item], inv.cost[item], inv.sell[item]
            qty = 100 * (1 + (h >> 20) % 20)
        parent = -1 if first or h % 4 else self.quote_lines[quote][0]
        j = ql.append(q.created[quote] + 60 * (1 + len(self.quote_lines[quote])), quote=quote, kind=kind, item=item,
                      desc=desc, qty=qty, cost=cost, sell=sell, parent=parent)
        self.quote_lines[quote].append(j)
        return j

    # ------------------------------------------------------------------------- purchasing
    def _purchasing(self) -> None:
        t, mat, inv = self.t["tasks"], self.t["taskmaterials"], self.t["inventory"]
        r = self.rng("purchasing")
        PO = self.n("purchaseorders")
        with_items = [i for i in range(len(t)) if any(mat.item[m] >= 0 for m in self.task_materials[i])]
        n_task = min(len(with_items), PO * 7 // 10)
        plans = []
        for k in range(n_task):
            task = with_items[(k * len(with_items)) // n_task]
            first = min(mat.used[m] for m in self.task_materials[task])
            h = self.h(151, k)
            plans.append((max(t.requested[task] + 600, first - DAY * (1 + h % 2) - 3600 * (h % 5)), task, h))
        for k, ts in enumerate(spread(PO - n_task, self.start, self.now, r)):
            plans.append((ts, -1, self.h(152, k)))
        plans.sort()
        po = self.table("purchaseorders", ("supplier", "task", "bu", "due", "status", "received", "user", "adhoc",
                                           "delivery", "supinv", "billed"))
        pl = self.table("polines", ("po", "item", "desc", "qty", "cost", "task", "material"))
        self.po_lines: List[List[int]] = []
        for created, task, h in plans:
            self._new_po(created, h, task)
        wo = self.table("workorders", ("supplier", "task", "due", "status", "acceptance", "accepted", "approved",
                                       "user", "location", "processed"))
        wl = self.table("workorderlineitems", ("wo", "desc", "qty", "cost", "task", "billed"))
        self.wo_lines: List[List[int]] = []
        WO = self.n("workorders")
        worked = [i for i in range(len(t)) if self.task_labours[i]] or [0]
        wplans = []
        for k in range(WO):
            task = worked[(k * len(worked)) // WO] if WO <= len(worked) else worked[k % len(worked)]
            h = self.h(161, k)
            start = self.t["tasklabours"].start[self.task_labours[task][0]] if self.task_labours[task] else t.requested[task]
            wplans.append((max(t.requested[task] + 1800, start - 2 * DAY), task, h))
        wplans.sort()
        for created, task, h in wplans:
            self._new_workorder(created, task, h)
        for k, m in self._spread_over(self.n("workorderlineitems"), len(wo)):
            for j in range(m):
                self._new_wo_line(k, self.h(162, k, j))
        self._bills()

    def _new_po(self, created: float, h: int, task: int = -1) -> int:
        t, mat, inv, po, pl = self.t["tasks"], self.t["taskmaterials"], self.t["inventory"], \
            self.t["purchaseorders"], self.t["polines"]
        trade = t.trade[task] if task >= 0 else ("electrical" if h % 2 else "plumbing")
        sups = self.wholesalers[trade]
        supplier = sups[(h >> 3) % len(sups)]
        age = self.now - created
        status = "processed" if age > 30 * DAY else "approved" if age > 5 * DAY else \
            ("pending approval" if h % 2 else "in progress")
        received = created + (1 + h % 5) * DAY if status in ("processed", "approved") else -1.0
        received = received if received <= self.now else -1.0
        j = po.append(created, max(created, received), supplier=supplier, task=task,
                      bu=t.bu[task] if task >= 0 else 0, due=created + (1 + h % 3) * DAY, status=status,
                      received=received, user=self.pick_staff("office", created, h >> 7), adhoc=(h >> 11) % 40 == 0,
                      delivery=created + DAY if (h >> 15) % 3 == 0 else -1.0, supinv="", billed=-1)
        self.po_lines.append([])
        if task >= 0:
            self._task_pos[task].append(j)
            for m in self.task_materials[task]:
                if mat.item[m] >= 0 and mat.po[m] < 0 and len(self.po_lines[j]) < 4:
                    mat.po[m] = j
                    self._po_line(j, mat.item[m], mat.desc[m], mat.qty[m], mat.cost[m], task, m)
        if not self.po_lines[j]:
            pool = self.items_by_trade[trade]
            for q in range(2 + (h >> 20) % 4):
                item = pool[(h >> (4 * q + 24)) % len(pool)]
                self._po_line(j, item, inv.desc[item], 100 * (10 + (h >> (3 * q)) % 40), inv.cost[item], -1, -1)
        return j

    def _po_line(self, po: int, item: int, desc: str, qty: int, cost: int, task: int, material: int) -> int:
        pl = self.t["polines"]
        k = pl.append(self.t["purchaseorders"].created[po], po=po, item=item, desc=desc, qty=qty, cost=cost,
                      task=task, material=material)
        self.po_lines[po].append(k)
        return k

    def _new_workorder(self, created: float, task: int, h: int) -> int:
        t, wo = self.t["tasks"], self.t["workorders"]
        age = self.now - created
        status = "Processed" if age > 40 * DAY else "Approved" if age > 10 * DAY else \
            ("Pending Approval" if h % 2 else "In Progress")
        accepted = created + 3600 * (2 + h % 20)
        acceptance = "Accepted" if accepted <= self.now and h % 7 else ("Awaiting Decision" if age < 5 * DAY else "Accepted")
        if acceptance != "Accepted":
            accepted = -1.0
        approved = created + 600 if status != "In Progress" else -1.0
        processed = created + 35 * DAY if status == "Processed" else -1.0
        j = wo.append(created, max(created, accepted, approved, processed),
                      supplier=self.contractors[(h >> 5) % len(self.contractors)], task=task,
                      due=created + 2 * DAY, status=status, acceptance=acceptance, accepted=accepted,
                      approved=approved, user=self.pick_staff("office", created, h >> 9),
                      location=t.location[task], processed=processed)
        self.wo_lines.append([])
        return j

    _WO_WORK = ["Core hole 100mm", "Concrete cutting per lm", "Excavation per hour", "Drain camera inspection",
                "Leak detection", "Roof access and flashing", "Tiling make good", "Plaster patch and paint",
                "Traffic control per hour", "Scaffold hire per week"]

    def _new_wo_line(self, w: int, h: int) -> int:
        wl = self.t["workorderlineitems"]
        cost = 4500 + (h >> 6) % 40000
        k = wl.append(self.t["workorders"].created[w] + 60 * (1 + len(self.wo_lines[w])), wo=w,
                      desc=self._WO_WORK[h % len(self._WO_WORK)], qty=100 * (1 + (h >> 3) % 4), cost=cost,
                      task=self.t["workorders"].task[w], billed=False)
        self.wo_lines[w].append(k)
        return k

    def _bills(self) -> None:
        po, wo = self.t["purchaseorders"], self.t["workorders"]
        B = self.n("bills")
        received = [p for p in range(len(po)) if po.received[p] > 0] or [0]
        done_wo = [w for w in range(len(wo)) if wo.status[w] in ("Approved", "Processed")]
        n_wo = min(len(done_wo), B // 10)
        n_po = B - n_wo
        plans = []
        for k in range(n_po):
            p = received[(k * len(received)) // n_po] if n_po <= len(received) else received[k % len(received)]
            h = self.h(171, k)
            base = max(po.received[p], po.created[p])
            plans.append((min(base + (2 + h % 12) * DAY, self.now - 3600), "po", p, h))
        for k in range(n_wo):
            w = done_wo[(k * len(done_wo)) // n_wo]
            h = self.h(172, k)
            plans.append((min(wo.created[w] + (5 + h % 20) * DAY, self.now - 3600), "wo", w, h))
        plans.sort()
        b = self.table("bills", ("po", "wo", "supplier", "billno", "due", "status", "user", "processed", "bu"))
        bl = self.table("billlineitems", ("bill", "src", "srcidx", "desc", "qty", "price", "task", "item"))
        self.bill_lines: List[List[int]] = []
        for created, kind, src, h in plans:
            self._new_bill(created, kind, src, h)
        # Lines: each bill's own order lines, as many as the bill line budget allows.
        budget = self.n("billlineitems")
        caps = [len(self.po_lines[b.po[k]]) if b.po[k] >= 0 else len(self.wo_lines[b.wo[k]]) for k in range(len(b))]
        counts = [0] * len(b)
        remaining = budget
        level = 0
        while remaining > 0 and len(b):
            progressed = False
            for k in range(len(b)):
                if remaining <= 0:
                    break
                if counts[k] < max(caps[k], 1) or level > 0:
                    counts[k] += 1
                    remaining -= 1
                    progressed = True
            if not progressed or all(counts[k] >= max(caps[k], 1) for k in range(len(b))):
                level += 1
        for k in range(len(b)):
            for j in range(counts[k]):
                self._new_bill_line(k, j)

    def _new_bill(self, created: float, kind: str, src: int, h: int) -> int:
        b, po, wo = self.t["bills"], self.t["purchaseorders"], self.t["workorders"]
        age = self.now - created
        status = "processed" if age > 20 * DAY else "approved" if age > 4 * DAY else "pending approval"
        processed = created + (3 + h % 10) * DAY if status == "processed" else -1.0
        processed = processed if processed <= self.now else -1.0
        k = len(b)
        j = b.append(created, max(created, processed), po=src if kind == "po" else -1, wo=src if kind == "wo" else -1,
                     supplier=po.supplier[src] if kind == "po" else wo.supplier[src],
                     billno=f"{'INV' if h % 2 else 'SI'}{100000 + (h >> 4) % 900000}", due=created + 30 * DAY,
                     status=status, user=self.pick_staff("office", created, h >> 9), processed=processed,
                     bu=po.bu[src] if kind == "po" else 0)
        if kind == "po":
            po.billed[src] = j
            po.supinv[src] = b.billno[j]
        else:
            self._wo_bills[src].append(j)
        self.bill_lines.append([])
        return j

    def _new_bill_line(self, k: int, j: int) -> int:
        b, bl, pl, wl = self.t["bills"], self.t["billlineitems"], self.t["polines"], self.t["workorderlineitems"]
        src_lines = self.po_lines[b.po[k]] if b.po[k] >= 0 else self.wo_lines[b.wo[k]]
        if j < len(src_lines):
            s = src_lines[j]
            if b.po[k] >= 0:
                x = bl.append(b.created[k], bill=k, src="po", srcidx=s, desc=pl.desc[s], qty=pl.qty[s],
                              price=pl.cost[s], task=pl.task[s], item=pl.item[s])
            else:
                wl.billed[s] = True
                x = bl.append(b.created[k], bill=k, src="wo", srcidx=s, desc=wl.desc[s], qty=wl.qty[s],
                              price=wl.cost[s], task=wl.task[s], item=-1)
        else:
            h = self.h(173, k, j)
            x = bl.append(b.created[k], bill=k, src="fee", srcidx=-1,
                          desc=["Freight", "Delivery charge", "Small order fee", "Pallet charge"][h % 4], qty=100,
                          price=1500 + h % 6000, task=-1, item=-1)
        self.bill_lines[k].append(x)
        return x

    # --------------------------------------------------------------------------- invoices
    def task_lines(self, task: int) -> List[tuple]:
        """A task's chargeable lines in date order: (date, kind, index)."""
        lab, mat, ex = self.t["tasklabours"], self.t["taskmaterials"], self.t["taskexpenses"]
        out = [(lab.start[k], "lab", k) for k in self.task_labours[task] if lab.deleted_at[k] < 0]
        out += [(mat.used[m], "mat", m) for m in self.task_materials[task] if mat.deleted_at[m] < 0]
        out += [(ex.used[e], "exp", e) for e in self.task_expenses[task]]
        out.sort()
        return out

    def _invoices(self) -> None:
        t = self.t["tasks"]
        I = self.n("invoices")
        done = [i for i in range(len(t)) if t.completed[i] > 0 and t.completed[i] + 3600 <= self.now]
        if not done:
            done = [i for i in range(len(t)) if t.deleted_at[i] < 0 and t.requested[i] < self.now] or [0]
        lined = [i for i in done if self.task_labours[i] or self.task_materials[i] or self.task_expenses[i]]
        bare = [i for i in done if i not in set(lined)] if len(lined) < I else []
        chosen = lined if len(lined) <= I else [lined[(k * len(lined)) // I] for k in range(I)]
        if len(chosen) < I and bare:
            need = min(I - len(chosen), len(bare))
            chosen = sorted(chosen + [bare[(k * len(bare)) // need] for k in range(need)])
        counts = {task: 1 for task in chosen}
        extra = I - len(chosen)
        pool = sorted(chosen, key=lambda x: -len(self.task_lines(x))) or [0]
        k = 0
        while extra > 0:
            counts[pool[k % len(pool)]] = counts.get(pool[k % len(pool)], 0) + 1
            extra -= 1
            k += 1
        plans = []
        for task, m in counts.items():
            lines = self.task_lines(task)
            groups = [lines[(g * len(lines)) // m:((g + 1) * len(lines)) // m] for g in range(m)]
            for g, group in enumerate(groups):
                h = self.h(181, task, g)
                final = g == m - 1
                base = t.completed[task] if final and t.completed[task] > 0 else \
                    (group[-1][0] if group else t.requested[task])
                when = min(base + 3600 * (2 + h % 100), self.now - 600)
                when = max(when, t.requested[task] + 60)
                plans.append((when, task, group, not final, h))
        plans.sort(key=lambda p: (p[0], p[1]))
        inv = self.table("invoices", ("task", "due", "status", "number", "processed", "fee", "user", "partial"))
        self.invoice_lines: List[List[tuple]] = []
        self.task_invoices: Dict[int, List[int]] = defaultdict(list)
        for when, task, group, partial, h in plans:
            self._new_invoice(when, task, group, partial, h)

    def _new_invoice(self, when: float, task: int, group: list, partial: bool, h: int) -> int:
        t, inv = self.t["tasks"], self.t["invoices"]
        c = self.t["clients"]
        age = self.now - when
        status = "processed" if age > 10 * DAY else "approved" if age > 2 * DAY else "pending approval"
        processed = when + (2 + h % 6) * DAY if status == "processed" else -1.0
        processed = processed if processed <= self.now else -1.0
        days = self.t["transactionterms"].days[c.term[t.client[task]]]
        k = len(inv)
        fee = 0 if group else 9900 + 1000 * (h % 6)   # a call-out fee when the job has nothing else to charge
        j = inv.append(when, max(when, processed), task=task, due=when + max(days, 0) * DAY, status=status,
                       number=1001 + k, processed=processed, fee=fee,
                       user=self.pick_staff("office", when, h >> 5), partial=partial)
        lines = [(kind, idx) for _, kind, idx in group]
        for kind, idx in lines:
            self.t[{"lab": "tasklabours", "mat": "taskmaterials", "exp": "taskexpenses"}[kind]].invoice[idx] = j
        if fee:
            lines.append(("fee", j))
        self.invoice_lines.append(lines)
        self.task_invoices[task].append(j)
        if not partial and processed > 0:
            t.status[task] = "Archived"
            t.linkproc[task] = processed
            t.substatus[task] = -1
        return j

    def line_total(self, kind: str, idx: int) -> int:
        """Cents (ex GST) an invoice line charges."""
        if kind == "lab":
            lab = self.t["tasklabours"]
            return int(round(lab.sell[idx] * lab.minutes[idx] / 60))
        if kind == "mat":
            m = self.t["taskmaterials"]
            return int(round(m.sell[idx] * m.qty[idx] / 100))
        if kind == "exp":
            return self.t["taskexpenses"].sell[idx]
        return self.t["invoices"].fee[idx]

    def invoice_totals(self, i: int) -> tuple:
        ex = sum(self.line_total(kind, idx) for kind, idx in self.invoice_lines[i])
        return ex, gst(ex), ex + gst(ex)

    # --------------------------------------------------------------------------- payments
    def _payments(self) -> None:
        inv = self.t["invoices"]
        P = self.n("payments")
        pay = self.table("payments", ("invoice", "amount", "method", "user", "surcharge"))
        self.invoice_payments: Dict[int, List[int]] = defaultdict(list)
        # Payments are entered from the bank statement: the newest are yesterday's (site time).
        cap = at_local(local_ordinal(self.now), 0) - 60
        order = sorted((i for i in range(len(inv)) if inv.created[i] + 3600 < cap), key=lambda i: (-inv.created[i], i))
        plan: Dict[int, int] = {}
        partly = set()
        total = 0
        for i in order:
            if total >= P:
                break
            h = self.h(191, i)
            age = self.now - inv.created[i]
            roll = h % 100
            if age < 14 * DAY:
                n = 1 if roll < 40 else 0
            elif roll < 80:
                n = 1
            elif roll < 88:
                n = 2
            elif roll < 93:
                n, _ = 1, partly.add(i)
            else:
                n = 0   # unpaid, overdue
            n = min(n, P - total)
            if n:
                plan[i] = n
                total += n
        k = 0
        payers = sorted(plan) or order or list(range(len(inv)))
        while total < P and payers:
            i = payers[k % len(payers)]
            plan[i] = plan.get(i, 0) + 1
            total += 1
            k += 1
        rows = []
        for i, n in plan.items():
            _, _, inc = self.invoice_totals(i)
            h = self.h(192, i)
            owed = inc if i not in partly else max(1, inc * (30 + h % 40) // 100)
            owed = max(owed, n)  # at least a cent a payment
            owed = min(owed, inc) if inc >= n else owed
            shares = [owed // n] * n
            shares[-1] += owed - sum(shares)
            when = first = inv.created[i]
            for j in range(n):
                hj = self.h(193, i, j)
                if n <= 3:
                    when = when + (1 + hj % 30) * DAY + (hj >> 8) % 3600
                else:  # a payment plan: instalments spread up to yesterday
                    when = first + 3600 + max(cap - first - 7200, 0) * (j + ((hj >> 8) % 1000) / 1000.0) / n
                if when > cap:
                    when = cap - (hj >> 20) % 36000
                when = max(when, first + 60)
                rows.append((when, i, shares[j], hj))
        rows.sort(key=lambda r: (r[0], r[1]))
        for when, i, amount, hj in rows:
            self._new_payment(i, amount, when, hj)
        if P > 40 and len(pay) > 37:
            pay.blank.add(37)  # as in AroFlo's own data: a payment with no date paid

    def _new_payment(self, i: int, amount: int, when: float, h: int) -> int:
        pay = self.t["payments"]
        method = W.PAY_METHODS[h % len(W.PAY_METHODS)]
        surcharge = int(round(amount * 0.015)) if method == "Credit Card" else 0
        j = pay.append(when, when, invoice=i, amount=amount, method=method,
                       user=self.pick_staff("office", when, h >> 6), surcharge=surcharge)
        self.invoice_payments[i].append(j)
        return j

    # --------------------------------------------------------------------------- projects
    def _projects(self) -> None:
        t = self.t["tasks"]
        PR = self.n("projects")
        com = self._commercial_set()
        seeds = [i for i in range(len(t)) if t.client[i] in com and t.deleted_at[i] < 0] or \
            [i for i in range(len(t)) if t.deleted_at[i] < 0] or [0]
        plans = sorted((t.requested[seeds[(k * len(seeds)) // PR] if PR <= len(seeds) else seeds[k % len(seeds)]] - 2 * DAY,
                        seeds[(k * len(seeds)) // PR] if PR <= len(seeds) else seeds[k % len(seeds)], self.h(201, k))
                       for k in range(PR))
        pr = self.table("projects", ("client", "location", "manager", "by", "startd", "endd", "status", "type", "number",
                                     "name", "contact", "bu"))
        self.project_stages: List[List[int]] = []
        for created, task, h in plans:
            start = created
            end = start + (45 + h % 135) * DAY
            status = "closed" if end < self.now - 14 * DAY else "open"
            client = t.client[task]
            pr.append(created, max(created, min(end, self.now)) if status == "closed" else created, client=client,
                      location=t.location[task], manager=self.pick_staff("estimators", created, h >> 3),
                      by=self.pick_staff("office", created, h >> 9), startd=start, endd=end, status=status,
                      type=(h >> 13) % len(W.PROJECT_TYPES), number=len(pr) + 1,
                      name=f"{self.t['clients'].name[client]} - {W.PROJECT_TYPES[(h >> 13) % len(W.PROJECT_TYPES)]}"[:50],
                      contact=t.contact[task], bu=t.bu[task])
            self.project_stages.append([])
        sg = self.table("stages", ("project", "name", "status"))
        for k, m in self._spread_over(self.n("stages"), len(pr)):
            for j in range(m):
                s = sg.append(pr.created[k] + j * 60, project=k, name=W.STAGES[j % len(W.STAGES)] +
                              ("" if j < len(W.STAGES) else f" {j // len(W.STAGES) + 1}"),
                              status="completed" if pr.status[k] == "closed" else ("open" if j else "in progress"))
                self.project_stages[k].append(s)
        # Group the client's jobs of the project's period under its stages.
        for p in range(len(pr)):
            stages = self.project_stages[p]
            if not stages:
                continue
            n = 0
            for task in self.client_tasks.get(pr.client[p], ()):
                if pr.startd[p] <= t.requested[task] <= pr.endd[p] and t.project[task] < 0 and t.deleted_at[task] < 0:
                    t.project[task] = p
                    t.stage[task] = stages[n % len(stages)]
                    n += 1

    # ----------------------------------------------------------------------------- assets
    _ASSET_BY_TRADE = {"plumbing": ["Hot Water Units", "Backflow Devices", "Pumps", "Gas Appliances",
                                    "Tempering Valves", "Water Filters"],
                       "electrical": ["Switchboards", "RCDs", "Solar Inverters", "Smoke Alarms", "Split Systems",
                                      "Exhaust Fans", "Lighting"]}

    def _assets(self) -> None:
        t = self.t["tasks"]
        AS = self.n("assets")
        done = [i for i in range(len(t)) if t.completed[i] > 0] or [i for i in range(len(t)) if t.deleted_at[i] < 0] \
            or [0]
        a = self.table("assets", ("client", "location", "category", "model", "serial", "task", "archived", "bu"))
        self.task_assets: Dict[int, List[int]] = defaultdict(list)
        cats = self.t["assetcategories"]
        by_name = {cats.name[i]: i for i in range(len(cats))}
        r = self.rng("assets")
        edits = spread(AS, self.start, self.now, r)
        for k in range(AS):
            task = done[(k * len(done)) // AS] if AS <= len(done) else done[k % len(done)]
            h = self.h(211, k)
            names = self._ASSET_BY_TRADE[t.trade[task]]
            cname = names[h % len(names)]
            cat = by_name.get(cname, h % len(cats))
            models = W.ASSET_MODELS.get(cname) or W.ASSET_MODELS["Hot Water Units"]
            created = (t.completed[task] if t.completed[task] > 0 else t.requested[task]) + 600
            created = min(created, self.now - 60)
            j = a.append(created, max(created, edits[k]), client=t.client[task], location=t.location[task],
                         category=cat, model=(h >> 8) % len(models),
                         serial=f"{ascii_of(models[(h >> 8) % len(models)][0])[:3].upper()}{(h >> 16) % 10 ** 8:08d}",
                         task=task, archived=(h >> 50) % 40 == 0, bu=t.bu[task])
            self.task_assets[task].append(j)

    def asset_model(self, k: int) -> tuple:
        a = self.t["assets"]
        cname = self.t["assetcategories"].name[a.category[k]].split(" - ")[0]
        models = W.ASSET_MODELS.get(cname) or W.ASSET_MODELS["Hot Water Units"]
        return models[a.model[k] % len(models)]

    # -------------------------------------------------------------------------- documents
    _DOC_PARENTS = [("tasks", 70), ("clients", 8), ("quotes", 5), ("assets", 5), ("users", 3), ("invoices", 3),
                    ("purchaseorders", 3), ("workorders", 2), ("locations", 1)]

    def _documents(self) -> None:
        D = self.n("documentsandphotos")
        self.table("documentsandphotos", ("kind", "parent", "user", "name", "size", "category", "comment"))
        self.docs_of: Dict[tuple, List[int]] = defaultdict(list)
        weights = self._DOC_PARENTS
        total = sum(w for _, w in weights)
        counts = [D * w // total for _, w in weights]
        counts[0] += D - sum(counts)
        plans = []
        for (kind, _), m in zip(weights, counts):
            n = len(self.t[kind])
            for k in range(m):
                parent = (k * n) // m if m <= n else k % n
                plans.append((self._doc_time(kind, parent, self.h(221, k)), kind, parent, self.h(222, k)))
        plans.sort()
        for when, kind, parent, h in plans:
            self._new_document(kind, parent, when, h)

    def _doc_time(self, kind: str, parent: int, h: int) -> float:
        if kind == "tasks":
            labs = self.task_labours[parent]
            if labs:
                lab = self.t["tasklabours"]
                k = labs[h % len(labs)]
                return min(lab.start[k] + lab.minutes[k] * 30, self.now - 60)
        base = self.t[kind].created[parent]
        return min(base + (h % 3600) + 60, self.now - 60)

    def _new_document(self, kind: str, parent: int, when: float, h: int, user: Optional[int] = None) -> int:
        d = self.t["documentsandphotos"]
        if user is None:
            if kind == "tasks" and self.task_labours[parent]:
                user = self.t["tasklabours"].user[self.task_labours[parent][h % len(self.task_labours[parent])]]
            else:
                user = self.pick_staff("office", when, h >> 5)
        name = W.DOC_NAMES[(h >> 9) % len(W.DOC_NAMES)]
        cat = {"tasks": 0 if name.endswith(".jpg") else 1, "quotes": 2, "invoices": 3, "locations": 4,
               "users": 6, "clients": 6}.get(kind, 6 if h % 2 else 5)
        j = d.append(when, when, kind=kind, parent=parent, user=user, name=name,
                     size=20000 + (h >> 14) % 3000000, category=cat,
                     comment="" if h % 3 else ["Before", "After", "Signed", "Compliance"][(h >> 3) % 4])
        self.docs_of[(kind, parent)].append(j)
        return j

    # ------------------------------------------------------------------------------ notes
    def _notes(self) -> None:
        N = self.n("clientnotes")
        r = self.rng("clientnotes")
        self.table("clientnotes", ("client", "user", "content", "filter", "sticky"))
        self.client_notes: Dict[int, List[int]] = defaultdict(list)
        for k, when in enumerate(spread(N, self.start, self.now, r)):
            h = self.h(231, k)
            client = self.client_at(when, h)
            self._new_client_note(client, when, h)

    def _new_client_note(self, client: int, when: float, h: int) -> int:
        n = self.t["clientnotes"]
        when = max(when, self.t["clients"].created[client] + 60)
        j = n.append(when, when, client=client, user=self.pick_staff("office", when, h >> 4),
                     content=W.CLIENT_NOTES[(h >> 12) % len(W.CLIENT_NOTES)],
                     filter=W.NOTE_FILTERS[(h >> 20) % len(W.NOTE_FILTERS)], sticky=(h >> 28) % 10 == 0)
        self.client_notes[client].append(j)
        return j

    def _messages(self) -> None:
        r = self.rng("messageboard")
        mb = self.table("messageboard", ("subject", "user", "filter"))
        for k, when in enumerate(spread(self.n("messageboard"), self.start, self.now, r)):
            h = self.h(241, k)
            mb.append(when, when, subject=W.MESSAGES[h % len(W.MESSAGES)], user=self.pick_staff("office", when, h >> 8),
                      filter="Internal Only")

    # ----------------------------------------------------------------------------- settle
    # Zones whose records carry an update time of their own, and the change feed's zones.
    UPDATE_FIELD_ZONES = ("users", "tasks", "invoices", "bills", "locations", "assets", "inventory",
                          "inventorystocklevels")
    TIE_ZONES = UPDATE_FIELD_ZONES + ("purchaseorders", "clients", "suppliers", "tasklabours", "taskmaterials",
                                      "taskexpenses", "quotes", "payments")

    def _settle(self) -> None:
        t, lab, mat, ex = self.t["tasks"], self.t["tasklabours"], self.t["taskmaterials"], self.t["taskexpenses"]
        for i in range(len(t)):
            last = max(t.created[i], t.requested[i], t.deleted_at[i], t.completed[i], t.linkproc[i], t.readtask[i])
            for k in self.task_labours[i]:
                last = max(last, lab.updated[k])
            for k in self.task_materials[i]:
                last = max(last, mat.updated[k])
            for k in self.task_expenses[i]:
                last = max(last, ex.updated[k])
            t.updated[i] = int(min(last, self.now))
        for zone in ("clients", "suppliers", "locations", "contacts"):
            tab = self.t[zone]
            r = self.rng(zone + "-edits")
            edits = spread(len(tab), self.start, self.now, r)
            r.shuffle(edits)
            for i in range(len(tab)):
                if self.h(251, i, len(zone)) % 3 == 0 and edits[i] > tab.created[i]:
                    tab.updated[i] = int(edits[i])
        for zone in ("quotes", "purchaseorders", "invoices", "bills", "workorders"):
            tab = self.t[zone]
            for i in range(len(tab)):
                tab.updated[i] = int(min(tab.updated[i], self.now))
        # Bulk edits: a cluster of 7 records changed in one second, and pairs sharing a second.
        cluster = self.now - 3 * DAY - 3600
        for zone in self.TIE_ZONES:
            tab = self.t[zone]
            n = len(tab)
            if n > 17:
                for i in range(10, 17):
                    if tab.updated[i] <= cluster:
                        tab.updated[i] = int(cluster)
            for i in range(5, n, 17):
                if tab.updated[i] >= tab.updated[i - 1] and (i - 1 < 10 or i - 1 > 16):
                    tab.updated[i - 1] = tab.updated[i]
        # AroFlo's own examples hold records whose update time is blank (" ").
        for zone in self.UPDATE_FIELD_ZONES:
            tab = self.t[zone]
            for i in range(4, len(tab), 29):
                if tab.updated[i] < self.now - 45 * DAY:
                    tab.blank.add(i)
        users = self.t["users"]
        if len(users) > 25:
            users.blank.add(23)

    # ========================================================================== mutations
    # Each returns the zones whose records it changed (the dataset bumps their versions).
    def _bump(self, zone: str, i: int, ts: float) -> None:
        tab = self.t[zone]
        tab.updated[i] = int(max(ts, tab.created[i]))
        tab.rev[i] += 1
        tab.blank.discard(i)

    def _task_changed(self, task: int, ts: float, changed: set) -> None:
        if task >= 0:
            self._bump("tasks", task, ts)
            changed.add("tasks")

    def touch(self, zone: str, idxs: List[int], ts: float) -> set:
        """Edit records as the business does; their update times move to `ts`."""
        changed = {zone}
        for i in idxs:
            if i in self.t[zone].deleted:
                continue
            edit = getattr(self, "_edit_" + zone, None)
            if edit is not None:
                edit(i, ts, changed)
            self._bump(zone, i, ts)
        return changed

    def _edit_tasks(self, i: int, ts: float, changed: set) -> None:
        t = self.t["tasks"]
        order = ["Not Started", "In Progress", "Completed"]
        subs = [name for name, main in W.TASK_SUBSTATUS]
        status = t.status[i]
        if status in ("Not Started", "Pending") and t.rev[i] % 3 == 2:
            t.status[i] = "In Progress"
        h = self.h(501, i, t.rev[i])
        sub = subs[h % len(subs)]
        t.substatus[i] = self.substatus_by_name.get(sub, t.substatus[i])

    def _edit_invoices(self, i: int, ts: float, changed: set) -> None:
        inv, t = self.t["invoices"], self.t["tasks"]
        status = inv.status[i]
        if status == "pending approval":
            inv.status[i] = "approved"
        elif status == "approved":
            inv.status[i] = "processed"
            inv.processed[i] = ts
            task = inv.task[i]
            if not inv.partial[i] and t.status[task] == "Completed":
                t.status[task] = "Archived"
                t.linkproc[task] = ts
                t.substatus[task] = -1
                self._task_changed(task, ts, changed)

    def _edit_tasklabours(self, k: int, ts: float, changed: set) -> None:
        lab = self.t["tasklabours"]
        if lab.invoice[k] < 0 and lab.processed[k] < 0 and lab.deleted_at[k] < 0:
            day = local_ordinal(lab.start[k])
            user = lab.user[k]
            step = 30 if (lab.rev[k] % 2 == 0 and self.booked[(user, day)] + 30 <= MAX_DAY_MINUTES) \
                or lab.minutes[k] <= 30 else -30
            lab.minutes[k] += step
            self.booked[(user, day)] += step
            j = self.labour_timesheet.get(k)
            if j is not None and j not in self.t["timesheets"].deleted:
                self.t["timesheets"].minutes[j] = lab.minutes[k]
                self._bump("timesheets", j, ts)
                changed.add("timesheets")
        # An edit of a line is the line's change: the job's own update time stays (a new line,
        # `add`, moves it).
        changed.add("tasks")  # its totals changed

    def _edit_taskmaterials(self, k: int, ts: float, changed: set) -> None:
        mat = self.t["taskmaterials"]
        if mat.invoice[k] < 0 and mat.processed[k] < 0 and mat.po[k] < 0:
            mat.qty[k] += 100
        changed.add("tasks")

    def _edit_taskexpenses(self, k: int, ts: float, changed: set) -> None:
        ex = self.t["taskexpenses"]
        if ex.invoice[k] < 0:
            ex.cost[k] += 100
            ex.sell[k] = int(round(ex.cost[k] * 1.1))
        changed.add("tasks")

    def _edit_quotes(self, i: int, ts: float, changed: set) -> None:
        q = self.t["quotes"]
        if q.acceptance[i] == "Not Sent":
            q.acceptance[i], q.status[i] = "Awaiting Decision", "Approved"
            q.approved[i] = ts
        elif q.acceptance[i] in ("Awaiting Decision", "Need More Information"):
            q.acceptance[i] = "Need More Information" if q.acceptance[i] == "Awaiting Decision" else "Awaiting Decision"

    def _edit_purchaseorders(self, i: int, ts: float, changed: set) -> None:
        po = self.t["purchaseorders"]
        nxt = {"in progress": "pending approval", "pending approval": "approved", "approved": "processed"}
        if po.status[i] in nxt:
            po.status[i] = nxt[po.status[i]]
            if po.status[i] == "approved" and po.received[i] < 0:
                po.received[i] = ts

    def _edit_bills(self, i: int, ts: float, changed: set) -> None:
        b = self.t["bills"]
        if b.status[i] == "pending approval":
            b.status[i] = "approved"
        elif b.status[i] == "approved":
            b.status[i], b.processed[i] = "processed", ts

    def _edit_workorders(self, i: int, ts: float, changed: set) -> None:
        wo = self.t["workorders"]
        nxt = {"In Progress": "Pending Approval", "Pending Approval": "Approved", "Approved": "Processed"}
        if wo.status[i] in nxt:
            wo.status[i] = nxt[wo.status[i]]
            if wo.status[i] == "Approved" and wo.approved[i] < 0:
                wo.approved[i] = ts
            if wo.status[i] == "Processed":
                wo.processed[i] = ts

    def _edit_schedules(self, i: int, ts: float, changed: set) -> None:
        sc = self.t["schedules"]
        if sc.start[i] > ts + 2 * 3600 and sc.labour[i] < 0:
            sc.start[i] += 3600  # pushed back an hour

    def _edit_payments(self, i: int, ts: float, changed: set) -> None:
        pass  # a payment re-dated: its date paid is its update time (`_bump`)

    # -- add ----------------------------------------------------------------------------
    def add(self, zone: str, n: int, ts: float) -> tuple:
        """Create `n` records of `zone` at `ts`, linked to existing ones -> (indices, zones)."""
        changed = {zone}
        out = []
        for k in range(n):
            h = self.h(601, len(self.t[zone]), k, int(ts))
            maker = getattr(self, "_add_" + zone, None)
            i = maker(ts, h, changed) if maker is not None else self._add_reference(zone, ts, h)
            out.append(i)
        return out, changed

    def _open_task(self, ts: float, h: int, worked: bool = False) -> int:
        """A job that is on at `ts`: requested, not deleted, not archived (recent ones first)."""
        t = self.t["tasks"]
        n = len(t)
        for back in range(min(n, 400)):
            i = n - 1 - ((h + back) % min(n, 400))
            if t.deleted_at[i] < 0 and t.requested[i] <= ts and t.status[i] not in ("Archived",) and \
                    (not worked or t.status[i] != "Not Started" or True):
                return i
        return n - 1

    def _add_tasks(self, ts: float, h: int, changed: set) -> int:
        i = self._new_task(ts, h)
        self.task_labours.append([])
        self.task_materials.append([])
        self.task_expenses.append([])
        t = self.t["tasks"]
        t.work_start[i] = max(t.work_start[i], local_ordinal(ts))
        self._settle_task(i)
        t.status[i] = "Not Started"
        return i

    def _add_tasklabours(self, ts: float, h: int, changed: set, task: Optional[int] = None) -> int:
        t, u = self.t["tasks"], self.t["users"]
        if task is None:
            task = self._open_task(ts, h)
        day = local_ordinal(ts)
        minutes = 60 + 30 * (h % 5)
        user, minutes = self._pick_worker(day, minutes, h >> 4, t.lead[task])
        k = self._new_labour(task, day, minutes, h >> 8, user=user, entered=ts)
        lab = self.t["tasklabours"]
        if lab.start[k] + minutes * 60 > ts:  # the work just finished
            lab.start[k] = ts - minutes * 60
        lab.processed[k] = -1.0
        lab.verified[k] = False
        lab.updated[k] = int(ts)
        self._timesheet_for(k)
        changed.add("timesheets")
        if t.status[task] in ("Not Started", "Pending"):
            t.status[task] = "In Progress"
        self._task_changed(task, ts, changed)
        return k

    def _latest_labour(self, ts: float, h: int) -> int:
        lab = self.t["tasklabours"]
        n = len(lab)
        for back in range(min(n, 200)):
            k = n - 1 - ((h + back) % min(n, 10)) - (back // 10) * 10
            if lab.deleted_at[k] < 0 and lab.start[k] <= ts:
                return k
        return n - 1

    def _add_taskmaterials(self, ts: float, h: int, changed: set) -> int:
        if not len(self.t["tasklabours"]):  # materials are used when someone works
            self._add_tasklabours(ts, h, changed)
            changed.add("tasklabours")
        k = self._latest_labour(ts, h)
        j = self._new_material(k, h >> 3, entered=ts)
        mat = self.t["taskmaterials"]
        mat.processed[j] = -1.0
        mat.updated[j] = int(ts)
        self._task_changed(mat.task[j], ts, changed)
        return j

    def _add_taskexpenses(self, ts: float, h: int, changed: set) -> int:
        if not len(self.t["tasklabours"]):
            self._add_tasklabours(ts, h, changed)
            changed.add("tasklabours")
        k = self._latest_labour(ts, h)
        j = self._new_expense(k, h >> 3, entered=ts)
        ex = self.t["taskexpenses"]
        ex.processed[j] = -1.0
        self._task_changed(ex.task[j], ts, changed)
        return j

    def _add_timesheets(self, ts: float, h: int, changed: set) -> int:
        day = local_ordinal(ts)
        user = self.pick_staff("field", ts, h)
        over = (h >> 4) % 4
        minutes = 30 * (1 + h % 3)
        offset = self.booked[(user, day)]
        self.booked[(user, day)] = offset + minutes
        start = min(at_local(day, WORKDAY_START + offset), ts - minutes * 60)
        return self.t["timesheets"].append(ts, ts, labour=-1, user=user, task=-1, start=start, minutes=minutes,
                                           type="Non-Productive", overhead=over, worktype=0)

    def _add_schedules(self, ts: float, h: int, changed: set) -> int:
        t = self.t["tasks"]
        task = self._open_task(ts, h)
        day = add_workdays(local_ordinal(ts), h % 6) if h % 5 else local_ordinal(ts)
        return self.book(task, day, 60 * (1 + h % 3), h >> 4, at=ts)

    def _add_invoices(self, ts: float, h: int, changed: set) -> int:
        t = self.t["tasks"]
        # The newest completed job that is not invoiced yet; else any job with uninvoiced work.
        cands = [i for i in range(len(t) - 1, max(-1, len(t) - 2000), -1)
                 if t.deleted_at[i] < 0 and t.status[i] == "Completed" and not self.task_invoices.get(i)]
        if not cands:
            cands = [i for i in range(len(t) - 1, max(-1, len(t) - 2000), -1)
                     if t.deleted_at[i] < 0 and t.requested[i] <= ts and
                     any(self.t[{"lab": "tasklabours", "mat": "taskmaterials", "exp": "taskexpenses"}[kind]].invoice[idx] < 0
                         for _, kind, idx in self.task_lines(i))] or [len(t) - 1]
        task = cands[h % min(len(cands), 5)]
        group = [line for line in self.task_lines(task)
                 if self.t[{"lab": "tasklabours", "mat": "taskmaterials", "exp": "taskexpenses"}[line[1]]].invoice[line[2]] < 0]
        partial = t.status[task] != "Completed"
        j = self._new_invoice(ts, task, group, partial, h)
        self.t["invoices"].status[j] = "pending approval"
        self.t["invoices"].processed[j] = -1.0
        self._task_changed(task, ts, changed)
        return j

    def balance(self, i: int) -> int:
        _, _, inc = self.invoice_totals(i)
        pay = self.t["payments"]
        return inc - sum(pay.amount[p] for p in self.invoice_payments.get(i, ()) if p not in pay.deleted)

    def _add_payments(self, ts: float, h: int, changed: set) -> int:
        inv = self.t["invoices"]
        owing = [i for i in range(len(inv) - 1, max(-1, len(inv) - 3000), -1)
                 if inv.created[i] <= ts and self.balance(i) > 0]
        if not owing:
            i = self._add_invoices(ts, h, changed)
            changed.add("invoices")
            owing = [i]
        i = owing[h % min(len(owing), 8)]
        bal = self.balance(i)
        amount = bal if h % 4 else max(1, bal // 2)
        return self._new_payment(i, amount, ts, h >> 3)

    def _add_quotes(self, ts: float, h: int, changed: set) -> int:
        q = self._new_quote(ts, h)
        qt = self.t["quotes"]
        qt.status[q], qt.acceptance[q], qt.approved[q], qt.rejected[q] = "In Progress", "Not Sent", -1.0, -1.0
        for j in range(2 + h % 3):
            self._new_quote_line(q, self.h(602, q, j))
        changed.add("quotelineitems")
        return q

    def _add_quotelineitems(self, ts: float, h: int, changed: set) -> int:
        q = self.t["quotes"]
        if not len(q):
            self._add_quotes(ts, h, changed)
        quote = next((i for i in range(len(q) - 1, -1, -1) if q.acceptance[i] in ("Not Sent", "Awaiting Decision")),
                     len(q) - 1)
        j = self._new_quote_line(quote, h)
        self.t["quotelineitems"].created[j] = ts
        self.t["quotelineitems"].updated[j] = int(ts)
        self._bump("quotes", quote, ts)
        changed.add("quotes")
        return j

    def _add_purchaseorders(self, ts: float, h: int, changed: set) -> int:
        task = self._open_task(ts, h) if h % 3 else -1
        j = self._new_po(ts, h, task)
        self.t["purchaseorders"].status[j] = "in progress" if h % 2 else "pending approval"
        self.t["purchaseorders"].received[j] = -1.0
        return j

    def _add_bills(self, ts: float, h: int, changed: set) -> int:
        po = self.t["purchaseorders"]
        if not len(po):
            self._add_purchaseorders(ts, h, changed)
            changed.add("purchaseorders")
        cands = [p for p in range(len(po) - 1, -1, -1) if po.billed[p] < 0 and po.received[p] > 0] or [len(po) - 1]
        p = cands[0]
        j = self._new_bill(ts, "po", p, h)
        self.t["bills"].status[j] = "pending approval"
        for n in range(len(self.po_lines[p])):
            self._new_bill_line(j, n)
        changed |= {"billlineitems", "purchaseorders"}
        return j

    def _add_billlineitems(self, ts: float, h: int, changed: set) -> int:
        b = self.t["bills"]
        if not len(b):
            self._add_bills(ts, h, changed)
        j = self._new_bill_line(len(b) - 1, 10 ** 6)  # a freight line on the newest bill
        self.t["billlineitems"].created[j] = ts
        self.t["billlineitems"].updated[j] = int(ts)
        self._bump("bills", len(b) - 1, ts)
        changed.add("bills")
        return j

    def _add_workorders(self, ts: float, h: int, changed: set) -> int:
        task = self._open_task(ts, h)
        j = self._new_workorder(ts, task, h)
        wo = self.t["workorders"]
        wo.status[j], wo.acceptance[j], wo.accepted[j], wo.approved[j], wo.processed[j] = \
            "In Progress", "Not Sent", -1.0, -1.0, -1.0
        self._new_wo_line(j, h >> 5)
        changed.add("workorderlineitems")
        return j

    def _add_workorderlineitems(self, ts: float, h: int, changed: set) -> int:
        if not len(self.t["workorders"]):
            self._add_workorders(ts, h, changed)
        w = len(self.t["workorders"]) - 1
        j = self._new_wo_line(w, h)
        self.t["workorderlineitems"].created[j] = ts
        self.t["workorderlineitems"].updated[j] = int(ts)
        self._bump("workorders", w, ts)
        changed.add("workorders")
        return j

    def _add_clients(self, ts: float, h: int, changed: set) -> int:
        c = self.t["clients"]
        n = len(c)
        given = W.GIVEN[(h >> 4) % len(W.GIVEN)]
        surname = W.SURNAMES[(h >> 12) % len(W.SURNAMES)]
        street, suburb, postcode, lat, lng = self._address(h >> 3)
        i = c.append(ts + (h % 1000) / 1000.0, ts, name=f"{given} {surname}", kind="Residential", given=given,
                     surname=surname, street=street, suburb=suburb, postcode=postcode, lat=lat, lng=lng, bu=0,
                     term=0, archived=False, short=ascii_of(given + surname)[:6].capitalize(),
                     phone=f"04{(h >> 30) % 100:02d} {(h >> 36) % 1000:03d} {(h >> 46) % 1000:03d}",
                     email=f"{ascii_of(given)}.{ascii_of(surname)}@example.com.au")
        return i

    def _add_contacts(self, ts: float, h: int, changed: set) -> int:
        c, ct = self.t["clients"], self.t["contacts"]
        client = (len(c) - 1 - h % min(len(c), 50))
        k = ct.append(ts, ts, given=W.GIVEN[(h >> 16) % len(W.GIVEN)], surname=W.SURNAMES[(h >> 24) % len(W.SURNAMES)],
                      client=client, supplier=-1, type="client", archived=False, role="Tenant")
        self.client_contacts[client].append(k)
        return k

    def _add_locations(self, ts: float, h: int, changed: set) -> int:
        c, loc = self.t["clients"], self.t["locations"]
        owner = self.commercial[-1 - h % min(len(self.commercial), 20)] if self.commercial else len(c) - 1
        street, suburb, postcode, lat, lng = self._address(h >> 3)
        contacts = self.client_contacts.get(owner)
        k = loc.append(ts, ts, kind="client", owner=owner, name=street, street=street, suburb=suburb,
                       postcode=postcode, lat=lat, lng=lng, archived=False, contact=contacts[0] if contacts else -1)
        self.client_locations[owner].append(k)
        return k

    def _add_suppliers(self, ts: float, h: int, changed: set) -> int:
        s = self.t["suppliers"]
        street, suburb, postcode, _, _ = self._address(h >> 5)
        surname = W.SURNAMES[(h >> 15) % len(W.SURNAMES)]
        name = f"{surname} {W.CONTRACTORS[(h >> 9) % len(W.CONTRACTORS)]}"
        i = s.append(ts + (h % 100) / 100.0, ts, name=name, type="contractor", trade="",
                     given=W.GIVEN[(h >> 7) % len(W.GIVEN)], surname=surname, street=street, suburb=suburb,
                     postcode=postcode, archived=False, phone=f"03 9{(h >> 30) % 1000:03d} {(h >> 40) % 10000:04d}",
                     email=f"accounts@{ascii_of(name)[:16]}.example.com.au", term=0, abn="", extid="")
        self.contractors.append(i)
        return i

    def _add_users(self, ts: float, h: int, changed: set) -> int:
        u = self.t["users"]
        given, surname = W.GIVEN[h % len(W.GIVEN)], W.SURNAMES[(h >> 8) % len(W.SURNAMES)]
        role = "Apprentice Plumber" if h % 2 else "Apprentice Electrician"
        i = u.append(ts, ts, given=given, surname=surname, login=f"{ascii_of(given)}.{ascii_of(surname)}{len(u)}",
                     role=role, kind="apprentice", position=self.position_by_name.get(role, self.position_by_kind.get("apprentice", 0)),
                     bu=0, hired=ts, left=-1.0, cost=3000, sell=7800, groups=(3 % len(self.t["permissiongroups"]),),
                     mobile=f"04{h % 100:02d} {(h >> 8) % 1000:03d} {(h >> 20) % 1000:03d}", phone="")
        if len(self.field_staff) < 200:
            self.field_staff.append(i)
            self._active_cache.clear()
        return i

    def _add_payments_for(self, ts, h, changed):  # pragma: no cover - kept for symmetry
        return self._add_payments(ts, h, changed)

    def _add_clientnotes(self, ts: float, h: int, changed: set) -> int:
        c = self.t["clients"]
        client = len(c) - 1 - h % min(len(c), 100)
        return self._new_client_note(client, ts, h)

    def _add_documentsandphotos(self, ts: float, h: int, changed: set) -> int:
        task = self._open_task(ts, h)
        return self._new_document("tasks", task, ts, h)

    def _add_assets(self, ts: float, h: int, changed: set) -> int:
        t, a = self.t["tasks"], self.t["assets"]
        task = self._open_task(ts, h)
        names = self._ASSET_BY_TRADE[t.trade[task]]
        cats = self.t["assetcategories"]
        cat = next((k for k in range(len(cats)) if cats.name[k] == names[h % len(names)]), h % len(cats))
        j = a.append(ts, ts, client=t.client[task], location=t.location[task], category=cat, model=h % 3,
                     serial=f"SN{h % 10 ** 8:08d}", task=task, archived=False, bu=t.bu[task])
        self.task_assets[task].append(j)
        return j

    def _add_projects(self, ts: float, h: int, changed: set) -> int:
        pr = self.t["projects"]
        task = self._open_task(ts, h)
        t = self.t["tasks"]
        p = pr.append(ts, ts, client=t.client[task], location=t.location[task],
                      manager=self.pick_staff("estimators", ts, h), by=self.pick_staff("office", ts, h >> 3),
                      startd=ts, endd=ts + 90 * DAY, status="open", type=h % len(W.PROJECT_TYPES),
                      number=len(pr) + 1, name=f"{self.t['clients'].name[t.client[task]]} - Works"[:50],
                      contact=t.contact[task], bu=t.bu[task])
        self.project_stages.append([])
        s = self.t["stages"].append(ts, project=p, name=W.STAGES[0], status="in progress")
        self.project_stages[p].append(s)
        changed.add("stages")
        return p

    def _add_stages(self, ts: float, h: int, changed: set) -> int:
        if not len(self.t["projects"]):
            self._add_projects(ts, h, changed)
            changed.add("projects")
        p = len(self.t["projects"]) - 1
        s = self.t["stages"].append(ts, project=p, name=W.STAGES[len(self.project_stages[p]) % len(W.STAGES)],
                                    status="open")
        self.project_stages[p].append(s)
        return s

    def _add_inventory(self, ts: float, h: int, changed: set) -> int:
        inv = self.t["inventory"]
        fams = W.INVENTORY_FAMILIES
        cat, fname, (lo, hi), sizes, trade, manu = fams[h % len(fams)]
        cost = lo + (h >> 8) % (hi - lo + 1)
        i = inv.append(ts, ts, desc=f"{fname} {sizes[(h >> 4) % len(sizes)]} (new)", part=f"NEW{len(inv)}",
                       category=cat % len(self.t["inventorycategories"]), cost=cost, sell=int(cost * 1.4),
                       supplier=self.wholesalers[trade][0], manufacturer=manu, trade=trade, family=h % len(fams))
        self.items_by_trade[trade].append(i)
        return i

    def _add_inventorystocklevels(self, ts: float, h: int, changed: set) -> int:
        inv, sl = self.t["inventory"], self.t["inventorystocklevels"]
        item = len(inv) - 1 - h % min(len(inv), 50)
        held = {(sl.htype[k], sl.holder[k]) for k in self.item_stock.get(item, ())}
        holder = next((hh for hh in self.holders if hh not in held), self.holders[h % len(self.holders)])
        j = sl.append(ts, ts, item=item, htype=holder[0], holder=holder[1], qty=100 * (1 + h % 20))
        self.item_stock[item].append(j)
        return j

    def _add_reference(self, zone: str, ts: float, h: int) -> int:
        tab = self.t[zone]
        n = len(tab)
        defaults = {"businessunits": dict(name=f"Yarra Branch {n + 1}", short=f"YB{n + 1}", archived=False),
                    "userposition": dict(name=f"Position {n + 1}", kind="tech", archived=False),
                    "permissiongroups": dict(name=f"Group {n + 1}", archived=False),
                    "trackingcentres": dict(name=f"Tracking Centre {n + 1}", kind="labour", bu=0, archived=False,
                                            listorder=n + 1),
                    "transactionterms": dict(name=f"{14 + n} Days", days=14 + n, archived=False),
                    "tasktypes": dict(name=f"Task Type {n + 1}", trade="plumbing", bu=0, archived=False),
                    "substatus": dict(name=f"Custom Status {n + 1}", main="pending", type="task", listorder=n + 1,
                                      bu=0, archived=False),
                    "priorities": dict(name=f"P{n + 1} Custom", minutes=1440, no=n, bu=0, archived=False),
                    "assetcategories": dict(name=f"Asset Category {n + 1}", parent=-1, listorder=n),
                    "inventorycategories": dict(name=f"Inventory Category {n + 1}", parent=n, listorder=n),
                    "customholders": dict(name=f"Van {n + 1:02d}", archived=False),
                    "messagetemplates": dict(name=f"Template {n + 1}", format="Text", bu=0),
                    "messageboard": dict(subject=W.MESSAGES[h % len(W.MESSAGES)],
                                         user=self.pick_staff("office", ts, h), filter="Internal Only"),
                    "inventorylists": dict(name=f"Kit {n + 1}", type="assembly", items=(), category=0, bu=0)}
        return tab.append(ts, ts, **defaults.get(zone, {}))

    # -- deletes ------------------------------------------------------------------------
    def delete(self, zone: str, idxs: List[int], ts: float) -> None:
        tab = self.t[zone]
        for i in idxs:
            tab.deleted[i] = ts
            tab.updated[i] = int(max(ts, tab.created[i]))
            tab.rev[i] += 1
            tab.blank.discard(i)

    def soft_delete(self, zone: str, idxs: List[int], ts: float) -> set:
        if zone not in ("tasks", "tasklabours", "taskmaterials"):
            raise ValueError(f"AroFlo soft-deletes tasks, tasklabours and taskmaterials, not {zone}")
        changed = {zone}
        tab = self.t[zone]
        for i in idxs:
            tab.deleted_at[i] = ts
            self._bump(zone, i, ts)
            if zone == "tasklabours":
                j = self.labour_timesheet.pop(i, None)
                if j is not None:  # the labour's timesheet entry goes with it
                    self.delete("timesheets", [j], ts)
                    changed.add("timesheets")
                self._task_changed(tab.task[i], ts, changed)
            elif zone == "taskmaterials":
                self._task_changed(tab.task[i], ts, changed)
        return changed

    def remove_line(self, zone: str, parent: int, line_id: str, ts: float) -> set:
        from .core import decode_zone_id
        dec = decode_zone_id(line_id)
        if dec is None:
            raise KeyError(f"unknown line id {line_id!r}")
        tag, idx = dec
        changed = {zone}
        if zone == "invoices":
            kinds = {TAGS["inv_lab"]: "lab", TAGS["inv_mat"]: "mat", TAGS["inv_exp"]: "exp", TAGS["inv_fee"]: "fee"}
            line = (kinds.get(tag), idx)
            if line not in self.invoice_lines[parent]:
                raise KeyError(f"invoice has no line {line_id!r}")
            self.invoice_lines[parent].remove(line)
            if line[0] != "fee":
                self.t[{"lab": "tasklabours", "mat": "taskmaterials", "exp": "taskexpenses"}[line[0]]].invoice[idx] = -1
        elif zone == "quotes":
            self._drop(self.quote_lines[parent], tag, "quotelineitems", idx, line_id, ts, changed)
        elif zone == "purchaseorders":
            if tag != TAGS["polines"] or idx not in self.po_lines[parent]:
                raise KeyError(f"purchase order has no line {line_id!r}")
            self.po_lines[parent].remove(idx)
            m = self.t["polines"].material[idx]
            if m >= 0:
                self.t["taskmaterials"].po[m] = -1
                self._bump("taskmaterials", m, ts)
                changed.add("taskmaterials")
        elif zone == "bills":
            self._drop(self.bill_lines[parent], tag, "billlineitems", idx, line_id, ts, changed)
        elif zone == "workorders":
            self._drop(self.wo_lines[parent], tag, "workorderlineitems", idx, line_id, ts, changed)
        else:
            raise ValueError(f"{zone} has no lines")
        self._bump(zone, parent, ts)
        return changed

    def _drop(self, lines: list, tag: int, zone: str, idx: int, line_id: str, ts: float, changed: set) -> None:
        if tag != TAGS[zone] or idx not in lines:
            raise KeyError(f"no line {line_id!r}")
        lines.remove(idx)
        self.delete(zone, [idx], ts)
        changed.add(zone)

    # -- a busy hour --------------------------------------------------------------------
    BUSY_HOUR = [("add", "tasks", 6), ("touch", "tasks", 5), ("add", "tasklabours", 8), ("touch", "tasklabours", 2),
                 ("add", "taskmaterials", 12), ("touch", "taskmaterials", 3), ("add", "invoices", 4),
                 ("touch", "invoices", 4), ("add", "schedules", 10), ("add", "quotes", 2), ("touch", "quotes", 1),
                 ("add", "purchaseorders", 2), ("touch", "purchaseorders", 1), ("add", "clients", 2),
                 ("touch", "clients", 2), ("add", "contacts", 2), ("add", "clientnotes", 3),
                 ("add", "documentsandphotos", 4)]

    def _recent(self, zone: str, ts: float, h: int, ok) -> Optional[int]:
        tab = self.t[zone]
        n = len(tab)
        window = min(n, 300)
        for back in range(window):
            i = n - 1 - ((h + back * 7) % window)
            if i not in tab.deleted and tab.created[i] <= ts and ok(i):
                return i
        return None

    def busy_hour(self) -> Dict[str, List[int]]:
        """One busy hour from `now`: the events of `BUSY_HOUR`, spread over the hour."""
        start = self.now
        events = [(kind, zone) for kind, zone, n in self.BUSY_HOUR for _ in range(n)]
        r = self.rng(f"busy-{int(start)}")
        r.shuffle(events)
        t, lab, mat, inv = self.t["tasks"], self.t["tasklabours"], self.t["taskmaterials"], self.t["invoices"]
        checks = {
            "tasks": lambda i: t.deleted_at[i] < 0 and t.status[i] in ("Not Started", "In Progress", "Pending"),
            "tasklabours": lambda i: lab.deleted_at[i] < 0 and lab.invoice[i] < 0,
            "taskmaterials": lambda i: mat.deleted_at[i] < 0 and mat.invoice[i] < 0,
            "invoices": lambda i: inv.status[i] in ("pending approval", "approved"),
            "quotes": lambda i: self.t["quotes"].acceptance[i] in ("Not Sent", "Awaiting Decision", "Need More Information"),
            "purchaseorders": lambda i: self.t["purchaseorders"].status[i] in ("in progress", "pending approval", "approved"),
            "clients": lambda i: True}
        edited: Dict[str, set] = defaultdict(set)
        crew_jobs: List[int] = []
        for k, (kind, zone) in enumerate(events):
            ts = start + (k + 0.5) * 3600.0 / len(events)
            h = self.h(701, int(start), k)
            if kind == "add" and zone == "tasklabours":
                # a tech and an apprentice log their time on the same job
                task = crew_jobs.pop() if crew_jobs else None
                k = self._add_tasklabours(ts, h, set(), task=task)
                if task is None:
                    crew_jobs.append(self.t["tasklabours"].task[k])
            elif kind == "add":
                self.add(zone, 1, ts)
            else:
                ok = checks[zone]
                tab = self.t[zone]
                i = self._recent(zone, ts, h, lambda j, ok=ok, zone=zone, tab=tab: ok(j) and j not in edited[zone]
                                 and tab.created[j] <= start)
                if i is not None:
                    edited[zone].add(i)
                    self.touch(zone, [i], ts)
        out: Dict[str, List[int]] = {}
        for zone in ZONE_NAMES:
            tab = self.t[zone]
            hits = [i for i in range(len(tab)) if tab.updated[i] > start or tab.created[i] > start]
            if hits:
                out[zone] = hits
        return out
