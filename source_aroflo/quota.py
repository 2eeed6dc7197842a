"""AroFlo's quota as one sync sees it, shared by every stream and thread.

AroFlo counts a day's requests against two budgets that every integration using the same API
keys shares: 2,000 "daily-limited" requests, and 20,000 for GETs of one record by its id (the
"secondary" or single-id budget); its change feed (`lastupdate`) counts against neither. Both
reset at 00:00 Australia/Melbourne, and every answer says what is left
(`X-RateLimit-Daily-Remaining`, `X-RateLimit-Secondary-Daily-Remaining`).

`Quota` keeps what AroFlo last said is left (less what was sent since), and before each request
(`admit`) stops a budget once what is left reaches the reserve kept for the other integrations
(`daily_quota_reserve`; the single-id reserve is ten times it, the same share of a budget ten
times larger), or once AroFlo answers status 7. A stopped budget raises `QuotaStop` in every
stream that asks for it: that stream ends cleanly with its state saved, sends nothing more, and
the sync ends with one message naming the streams that wait. A login failure (a wrong secret) is
`fatal`: every stream stops at its next request, and the sync reports it once. What each stream
spent is counted here too, for the plan and the summary.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import datetime
from typing import Any, Dict, Optional

from .cursor import utc_now
from .dialects import DAILY, FREE, SINGLE, UNLIMITED, next_daily_reset

log = logging.getLogger("airbyte.aroflo")

HEADERS = {DAILY: ("X-RateLimit-Daily-Remaining", "X-RateLimit-Daily-Limit"),
           SINGLE: ("X-RateLimit-Secondary-Daily-Remaining", "X-RateLimit-Secondary-Daily-Limit")}
LIMITS = {DAILY: 2000, SINGLE: 20000}  # AroFlo's documented limits, until its headers say otherwise


class QuotaStop(Exception):
    """A budget this request needs is stopped for the rest of the sync (not an error)."""

    def __init__(self, budget: str, reason: str):
        super().__init__(reason)
        self.budget, self.reason = budget, reason


class Fatal(QuotaStop):
    """The sync cannot go on (the credentials are refused): every stream stops quietly."""


def _header_int(response: Any, name: str) -> Optional[int]:
    value = getattr(response, "headers", {}).get(name)
    if value is None:
        return None
    value = str(value).strip()
    return int(value) if value.isdigit() else None


class Quota:
    def __init__(self, zone_api: bool = True, reserve: int = 400, waiting_until: Optional[datetime] = None,
                 clock: Any = utc_now):
        self.zone_api = zone_api
        self.clock = clock
        self._lock = threading.Lock()
        self.reserve = {DAILY: reserve, SINGLE: reserve * 10}
        self.remaining: Dict[str, Optional[int]] = {DAILY: None, SINGLE: None}
        self.limit: Dict[str, int] = dict(LIMITS)
        self._sent: Dict[str, int] = {DAILY: 0, SINGLE: 0}  # sent since AroFlo last said what is left
        self.stopped: Dict[str, str] = {}  # budget -> why
        self.fatal: Optional[BaseException] = None
        self.succeeded = False  # some request succeeded: the credentials are good
        self.spent: Dict[str, Dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.waiting: Dict[str, str] = {}  # stream -> how far it got
        self._pages_left: Dict[str, Optional[int]] = {}  # full reads that stopped: pages still to read
        self.waiting_from_state = waiting_until is not None and waiting_until > clock()
        if self.waiting_from_state:
            self.stopped[DAILY] = (f"an earlier sync stopped at AroFlo's daily quota and it resets only at "
                                   f"{waiting_until.strftime('%Y-%m-%d %H:%M')} UTC")

    # ---- before a request ---------------------------------------------------------------------
    def admit(self, budget: str) -> None:
        """Raise `QuotaStop` when this request's budget is stopped (or the sync cannot go on)."""
        with self._lock:
            if self.fatal is not None:
                raise Fatal(budget, str(self.fatal))
            if budget not in (DAILY, SINGLE):
                return
            if budget in self.stopped:
                raise QuotaStop(budget, self.stopped[budget])
            left = self.left(budget)
            if left is not None and left <= self.reserve[budget]:
                self._stop(budget, f"AroFlo reports {left} {_words(budget)} left, the reserve kept for the "
                                   f"site's other integrations is {self.reserve[budget]}")
                raise QuotaStop(budget, self.stopped[budget])
            self._sent[budget] += 1

    def left(self, budget: str) -> Optional[int]:
        known = self.remaining[budget]
        return None if known is None else known - self._sent[budget]

    # ---- after an answer ----------------------------------------------------------------------
    def heard(self, stream: str, budget: str, response: Any, kind: Optional[str]) -> None:
        """An answer to `stream`'s request of `budget` (its kind, from the dialect's decoding)."""
        with self._lock:
            for which, (remaining_header, limit_header) in HEADERS.items():
                remaining = _header_int(response, remaining_header)
                if remaining is not None:
                    self.remaining[which], self._sent[which] = remaining, 0
                limit = _header_int(response, limit_header)
                if limit:
                    self.limit[which] = limit
            if self.waiting_from_state and DAILY in self.stopped and (self.left(DAILY) or 0) > self.reserve[DAILY]:
                del self.stopped[DAILY]  # a new day: AroFlo says there is quota again
                self.waiting_from_state = False
            if kind in (None, "rate_limited"):
                return  # not an answer AroFlo counts
            if kind == "daily_limit":
                which = budget if budget in (DAILY, SINGLE) else DAILY
                self._stop(which, "AroFlo answered status 7 (daily limit reached)")
                return
            if kind == "ok":
                self.succeeded = True
            self.spent[stream][budget] += 1

    def fail_all(self, error: BaseException) -> None:
        """The credentials are refused: no stream sends anything more."""
        with self._lock:
            if self.fatal is None:
                self.fatal = error

    def _stop(self, budget: str, reason: str) -> None:
        if budget not in self.stopped:
            self.stopped[budget] = reason
            log.info(f"{_words(budget).capitalize()} stop for this sync: {reason}")

    # ---- reporting ----------------------------------------------------------------------------
    def wait(self, stream: str, where: str, pages_left: Optional[int] = None, unknown: bool = False) -> None:
        """`stream` stopped at the quota, at `where`; a full read says what it still needs."""
        with self._lock:
            self.waiting[stream] = where
            if pages_left is not None:
                self._pages_left[stream] = pages_left
            elif unknown:
                self._pages_left.setdefault(stream, None)

    @property
    def resets_at(self) -> datetime:
        return next_daily_reset(self.clock())

    def total(self, budget: str) -> int:
        return sum(spent.get(budget, 0) for spent in self.spent.values())

    def summary(self) -> str:
        if not self.zone_api:
            return f"{self.total(UNLIMITED)} requests"
        text = (f"{self.total(DAILY)} daily-limited, {self.total(SINGLE)} single-id and {self.total(FREE)} "
                f"change-feed requests (no daily limit)")
        known = [f"{self.left(b)} {_words(b)}" for b in (DAILY, SINGLE) if self.left(b) is not None]
        if known:
            text += f"; AroFlo reports {' and '.join(known)} left today"
        return text

    def waiting_message(self) -> Optional[str]:
        """The one message for streams that stopped at the quota, or None."""
        if not self.waiting:
            return None
        reset = self.resets_at
        why = "; ".join(f"{_words(b)}: {reason}" for b, reason in sorted(self.stopped.items())) or "quota"
        streams = ", ".join(f"{name} ({where})" for name, where in sorted(self.waiting.items()))
        text = (f"AroFlo's quota stopped this sync cleanly ({why}). These streams saved their progress and go on in "
                f"the next sync after the quota resets at 00:00 Australia/Melbourne ({reset.strftime('%Y-%m-%d %H:%M')} "
                f"UTC): {streams}.")
        known = {name: pages for name, pages in self._pages_left.items() if pages is not None}
        if known:
            per_day = max(1, self.limit[DAILY] - self.reserve[DAILY])
            total = sum(known.values())
            days = -(-total // per_day)
            text += (f" Their full reads still need about {total} requests ({', '.join(f'{n} ~{p}' for n, p in sorted(known.items()))}): "
                     f"about {days} more day{'s' if days != 1 else ''} at {per_day} daily-limited requests a day "
                     f"({self.limit[DAILY]} less the reserve), fewer if the other integrations leave more.")
        unknown = sorted(name for name, pages in self._pages_left.items() if pages is None)
        if unknown:
            text += f" How much is left of {', '.join(unknown)} is unknown (AroFlo gives no record counts)."
        return text


def _words(budget: str) -> str:
    return {DAILY: "daily-limited requests", SINGLE: "single-id requests"}.get(budget, "requests")
