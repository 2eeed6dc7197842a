"""What each answer means for the sync: go on, wait and retry, ask smaller pages, or stop.

Built on the CDK's `HttpStatusErrorHandler` (exception mapping, retry counting) and
`BackoffStrategy` (how long to wait). The error handler classifies; it does not read pages:

- AroFlo's zone API answers most errors with HTTP 200 and a body `status`, and a truncated or
  HTML body can arrive with HTTP 200 too; so every answer is decoded (once) by the dialect
  (`dialects.Answer`: records, or a kind and a reason), and the answer rides on the response
  to the stream, which maps the records and lets its reader page.
- The CDK ignores `Retry-After` unless the strategy reads it, and sleeps what we return + 1 s.
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

from .dialects import Answer

ANSWER_ATTRIBUTE = "_aroflo_answer"
_CDK_ADDS_SECONDS = 1.0  # HttpClient sleeps backoff_time + 1 s

# What each kind of answer asks of the CDK's HTTP client.
_ACTIONS = {
    "ok": (ResponseAction.SUCCESS, None),
    "retry": (ResponseAction.RETRY, FailureType.transient_error),
    "rate_limited": (ResponseAction.RATE_LIMITED, FailureType.transient_error),
    "too_big": (ResponseAction.REDUCE_PAGE_SIZE, FailureType.transient_error),
    "auth": (ResponseAction.FAIL, FailureType.config_error),
    "daily_limit": (ResponseAction.FAIL, FailureType.transient_error),
    "fail": (ResponseAction.FAIL, FailureType.system_error),
}


class AroFloErrorHandler(HttpStatusErrorHandler):
    """Classifies every answer once (`classify` is the dialect's decoder for the zone asked) and
    turns it into the CDK's `ErrorResolution`. `on_answer(response_or_exception, answer)` hears
    every attempt: the stream keeps the last problem for its messages and counts requests."""

    def __init__(self, logger: logging.Logger, classify: Callable[[requests.Response], Answer],
                 max_retries: int, on_answer: Callable[[Any, Optional[Answer]], None]):
        super().__init__(logger=logger, error_mapping=DEFAULT_ERROR_MAPPING, max_retries=max_retries,
                         max_time=timedelta(hours=6))
        self._classify = classify
        self._on_answer = on_answer

    def interpret_response(self, response_or_exception: Optional[Union[requests.Response, Exception]] = None) -> ErrorResolution:
        if isinstance(response_or_exception, requests.Response):
            answer = self._classify(response_or_exception)
            setattr(response_or_exception, ANSWER_ATTRIBUTE, answer)
            self._on_answer(response_or_exception, answer)
            action, failure_type = _ACTIONS[answer.kind]
            return ErrorResolution(response_action=action, failure_type=failure_type, error_message=answer.problem)
        if isinstance(response_or_exception, (requests.exceptions.InvalidSchema, requests.exceptions.InvalidURL,
                                              requests.exceptions.MissingSchema)):
            answer = Answer("auth", problem=f"the URL is not usable ({type(response_or_exception).__name__}); check base_url")
            self._on_answer(response_or_exception, answer)
            return ErrorResolution(ResponseAction.FAIL, FailureType.config_error, answer.problem)
        if isinstance(response_or_exception, requests.RequestException):
            # Connection resets, timeouts, broken chunked bodies: all worth another attempt.
            answer = Answer("retry", problem=f"{type(response_or_exception).__name__}: {_short(response_or_exception)}")
            self._on_answer(response_or_exception, answer)
            return ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, answer.problem)
        return super().interpret_response(response_or_exception)


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 200 else text[:200] + "..."


def _problem_of(response_or_exception: object) -> str:
    """Why an attempt failed, for the retry log line (the decoded page's problem when there is one)."""
    if isinstance(response_or_exception, requests.Response):
        answer = getattr(response_or_exception, ANSWER_ATTRIBUTE, None)
        return getattr(answer, "problem", None) or f"HTTP {response_or_exception.status_code}"
    if isinstance(response_or_exception, BaseException):
        return f"{type(response_or_exception).__name__}: {_short(response_or_exception)}"
    return "unknown error"


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


class AroFloBackoff(BackoffStrategy):
    """`Retry-After` when given (capped), else exponential backoff with full jitter; logs every wait."""

    def __init__(self, logger: logging.Logger, describe: Callable[[], str], max_retries: int,
                 max_wait_seconds: float, base_seconds: float = 1.0):
        self._logger = logger
        self._describe = describe
        self._max_retries = max_retries
        self._max_wait = max_wait_seconds
        self._base = base_seconds

    def backoff_time(self, response_or_exception: Optional[Union[requests.Response, requests.RequestException]],
                     attempt_count: int) -> Optional[float]:
        wait = None
        reason = ""
        if isinstance(response_or_exception, requests.Response):
            asked = retry_after_seconds(response_or_exception)
            if asked is not None:
                wait = asked
                reason = f"Retry-After {response_or_exception.headers.get('Retry-After')}"
                if asked > self._max_wait:
                    reason += f" is longer than max_retry_wait_seconds, capped at {self._max_wait:g} s"
                    wait = self._max_wait
        if wait is None:
            ceiling = min(self._max_wait, self._base * (2 ** max(0, attempt_count - 1)))
            wait = random.uniform(ceiling / 2, ceiling) + _CDK_ADDS_SECONDS  # jitter spreads clients apart
            reason = "exponential backoff with jitter"
        if attempt_count > self._max_retries:  # the CDK asks once more after the last attempt
            self._logger.warning(f"{self._describe()}: attempt {attempt_count} of {self._max_retries + 1} failed "
                                 f"({_problem_of(response_or_exception)}); giving up")
            return 0.001
        self._logger.warning(
            f"{self._describe()}: attempt {attempt_count} of {self._max_retries + 1} failed "
            f"({_problem_of(response_or_exception)}); waiting {wait:.1f} s ({reason}) before retrying"
        )
        return max(0.001, wait - _CDK_ADDS_SECONDS)
