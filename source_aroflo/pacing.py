"""One request budget for the whole sync, shared by every stream and thread.

The CDK's `HttpAPIBudget` with a moving-window policy does the pacing (and empties itself when
AroFlo's `X-RateLimit-Remaining` says 0). Two additions:

- windows are a little longer than AroFlo's, because the server counts requests when they
  arrive, not when we send them, and a request can be delayed on the way;
- a signed request is signed again once the budget lets it go, so a request that waited for
  the budget never carries a stale `afdatetimeutc`.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Callable, Optional

from airbyte_cdk.sources.streams.call_rate import HttpAPIBudget, MovingWindowCallRatePolicy, Rate

log = logging.getLogger("airbyte.aroflo")
_SAFETY = 1.1  # window stretch; costs at most 10 % of the allowed rate


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
        super().acquire_call(request, block=block, timeout=timeout)
        if self._on_release is not None:
            self._on_release(request)

    def update_from_response(self, request: Any, response: Any) -> None:
        super().update_from_response(request, response)
        daily = getattr(response, "headers", {}).get("X-RateLimit-Daily-Remaining")
        if daily is not None and daily.strip().isdigit() and int(daily) <= 50:
            log.warning(f"AroFlo reports {daily} requests left today (the daily limit resets at 00:00 Australia/Melbourne)")


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
