"""What a zone read asks for (zone, where, order, page, pageSize) and how it reads status-0 answers."""

from __future__ import annotations

import unittest

import requests_mock
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome
from airbyte_cdk.test.state_builder import StateBuilder

from source_aroflo.source import SourceAroflo

from .zone_builders import (
    ZoneServer,
    answer,
    catalog,
    ok_body,
    payment,
    query_of,
    query_pairs,
    records_of,
    supplier,
    user,
    zone_config,
)

WHERE_FIELDS = {"users": "lastupdateddatetimeutc", "payments": "datepaid", "suppliers": "datetimeinserted"}


def dataset(n: int = 3) -> dict:
    return {
        "users": [user(i, f"2023/05/{10 + i:02d} 08:00:00") for i in range(n)],
        "payments": [payment(i, f"2023/12/{10 + i:02d}") for i in range(n)],
        "suppliers": [supplier(i, f"2018-10-{10 + i:02d} 13:30:19.58") for i in range(n)],
    }


def run(config, stream, mode="full_refresh", state=None, data=None, failure=False, **server_args):
    with requests_mock.Mocker() as m:
        server = ZoneServer(m, data=dataset() if data is None else data, **server_args)
        output = entrypoint_wrapper.read(
            SourceAroflo(), config, catalog(stream, mode), state,
            expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION if failure else ExpectedOutcome.EXPECT_SUCCESS,
        )
    return server, output


def where_bound(request) -> str:
    wheres = query_of(request)["where"]
    assert len(wheres) == 1, wheres
    conjunction, field, op, value = wheres[0].split("|")
    assert (conjunction, op) == ("and", ">"), wheres[0]
    return field, value


ID_FIELDS = {"users": "userid", "payments": "paymentid", "suppliers": "supplierid"}


class RequestShapeTest(unittest.TestCase):
    def test_a_full_refresh_pages_by_number_through_a_where_that_matches_every_record(self):
        # Any `where` turns AroFlo's 30-day default filter off; `id != 0` matches every record
        # whatever its dates (a blank date is NULL to AroFlo, and `> 1900-01-01` would drop it).
        for stream in ("users", "payments", "suppliers"):
            with self.subTest(stream=stream):
                config = zone_config(max_records_per_page=2, initial_sync_days=1)  # must not narrow it
                server, output = run(config, stream)
                self.assertEqual(len(output.records), 3, output.get_formatted_error_message())
                self.assertEqual([query_of(r)["page"] for r in server.requests], ["1", "2"])
                for request in server.requests:
                    names = [k for k, _ in query_pairs(request)]
                    self.assertEqual(names, ["zone", "where", "page", "pageSize"])
                    q = query_of(request)
                    self.assertEqual((q["zone"], q["pageSize"]), (stream, "2"))
                    self.assertEqual(q["where"], [f"and|{ID_FIELDS[stream]}|!=|0"])

    def test_a_full_refresh_returns_records_whose_dates_are_blank(self):
        data = {"users": [user(0), user(1, " "), user(2, "")], "payments": [payment(0), payment(1, "")]}
        for stream, count in (("users", 3), ("payments", 2)):
            with self.subTest(stream=stream):
                _, output = run(zone_config(), stream, data=data)
                self.assertEqual(len(output.records), count, output.get_formatted_error_message())

    def test_a_first_incremental_read_asks_the_newest_change_then_pages_through_every_record(self):
        # AroFlo's date filters cannot see blank dates, so a first sync reads the zone in full
        # (numbered pages under `id != 0`) after one request for its newest change (the state).
        for stream in ("users", "payments"):
            with self.subTest(stream=stream):
                server, output = run(zone_config(max_records_per_page=2, start_date="2020-01-01"), stream,
                                     "incremental")
                self.assertEqual(len(output.records), 3, output.get_formatted_error_message())
                mark, *pages = server.requests
                self.assertEqual([k for k, _ in query_pairs(mark)], ["zone", "where", "order", "page", "pageSize"])
                self.assertEqual(query_of(mark)["order"], f"{WHERE_FIELDS[stream]}|desc")
                self.assertEqual(query_of(mark)["pageSize"], "10")  # the newest with a time, skipping blanks
                self.assertEqual([query_of(r)["where"] for r in pages], [[f"and|{ID_FIELDS[stream]}|!=|0"]] * 2)
                self.assertEqual([query_of(r)["page"] for r in pages], ["1", "2"])
                cursor = "updated_at" if stream == "users" else "payment_date"
                newest = max(r[cursor] for r in records_of(output))
                self.assertEqual(output.most_recent_state.stream_state.__dict__[cursor], newest)

    def test_unset_page_size_is_500(self):
        server, output = run(zone_config(), "payments")
        self.assertEqual(query_of(server.requests[0])["pageSize"], "500")
        self.assertEqual(len(server.requests), 1)  # 3 < 500: the first page was the last

    def test_page_size_above_500_is_clamped_with_a_warning(self):
        server, output = run(zone_config(max_records_per_page=800), "users")
        self.assertEqual({query_of(r)["pageSize"] for r in server.requests}, {"500"})
        warnings = [m.log.message for m in output.logs if m.log.level.name in ("WARN", "WARNING")]
        self.assertTrue(any("800" in w and "500" in w for w in warnings), warnings)


class IncrementalFilterTest(unittest.TestCase):
    def _users_state(self, value):
        return StateBuilder().with_stream_state("users", {"updated_at": value}).build()

    def _payments_state(self, value):
        return StateBuilder().with_stream_state("payments", {"payment_date": value}).build()

    def test_users_filter_is_one_second_before_state_so_equal_timestamps_are_re_read(self):
        data = {"users": [user(1, "2024/01/10 09:59:59"), user(2, "2024/01/10 10:00:00"), user(3, "2024/01/11 00:00:00")]}
        server, output = run(zone_config(), "users", "incremental", self._users_state("2024-01-10T10:00:00Z"), data)
        self.assertEqual(where_bound(server.requests[0]), ("lastupdateddatetimeutc", "2024-01-10 09:59:59"))
        self.assertEqual([r["id"] for r in records_of(output)], ["U0002==", "U0003=="])
        self.assertEqual(output.most_recent_state.stream_state.updated_at, "2024-01-11T00:00:00Z")

    def test_payments_filter_re_reads_the_whole_last_day(self):
        data = {"payments": [payment(1, "2024/01/09"), payment(2, "2024/01/10"), payment(3, "2024/01/12")]}
        server, output = run(zone_config(), "payments", "incremental", self._payments_state("2024-01-10"), data)
        self.assertEqual(where_bound(server.requests[0]), ("datepaid", "2024-01-09"))
        self.assertEqual([r["id"] for r in records_of(output)], ["PAY0002==", "PAY0003=="])
        self.assertEqual(output.most_recent_state.stream_state.payment_date, "2024-01-12")

    def test_lookback_window_moves_the_filter_back(self):
        server, _ = run(zone_config(lookback_window_minutes=30), "users", "incremental",
                        self._users_state("2024-01-10T10:00:00Z"))
        self.assertEqual(where_bound(server.requests[0])[1], "2024-01-10 09:29:59")
        server, _ = run(zone_config(lookback_window_minutes=1440), "payments", "incremental",
                        self._payments_state("2024-01-10"))
        self.assertEqual(where_bound(server.requests[0])[1], "2024-01-08")

    def test_a_first_incremental_sync_delivers_what_changed_since_start_date_and_blank_cursors(self):
        data = {"users": [user(1, "2024/02/28 10:00:00"), user(2, "2024/03/02 10:00:00"), user(3, " ")],
                "payments": [payment(1, "2024/02/28"), payment(2, "2024/03/01"), payment(3, "")]}
        for stream, cursor in (("users", "updated_at"), ("payments", "payment_date")):
            with self.subTest(stream=stream):
                server, output = run(zone_config(start_date="2024-03-01"), stream, "incremental", data=data)
                delivered = sorted(int(r["id"].rstrip("=")[-4:]) for r in records_of(output))
                self.assertEqual(delivered, [2, 3])  # not the one before start_date
                state = output.most_recent_state.stream_state.__dict__
                self.assertEqual(state, {cursor: max(r[cursor] for r in records_of(output) if r.get(cursor))})
                # The next sync seeks from that state.
                server, _ = run(zone_config(start_date="2024-03-01"), stream, "incremental",
                                StateBuilder().with_stream_state(stream, state).build(), data)
                self.assertEqual(len(server.requests), 1)
                self.assertEqual(where_bound(server.requests[0])[0], WHERE_FIELDS[stream])


class ResponseReadingTest(unittest.TestCase):
    def test_last_page_is_the_one_below_the_page_size(self):
        # suppliers page by number: the page count shows where the reading stopped.
        for n, pages in ((5, ["1", "2", "3"]), (4, ["1", "2", "3"]), (1, ["1"])):
            with self.subTest(records=n):
                data = {"suppliers": [supplier(i, f"2018-10-{10 + i:02d} 13:30:19.58") for i in range(n)]}
                server, output = run(zone_config(max_records_per_page=2), "suppliers", data=data)
                self.assertEqual([query_of(r)["page"] for r in server.requests], pages)
                self.assertEqual(len(output.records), n)

    def test_max_page_results_as_number_or_string(self):
        for as_string in (True, False):
            with self.subTest(as_string=as_string):
                server, output = run(zone_config(max_records_per_page=2), "users", max_as_string=as_string)
                self.assertEqual(sorted(r["id"] for r in records_of(output)), ["U0000==", "U0001==", "U0002=="])
                self.assertEqual(len(server.requests), 2)

    def test_records_come_from_zoneresponse_of_the_zone(self):
        decoy = ok_body("payments", [payment(7)])
        decoy["zoneresponse"]["users"] = [user(9)]  # another zone's list must be ignored
        server, output = run(zone_config(), "payments", script={1: answer(decoy)})
        self.assertEqual([r["id"] for r in records_of(output)], ["PAY0007=="])

    def test_no_list_when_nothing_matches_means_no_records(self):
        body = ok_body("users", [])
        del body["zoneresponse"]["users"]
        server, output = run(zone_config(), "users", script={1: answer(body)})
        self.assertEqual(len(output.records), 0)
        self.assertEqual(len(server.requests), 1)
        self.assertEqual(output.errors, [])

    def test_string_typed_fields_are_converted(self):
        data = {
            "payments": [payment(1, "2023/12/18", amount="296.7600", linkprocessed="TRUE")],
            "users": [user(1, "2023/05/23 23:28:15", archived="TRUE"), user(2, "2023/05/24 01:02:03", archived="false")],
            "suppliers": [supplier(1, "2018-10-16 13:30:19.58")],
        }
        _, out = run(zone_config(), "payments", data=data)
        row = records_of(out)[0]
        self.assertEqual(row["amount"], 296.76)
        self.assertIsInstance(row["amount"], float)
        self.assertEqual(row["surchargeamount"], 0.0)
        self.assertIs(row["linkprocessed"], True)
        self.assertEqual(row["payment_date"], "2023-12-18")
        self.assertEqual(row["datelinkprocessed"], "2023-12-19")
        self.assertEqual(row["invoice_id"], "INV1==")
        self.assertEqual(row["transaction_type"], "invoice")
        self.assertEqual(row["receivedby_userid"], "U0001==")

        _, out = run(zone_config(), "users", data=data)
        rows = {r["id"]: r for r in records_of(out)}
        self.assertEqual(rows["U0001=="]["updated_at"], "2023-05-23T23:28:15Z")
        self.assertEqual(rows["U0001=="]["created_at"], "2020-01-02T03:04:05Z")
        self.assertEqual(rows["U0001=="]["status"], "archived")
        self.assertEqual(rows["U0002=="]["status"], "active")
        self.assertEqual(rows["U0001=="]["role"], "Field Technician")
        self.assertEqual(rows["U0001=="]["department"], "Head Office")

        _, out = run(zone_config(), "suppliers", data=data)
        row = records_of(out)[0]
        self.assertIs(row["postable"], True)
        self.assertEqual(row["created_at"], "2018-10-16T02:30:19.580Z")  # 13:30 in Melbourne (+11:00)
        self.assertEqual(row["contact_person"], "Pat Smith")
        self.assertEqual(row["address"], "1 Main St")
        self.assertEqual(row["status"], "active")

    def test_users_pages_seek_by_cursor_without_loss_or_duplicates(self):
        # Several users share a timestamp across a page boundary.
        stamps = ["2023/01/01 00:00:01", "2023/01/01 00:00:02", "2023/01/01 00:00:02", "2023/01/01 00:00:02",
                  "2023/01/01 00:00:02", "2023/01/01 00:00:03", "2023/01/01 00:00:04"]
        data = {"users": [user(i, s) for i, s in enumerate(stamps)]}
        server, output = run(zone_config(max_records_per_page=2), "users", "incremental",
                             data=data, state=StateBuilder().with_stream_state("users", {"updated_at": "2022-01-01T00:00:00Z"}).build())
        ids = [r["id"] for r in records_of(output)]
        self.assertEqual(sorted(ids), sorted(u["userid"] for u in data["users"]))
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(output.most_recent_state.stream_state.updated_at, "2023-01-01T00:00:04Z")


if __name__ == "__main__":
    unittest.main()


def test_the_change_feed_and_fetch_by_id_requests_are_spelled_as_aroflo_expects() -> None:
    from urllib.parse import parse_qsl

    from source_aroflo.dialects import Ask, ZoneDialect
    from source_aroflo.zones import ZONES_BY_NAME

    zone = ZoneDialect("https://api.aroflo.com/")
    lastupdate, suppliers = ZONES_BY_NAME["lastupdate"], ZONES_BY_NAME["suppliers"]
    feed = zone.path(Ask(lastupdate, 2, 500, seek=True, after="2026-01-01T00:00:00Z", feed=("suppliers",)))
    assert parse_qsl(feed[1:]) == [
        ("zone", "lastupdate"), ("where", "and|zonename|=|suppliers"),
        ("where", "and|lastupdateutc|>|2025-12-31 23:59:59"),  # ">" one second earlier = "at or after"
        ("order", "lastupdateutc|asc"), ("page", "2"), ("pageSize", "500")]
    several = zone.path(Ask(lastupdate, 1, 500, seek=True, after="2026-01-01T00:00:00Z", feed=("quotes", "tasks")))
    assert ("where", "and|zonename|IN|quotes*tasks") in parse_qsl(several[1:])
    newest = zone.path(Ask(lastupdate, 1, 1, seek=True, newest=True, feed=("suppliers",)))
    assert ("order", "lastupdateutc|desc") in parse_qsl(newest[1:]) and ("pageSize", "1") in parse_qsl(newest[1:])
    by_id = zone.path(Ask(suppliers, ids=("JCQ6UwAAAAogCg==", "JCQ6UwAAAAsgCg==")))
    assert parse_qsl(by_id[1:]) == [
        ("zone", "suppliers"), ("where", "and|supplierid|IN|JCQ6UwAAAAogCg==*JCQ6UwAAAAsgCg=="),
        ("page", "1"), ("pageSize", "2")]
    assert "%3D%3D" in by_id and "*" in by_id  # encodeURIComponent: "=" encoded, "*" kept
