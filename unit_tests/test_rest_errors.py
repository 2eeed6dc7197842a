"""What the connector does when the REST API says no, slows it down, fails or times out.

`time.sleep` is replaced by a recorder (see conftest.py): every wait the CDK's HttpClient asks
for is in `self.sleeps.durations` and costs no wall time. The CDK sleeps "backoff + 1 s" and
our backoff strategy subtracts that second, so a `Retry-After: 7` is a sleep of 7 s.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from unittest import TestCase

import requests
import requests_mock
from airbyte_cdk.models import FailureType, Level, Status
from airbyte_cdk.test.mock_http import HttpMocker
from freezegun import freeze_time

from unit_tests.builders import (
    API_KEY,
    BASE_URL,
    NOW,
    FakeRestApi,
    RestResponse,
    at,
    catalog,
    config,
    connection_status,
    error_traces,
    ids,
    log_lines,
    page_of,
    run_check,
    run_read,
    users_page,
    users_request,
)

USERS_URL = f"{BASE_URL}/users"
TOLERANCE = 0.05  # seconds
START = "2024-01-01T00:00:00Z"  # before every record these tests serve


def cfg():
    return config().with_start_date(START)


def _stream_errors(output) -> list:
    """The per-stream error traces (not the run's closing summary)."""
    return [e for e in error_traces(output) if not e.message.startswith(tuple("0123456789"))]


def _everything_printed(output) -> str:
    parts = []
    for message in output._messages:
        if message.log:
            parts.append(message.log.message)
        if message.trace and message.trace.error:
            parts += [message.trace.error.message or "", message.trace.error.internal_message or ""]
        if message.connectionStatus:
            parts.append(message.connectionStatus.message or "")
    return "\n".join(parts)


@freeze_time(NOW)
class AuthenticationErrorTest(TestCase):
    @HttpMocker()
    def test_a_401_stops_the_stream_at_once_with_a_config_error_about_the_api_key(self, http_mocker: HttpMocker) -> None:
        request = users_request().with_modified_since(START).build()
        http_mocker.get(request, RestResponse().with_status(401, "Invalid API key").build())
        output = run_read(cfg().build(), catalog("users"), expect_failure=True)
        [error] = _stream_errors(output)
        assert error.failure_type == FailureType.config_error
        assert "rejected the API key (HTTP 401: Invalid API key)" in error.message
        assert "check credentials.api_key" in error.message
        assert USERS_URL in error.message
        http_mocker.assert_number_of_calls(request, 1)  # never retried
        assert self.sleeps.durations == []
        assert output.records == []

    @HttpMocker()
    def test_a_403_stops_the_stream_with_a_config_error_saying_the_key_may_not_read_this(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(users_request().with_modified_since(START).build(),
                        RestResponse().with_status(403, "API key is not authorized for this resource").build())
        output = run_read(cfg().build(), catalog("users"), expect_failure=True)
        [error] = _stream_errors(output)
        assert error.failure_type == FailureType.config_error
        assert "is not allowed to read this data with the API key (HTTP 403" in error.message

    def test_check_with_a_rejected_key_fails_and_says_api_key(self) -> None:
        for status in (401, 403):
            with self.subTest(status=status), requests_mock.Mocker() as mocker:
                mocker.get(USERS_URL, status_code=status, json={"error": "nope"})
                output = run_check(cfg().build())
                result = connection_status(output)
                assert result.status == Status.FAILED
                assert "API key" in result.message and f"HTTP {status}" in result.message
                assert mocker.call_count == 1
                assert API_KEY not in _everything_printed(output)

    def test_check_with_a_good_key_asks_for_one_record_and_succeeds(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, json={"data": users_page(1)})
            result = connection_status(run_check(cfg().build()))
            assert result.status == Status.SUCCEEDED
            assert mocker.last_request.qs == {"page": ["1"], "per_page": ["1"]}
            assert mocker.last_request.headers["Authorization"] == f"Bearer {API_KEY}"

    @HttpMocker()
    def test_a_400_is_not_retried_and_quotes_the_apis_reason(self, http_mocker: HttpMocker) -> None:
        request = users_request().with_modified_since(START).build()
        http_mocker.get(request, RestResponse().with_status(400, "per_page must be at most 1000").build())
        output = run_read(cfg().build(), catalog("users"), expect_failure=True)
        [error] = _stream_errors(output)
        assert "refused the request parameters (HTTP 400: per_page must be at most 1000)" in error.message
        http_mocker.assert_number_of_calls(request, 1)

    def test_a_404_points_at_base_url(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, status_code=404, text="Not Found")
            output = run_read(cfg().build(), catalog("users"), expect_failure=True)
        [error] = _stream_errors(output)
        assert error.failure_type == FailureType.config_error
        assert f"{USERS_URL} does not exist (HTTP 404); check base_url" in error.message


@freeze_time(NOW)
class RateLimitTest(TestCase):
    def test_a_429_with_retry_after_seconds_waits_that_long_and_then_reads(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [
                {"status_code": 429, "headers": {"Retry-After": "7"}, "json": {"error": "slow down"}},
                {"status_code": 200, "json": {"data": users_page(2)}},
            ])
            output = run_read(cfg().build(), catalog("users"))
        assert ids(output) == ["1", "2"]
        assert mocker.call_count == 2
        waits = self.sleeps.longer_than(0)
        assert len(waits) == 1 and abs(waits[0] - 7) <= TOLERANCE, self.sleeps.durations

    def test_a_429_with_retry_after_as_an_http_date_waits_until_that_date(self) -> None:
        retry_at = format_datetime(at(NOW) + timedelta(seconds=20), usegmt=True)  # "Sat, 01 Jun 2024 12:00:20 GMT"
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [
                {"status_code": 429, "headers": {"Retry-After": retry_at}},
                {"status_code": 200, "json": {"data": users_page(1)}},
            ])
            output = run_read(cfg().build(), catalog("users"))
        assert ids(output) == ["1"]
        waits = self.sleeps.longer_than(0)
        assert len(waits) == 1 and abs(waits[0] - 20) <= TOLERANCE, self.sleeps.durations

    def test_an_absurd_retry_after_is_capped_at_max_retry_wait_seconds_with_a_warning(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [
                {"status_code": 429, "headers": {"Retry-After": "86400"}},
                {"status_code": 200, "json": {"data": users_page(1)}},
            ])
            output = run_read(cfg().with_max_retry_wait(5).build(), catalog("users"))
        assert ids(output) == ["1"]
        waits = self.sleeps.longer_than(0)
        assert len(waits) == 1 and abs(waits[0] - 5) <= TOLERANCE, self.sleeps.durations
        said = [line for line in log_lines(output, Level.WARN)
                if "Retry-After 86400 s is longer than max_retry_wait_seconds" in line]
        assert len(said) == 1 and "asking again in 5.0 s" in said[0] and "capped" in said[0], log_lines(output)

    def test_rate_limit_rejections_are_not_attempts(self) -> None:
        # retry_attempts=0 allows no retry of a failure; three rejections in a row are waited out.
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [{"status_code": 429, "json": {"error": "slow down"}}] * 3
                       + [{"status_code": 200, "json": {"data": users_page(2)}}])
            output = run_read(cfg().with_retry_attempts(0).build(), catalog("users"))
        assert ids(output) == ["1", "2"] and not output.errors
        assert mocker.call_count == 4
        # No Retry-After: one second each time.
        assert [round(w, 2) for w in self.sleeps.longer_than(0)] == [1.0, 1.0, 1.0]
        said = [line for line in log_lines(output) if "rate limited" in line]
        assert len(said) == 3 and all("another program may be using the same API keys" in line for line in said)
        assert not any("attempt" in line for line in log_lines(output, Level.WARN))

    def test_the_default_cap_on_retry_after_is_60_seconds(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [{"status_code": 429, "headers": {"Retry-After": "3600"}},
                                   {"status_code": 200, "json": {"data": []}}])
            run_read(cfg().build(), catalog("users"))
        assert [round(w) for w in self.sleeps.longer_than(0)] == [60]


@freeze_time(NOW)
class TransientErrorTest(TestCase):
    def test_a_500_is_retried_after_a_short_backoff_and_the_read_completes(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [{"status_code": 500, "json": {"error": "database hiccup"}},
                                   {"status_code": 200, "json": {"data": users_page(3)}}])
            output = run_read(cfg().build(), catalog("users"))
        assert ids(output) == ["1", "2", "3"]
        assert not output.errors
        waits = self.sleeps.longer_than(0)
        assert len(waits) == 1 and 1.0 <= waits[0] <= 2.0 + TOLERANCE, self.sleeps.durations  # 1st backoff: 0.5-1 s + 1 s
        assert any("attempt 1 of 4 failed" in w for w in log_lines(output, Level.WARN))

    def test_a_read_timeout_is_retried(self) -> None:
        self._a_network_error_is_retried(requests.exceptions.ReadTimeout)

    def test_a_connect_timeout_is_retried(self) -> None:
        self._a_network_error_is_retried(requests.exceptions.ConnectTimeout)

    def test_a_dropped_connection_is_retried(self) -> None:
        self._a_network_error_is_retried(requests.exceptions.ConnectionError)

    def _a_network_error_is_retried(self, error: type) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [{"exc": error}, {"status_code": 200, "json": {"data": users_page(2)}}])
            output = run_read(cfg().build(), catalog("users"))
        assert ids(output) == ["1", "2"]
        assert mocker.call_count == 2
        assert not output.errors
        assert any(error.__name__ in w for w in log_lines(output, Level.WARN))

    def test_the_configured_timeout_is_passed_to_every_request(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, json={"data": []})
            run_read(cfg().with_("request_timeout_seconds", 12).build(), catalog("users"))
        assert mocker.last_request.timeout == 12

    def test_a_200_whose_body_is_not_json_is_retried(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [
                {"status_code": 200, "text": "<html><body>Gateway hiccup</body></html>", "headers": {"Content-Type": "text/html"}},
                {"status_code": 200, "json": {"data": users_page(1)}},
            ])
            output = run_read(cfg().build(), catalog("users"))
        assert ids(output) == ["1"]
        assert mocker.call_count == 2
        assert any("not JSON" in w and "text/html" in w for w in log_lines(output)), log_lines(output)

    def test_a_200_without_a_data_list_is_retried(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [{"status_code": 200, "json": {"message": "ok"}},
                                   {"status_code": 200, "json": {"data": users_page(1)}}])
            output = run_read(cfg().build(), catalog("users"))
        assert ids(output) == ["1"]
        assert mocker.call_count == 2

    def test_when_retries_run_out_the_stream_fails_naming_the_endpoint_and_the_last_error(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, [{"status_code": 502, "json": {"error": "bad gateway"}},
                                   {"exc": requests.exceptions.ReadTimeout},
                                   {"status_code": 503, "json": {"error": "maintenance until 13:00"}}])
            output = run_read(cfg().with_retry_attempts(2).build(), catalog("users"), expect_failure=True)
        assert mocker.call_count == 3  # retry_attempts=2: one try and two retries
        [error] = _stream_errors(output)
        assert error.failure_type == FailureType.transient_error
        assert f"GET {USERS_URL} page 1" in error.message
        assert "HTTP 503: maintenance until 13:00" in error.message  # the last error, not the first
        assert "gave up after 3 attempts" in error.message
        assert error.stack_trace is None

    def test_retry_attempts_zero_means_a_single_try(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, status_code=500, json={"error": "down"})
            output = run_read(cfg().with_retry_attempts(0).build(), catalog("users"), expect_failure=True)
        assert mocker.call_count == 1
        assert "gave up after 1 attempts" in _stream_errors(output)[0].message

    def test_one_failing_stream_does_not_stop_the_others(self) -> None:
        with requests_mock.Mocker() as mocker:
            FakeRestApi(users=page_of("users", 2), payments=page_of("payments", 3)).install(mocker)
            mocker.get(f"{BASE_URL}/suppliers", status_code=500, json={"error": "suppliers are down"})
            output = run_read(cfg().with_retry_attempts(1).build(), catalog(), expect_failure=True)
        assert ids(output, "users") == ["1", "2"]
        assert ids(output, "payments") == ["1", "2", "3"]
        [error] = _stream_errors(output)
        assert "suppliers" in error.message and "suppliers are down" in error.message

    def test_a_failing_read_never_prints_the_api_key(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(USERS_URL, status_code=500, text=f"echo: Authorization: Bearer {API_KEY}")
            output = run_read(cfg().with_retry_attempts(1).build(), catalog("users"), expect_failure=True)
        assert API_KEY not in _everything_printed(output)
