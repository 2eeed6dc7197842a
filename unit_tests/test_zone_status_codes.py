"""Every zone body `status` (and HTTP 429 / broken bodies): what the sync does with it."""

from __future__ import annotations

import logging
import unittest

import requests_mock
from airbyte_cdk.models import FailureType, Status, TraceType, Type
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome
from airbyte_cdk.test.state_builder import StateBuilder
from freezegun import freeze_time

from source_aroflo.source import SourceAroflo

from .zone_builders import (
    ZoneServer,
    answer,
    catalog,
    payment,
    query_of,
    real_budget_waits,
    records_of,
    status_body,
    supplier,
    user,
    zone_config,
)

AUTH_CODES = {
    "-99999": "Authentication failed: signature mismatch",
    "1": "Invalid login (uEncoded)",
    "2": "Invalid organisation (orgEncoded)",
    "3": "Invalid password (pEncoded)",
    "4": "API access is not enabled for this user",
    "20": "User is archived",
    "30": "No permission to read this zone",
}


def users(n: int) -> list:
    return [user(i, f"2023/05/{1 + i:02d} 08:00:00") for i in range(n)]


def payments(n: int) -> list:
    # Several payments a day: their order within a day is the server's (by id here).
    return [payment(i, f"2023/12/{1 + i // 3:02d}") for i in range(n)]


def suppliers(n: int) -> list:
    return [supplier(i, f"2018-10-{1 + i:02d} 13:30:19.58") for i in range(n)]


def run(config, stream, data, script=None, mode="full_refresh", state=None, failure=False, headers=None):
    # An HTTP 429 empties the shared budget, so the next acquire really waits (about 1 s).
    with requests_mock.Mocker() as m, real_budget_waits():
        server = ZoneServer(m, data=data, script=script, headers=headers)
        output = entrypoint_wrapper.read(
            SourceAroflo(), config, catalog(stream, mode), state,
            expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION if failure else ExpectedOutcome.EXPECT_SUCCESS,
        )
    return server, output


def check(config, script):
    with requests_mock.Mocker() as m:
        server = ZoneServer(m, data={"users": users(3)}, script=script)
        status = SourceAroflo().check(logging.getLogger("airbyte"), config)
    return server, status


def stream_errors(output) -> list:
    return [m.trace.error for m in output.errors]


class AuthenticationCodesTest(unittest.TestCase):
    def test_each_login_code_is_a_config_error_with_aroflo_message_and_advice(self):
        for code, message in AUTH_CODES.items():
            with self.subTest(code=code):
                server, output = run(zone_config(), "users", {"users": users(2)},
                                     script={1: answer(status_body(code, message))}, failure=True)
                self.assertEqual(len(server.requests), 1, "a login failure must not be retried")
                self.assertEqual(output.records, [])
                errors = stream_errors(output)
                self.assertTrue(errors)
                for error in errors:
                    self.assertEqual(error.failure_type, FailureType.config_error)
                text = errors[0].message
                self.assertIn(message, text)
                self.assertIn(f"status {code}", text)
                self.assertIn("check", text)  # advice on what to fix
                if code == "-99999":
                    self.assertIn("secret_key", text)

    def test_check_fails_with_aroflo_message(self):
        for code, message in AUTH_CODES.items():
            with self.subTest(code=code):
                server, status = check(zone_config(), {1: answer(status_body(code, message))})
                self.assertEqual(status.status, Status.FAILED)
                self.assertIn(message, status.message)
                self.assertIn("check", status.message)
                self.assertEqual(len(server.requests), 1)

    def test_payload_expired_points_at_the_clock(self):
        server, status = check(zone_config(), {1: answer(status_body(-99999, "Payload has expired"))})
        self.assertEqual(status.status, Status.FAILED)
        self.assertIn("Payload has expired", status.message)
        self.assertIn("clock", status.message)
        server, output = run(zone_config(), "payments", {"payments": payments(1)},
                             script={1: answer(status_body("-99999", "Payload has expired"))}, failure=True)
        self.assertIn("clock", stream_errors(output)[0].message)
        self.assertEqual(stream_errors(output)[0].failure_type, FailureType.config_error)

    def test_check_succeeds_with_exactly_one_request(self):
        server, status = check(zone_config(), {})
        self.assertEqual(status.status, Status.SUCCEEDED, status.message)
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(query_of(server.requests[0])["pageSize"], "1")


class RateLimitTest(unittest.TestCase):
    def _retried(self, first):
        server, output = run(zone_config(), "users", {"users": users(3)}, script={1: first})
        self.assertEqual(sorted(r["id"] for r in records_of(output)), ["U0000==", "U0001==", "U0002=="],
                         output.get_formatted_error_message())
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(server.requests[0].url, server.requests[1].url)
        self.assertTrue(any(d > 0 for d in self.sleeps.durations), "no back-off before the retry")
        self.assertEqual(output.errors, [])

    def test_status_6_with_http_200(self):
        self._retried(answer(status_body(6, "Rate limit exceeded: 3 requests per second")))

    def test_status_6_with_http_429(self):
        self._retried(answer(status_body(6, "Rate limit exceeded"), status_code=429))

    def test_http_429_without_a_body(self):
        self._retried(answer(text="", status_code=429))

    def test_persistent_rate_limit_gives_up_after_the_configured_attempts(self):
        limited = answer(status_body(6, "Rate limit exceeded"))
        server, output = run(zone_config(retry_attempts=2), "users", {"users": users(1)},
                             script={n: limited for n in range(1, 10)}, failure=True)
        self.assertEqual(len(server.requests), 3)
        error = stream_errors(output)[0]
        self.assertEqual(error.failure_type, FailureType.transient_error)
        self.assertIn("status 6", error.message)


class DailyLimitTest(unittest.TestCase):
    def _daily_limit_at(self, now, expected_reset, http_status=200):
        state = StateBuilder().with_stream_state("users", {"updated_at": "2023-01-01T00:00:00Z"}).build()
        limit = answer(status_body(7, "Daily API limit of 2000 requests reached"), status_code=http_status)
        with freeze_time(now, tick=True):
            server, output = run(zone_config(max_records_per_page=2), "users", {"users": users(5)},
                                 script={2: limit}, mode="incremental", state=state, failure=True)
        self.assertEqual(len(server.requests), 2, "status 7 must not be retried")
        self.assertEqual([r["id"] for r in records_of(output)], ["U0000==", "U0001=="])
        # The state of the last full page was emitted before the error.
        states = [m.state.stream.stream_state.updated_at for m in output.state_messages]
        self.assertIn("2023-05-02T08:00:00Z", states)
        self.assertEqual(output.most_recent_state.stream_state.updated_at, "2023-05-02T08:00:00Z")
        messages = list(output.get_message_iterator())
        state_at = max(i for i, m in enumerate(messages) if m.type == Type.STATE)
        error_at = min(i for i, m in enumerate(messages) if m.type == Type.TRACE and m.trace.type == TraceType.ERROR)
        self.assertLess(state_at, error_at)
        error = stream_errors(output)[0]
        self.assertEqual(error.failure_type, FailureType.transient_error)
        self.assertIn("daily request limit", error.message)
        self.assertIn("00:00 Australia/Melbourne", error.message)
        self.assertIn(expected_reset, error.message)
        self.assertNotIn("gave up after", error.message)

    def test_daily_limit_stops_the_stream_with_reset_time_standard_time(self):
        # 09:14 on 14 May in Melbourne (AEST, UTC+10): resets at 00:00 on 15 May = 14:00 UTC on 14 May.
        self._daily_limit_at("2024-05-13T23:14:15Z", "2024-05-14 14:00 UTC")

    def test_daily_limit_with_http_429_also_stops_without_retrying(self):
        self._daily_limit_at("2024-05-13T23:14:15Z", "2024-05-14 14:00 UTC", http_status=429)

    def test_daily_limit_reset_time_in_daylight_saving(self):
        # 16:00 on 10 January in Melbourne (AEDT, UTC+11): resets at 13:00 UTC on 10 January.
        self._daily_limit_at("2024-01-10T05:00:00Z", "2024-01-10 13:00 UTC")


class SmallerPagesTest(unittest.TestCase):
    """Status 8 (over 3.5 MB) and 888888 (over 60 s): the same records again in smaller pages."""

    def test_page_numbered_stream_keeps_the_record_offset(self):
        # suppliers have no cursor: pages are numbered under a fixed filter.
        for code in ("8", "888888"):
            with self.subTest(code=code):
                data = {"suppliers": suppliers(11)}
                server, output = run(zone_config(max_records_per_page=4), "suppliers", data,
                                     script={3: answer(status_body(code, "Too big / too slow"))})
                asked = [(int(query_of(r)["page"]), int(query_of(r)["pageSize"])) for r in server.requests]
                self.assertEqual(asked[:3], [(1, 4), (2, 4), (3, 4)])
                failed_offset = (asked[2][0] - 1) * asked[2][1]
                retry_page, retry_size = asked[3]
                self.assertLess(retry_size, 4)
                self.assertEqual((retry_page - 1) * retry_size, failed_offset)
                self.assertEqual(query_of(server.requests[3])["where"], query_of(server.requests[2])["where"])
                ids = [r["id"] for r in records_of(output)]
                self.assertEqual(ids, [p["supplierid"] for p in data["suppliers"]])  # each once, in order
                self.assertTrue(any(f"status {code}" in m.log.message and "records a page" in m.log.message
                                    for m in output.logs))

    def test_offset_not_a_multiple_of_half_the_page(self):
        data = {"suppliers": suppliers(14)}
        server, output = run(zone_config(max_records_per_page=6), "suppliers", data,
                             script={2: answer(status_body(8, "Response too large"))})
        page, size = int(query_of(server.requests[2])["page"]), int(query_of(server.requests[2])["pageSize"])
        self.assertEqual((page - 1) * size, 6)
        self.assertLess(size, 6)
        self.assertEqual([r["id"] for r in records_of(output)], [p["supplierid"] for p in data["suppliers"]])

    def test_stepping_through_one_cursor_value_keeps_the_offset(self):
        # Ten payments on one day: the stream steps through that day by page number.
        data = {"payments": [payment(i, "2023/12/01") for i in range(10)]}
        server, output = run(zone_config(max_records_per_page=4), "payments", data,
                             script={2: answer(status_body(8, "Response too large"))})
        failed, retried = query_of(server.requests[1]), query_of(server.requests[2])
        self.assertEqual(retried["where"], failed["where"])
        self.assertLess(int(retried["pageSize"]), 4)
        self.assertEqual((int(retried["page"]) - 1) * int(retried["pageSize"]), (int(failed["page"]) - 1) * 4)
        self.assertGreater(int(failed["page"]), 1)  # the failure was mid-value, not at its start
        self.assertEqual([r["id"] for r in records_of(output)], [p["paymentid"] for p in data["payments"]])

    def test_seeking_stream_asks_the_same_range_again(self):
        for code in ("8", "888888"):
            with self.subTest(code=code):
                data = {"users": users(10)}
                server, output = run(zone_config(max_records_per_page=4), "users", data,
                                     script={2: answer(status_body(code, "Too big / too slow"))})
                failed, retried = query_of(server.requests[1]), query_of(server.requests[2])
                self.assertEqual(retried["where"], failed["where"])
                self.assertEqual(int(retried["pageSize"]), 2)
                self.assertEqual((int(retried["page"]) - 1) * 2, (int(failed["page"]) - 1) * 4)
                ids = [r["id"] for r in records_of(output)]
                self.assertEqual(ids, [u["userid"] for u in data["users"]])

    def test_one_record_a_page_still_too_big_fails_clearly(self):
        too_big = answer(status_body(8, "Response too large"))
        server, output = run(zone_config(max_records_per_page=2), "suppliers", {"suppliers": suppliers(3)},
                             script={n: too_big for n in range(1, 10)}, failure=True)
        self.assertEqual([int(query_of(r)["pageSize"]) for r in server.requests], [2, 1])
        self.assertIn("even one record", stream_errors(output)[0].message)


class OtherAnswersTest(unittest.TestCase):
    def test_unknown_status_names_code_and_message(self):
        server, output = run(zone_config(), "users", {"users": users(2)},
                             script={1: answer(status_body(42, "Something unexpected"))}, failure=True)
        self.assertEqual(len(server.requests), 1)
        error = stream_errors(output)[0]
        self.assertIn("'42'", error.message)
        self.assertIn("Something unexpected", error.message)
        self.assertNotEqual(error.failure_type, FailureType.transient_error)

    def test_status_5_invalid_method_fails(self):
        server, output = run(zone_config(), "users", {"users": users(2)},
                             script={1: answer(status_body(5, "Invalid method"))}, failure=True)
        self.assertEqual(len(server.requests), 1)
        self.assertIn("Invalid method", stream_errors(output)[0].message)

    def test_broken_bodies_with_http_200_are_retried(self):
        broken = {
            "html": answer(text="<html><body>Service Unavailable</body></html>",
                           headers={"Content-Type": "text/html"}),
            "truncated": answer(text='{"status": "0", "statusmessage": "Login OK", "zoneresponse": {"users": [{"use'),
            "empty": answer(text=""),
            "json list": answer([1, 2, 3]),
        }
        for name, first in broken.items():
            with self.subTest(body=name):
                server, output = run(zone_config(), "users", {"users": users(2)}, script={1: first})
                self.assertEqual(len(server.requests), 2)
                self.assertEqual([r["id"] for r in records_of(output)], ["U0000==", "U0001=="])
                self.assertEqual(output.errors, [])

    def test_status_is_read_on_http_200_even_with_a_zoneresponse(self):
        body = status_body(1, "Invalid login")
        body["zoneresponse"] = {"users": [user(1)]}
        server, output = run(zone_config(), "users", {"users": users(1)}, script={1: answer(body)}, failure=True)
        self.assertEqual(output.records, [])
        self.assertEqual(stream_errors(output)[0].failure_type, FailureType.config_error)


if __name__ == "__main__":
    unittest.main()
