"""What each answer means for the sync: go on, wait and retry, ask smaller pages, or stop.

Built on the CDK's `HttpStatusErrorHandler` (its retry loop) and `BackoffStrategy` (how long to
wait). The error handler classifies; it does not read pages: AroFlo's zone API answers most
errors with HTTP 200 and a body `status`, so every answer is decoded once by the dialect
(`dialects.Answer`: records, or a kind and a reason) and handed to the stream, which maps the
records and lets its reader page.

One page has one budget of attempts (`PageAttempts`, `retry_attempts` + 1 in all), shared by
the CDK's retries (timeouts, resets, 5xx, broken bodies) and the stream's own asking again when
an answer's content is unusable: a page never costs more than that many requests. Rejections
for the per-second / per-minute limit are not attempts: every stream waits them out together
(`pacing.Pacer.rejected`), however long another program keeps using the same keys.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from datetime import timedelta
from typing import Any, Callable, Optional, Union

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import (
    BackoffStrategy,
    ErrorResolution,
    HttpStatusErrorHandler,
    ResponseAction,
)
from airbyte_cdk.sources.streams.http.error_handlers.default_error_mapping import DEFAULT_ERROR_MAPPING

from .cdk_seams import CLIENT_ADDS_SECONDS
from .dialects import Answer

# The CDK's own cap on retries: high, so that `PageAttempts` (counting only real failures) and
# the rate-limit waits decide; the CDK still stops a request after `MAX_HOURS` of retrying.
CDK_RETRIES = 10_000
MAX_HOURS = 6

_ACTIONS = {
    "ok": (ResponseAction.SUCCESS, None),
    "rate_limited": (ResponseAction.RATE_LIMITED, FailureType.transient_error),
    "too_big": (ResponseAction.REDUCE_PAGE_SIZE, FailureType.transient_error),
    "login": (ResponseAction.FAIL, FailureType.config_error),
    "auth": (ResponseAction.FAIL, FailureType.config_error),
    "denied": (ResponseAction.FAIL, FailureType.config_error),
    # Not a failure: the stream stops cleanly (`stream.py` raises QuotaStop for it), without the
    # CDK's error log of the whole request.
    "daily_limit": (ResponseAction.IGNORE, None),
    "fail": (ResponseAction.FAIL, FailureType.system_error),
}


class PageAttempts:
    """The attempts one page may take, and why the last one failed."""

    def __init__(self, retries: int):
        self.limit = retries + 1
        self.used = 0
        self.kind = "ok"
        self.problem = ""

    def begin(self) -> None:
        self.used, self.kind, self.problem = 0, "ok", ""

    def failed(self, kind: str, problem: str) -> bool:
        """One more failed attempt; True while another may be made."""
        self.used += 1
        self.kind, self.problem = kind, problem
        return self.used < self.limit

    def gave_up(self) -> str:
        return f"{self.problem} (gave up after {self.used} attempts)"


class AroFloErrorHandler(HttpStatusErrorHandler):
    """Turns every decoded answer into the CDK's `ErrorResolution`. `classify(response)` is the
    dialect's decoder for the zone asked; `on_answer(response_or_exception, answer)` hears every
    attempt (the stream keeps the answer of its page, the quota counts it)."""

    def __init__(self, logger: logging.Logger, classify: Callable[[requests.Response], Answer],
                 attempts: PageAttempts, on_answer: Callable[[Any, Answer], None]):
        super().__init__(logger=logger, error_mapping=DEFAULT_ERROR_MAPPING, max_retries=CDK_RETRIES,
                         max_time=timedelta(hours=MAX_HOURS))
        self._classify, self._attempts, self._on_answer = classify, attempts, on_answer

    def interpret_response(self, response_or_exception: Optional[Union[requests.Response, Exception]] = None) -> ErrorResolution:
        if isinstance(response_or_exception, requests.Response):
            answer = self._classify(response_or_exception)
        elif isinstance(response_or_exception, (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL,
                                                requests.exceptions.MissingSchema)):
            answer = Answer("auth", problem=f"the URL is not usable ({type(response_or_exception).__name__}); check base_url")
        elif isinstance(response_or_exception, requests.RequestException):
            # Connection resets, timeouts, broken chunked bodies: all worth another attempt.
            answer = Answer("retry", problem=f"{type(response_or_exception).__name__}: {_short(response_or_exception)}")
        else:
            return super().interpret_response(response_or_exception)
        self._on_answer(response_or_exception, answer)
        if answer.kind == "retry":
            if self._attempts.failed("retry", answer.problem or "unknown error"):
                return ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, answer.problem)
            return ErrorResolution(ResponseAction.FAIL, FailureType.transient_error, self._attempts.gave_up())
        if answer.kind != "ok":
            self._attempts.kind, self._attempts.problem = answer.kind, answer.problem or ""
        action, failure_type = _ACTIONS[answer.kind]
        return ErrorResolution(response_action=action, failure_type=failure_type, error_message=answer.problem)


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 200 else text[:200] + "..."


def retry_after_seconds(response: requests.Response) -> Optional[float]:
    """`Retry-After` as seconds, from either form (delta-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


RATE_LIMIT_WAIT = 1.0  # seconds every stream waits after a rejection AroFlo gives no Retry-After for


class AroFloBackoff(BackoffStrategy):
    """How long to wait before the next attempt: a rate-limit rejection pauses every stream
    (`Retry-After` when given, capped); any other failure waits exponentially, with full jitter
    so several clients spread apart. Logs every wait."""

    def __init__(self, logger: logging.Logger, describe: Callable[[], str], attempts: PageAttempts,
                 max_wait_seconds: float, pacer: Any = None, base_seconds: float = 1.0):
        self._logger, self._describe, self._attempts = logger, describe, attempts
        self._max_wait, self._pacer, self._base = max_wait_seconds, pacer, base_seconds

    def backoff_time(self, response_or_exception: Optional[Union[requests.Response, requests.RequestException]],
                     attempt_count: int) -> Optional[float]:
        if self._attempts.kind == "rate_limited":
            return self._rate_limited(response_or_exception)
        # The CDK's client sleeps this + CLIENT_ADDS_SECONDS: the wait said is the wait made.
        return max(0.001, self._failed_attempt_wait(extra=CLIENT_ADDS_SECONDS) - CLIENT_ADDS_SECONDS)

    def _rate_limited(self, response: Any) -> float:
        asked = retry_after_seconds(response) if isinstance(response, requests.Response) else None
        wait = RATE_LIMIT_WAIT if asked is None else min(asked, self._max_wait)
        note = ""
        if asked is not None and asked > self._max_wait:
            note = f" (Retry-After {asked:g} s is longer than max_retry_wait_seconds: capped)"
        if self._pacer is not None:
            self._pacer.rejected(wait)
            rate = self._pacer.rate
            pace = f"; every stream waits and slows to {rate:g} requests a second" if rate else ""
        else:
            pace = ""
        say = self._logger.warning if note else self._logger.info
        say(f"{self._describe()}: {self._attempts.problem}: another program may be using the same API keys{pace}; "
            f"asking again in {wait:.1f} s{note}")
        return max(0.001, wait - CLIENT_ADDS_SECONDS)

    def wait_for_unusable(self) -> float:
        """The wait before asking again for a page whose content was unusable (the same schedule)."""
        return self._failed_attempt_wait()

    def _failed_attempt_wait(self, extra: float = 0.0) -> float:
        """Exponential in the page's attempts so far, with full jitter; logged as it will be waited."""
        used, limit = self._attempts.used, self._attempts.limit
        ceiling = min(self._max_wait, self._base * (2 ** max(0, used - 1)))
        wait = random.uniform(ceiling / 2, ceiling) + extra
        self._logger.warning(f"{self._describe()}: attempt {used} of {limit} failed ({self._attempts.problem}); "
                             f"waiting {wait:.1f} s before retrying")
        return wait


def stopped(stream: str, zone: str, where: str, attempts: PageAttempts, error: Any) -> Any:
    """The error a stream ends with, in words a person can act on; `kind` says which kind of answer
    ended it (a login failure stops the whole sync, a permission failure only this stream)."""
    from airbyte_cdk.utils.traced_exception import AirbyteTracedException

    kind, problem = attempts.kind, attempts.problem or getattr(error, "message", None) or "unknown error"
    if attempts.used >= attempts.limit and "gave up after" not in problem:
        problem = attempts.gave_up()
    if kind == "denied":
        problem += (f". The API user may not read the {zone} zone: give its permission group access in AroFlo "
                    f"(Site Administration › Permission Groups), or deselect this stream")
    message = problem if problem.startswith(f"{stream}:") else f"{where}: {problem}"
    traced = AirbyteTracedException(message=message, internal_message=message,
                                    failure_type=getattr(error, "failure_type", None) or FailureType.system_error)
    traced.kind = kind  # type: ignore[attr-defined]
    return traced
