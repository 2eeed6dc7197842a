"""Sliding-window rate limiter measured at request arrival on the server clock.

Only accepted requests occupy the windows, so "3 per second" means no 1-second
window ever holds more than 3 answered requests.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

UNLIMITED_HEADER_VALUE = 999999


@dataclass
class Decision:
    ok: bool
    kind: str | None          # None | "second" | "minute" | "daily"
    retry_after: float        # seconds until a slot frees up (0 when ok)
    limit: int
    remaining: int
    daily_limit: int
    daily_remaining: int

    def headers(self) -> dict:
        return {"X-RateLimit-Limit": str(self.limit),
                "X-RateLimit-Remaining": str(max(self.remaining, 0)),
                "X-RateLimit-Daily-Limit": str(self.daily_limit),
                "X-RateLimit-Daily-Remaining": str(max(self.daily_remaining, 0))}


class RateLimiter:
    def __init__(self, per_second: int | None = None, per_minute: int | None = None,
                 daily: int | None = None):
        self._lock = threading.Lock()
        self.configure(per_second, per_minute, daily)

    def configure(self, per_second=None, per_minute=None, daily=None) -> None:
        with self._lock:
            self.per_second, self.per_minute, self.daily = per_second, per_minute, daily
            self._sec: deque = deque()
            self._min: deque = deque()
            self._day: deque = deque()

    def reset(self) -> None:
        self.configure(self.per_second, self.per_minute, self.daily)

    def acquire(self, now: float, count_daily: bool = True) -> Decision:
        with self._lock:
            for q, span in ((self._sec, 1.0), (self._min, 60.0), (self._day, 86400.0)):
                while q and q[0] <= now - span:
                    q.popleft()
            kind, retry = None, 0.0
            if self.per_second is not None and len(self._sec) >= self.per_second:
                kind, retry = "second", self._sec[0] + 1.0 - now
            elif self.per_minute is not None and len(self._min) >= self.per_minute:
                kind, retry = "minute", self._min[0] + 60.0 - now
            elif count_daily and self.daily is not None and len(self._day) >= self.daily:
                kind, retry = "daily", self._day[0] + 86400.0 - now
            if kind is None:
                self._sec.append(now)
                self._min.append(now)
                if count_daily:
                    self._day.append(now)
            if self.per_minute is not None:
                limit, remaining = self.per_minute, self.per_minute - len(self._min)
            elif self.per_second is not None:
                limit, remaining = self.per_second, self.per_second - len(self._sec)
            else:
                limit = remaining = UNLIMITED_HEADER_VALUE
            if self.daily is not None:
                dlimit, dremaining = self.daily, self.daily - len(self._day)
            else:
                dlimit = dremaining = UNLIMITED_HEADER_VALUE
            return Decision(kind is None, kind, max(retry, 0.0), limit, remaining, dlimit,
                            dremaining)
