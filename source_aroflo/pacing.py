"""One request budget for the whole sync, shared by every stream and thread; and the quota ledger.

The CDK's `HttpAPIBudget` with a moving-window policy does the pacing (and empties itself when
AroFlo's `X-RateLimit-Remaining` says 0). Two additions:

- windows are a little longer than AroFlo's, because the server counts requests when they
  arrive, not when we send them, and a request can be delayed on the way;
- a signed request is signed again once the budget lets it go, so a request that waited for
  the budget never carries a stale `afdatetimeutc`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from datetime import timedelta
from typing import Any, Callable, Dict, Optional

from airbyte_cdk.sources.streams.call_rate import CallRateLimitHit, HttpAPIBudget, MovingWindowCallRatePolicy, Rate

log = logging.getLogger("airbyte.aroflo")
_SAFETY = 1.1  # window stretch; costs at most 10 % of the allowed rate
_CALL = "aroflo-call"  # what the budget's windows hold for each call


class AroFloBudget(HttpAPIBudget):
    def __init__(self, rates: list, on_release: Optional[Callable[[Any], Any]] = None):
        super().__init__(
            ratelimit_remaining_header="X-RateLimit-Remaining",
            ratelimit_reset_header="X-AroFlo-Unused-Reset",  # AroFlo sends no reset time
            status_codes_for_ratelimit_hit=[429],
            policies=[MovingWindowCallRatePolicy(rates=rates, matchers=[])],
        )
        self._on_release = on_release

    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        # The rate windows keep an item per call for as long as the window lasts (a minute and
        # more); given the request itself they would keep every request of the last minute with
        # its headers. One policy for all calls, no matchers: a constant stands in for each call.
        policy = self.get_matching_policy(_CALL)
        if policy is not None:
            self._wait_for_call(policy, block, timeout)
        if self._on_release is not None:
            self._on_release(request)

    @staticmethod
    def _wait_for_call(policy: Any, block: bool, timeout: Optional[float]) -> None:
        """What `APIBudget._do_acquire` does, without keeping the last `CallRateLimitHit`.

        The CDK's loop keeps it in a local (`last_exception`), so each wait for the budget left a
        reference cycle (its frame and the exception's traceback) holding every frame of the
        request under way, the page's response with it: freed only by a full collection, which
        a long sync with a raised collector threshold (output.py) rarely runs. Measured: peak RSS
        of a full read of every stream grew ×1.28 from 51,000 to 255,000 records; here the hit
        is dropped before the wait and is freed at once. Blocks until a call is free, as the
        CDK's loop with its attempts does; `block=False` raises the hit, as the CDK does.
        """
        waited = 0.0
        while True:
            try:
                policy.try_acquire(_CALL, weight=1)
                return
            except CallRateLimitHit as hit:
                if not block or (timeout is not None and waited >= timeout):
                    raise
                wait = max(0.0, hit.time_to_wait.total_seconds())
            if timeout is not None:
                wait = min(wait, timeout - waited)
            time.sleep(wait)
            waited += wait



def build_budget(per_second: Optional[int], per_minute: Optional[int],
                 on_release: Optional[Callable[[Any], Any]] = None) -> Optional[AroFloBudget]:
    rates = []
    if per_second:
        rates.append(Rate(limit=per_second, interval=timedelta(seconds=1 * _SAFETY)))
    if per_minute:
        rates.append(Rate(limit=per_minute, interval=timedelta(seconds=60 * _SAFETY)))
    if not rates:
        return None
    return AroFloBudget(rates, on_release)


DAILY_REMAINING = "X-RateLimit-Daily-Remaining"
SECONDARY_REMAINING = "X-RateLimit-Secondary-Daily-Remaining"
LOW_DAILY = 50  # warn when AroFlo reports this few daily requests left
FEED_ZONE = "lastupdate"


def _header_int(response: Any, name: str) -> Optional[int]:
    value = getattr(response, "headers", {}).get(name)
    if value is None:
        return None
    value = str(value).strip()
    return int(value) if value.isdigit() else None


class QuotaLedger:
    """What this sync spends of AroFlo's daily quota, per stream, and what AroFlo says is left.

    Every answer is counted once (retries included: AroFlo counts them too) as daily-limited,
    or as a change-feed request (the `lastupdate` zone has no daily limit). Streams say what
    they will need at least (`expect`); when that does not fit in what AroFlo reports is left
    today, one warning says so before the limit stops the sync.
    """

    def __init__(self, zone_api: bool = True) -> None:
        self.zone_api = zone_api  # the REST API documents no daily limit
        self._lock = threading.Lock()
        self.daily: Dict[str, int] = defaultdict(int)
        self.feed: Dict[str, int] = defaultdict(int)
        self.daily_remaining: Optional[int] = None
        self.secondary_remaining: Optional[int] = None
        self._expected: Dict[str, int] = {}
        self._warned_fit = self._warned_low = False

    def answered(self, stream: str, zone: str, response: Any) -> None:
        with self._lock:
            if zone == FEED_ZONE:
                self.feed[stream] += 1
            else:
                self.daily[stream] += 1
            remaining = _header_int(response, DAILY_REMAINING)
            if remaining is not None and zone != FEED_ZONE:
                self.daily_remaining = remaining
            secondary = _header_int(response, SECONDARY_REMAINING)
            if secondary is not None:
                self.secondary_remaining = secondary
            self._check()

    def expect(self, stream: str, requests: int) -> None:
        """`stream` will spend at least `requests` more daily-limited requests this sync."""
        with self._lock:
            self._expected[stream] = self.daily.get(stream, 0) + max(0, requests)
            self._check()

    def _still_needed(self) -> int:
        return sum(max(0, want - self.daily.get(stream, 0)) for stream, want in self._expected.items())

    def _check(self) -> None:
        left = self.daily_remaining
        if left is None:
            return
        if left <= LOW_DAILY and not self._warned_low:
            self._warned_low = True
            log.warning(f"AroFlo reports {left} requests left today (the daily limit resets at 00:00 "
                        "Australia/Melbourne)")
        needed = self._still_needed()
        if needed > left and not self._warned_fit:
            self._warned_fit = True
            log.warning(f"This sync needs at least {needed} more daily-limited requests but AroFlo reports {left} "
                        "left today: it will stop at the limit with its progress saved; run it again after 00:00 "
                        "Australia/Melbourne to go on (or select fewer streams)")

    def summary(self) -> str:
        daily = sum(self.daily.values())
        feed = sum(self.feed.values())
        if not self.zone_api:
            return f"{daily} requests"
        text = f"{daily} daily-limited requests, {feed} change-feed requests (no daily limit)"
        if self.daily_remaining is not None:
            text += f"; AroFlo reports {self.daily_remaining} daily requests left"
        if self.secondary_remaining is not None:
            text += f" and {self.secondary_remaining} single-id requests left"
        return text
