"""Every zone body `status` (and HTTP 429 / broken bodies): what the sync does with it."""

from __future__ import annotations

import logging
import unittest

import requests_mock
from airbyte_cdk.models import FailureType, Status
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome
from freezegun import freeze_time

from source_aroflo.source import SourceAroflo

from .zone_builders import (
    ZoneServer,
    answer,
    catalog,
    logs_of,
    payment,
    records_of,
    state_of,
    states,
    status_body,
    statuses_of,
    supplier,
    user,
    zone_config,
    zone_request,
)

LOGIN_CODES = {
    "-99999": "Authentication failed: signature mismatch",
    "1": "Invalid login (uEncoded)",
    "2": "Invalid organisation (orgEncoded)",
}
PERMISSION_CODES = {  # AroFlo's "Permission Denied" family
    "3": "Invalid password (pEncoded)",
    "4": "API access is not enabled for this user",
    "20": "User is archived",
    "30": "No permission to read this zone",
}
AUTH_CODES = {**LOGIN_CODES, **PERMISSION_CODES}
THE_FEEDS_NEWEST = (zone_request("lastupdate").where("lastupdateutc", ">", "1900-01-01 00:00:00")
                    .order("lastupdateutc", "desc").page(1).size(10))


def users(n: int) -> list:
    return [user(i, f"2023/05/{1 + i:02d} 08:00:00") for i in range(n)]


def payments(n: int) -> list:
    # Several payments a day: their order within a day is the server's (by id here).
    return [payment(i, f"2023/12/{1 + i // 3:02d}") for i in range(n)]


def suppliers(n: int) -> list:
    return [supplier(i, f"2018-10-{1 + i:02d} 13:30:19.58") for i in range(n)]


def run(config, stream, data, script=None, mode="full_refresh", state=None, failure=False, headers=None):
    with requests_mock.Mocker() as m:
        server = ZoneServer(m, data=data, script=script, headers=headers)
        output = entrypoint_wrapper.read(
            SourceAroflo(), config, catalog(stream, mode), state,
            expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION if failure else ExpectedOutcome.EXPECT_SUCCESS,
        )
    return server, output


def check(config, script):
    with requests_mock.Mocker() as m:
        server = ZoneServer(m, data={"users": users(3), "lastupdate": []}, script=script)
        status = SourceAroflo().check(logging.getLogger("airbyte"), config)
    return server, status


def stream_errors(output) -> list:
    return [m.trace.error for m in output.errors]


class AuthenticationCodesTest(unittest.TestCase):
    def test_a_login_failure_stops_the_sync_at_the_first_with_one_error(self):
        for code, message in LOGIN_CODES.items():
            with self.subTest(code=code):
                server, output = run(zone_config(), ["users", "payments"], {"users": users(2), "payments": payments(2)},
                                     script={1: answer(status_body(code, message))}, failure=True)
                self.assertEqual(len(server.requests), 1, "a login failure must not be retried, nor the next stream read")
                self.assertEqual(output.records, [])
                [error] = stream_errors(output)
                self.assertEqual(error.failure_type, FailureType.config_error)
                self.assertIsNone(error.stream_descriptor)  # the sync's error, not a stream's
                self.assertIn(message, error.message)
                self.assertIn(f"status {code}", error.message)
                self.assertIn("check u_encoded, p_encoded", error.message)  # advice on what to fix
                if code == "-99999":
                    self.assertIn("secret_key", error.message)
                self.assertEqual(statuses_of(output, "users"), ["STARTED", "INCOMPLETE"])
                self.assertEqual(statuses_of(output, "payments"), [])  # not started: says nothing

    def test_a_permission_answer_after_the_keys_are_proven_fails_only_that_stream(self):
        for code, message in PERMISSION_CODES.items():
            with self.subTest(code=code):
                server, output = run(zone_config(), ["users", "payments"], {"users": users(2), "payments": payments(2)},
                                     script={1: answer(status_body(code, message))}, failure=True)
                # One free request to the change feed proves the keys; then the other stream reads.
                self.assertEqual(server.asked, [zone_request("users").where("userid", "!=", "0").page(1).size(500),
                                                THE_FEEDS_NEWEST,
                                                zone_request("payments").where("paymentid", "!=", "0").page(1).size(500)])
                self.assertEqual(len(records_of(output, "payments")), 2)
                per_stream = [e for e in stream_errors(output) if e.stream_descriptor is not None]
                self.assertEqual([e.stream_descriptor.name for e in per_stream], ["users"])
                self.assertEqual(per_stream[0].failure_type, FailureType.config_error)
                self.assertIn(f"status {code}: {message}", per_stream[0].message)
                self.assertIn("give its permission group access in AroFlo", per_stream[0].message)
                self.assertEqual(statuses_of(output, "users"), ["STARTED", "INCOMPLETE"])
                self.assertEqual(statuses_of(output, "payments"), ["STARTED", "RUNNING", "COMPLETE"])

    def test_a_permission_answer_the_change_feed_repeats_is_a_login_failure(self):
        denied = answer(status_body(4, "API access is not enabled for this user"))
        server, output = run(zone_config(), ["users", "payments"], {"users": users(2), "payments": payments(2)},
                             script={1: denied, 2: denied}, failure=True)
        self.assertEqual(server.asked, [zone_request("users").where("userid", "!=", "0").page(1).size(500),
                                        THE_FEEDS_NEWEST])
        [error] = stream_errors(output)
        self.assertIsNone(error.stream_descriptor)
        self.assertIn("status 4", error.message)

    def test_check_fails_with_aroflo_message(self):
        for code, message in AUTH_CODES.items():
            with self.subTest(code=code):
                server, status = check(zone_config(), {1: answer(status_body(code, message))})
                self.assertEqual(status.status, Status.FAILED)
                self.assertIn(message, status.message)
                self.assertEqual(server.asked, [THE_FEEDS_NEWEST])

    def test_payload_expired_points_at_the_clock(self):
        server, status = check(zone_config(), {1: answer(status_body(-99999, "Payload has expired"))})
        self.assertEqual(status.status, Status.FAILED)
        self.assertIn("Payload has expired", status.message)
        self.assertIn("clock", status.message)
        server, output = run(zone_config(), "payments", {"payments": payments(1)},
                             script={1: answer(status_body("-99999", "Payload has expired"))}, failure=True)
        self.assertIn("clock", stream_errors(output)[0].message)
        self.assertEqual(stream_errors(output)[0].failure_type, FailureType.config_error)

    def test_check_proves_the_keys_with_one_request_to_the_free_change_feed(self):
        server, status = check(zone_config(), {})
        self.assertEqual(status.status, Status.SUCCEEDED, status.message)
        self.assertEqual(server.asked, [THE_FEEDS_NEWEST])  # no daily-limited request before every sync


class RateLimitTest(unittest.TestCase):
    """Status 6 and HTTP 429: another program uses the same keys. Never an attempt: every stream
    waits (Retry-After, capped, else a second) and the shared pace halves."""

    def _retried(self, first):
        server, output = run(zone_config(), "users", {"users": users(3)}, script={1: first})
        self.assertEqual(sorted(r["id"] for r in records_of(output)), ["U0000==", "U0001==", "U0002=="],
                         output.get_formatted_error_message())
        self.assertEqual(len(server.requests), 2)
        self.assertEqual(server.requests[0].url, server.requests[1].url)
        self.assertEqual([round(d, 2) for d in self.sleeps.longer_than(0)], [1.0])  # no Retry-After: a second
        self.assertEqual(output.errors, [])
        said = [line for line in logs_of(output) if "rate limited by AroFlo" in line]
        self.assertEqual(len(said), 1)
        self.assertIn("another program may be using the same API keys; every stream waits and slows to 50 requests "
                      "a second; asking again in 1.0 s", said[0])

    def test_status_6_with_http_200(self):
        self._retried(answer(status_body(6, "Rate limit exceeded: 3 requests per second")))

    def test_status_6_with_http_429(self):
        self._retried(answer(status_body(6, "Rate limit exceeded"), status_code=429))

    def test_http_429_without_a_body(self):
        self._retried(answer(text="", status_code=429))

    def test_retry_after_is_waited_capped_at_max_retry_wait_seconds(self):
        for asked, waited in (("3", 3.0), ("600", 5.0)):
            with self.subTest(retry_after=asked):
                self.sleeps.durations.clear()
                limited = answer(status_body(6, "Rate limit exceeded"), status_code=429, headers={"Retry-After": asked})
                _, output = run(zone_config(max_retry_wait_seconds=5), "users", {"users": users(1)}, script={1: limited})
                self.assertEqual(len(output.records), 1)
                self.assertEqual([round(d, 2) for d in self.sleeps.longer_than(0)], [waited])

    def test_a_rate_limit_that_persists_is_waited_out_not_counted_as_attempts(self):
        limited = answer(status_body(6, "Rate limit exceeded"))
        server, output = run(zone_config(retry_attempts=1), "users", {"users": users(1)},
                             script={n: limited for n in range(1, 9)})
        self.assertEqual(len(server.requests), 9)  # eight rejections, then the page
        self.assertEqual([r["id"] for r in records_of(output)], ["U0000=="])
        self.assertEqual(output.errors, [])
        paces = [line.split("slows to ")[1].split(" requests")[0] for line in logs_of(output) if "slows to" in line]
        self.assertEqual(paces, ["50", "25", "12.5", "6.25", "3.125", "1.5625", "0.78125", "0.5"])  # halved to the floor


class DailyLimitTest(unittest.TestCase):
    """Status 7 (and the reserve): daily-limited reading stops cleanly. The stream ends with its
    state saved and when to go on, status COMPLETE; the read succeeds; one WARN line says why."""

    def _daily_limit_at(self, now, expected_reset, http_status=200):
        incoming = {"updated_at": "2023-01-01T00:00:00Z"}
        limit = answer(status_body(7, "Daily API limit of 2000 requests reached"), status_code=http_status)
        with freeze_time(now, tick=True):
            # Request 1: the change feed (free), to see whether this site's feed carries users.
            server, output = run(zone_config(max_records_per_page=2), "users", {"users": users(5)},
                                 script={3: limit}, mode="incremental", state=states(users=incoming))
        seek = zone_request("users").order("lastupdateddatetimeutc", "asc").page(1).size(2)
        self.assertEqual(server.asked_of("users"), [seek.where("lastupdateddatetimeutc", ">", "2022-12-31 23:59:59"),
                                                    seek.where("lastupdateddatetimeutc", ">", "2023-05-02 07:59:59")],
                         "status 7 must not be retried")
        self.assertEqual([r["id"] for r in records_of(output)], ["U0000==", "U0001=="])
        self.assertEqual(state_of(output, "users"), {"updated_at": "2023-05-02T08:00:00Z",
                                                     "waiting_until": expected_reset.replace(" ", "T")[:16] + ":00Z"})
        self.assertEqual(statuses_of(output, "users"), ["STARTED", "RUNNING", "COMPLETE"])
        self.assertEqual(output.errors, [])
        [warning] = logs_of(output, "WARN")
        self.assertIn("AroFlo's quota stopped this sync cleanly", warning)
        self.assertIn("status 7", warning)
        self.assertIn(f"00:00 Australia/Melbourne ({expected_reset} UTC): users (changes up to 2023-05-02T08:00:00Z)",
                      warning)

    def test_daily_limit_stops_the_stream_with_reset_time_standard_time(self):
        # 09:14 on 14 May in Melbourne (AEST, UTC+10): resets at 00:00 on 15 May = 14:00 UTC on 14 May.
        self._daily_limit_at("2024-05-13T23:14:15Z", "2024-05-14 14:00")

    def test_daily_limit_with_http_429_also_stops_without_retrying(self):
        self._daily_limit_at("2024-05-13T23:14:15Z", "2024-05-14 14:00", http_status=429)

    def test_daily_limit_reset_time_in_daylight_saving(self):
        # 16:00 on 10 January in Melbourne (AEDT, UTC+11): resets at 13:00 UTC on 10 January.
        self._daily_limit_at("2024-01-10T05:00:00Z", "2024-01-10 13:00")


def every_supplier(page: int, size: int):
    return zone_request("suppliers").where("supplierid", "!=", "0").page(page).size(size)


class SmallerPagesTest(unittest.TestCase):
    """Status 8 (over 3.5 MB) and 888888 (over 60 s): the same records again in smaller pages."""

    def test_numbered_pages_keep_the_record_offset(self):
        for code in ("8", "888888"):
            with self.subTest(code=code):
                data = {"suppliers": suppliers(11)}
                server, output = run(zone_config(max_records_per_page=4), "suppliers", data,
                                     script={3: answer(status_body(code, "Too big / too slow"))})
                # Page 3 of 4 (records 9-12) refused: records 9 on as pages of 2 are pages 5 and 6.
                self.assertEqual(server.asked, [every_supplier(1, 4), every_supplier(2, 4), every_supplier(3, 4),
                                                every_supplier(5, 2), every_supplier(6, 2)])
                ids = [r["id"] for r in records_of(output)]
                self.assertEqual(ids, [p["supplierid"] for p in data["suppliers"]])  # each once, in order
                self.assertTrue(any(f"status {code}" in line and "asking again with 2 records a page instead of 4" in line
                                    for line in logs_of(output)))

    def test_offset_not_a_multiple_of_half_the_page(self):
        data = {"suppliers": suppliers(14)}
        server, output = run(zone_config(max_records_per_page=6), "suppliers", data,
                             script={2: answer(status_body(8, "Response too large"))})
        # 6 read, then pages of 3 (6 is a multiple of 3): page 3 starts at record 7; once 12 are
        # read, pages of 6 again: page 3 of 6 starts at record 13.
        self.assertEqual(server.asked, [every_supplier(1, 6), every_supplier(2, 6), every_supplier(3, 3),
                                        every_supplier(4, 3), every_supplier(3, 6)])
        self.assertEqual([r["id"] for r in records_of(output)], [p["supplierid"] for p in data["suppliers"]])

    def test_stepping_through_one_cursor_value_keeps_the_offset(self):
        # Ten users changed in the same second: a seek steps through that second by page number.
        data = {"users": [user(i, "2023/12/01 10:00:00") for i in range(10)]}
        server, output = run(zone_config(max_records_per_page=4), "users", data, mode="incremental",
                             state=states(users={"updated_at": "2023-01-01T00:00:00Z"}),
                             script={3: answer(status_body(8, "Response too large"))})  # request 1: the change feed
        at_that_second = zone_request("users").where("lastupdateddatetimeutc", ">", "2023-12-01 09:59:59") \
            .order("lastupdateddatetimeutc", "asc")
        self.assertEqual(server.asked_of("users")[:4], [
            zone_request("users").where("lastupdateddatetimeutc", ">", "2022-12-31 23:59:59")
            .order("lastupdateddatetimeutc", "asc").page(1).size(4),
            at_that_second.page(2).size(4),  # refused: records 5-8 of that second
            at_that_second.page(3).size(2),  # the same records, 2 a page
            at_that_second.page(4).size(2)])
        self.assertEqual([r["id"] for r in records_of(output)], [u["userid"] for u in data["users"]])

    def test_one_record_a_page_still_too_big_fails_clearly(self):
        too_big = answer(status_body(8, "Response too large"))
        server, output = run(zone_config(max_records_per_page=2), "suppliers", {"suppliers": suppliers(3)},
                             script={n: too_big for n in range(1, 10)}, failure=True)
        # one record a page, then asked again like any failed attempt (a query timeout can pass)
        self.assertEqual(server.asked, [every_supplier(1, 2)] + [every_supplier(1, 1)] * 4)
        self.assertIn("even one record", stream_errors(output)[0].message)
        self.assertIn("gave up after 4 attempts", stream_errors(output)[0].message)


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
