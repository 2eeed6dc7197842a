"""One request pacer for the whole sync, shared by every stream and thread.

AroFlo allows 3 requests a second and 120 a minute per set of API keys — for every program using
those keys together. The pacer is the CDK's budget interface (`AbstractAPIBudget`: the HTTP
client asks `acquire_call` before every attempt, retries included) with three duties:

- **windows**: no more than `per_second` requests in any window of a second, nor `per_minute` in
  any minute; windows are a little longer than AroFlo's (the server counts a request when it
  arrives, not when it leaves here);
- **adaptive pacing**: a rejection for the per-second / per-minute limit (status 6, HTTP 429)
  means someone else is using the keys too: every stream waits out the rejection (`rejected`),
  the rate halves (down to one request every two seconds), and it comes back one step at a time
  after `CALM_SECONDS` without a rejection. Rejections are waited out, never counted as failures;
- **gates and signatures**: `admit(request)` (the quota, `quota.py`) runs first and may stop the
  request; `on_release(request)` runs last and signs the request again, so a request that waited
  never carries a stale `afdatetimeutc`.

Why not the CDK's `MovingWindowCallRatePolicy`: its rate is fixed when built, and its acquire
loop keeps the last rate-limit exception in a local (a reference cycle that pinned every waiting
request's page until a full garbage collection: peak memory ×1.28 over a long sync).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Callable, Optional

from airbyte_cdk.sources.streams.call_rate import AbstractAPIBudget

_SAFETY = 1.1  # window stretch; costs at most 10 % of the allowed rate
FLOOR = 0.5  # requests a second the pacer slows down to at most
CALM_SECONDS = 10.0  # without a rejection, the rate comes back one step
MINUTE_HOLD = 2.0  # seconds to hold when AroFlo says the minute is used up and none of it was ours


class Pacer(AbstractAPIBudget):
    def __init__(self, per_second: Optional[int], per_minute: Optional[int],
                 admit: Optional[Callable[[Any], None]] = None, on_release: Optional[Callable[[Any], Any]] = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.per_second, self.per_minute = per_second, per_minute
        self._admit, self._on_release = admit, on_release
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._second: deque = deque()
        self._minute: deque = deque()
        self._pause_until = 0.0
        self._last = 0.0
        self._rate = float(per_second) if per_second else None  # current requests a second
        self._calm_since = 0.0
        self.rejections = 0

    # ---- the CDK's budget interface -------------------------------------------------------------
    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        if self._admit is not None:
            self._admit(request)
        while True:
            with self._lock:
                wait = self._wait_now(self._clock())
                if wait <= 0:
                    now = self._clock()
                    self._second.append(now)
                    self._minute.append(now)
                    self._last = now
                    break
            self._sleep(wait)
        if self._on_release is not None:
            self._on_release(request)

    def get_matching_policy(self, request: Any) -> None:
        return None

    def update_from_response(self, request: Any, response: Any) -> None:
        """AroFlo says the minute's requests are used up (`X-RateLimit-Remaining: 0`, another
        program on the same keys may have used them): hold the next request until our oldest
        request of that minute leaves the window, instead of being rejected. (Rejections are
        reported by the error handler, which decodes the answer.)"""
        value = str(getattr(response, "headers", {}).get("X-RateLimit-Remaining", "")).strip()
        if value != "0":
            return
        with self._lock:
            now = self._clock()
            free = self._minute[0] + 60.0 * _SAFETY if self._minute else now + MINUTE_HOLD
            self._pause_until = max(self._pause_until, min(free, now + 60.0 * _SAFETY))

    # ---- adaptive pacing --------------------------------------------------------------------------
    def rejected(self, wait: float) -> None:
        """AroFlo rejected a request for the per-second / per-minute limit: every stream waits
        `wait` seconds, and the pace halves."""
        with self._lock:
            now = self._clock()
            self.rejections += 1
            burst = now < self._pause_until  # answers to requests sent before the first rejection
            self._pause_until = max(self._pause_until, now + max(0.0, wait))
            self._calm_since = now
            if burst:
                return  # one burst of rejections halves the pace once
            if self._rate is not None:
                self._rate = max(FLOOR, self._rate / 2)
            else:
                self._rate = FLOOR * 4

    @property
    def rate(self) -> Optional[float]:
        return self._rate

    def _wait_now(self, now: float) -> float:
        self._recover(now)
        waits = [self._pause_until - now]
        if self._rate is not None and (not self.per_second or self._rate < self.per_second):
            waits.append(self._last + 1.0 / self._rate - now)  # slowed down: a gap between requests
        for window, limit, span in ((self._second, self.per_second, 1.0 * _SAFETY),
                                    (self._minute, self.per_minute, 60.0 * _SAFETY)):
            while window and window[0] <= now - span:
                window.popleft()
            if limit and len(window) >= limit:
                waits.append(window[0] + span - now)
        return max(waits)

    def _recover(self, now: float) -> None:
        """After CALM_SECONDS without a rejection, the rate comes back one step."""
        if self._rate is None or not self._calm_since or now - self._calm_since < CALM_SECONDS:
            return
        ceiling = float(self.per_second) if self.per_second else None
        if ceiling is None:
            self._rate, self._calm_since = None, 0.0
            return
        self._rate = min(ceiling, self._rate * 2)
        self._calm_since = now if self._rate < ceiling else 0.0
