"""AroFlo's limits: per-second / per-minute sliding windows and the two daily budgets.

One `RateLimiter` per server, shared by every client and connection (a real site's limits
belong to its API keys, so two connectors on the same keys compete for them).

* Windows: only admitted requests occupy them, so "3 per second" means no 1-second window
  (t-1, t] ever holds more than 3 admitted requests. A request's time is its arrival on the
  server clock (`time.time()`, as the stats count arrivals), raised inside the lock to the
  latest time already admitted or seen: threads that reach the lock out of arrival order (by
  microseconds) cannot leave an earlier time behind a later one, so the windows stay ordered
  and the bound is exact.
* Budgets: `daily` (2,000 on AroFlo) for every zone GET but two kinds: `secondary` (20,000)
  for a single-id query, `free` for `zone=lastupdate` (AroFlo's only exempt zone). Counters
  belong to a quota day (AroFlo resets them at 00:00 Australia/Melbourne); the server passes
  the day of its dataset's logical clock with every call and a new day starts them at zero.
* An unset limit is unlimited: it never rejects, and its headers report `UNLIMITED_HEADER_VALUE`
  as the limit and that minus the count as what is left.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable, Optional
from zoneinfo import ZoneInfo

UNLIMITED_HEADER_VALUE = 999999
QUOTA_TZ = ZoneInfo("Australia/Melbourne")

DAILY, SECONDARY, FREE = "daily", "secondary", "free"
KINDS = (DAILY, SECONDARY, FREE)
FREE_ZONES = frozenset({"lastupdate"})  # AroFlo: the only zone exempt from the daily limit


def quota_day(ts: float) -> date:
    """The quota day of an instant: its date in Australia/Melbourne (limits reset at 00:00)."""
    return datetime.fromtimestamp(ts, QUOTA_TZ).date()


def request_kind(zone: Optional[str], wheres: Iterable[str],
                 id_field: Callable[[str], Optional[str]]) -> str:
    """Which budget a zone GET spends: FREE, SECONDARY or DAILY.

    SECONDARY is a single-id query: exactly one `where`, `and|<id field>|=|<one value>` (no
    `*`-joined values), whatever join/page/pageSize/order it also has; `id_field(zone)` names
    the zone's id where field. `zone=lastupdate` is FREE; everything else DAILY.
    """
    if zone in FREE_ZONES:
        return FREE
    wheres = list(wheres)
    if zone and len(wheres) == 1:
        parts = wheres[0].split("|", 3)
        field = id_field(zone)
        if (len(parts) == 4 and field and parts[0].strip().lower() == "and"
                and parts[1].strip().lower() == field.lower() and parts[2].strip() == "="
                and parts[3].strip() and "*" not in parts[3]):
            return SECONDARY
    return DAILY


@dataclass
class Decision:
    ok: bool
    kind: Optional[str]       # why it was refused: None | "second" | "minute" | "daily" | "secondary"
    retry_after: float        # seconds until a window slot frees up (0 when ok or a budget)
    limit: int                # X-RateLimit-Limit / -Remaining: the per-minute window, else per-second
    remaining: int
    daily_limit: int
    daily_remaining: int
    secondary_limit: int
    secondary_remaining: int
    budget: Optional[str] = None  # the budget an admitted request spent (None: REST, or a peek)

    def headers(self) -> dict:
        return {"X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(max(self.remaining, 0)),
                "X-RateLimit-Daily-Limit": str(self.daily_limit),
                "X-RateLimit-Daily-Remaining": str(max(self.daily_remaining, 0)),
                "X-RateLimit-Secondary-Daily-Limit": str(self.secondary_limit),
                "X-RateLimit-Secondary-Daily-Remaining": str(max(self.secondary_remaining, 0))}


class RateLimiter:
    def __init__(self, per_second: Optional[int] = None, per_minute: Optional[int] = None,
                 daily: Optional[int] = None, secondary_daily: Optional[int] = None,
                 clock: Callable[[], float] = time.time):
        self._lock = threading.Lock()
        self._clock = clock
        self._last = float("-inf")
        self.per_second = self.per_minute = self.daily = self.secondary_daily = None
        self.day: Optional[date] = None
        self.used = {DAILY: 0, SECONDARY: 0}
        self.configure(per_second, per_minute, daily, secondary_daily)
        self.reset()

    # ------------------------------------------------------------- settings
    _UNSET = object()

    def configure(self, per_second=_UNSET, per_minute=_UNSET, daily=_UNSET,
                  secondary_daily=_UNSET) -> None:
        """Change limits; a changed per-second/minute limit starts its windows afresh. The daily
        counters are kept (a lowered budget may be used up at once)."""
        with self._lock:
            if per_second is not self._UNSET or per_minute is not self._UNSET:
                self._sec, self._min = deque(), deque()
            if per_second is not self._UNSET:
                self.per_second = _limit(per_second)
            if per_minute is not self._UNSET:
                self.per_minute = _limit(per_minute)
            if daily is not self._UNSET:
                self.daily = _limit(daily)
            if secondary_daily is not self._UNSET:
                self.secondary_daily = _limit(secondary_daily)

    def reset(self) -> None:
        """Empty the windows and today's counters."""
        with self._lock:
            self._sec, self._min = deque(), deque()
            self.used = {DAILY: 0, SECONDARY: 0}
            self.max_1s = self.max_60s = 0  # most admitted requests in any 1 s / 60 s window

    def reset_daily(self) -> None:
        with self._lock:
            self.used = {DAILY: 0, SECONDARY: 0}

    # ------------------------------------------------------------- counting
    def _roll(self, day: Optional[date]) -> None:
        if day is not None and day != self.day:
            self.day = day
            self.used = {DAILY: 0, SECONDARY: 0}

    def _now(self, now: Optional[float]) -> float:
        t = self._clock() if now is None else now
        t = max(t, self._last)  # admission times never go back, so the windows stay ordered
        self._last = t
        for q, span in ((self._sec, 1.0), (self._min, 60.0)):
            while q and q[0] <= t - span:
                q.popleft()
        return t

    def acquire(self, budget: Optional[str], day: Optional[date] = None,
                now: Optional[float] = None) -> Decision:
        """Admit one request or say why not. `budget`: DAILY | SECONDARY | FREE, or None for a
        request that spends no daily budget (REST). `day`: the quota day it arrives on."""
        with self._lock:
            self._roll(day)
            t = self._now(now)
            kind, retry = None, 0.0
            if self.per_second is not None and len(self._sec) >= self.per_second:
                kind, retry = "second", self._sec[0] + 1.0 - t
            elif self.per_minute is not None and len(self._min) >= self.per_minute:
                kind, retry = "minute", self._min[0] + 60.0 - t
            elif budget == DAILY and self.daily is not None and self.used[DAILY] >= self.daily:
                kind = DAILY
            elif (budget == SECONDARY and self.secondary_daily is not None
                  and self.used[SECONDARY] >= self.secondary_daily):
                kind = SECONDARY
            if kind is None:
                self._sec.append(t)
                self._min.append(t)
                # The fullest window ends at an admission: the windows now hold (t-1, t].
                self.max_1s = max(self.max_1s, len(self._sec))
                self.max_60s = max(self.max_60s, len(self._min))
                if budget in self.used:
                    self.used[budget] += 1
            return self._decision(kind is None, kind, max(retry, 0.0),
                                  budget if kind is None else None)

    def peek(self, day: Optional[date] = None) -> Decision:
        """The counts as they stand (for answers that count against nothing)."""
        with self._lock:
            self._roll(day)
            self._now(None)
            return self._decision(True, None, 0.0, None)

    def refund(self, budget: Optional[str], day: Optional[date] = None) -> None:
        """Give back the daily budget an admitted request spent (its answer was a status 6/7)."""
        with self._lock:
            if budget in self.used and (day is None or day == self.day) and self.used[budget]:
                self.used[budget] -= 1

    def spend(self, daily: int = 0, secondary: int = 0, day: Optional[date] = None) -> dict:
        """Use up budget as other programs on the same keys would have today."""
        with self._lock:
            self._roll(day)
            self.used[DAILY] += max(0, int(daily))
            self.used[SECONDARY] += max(0, int(secondary))
            return dict(self.used)

    def usage(self, day: Optional[date] = None) -> dict:
        with self._lock:
            self._roll(day)
            return {"daily_used": self.used[DAILY], "secondary_used": self.used[SECONDARY],
                    "quota_day": self.day.isoformat() if self.day else None,
                    "max_admitted_1s": self.max_1s, "max_admitted_60s": self.max_60s}

    def _decision(self, ok: bool, kind, retry: float, budget) -> Decision:
        if self.per_minute is not None:
            limit, remaining = self.per_minute, self.per_minute - len(self._min)
        elif self.per_second is not None:
            limit, remaining = self.per_second, self.per_second - len(self._sec)
        else:
            limit, remaining = UNLIMITED_HEADER_VALUE, UNLIMITED_HEADER_VALUE - len(self._min)
        dlim = self.daily if self.daily is not None else UNLIMITED_HEADER_VALUE
        slim = self.secondary_daily if self.secondary_daily is not None else UNLIMITED_HEADER_VALUE
        return Decision(ok, kind, retry, limit, remaining, dlim, dlim - self.used[DAILY], slim,
                        slim - self.used[SECONDARY], budget)


def _limit(value) -> Optional[int]:
    """None (or "") = unlimited; otherwise a count (0 refuses every request of that kind)."""
    if value is None or value == "":
        return None
    return max(0, int(value))
