"""HMAC signing of zone requests: vectors, encoding, and the bytes actually sent."""

from __future__ import annotations

import functools
import re
import unittest
from datetime import datetime, timedelta, timezone
from unittest import mock

import requests
import requests_mock
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome
from freezegun import freeze_time

from source_aroflo.auth import ZoneHmacAuth, authorization_value, encode_uri_component, sign
from source_aroflo.settings import Credentials
from source_aroflo import sync
from source_aroflo.pacing import Pacer
from source_aroflo.source import SourceAroflo

from .zone_builders import (
    BASE_URL,
    HOST_IP,
    SECRET,
    ZoneServer,
    answer,
    catalog,
    expected_signature,
    payment,
    signature_of,
    states,
    status_body,
    supplier,
    user,
    zone_config,
)

VECTOR_AUTH = "uencoded=test-user&pencoded=test-pass&orgEncoded=test-org"
VECTOR_TIME = "2024-05-13T23:14:15.000Z"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def _parse_afdatetime(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def _credentials(host_ip=None) -> Credentials:
    return Credentials(auth_type="hmac", u_encoded="unit user", p_encoded="p|w*d", org_encoded="org",
                       secret_key=SECRET, host_ip=host_ip)


class PublishedVectorsTest(unittest.TestCase):
    def test_vector_with_host_ip(self):
        signature = sign(
            "top-secret", method="GET", host_ip="203.0.113.10", accept="text/json", authorization=VECTOR_AUTH,
            timestamp=VECTOR_TIME,
            var_string="zone=lastupdate&where=and%7Czonename%7C%3D%7Ctasks&order=lastupdateutc%7Casc&page=1",
        )
        self.assertEqual(
            signature,
            "92b116903c261939c95edf99be9dcc9d0875cadbcfe4ea39eb1610a23150eb66"
            "c978552e0a3b7f35e532120cec474decf08056d906bafea9d0347eee1fdb7ec4",
        )

    def test_vector_without_host_ip(self):
        signature = sign(
            "top-secret", method="get", host_ip=None, accept="text/json", authorization=VECTOR_AUTH,
            timestamp=VECTOR_TIME,
            var_string=("zone=lastupdate&where=and%7Czonename%7C%3D%7Cquotes&where=and%7Clastupdateutc%7C%3E%7C"
                        "2022%2F02%2F01&order=lastupdateutc%7Casc&page=2&pageSize=250"),
        )
        self.assertEqual(
            signature,
            "44b846cb9789c4bdc867f360b81e9713dde09770e92f0dd14f8ade11048c3894"
            "a8a5d92afda10818d2d63dfca4ba79817d91c0837f61fcb7217676bf2619db98",
        )

    def test_vector_query_is_what_the_dialect_encodes(self):
        # The vector's varString is exactly encodeURIComponent of its decoded values.
        parts = [("zone", "lastupdate"), ("where", "and|zonename|=|tasks"), ("order", "lastupdateutc|asc"), ("page", "1")]
        self.assertEqual(
            "&".join(f"{k}={encode_uri_component(v)}" for k, v in parts),
            "zone=lastupdate&where=and%7Czonename%7C%3D%7Ctasks&order=lastupdateutc%7Casc&page=1",
        )

    def test_timestamp_format(self):
        moment = datetime(2024, 5, 14, 9, 14, 15, 7890, tzinfo=timezone(timedelta(hours=10)))
        from source_aroflo.auth import format_timestamp

        self.assertEqual(format_timestamp(moment), "2024-05-13T23:14:15.007Z")


class EncodeUriComponentTest(unittest.TestCase):
    def test_space_is_percent_20_never_plus(self):
        self.assertEqual(encode_uri_component("2023-05-23 23:28:15"), "2023-05-23%2023%3A28%3A15")
        self.assertNotIn("+", encode_uri_component("a b+c"))
        self.assertEqual(encode_uri_component("a b+c"), "a%20b%2Bc")

    def test_pipe_encoded_star_kept(self):
        self.assertEqual(encode_uri_component("and|userid|IN|a*b"), "and%7Cuserid%7CIN%7Ca*b")

    def test_unreserved_marks_kept(self):
        self.assertEqual(encode_uri_component("!~'()*-_.AZaz09"), "!~'()*-_.AZaz09")

    def test_reserved_characters_encoded(self):
        self.assertEqual(encode_uri_component("/?&=:,;#$@[]%\""), "%2F%3F%26%3D%3A%2C%3B%23%24%40%5B%5D%25%22")

    def test_unicode_is_utf8_percent_encoded(self):
        self.assertEqual(encode_uri_component("é"), "%C3%A9")
        self.assertEqual(encode_uri_component("Zoë €"), "Zo%C3%AB%20%E2%82%AC")
        self.assertEqual(encode_uri_component("😀"), "%F0%9F%98%80")

    def test_authorization_value_encodes_each_credential(self):
        value = authorization_value(_credentials())
        self.assertEqual(value, "uencoded=unit%20user&pencoded=p%7Cw*d&orgEncoded=org")


def _read(config, stream="users", mode="full_refresh", state=None, failure=False):
    return entrypoint_wrapper.read(
        SourceAroflo(), config, catalog(stream, mode), state,
        expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION if failure else ExpectedOutcome.EXPECT_SUCCESS,
    )


class SentBytesAreSignedBytesTest(unittest.TestCase):
    def _sync(self, host_ip=None):
        with requests_mock.Mocker() as m:
            server = ZoneServer(m, data={"users": [user(i, f"2023/05/{10 + i:02d} 08:00:00") for i in range(5)]})
            # A later incremental sync seeks: its where holds a date-time, with a space to encode.
            output = _read(zone_config(host_ip=host_ip, max_records_per_page=2), mode="incremental",
                           state=states(users={"updated_at": "2020-01-01T00:00:00Z"}))
        self.assertEqual(len(output.records), 5, output.get_formatted_error_message())
        self.assertGreaterEqual(len(server.requests), 3)
        return server.requests

    def test_signature_covers_the_exact_query_and_headers_sent(self):
        for request in self._sync():
            query = request.url.split("?", 1)[1]
            # What went out is encodeURIComponent: no '|', no raw space, no '+', no ':'.
            for raw in ("|", " ", "+", ":"):
                self.assertNotIn(raw, query)
            self.assertIn("%7C", query)
            if "userid" not in query:  # the seek's where holds a date-time with a space
                self.assertIn("%20", query)
            self.assertRegex(request.headers["afdatetimeutc"], TIMESTAMP)
            self.assertEqual(request.headers["Accept"], "text/json")
            self.assertEqual(request.headers["Authorization"], authorization_value(_credentials_from_config()))
            self.assertEqual(signature_of(request), expected_signature(request))
            self.assertNotIn("HostIP", request.headers)

    def test_host_ip_is_sent_and_signed(self):
        for request in self._sync(host_ip=HOST_IP):
            self.assertEqual(request.headers["HostIP"], HOST_IP)
            self.assertEqual(signature_of(request), expected_signature(request))
            # ... and the HostIP field really is part of the message.
            without = sign(SECRET, method="GET", host_ip=None, accept="text/json",
                           authorization=request.headers["Authorization"],
                           timestamp=request.headers["afdatetimeutc"], var_string=request.url.split("?", 1)[1])
            self.assertNotEqual(signature_of(request), without)

    def test_without_host_ip_the_field_is_left_out_entirely(self):
        request = self._sync()[0]
        query = request.url.split("?", 1)[1]
        # An empty HostIP field would add a '+' to the message: that must not be signed.
        with_empty = sign(SECRET, method="GET", host_ip=None, accept="text/json",
                          authorization=request.headers["Authorization"],
                          timestamp=request.headers["afdatetimeutc"], var_string=query)
        self.assertEqual(signature_of(request), with_empty)
        import hashlib
        import hmac

        message = "+".join(["GET", "", "", "text/json", request.headers["Authorization"],
                            request.headers["afdatetimeutc"], query])
        wrong = hmac.new(SECRET.encode(), message.encode(), hashlib.sha512).hexdigest()
        self.assertNotEqual(signature_of(request), wrong)


def _credentials_from_config() -> Credentials:
    creds = zone_config()["credentials"]
    return Credentials(auth_type="hmac", u_encoded=creds["u_encoded"], p_encoded=creds["p_encoded"],
                       org_encoded=creds["org_encoded"], secret_key=creds["secret_key"])


class RetryIsResignedTest(unittest.TestCase):
    """A retried request carries a new afdatetimeutc and a signature over it."""

    def _retry(self, first_answer):
        with freeze_time("2024-05-13T23:14:15.000Z") as clock, requests_mock.Mocker() as m, \
                mock.patch("time.sleep", side_effect=lambda s: clock.tick(timedelta(seconds=s))) as sleep:
            server = ZoneServer(m, data={"payments": [payment(1), payment(2)]}, script={1: first_answer})
            output = _read(zone_config(), stream="payments")
        self.assertEqual([r.record.data["id"] for r in output.records], ["PAY0001==", "PAY0002=="],
                         output.get_formatted_error_message())
        first, second = server.requests[0], server.requests[1]
        self.assertEqual(first.url, second.url)  # the same request, asked again
        t1 = _parse_afdatetime(first.headers["afdatetimeutc"])
        t2 = _parse_afdatetime(second.headers["afdatetimeutc"])
        waited = sum(call.args[0] for call in sleep.call_args_list)
        self.assertGreater(waited, 0)
        self.assertAlmostEqual((t2 - t1).total_seconds(), waited, delta=0.002)
        for request in (first, second):
            self.assertEqual(signature_of(request), expected_signature(request))
        self.assertNotEqual(signature_of(first), signature_of(second))

    def test_http_500_then_success(self):
        self._retry(answer({"error": "boom"}, status_code=500))

    def test_status_6_then_success(self):
        self._retry(answer(status_body(6, "Rate limit exceeded (per second)")))


class SignedAfterPacerWaitTest(unittest.TestCase):
    """A request that waited for the shared pacer is signed when it leaves, not before."""

    def test_on_release_resigns_after_the_wait(self):
        with freeze_time("2024-05-13T23:14:15.000Z") as clock:
            def sleep(seconds):
                clock.tick(timedelta(seconds=seconds))

            signer = ZoneHmacAuth(_credentials())
            pacer = Pacer(1, None, on_release=signer, clock=lambda: datetime.now(timezone.utc).timestamp(),
                          sleep=sleep)
            first = signer(requests.Request("GET", BASE_URL + "?zone=users&page=1").prepare())
            second = signer(requests.Request("GET", BASE_URL + "?zone=users&page=2").prepare())
            prepared_at = _parse_afdatetime(second.headers["afdatetimeutc"])
            pacer.acquire_call(first)
            pacer.acquire_call(second)  # waits 1.1 s for the one-a-second window
        signed_at = _parse_afdatetime(second.headers["afdatetimeutc"])
        self.assertAlmostEqual((signed_at - prepared_at).total_seconds(), 1.1, delta=0.002)
        self.assertEqual(signature_of(second), expected_signature(second))

    def test_in_a_sync_every_request_is_signed_when_sent(self):
        sent_at = []
        with freeze_time("2024-05-13T23:14:15.000Z") as clock, requests_mock.Mocker() as m:
            def sleep(seconds):
                clock.tick(timedelta(seconds=seconds))

            paced = functools.partial(Pacer, clock=lambda: datetime.now(timezone.utc).timestamp(), sleep=sleep)
            server = ZoneServer(m, data={"suppliers": [supplier(i, f"2018-10-{10 + i:02d} 13:30:19.58") for i in range(3)]},
                                on_request=lambda request: sent_at.append(datetime.now(timezone.utc)))
            with mock.patch.object(sync, "Pacer", paced):
                output = _read(zone_config(max_records_per_page=2, requests_per_second=1), stream="suppliers")
        self.assertEqual(len(output.records), 3, output.get_formatted_error_message())
        self.assertEqual(len(server.requests), 2)
        # The second request waited for the pacer; its timestamp is the moment it left.
        stamps = [_parse_afdatetime(request.headers["afdatetimeutc"]) for request in server.requests]
        self.assertEqual(stamps, [moment.replace(microsecond=moment.microsecond // 1000 * 1000) for moment in sent_at])
        self.assertGreaterEqual((stamps[1] - stamps[0]).total_seconds(), 1.1)
        for request in server.requests:
            self.assertEqual(signature_of(request), expected_signature(request))


if __name__ == "__main__":
    unittest.main()
