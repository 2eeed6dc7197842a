"""Small building blocks of the site: ids, a stable hash, the site's clock and calendar."""

from __future__ import annotations

import base64
from datetime import date, datetime, time as dtime, timezone
from functools import lru_cache
from typing import List, Optional, Tuple
from zoneinfo import ZoneInfo

SITE_TZ = ZoneInfo("Australia/Melbourne")
DAY = 86400
_MASK = (1 << 64) - 1

# Id tags: one byte per kind of record, stable across versions (users/suppliers/payments keep
# the tags of the first sandbox).
TAGS = {
    "users": 0x55, "suppliers": 0x53, "payments": 0x50,
    "assetcategories": 0x80, "assets": 0x81, "billlineitems": 0x82, "bills": 0x83, "businessunits": 0x84,
    "clientnotes": 0x85, "clients": 0x86, "contacts": 0x87, "customholders": 0x88,
    "documentsandphotos": 0x89, "inventory": 0x8A, "inventorycategories": 0x8B, "inventorylists": 0x8C,
    "inventorystocklevels": 0x8D, "invoices": 0x8E, "locations": 0x8F, "messageboard": 0x90,
    "messagetemplates": 0x91, "permissiongroups": 0x92, "priorities": 0x93, "projects": 0x94,
    "purchaseorders": 0x95, "quotelineitems": 0x96, "quotes": 0x97, "schedules": 0x98, "stages": 0x99,
    "substatus": 0x9A, "taskexpenses": 0x9B, "tasklabours": 0x9C, "taskmaterials": 0x9D, "tasks": 0x9E,
    "tasktypes": 0x9F, "timesheets": 0xA0, "trackingcentres": 0xA1, "transactionterms": 0xA2,
    "userposition": 0xA3, "workorderlineitems": 0xA4, "workorders": 0xA5,
    # not zones of their own
    "polines": 0xB0, "inv_lab": 0xB1, "inv_mat": 0xB2, "inv_exp": 0xB3, "inv_fee": 0xB4,
    "tasknotes": 0xB5, "usernotes": 0xB6, "otherNotes": 0xB7, "customfields": 0xB8, "groups": 0xB9,
    "worktypes": 0xBA, "overheads": 0xBB, "projecttypes": 0xBC, "features": 0xBD, "crews": 0xBE,
    "tsgroups": 0xBF, "adhoc": 0xC0, "stagetypes": 0xC1,
}


def mix(*parts: int) -> int:
    """splitmix64-style hash: a stable, fast per-field pseudo random number."""
    x = 0x9E3779B97F4A7C15
    for p in parts:
        x = (x ^ (p & _MASK)) * 0xBF58476D1CE4E5B9 & _MASK
        x = (x ^ (x >> 31)) * 0x94D049BB133111EB & _MASK
        x ^= x >> 29
    return x


@lru_cache(maxsize=200_000)
def zone_id(tag: int, n: int) -> str:
    """An opaque AroFlo-looking id (10 bytes -> 16 base64 characters ending in '==')."""
    raw = b"$$:" + bytes([tag]) + n.to_bytes(4, "big") + b" \n"
    return base64.b64encode(raw).decode("ascii")


def rid(kind: str, n: int) -> str:
    return zone_id(TAGS[kind], n)


def decode_zone_id(value: str) -> Optional[Tuple[int, int]]:
    try:
        raw = base64.b64decode(value, validate=True)
    except Exception:
        return None
    if len(raw) != 10 or raw[:3] != b"$$:":
        return None
    return raw[3], int.from_bytes(raw[4:8], "big")


# ------------------------------------------------------------------------------- calendar
def local_ordinal(ts: float) -> int:
    return datetime.fromtimestamp(ts, SITE_TZ).toordinal()


@lru_cache(maxsize=None)
def _noon_offset(ordinal: int) -> float:
    d = date.fromordinal(ordinal)
    return datetime.combine(d, dtime(12), tzinfo=SITE_TZ).utcoffset().total_seconds()


@lru_cache(maxsize=None)
def _naive_midnight(ordinal: int) -> float:
    return datetime.combine(date.fromordinal(ordinal), dtime(0), tzinfo=timezone.utc).timestamp()


def at_local(ordinal: int, minutes: float) -> float:
    """Epoch seconds of `minutes` after local midnight of day `ordinal` (exact after 3 am)."""
    return _naive_midnight(ordinal) + minutes * 60 - _noon_offset(ordinal)


@lru_cache(maxsize=None)
def weekday(ordinal: int) -> int:
    return date.fromordinal(ordinal).weekday()


def next_workday(ordinal: int) -> int:
    while weekday(ordinal) >= 5:
        ordinal += 1
    return ordinal


def add_workdays(ordinal: int, n: int) -> int:
    ordinal = next_workday(ordinal)
    while n > 0:
        ordinal = next_workday(ordinal + 1)
        n -= 1
    return ordinal


def spread(n: int, lo: float, hi: float, rng, recent_days: float = 30, recent: bool = True) -> List[float]:
    """`n` sorted instants in [lo, hi): evenly spread with jitter, and - when `recent` - at least
    a few (a quarter of a small table, never fewer than the even share) in the last
    `recent_days`, so both sides of AroFlo's 30-day default filter hold records."""
    if n <= 0:
        return []
    span = max(hi - lo, 1.0)
    win = min(recent_days * DAY, span / 2)
    share = win / span
    if recent:
        share = max(share, min(0.25, 3.0 / n))
    k_recent = int(round(n * share)) if n > 1 else 0
    if recent and n >= 2:
        k_recent = max(k_recent, 1)
    k_old = n - k_recent
    out = []
    old_span = span - win
    for i in range(k_old):
        out.append(lo + old_span * (i + rng.random()) / k_old)
    for i in range(k_recent):
        out.append(hi - win + win * (i + rng.random()) / k_recent)
    return out
