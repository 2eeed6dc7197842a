"""What a zone read asks for — zone, where, order, join, page, pageSize — in each kind of sync, and
how it reads status-0 answers. Every request is compared with `zone_request(...)`, the query it
should send; the clock is frozen where a request depends on it.

NOW is 2024-06-01T12:00:00Z: 22:00 on 1 June in Melbourne (AEST, +10), the site's default zone.
"""

from __future__ import annotations

import unittest

from freezegun import freeze_time

from .zone_builders import (
    answer,
    client,
    feed_entry,
    invoice,
    ok_body,
    payment,
    quote,
    records_of,
    run,
    state_of,
    states,
    supplier,
    task,
    user,
    zone_config,
    zone_request,
)

NOW = "2024-06-01T12:00:00Z"
ID_WHERE = {"users": "userid", "payments": "paymentid", "suppliers": "supplierid"}


def dataset(n: int = 3) -> dict:
    return {
        "users": [user(i, f"2023/05/{10 + i:02d} 08:00:00") for i in range(n)],
        "payments": [payment(i, f"2023/12/{10 + i:02d}") for i in range(n)],
        "suppliers": [supplier(i, f"2018-10-{10 + i:02d} 13:30:19.58") for i in range(n)],
    }


def every_record(zone: str, page: int, size: int = 500):
    """A page of a read of every record: `id != 0` turns AroFlo's 30-day default filter off and,
    unlike a date, matches records whose dates are blank."""
    return zone_request(zone).where(ID_WHERE[zone], "!=", "0").page(page).size(size)


def ids(output, stream=None) -> list:
    return [r.get("id") for r in records_of(output, stream)]


class FullRefreshTest(unittest.TestCase):
    def test_a_full_refresh_pages_by_number_through_a_where_that_matches_every_record(self):
        for stream in ("users", "payments", "suppliers"):
            with self.subTest(stream=stream):
                config = zone_config(max_records_per_page=2, initial_sync_days=1)  # must not narrow it
                server, output = run(config, stream, data=dataset())
                self.assertEqual(len(output.records), 3, output.get_formatted_error_message())
                self.assertEqual(server.asked, [every_record(stream, 1, 2), every_record(stream, 2, 2)])

    def test_the_change_feed_zone_is_read_in_full_after_a_date_before_any_record(self):
        data = {"lastupdate": [feed_entry("quotes", "Q1==", "2024/05/01 10:00:00")]}
        server, output = run(zone_config(), "lastupdate", data=data)
        self.assertEqual(server.asked, [zone_request("lastupdate").where("lastupdateutc", ">", "1900-01-01 00:00:00")
                                        .page(1).size(500)])
        self.assertEqual([(r["zonename"], r["zoneid"], r["updated_at"]) for r in records_of(output)],
                         [("quotes", "Q1==", "2024-05-01T10:00:00Z")])

    def test_a_zone_that_documents_no_where_field_is_read_without_one(self):
        server, output = run(zone_config(), "userposition",
                             data={"userposition": [{"positionid": "P1==", "positionname": "Tech"}]})
        self.assertEqual(server.asked, [zone_request("userposition").page(1).size(500)])
        self.assertEqual([r["positionid"] for r in records_of(output)], ["P1=="])

    def test_a_zones_own_joins_are_asked_on_every_page(self):
        data = {"invoices": [invoice(i) for i in range(3)]}
        server, _ = run(zone_config(max_records_per_page=2), "invoices", data=data)
        self.assertEqual(server.asked, [
            zone_request("invoices").where("invoiceid", "!=", "0").join("lineitems", "task").page(1).size(2),
            zone_request("invoices").where("invoiceid", "!=", "0").join("lineitems", "task").page(2).size(2)])

    def test_a_child_stream_selected_alone_reads_its_parent_zone_with_the_join_it_needs(self):
        data = {"tasks": [task(1, customfields=[{"fieldid": "F1==", "name": "Shirt", "type": "text", "value": "L"}])]}
        server, output = run(zone_config(), "tasks_customfields", data=data)
        self.assertEqual(server.asked, [zone_request("tasks").where("taskid", "!=", "0").join("tasktotals", "customfields")
                                        .page(1).size(500)])
        self.assertEqual([(r["taskid"], r["fieldid"], r["value"]) for r in records_of(output, "tasks_customfields")],
                         [("T0001==", "F1==", "L")])
        self.assertEqual(records_of(output, "tasks"), [])  # not selected: not emitted

    def test_a_full_refresh_returns_records_whose_dates_are_blank(self):
        data = {"users": [user(0), user(1, " "), user(2, "")], "payments": [payment(0), payment(1, "")]}
        for stream, count in (("users", 3), ("payments", 2)):
            with self.subTest(stream=stream):
                _, output = run(zone_config(), stream, data=data)
                self.assertEqual(len(output.records), count, output.get_formatted_error_message())

    def test_unset_page_size_is_500(self):
        server, _ = run(zone_config(), "payments", data=dataset())
        self.assertEqual(server.asked, [every_record("payments", 1, 500)])  # 3 < 500: the first page was the last

    def test_page_size_above_500_is_clamped_with_a_warning(self):
        server, output = run(zone_config(max_records_per_page=800), "users", data=dataset())
        self.assertEqual(server.asked, [every_record("users", 1, 500)])
        warnings = [m.log.message for m in output.logs if m.log.level.name in ("WARN", "WARNING")]
        self.assertIn("max_records_per_page=800 is above the zone API's maximum of 500 records a page; using 500",
                      warnings)


@freeze_time(NOW)
class FirstIncrementalSyncTest(unittest.TestCase):
    """A first sync reads every record (AroFlo's date filters cannot see blank dates), newest first
    where the zone can be ordered by a date, and keeps as its state where the next sync looks from."""

    def test_a_seek_zone_reads_newest_first_and_its_first_page_gives_the_state(self):
        config = zone_config(max_records_per_page=2, start_date="2020-01-01")
        server, output = run(config, "users", "incremental", data=dataset())
        newest_first = zone_request("users").where("userid", "!=", "0").order("lastupdateddatetimeutc", "desc")
        self.assertEqual(server.asked, [
            newest_first.page(1).size(2),
            # a read of more than one page asks the zone's oldest date once (how long the read takes)
            zone_request("users").where("lastupdateddatetimeutc", ">", "1900-01-01").order("lastupdateddatetimeutc", "asc")
            .page(1).size(1),
            newest_first.page(2).size(2)])
        self.assertEqual(ids(output), ["U0002==", "U0001==", "U0000=="])
        self.assertEqual(state_of(output, "users"), {"updated_at": "2023-05-12T08:00:00Z"})

    def test_a_date_zone_reads_newest_first_on_its_date_and_keeps_when_it_read(self):
        data = {"timesheets": [{"timesheetid": f"TS{i}==", "workdate": f"2024/05/{10 + i:02d}"} for i in range(3)]}
        server, output = run(zone_config(), "timesheets", "incremental", data=data)
        self.assertEqual(server.asked, [zone_request("timesheets").where("timesheetid", "!=", "0")
                                        .order("workdate", "desc").page(1).size(500)])
        self.assertEqual([r["timesheetid"] for r in records_of(output)], ["TS2==", "TS1==", "TS0=="])
        self.assertTrue(all(r["read_at"] == NOW for r in records_of(output)))
        self.assertEqual(state_of(output, "timesheets"), {"read_at": NOW, "window_at": NOW})

    def test_zones_whose_records_have_a_date_read_newest_first_on_it(self):
        # AroFlo's documented order fields for the date zones (the seek zones order on their cursor).
        dates = {"timesheets": ("timesheetid", "workdate"), "schedules": ("scheduleid", "startdatetime"),
                 "clientnotes": ("noteid", "dateposted"), "trackingcentres": ("trackingcentreid", "date_created")}
        for zone, (id_where, newest) in dates.items():
            with self.subTest(zone=zone):
                server, _ = run(zone_config(), zone, "incremental", data={zone: []})
                self.assertEqual(server.asked, [zone_request(zone).where(id_where, "!=", "0").order(newest, "desc")
                                                .page(1).size(500)])

    def test_payments_keep_the_day_of_the_sync_as_their_payment_date_state(self):
        server, output = run(zone_config(max_records_per_page=2), "payments", "incremental", data=dataset())
        self.assertEqual(server.asked, [every_record("payments", 1, 2), every_record("payments", 2, 2)])
        self.assertEqual(len(output.records), 3)
        self.assertEqual(state_of(output, "payments"), {"payment_date": "2024-06-01", "read_at": NOW, "window_at": NOW})

    def test_a_feed_zone_keeps_the_feeds_newest_change_as_its_state(self):
        data = {"quotes": [quote(i) for i in range(2)],
                "lastupdate": [feed_entry("quotes", "Q0001==", "2024/05/31 10:00:00"),
                               feed_entry("tasks", "T0001==", "2024/05/31 13:00:00"),
                               feed_entry("quotes", "Q0000==", "2024/05/31 13:00:00")]}
        server, output = run(zone_config(), ["quotes", "quotes_lines"], "incremental", data=data)
        self.assertEqual(server.asked, [
            # the feed's newest entries (free of the daily limit): the state once the zone is read
            zone_request("lastupdate").where("lastupdateutc", ">", "1900-01-01 00:00:00").order("lastupdateutc", "desc")
            .page(1).size(10),
            zone_request("quotes").where("quoteid", "!=", "0").join("lineitems").page(1).size(500)])
        self.assertEqual([r["quoteid"] for r in records_of(output, "quotes")], ["Q0000==", "Q0001=="])
        # Q0000's change at that instant is in this read: the next sync does not fetch it again.
        self.assertEqual(state_of(output, "quotes"), {"updated_at": "2024-05-31T13:00:00Z", "ids_at_cursor": ["Q0000=="]})
        self.assertEqual(state_of(output, "quotes_lines"), state_of(output, "quotes"))

    def test_a_zone_with_no_change_signal_is_read_in_full_and_stamped_with_the_syncs_start(self):
        data = {"tasktypes": [{"tasktypeid": "TT1==", "tasktype": "Service"}]}
        server, output = run(zone_config(), "tasktypes", "incremental", data=data)
        self.assertEqual(server.asked, [zone_request("tasktypes").page(1).size(500)])
        self.assertEqual([r["read_at"] for r in records_of(output)], [NOW])
        self.assertEqual(state_of(output, "tasktypes"), {"read_at": NOW})

    def test_a_first_sync_delivers_what_changed_since_start_date_and_blank_cursors(self):
        data = {"users": [user(1, "2024/02/28 10:00:00"), user(2, "2024/03/02 10:00:00"), user(3, " ")]}
        server, output = run(zone_config(start_date="2024-03-01"), "users", "incremental", data=data)
        self.assertEqual(sorted(ids(output)), ["U0002==", "U0003=="])  # not the one changed before start_date
        state = state_of(output, "users")
        self.assertEqual(state, {"updated_at": "2024-03-02T10:00:00Z"})
        # The next sync seeks from that state.
        server, _ = run(zone_config(start_date="2024-03-01"), "users", "incremental", states(users=state), data)
        self.assertEqual(server.asked_of("users"), [
            zone_request("users").where("lastupdateddatetimeutc", ">", "2024-03-02 09:59:59")
            .order("lastupdateddatetimeutc", "asc").page(1).size(500)])


@freeze_time(NOW)
class LaterIncrementalSyncTest(unittest.TestCase):
    def test_a_seek_starts_one_second_before_the_state_so_equal_timestamps_are_read_again(self):
        data = {"users": [user(1, "2024/01/10 09:59:59"), user(2, "2024/01/10 10:00:00"), user(3, "2024/01/11 00:00:00")]}
        server, output = run(zone_config(), "users", "incremental", states(users={"updated_at": "2024-01-10T10:00:00Z"}),
                             data)
        self.assertEqual(server.asked_of("users"), [
            zone_request("users").where("lastupdateddatetimeutc", ">", "2024-01-10 09:59:59")
            .order("lastupdateddatetimeutc", "asc").page(1).size(500)])
        self.assertEqual(ids(output), ["U0002==", "U0003=="])
        self.assertEqual(state_of(output, "users"), {"updated_at": "2024-01-11T00:00:00Z"})

    def test_the_lookback_window_moves_a_seek_back(self):
        server, _ = run(zone_config(lookback_window_minutes=30), "users", "incremental",
                        states(users={"updated_at": "2024-01-10T10:00:00Z"}), dataset())
        self.assertEqual(server.asked_of("users")[0].wheres, [("lastupdateddatetimeutc", ">", "2024-01-10 09:29:59")])

    def test_a_date_zone_reads_from_the_day_before_its_last_sync_when_its_window_was_read_today(self):
        read = "2024-06-01T06:00:00Z"  # 16:00 on 1 June in Melbourne
        incoming = {"payment_date": "2024-06-01", "read_at": read, "window_at": read}
        server, output = run(zone_config(), "payments", "incremental", states(payments=incoming),
                             {"payments": [payment(1, "2024/05/30"), payment(2, "2024/05/31"), payment(3, "2024/06/01")]})
        # `>` the day before the day before the last sync: records dated 31 May on.
        self.assertEqual(server.asked_of("payments"), [zone_request("payments").where("datepaid", ">", "2024-05-30")
                                                       .page(1).size(500)])
        self.assertEqual(ids(output), ["PAY0002==", "PAY0003=="])
        self.assertEqual(state_of(output, "payments"), {"payment_date": "2024-06-01", "read_at": NOW, "window_at": read})

    def test_a_date_zone_reads_its_re_read_window_once_a_day(self):
        yesterday = "2024-05-31T10:00:00Z"
        for days, since in ((31, "2024-04-30"), (7, "2024-05-24")):
            with self.subTest(re_read_window_days=days):
                incoming = {"read_at": yesterday, "window_at": yesterday}
                server, output = run(zone_config(re_read_window_days=days), "timesheets", "incremental",
                                     states(timesheets=incoming), {"timesheets": []})
                # Melbourne's today (1 June) less the window: `>` the day before it.
                self.assertEqual(server.asked_of("timesheets"), [zone_request("timesheets").where("workdate", ">", since)
                                                                 .page(1).size(500)])
                self.assertEqual(state_of(output, "timesheets"), {"read_at": NOW, "window_at": NOW})

    def test_a_date_zone_with_a_date_time_field_asks_from_the_start_of_the_day(self):
        incoming = {"read_at": "2024-06-01T06:00:00Z", "window_at": "2024-06-01T06:00:00Z"}
        server, _ = run(zone_config(), "schedules", "incremental", states(schedules=incoming), {"schedules": []})
        # the last second of the day before the day before the last sync: from 31 May 00:00:00 on
        self.assertEqual(server.asked_of("schedules"), [zone_request("schedules")
                                                        .where("startdatetime", ">", "2024-05-30 23:59:59").page(1).size(500)])

    def test_a_zone_with_no_change_signal_is_not_read_before_refresh_hours_have_passed(self):
        data = {"tasktypes": [{"tasktypeid": "TT1==", "tasktype": "Service"}]}
        incoming = {"read_at": "2024-06-01T00:00:00Z"}  # 12 hours ago
        server, output = run(zone_config(), "tasktypes", "incremental", states(tasktypes=incoming), data)
        self.assertEqual(server.asked_of("tasktypes"), [])
        self.assertEqual(output.records, [])
        self.assertEqual(state_of(output, "tasktypes"), incoming)
        self.assertTrue(any("tasktypes (not due: read in full again after 2024-06-02 00:00 UTC)" in m.log.message
                            for m in output.logs))
        server, output = run(zone_config(refresh_hours=12), "tasktypes", "incremental", states(tasktypes=incoming), data)
        self.assertEqual(server.asked_of("tasktypes"), [zone_request("tasktypes").page(1).size(500)])
        self.assertEqual(state_of(output, "tasktypes"), {"read_at": NOW})

    def test_changed_records_of_a_feed_zone_are_fetched_one_id_a_request_in_change_order(self):
        data = {"quotes": [quote(i) for i in range(4)],
                "lastupdate": [feed_entry("quotes", "Q0002==", "2024/05/31 11:00:00"),
                               feed_entry("quotes", "Q0001==", "2024/05/31 10:00:00")]}
        server, output = run(zone_config(), "quotes", "incremental", states(quotes={"updated_at": "2024-05-31T00:00:00Z"}),
                             data)
        self.assertEqual(server.asked, [
            zone_request("lastupdate").where("lastupdateutc", ">", "2024-05-30 23:59:59").order("lastupdateutc", "asc")
            .page(1).size(500),
            # AroFlo's single-id budget: one id, page 1, no pageSize
            zone_request("quotes").where("quoteid", "=", "Q0001==").join("lineitems").page(1),
            zone_request("quotes").where("quoteid", "=", "Q0002==").join("lineitems").page(1)])
        self.assertEqual([(r["quoteid"], r["updated_at"]) for r in records_of(output)],
                         [("Q0001==", "2024-05-31T10:00:00Z"), ("Q0002==", "2024-05-31T11:00:00Z")])
        self.assertEqual(state_of(output, "quotes"), {"updated_at": "2024-05-31T11:00:00Z", "ids_at_cursor": ["Q0002=="]})

    def test_without_single_id_requests_changed_records_are_fetched_up_to_fifty_a_request(self):
        data = {"quotes": [quote(i) for i in range(4)],
                "lastupdate": [feed_entry("quotes", f"Q000{i}==", f"2024/05/31 1{i}:00:00") for i in range(3)]}
        server, output = run(zone_config(single_id_requests_per_sync=0), "quotes", "incremental",
                             states(quotes={"updated_at": "2024-05-31T00:00:00Z"}), data)
        self.assertEqual(server.asked_of("quotes"), [
            zone_request("quotes").where("quoteid", "IN", "Q0000==*Q0001==*Q0002==").join("lineitems").page(1).size(3)])
        self.assertEqual([r["quoteid"] for r in records_of(output)], ["Q0000==", "Q0001==", "Q0002=="])
        # encodeURIComponent on the wire: "=" encoded, "*" kept
        self.assertIn("where=and%7Cquoteid%7CIN%7CQ0000%3D%3D*Q0001%3D%3D*Q0002%3D%3D", server.requests[-1].url)

    def test_a_changed_id_that_no_longer_comes_back_becomes_a_deletion_record(self):
        data = {"quotes": [quote(1)],
                "lastupdate": [feed_entry("quotes", "Q0001==", "2024/05/31 10:00:00"),
                               feed_entry("quotes", "Q0009==", "2024/05/31 11:00:00")]}
        _, output = run(zone_config(), "quotes", "incremental", states(quotes={"updated_at": "2024-05-31T00:00:00Z"}),
                        data)
        rows = {r["quoteid"]: r for r in records_of(output)}
        self.assertIsNone(rows["Q0001=="].get("_ab_cdc_deleted_at"))
        self.assertEqual(rows["Q0009=="], {"quoteid": "Q0009==", "updated_at": "2024-05-31T11:00:00Z",
                                           "_ab_cdc_deleted_at": "2024-05-31T11:00:00Z"})

    def test_a_deletion_the_feed_announces_is_emitted_without_a_request(self):
        data = {"clients": [client(1)],
                "lastupdate": [feed_entry("clients", "C0001==", "2024/05/31 12:00:00", deleted=True)]}
        server, output = run(zone_config(), "clients", "incremental", states(clients={"updated_at": "2024-05-31T00:00:00Z"}),
                             data)
        self.assertEqual(server.asked_of("clients"), [])
        self.assertEqual(records_of(output), [{"clientid": "C0001==", "updated_at": "2024-05-31T12:00:00Z",
                                               "_ab_cdc_deleted_at": "2024-05-31T12:00:00Z"}])
        self.assertEqual(state_of(output, "clients"), {"updated_at": "2024-05-31T12:00:00Z"})

    def test_a_zone_with_its_own_update_time_seeks_when_that_costs_fewer_requests_than_fetching(self):
        changes = [feed_entry("tasks", f"T{i:04d}==", f"2024/05/31 {i % 24:02d}:{i // 24:02d}:00") for i in range(60)]
        data = {"tasks": [task(i, f"2024/05/31 {i % 24:02d}:{i // 24:02d}:00") for i in range(60)], "lastupdate": changes}
        server, output = run(zone_config(single_id_requests_per_sync=0), "tasks", "incremental",
                             states(tasks={"updated_at": "2024-05-30T00:00:00Z"}), data)
        # 60 changes: one seek of 500 instead of two requests of 50 ids
        self.assertEqual(server.asked_of("tasks"), [
            zone_request("tasks").where("lastupdateddatetimeutc", ">", "2024-05-29 23:59:59")
            .order("lastupdateddatetimeutc", "asc").join("tasktotals").page(1).size(500)])
        self.assertEqual(len(output.records), 60)
        self.assertEqual(state_of(output, "tasks"), {"updated_at": "2024-05-31T23:01:00Z"})  # the feed's newest (T0047)

    def test_a_zone_the_sites_feed_carries_is_read_through_the_feed_and_remembers_it(self):
        data = {"users": [user(1, "2024/05/31 10:00:00")], "lastupdate": [feed_entry("users", "U0001==", "2024/05/31 10:00:00")]}
        server, output = run(zone_config(), "users", "incremental", states(users={"updated_at": "2024-05-31T00:00:00Z"}),
                             data)
        self.assertEqual(server.asked_of("users"), [zone_request("users").where("userid", "=", "U0001==").page(1)])
        self.assertEqual(ids(output), ["U0001=="])
        self.assertEqual(state_of(output, "users"),
                         {"updated_at": "2024-05-31T10:00:00Z", "ids_at_cursor": ["U0001=="], "feed": True})


class ResponseReadingTest(unittest.TestCase):
    def test_last_page_is_the_one_below_the_page_size(self):
        for n, pages in ((5, [1, 2, 3]), (4, [1, 2, 3]), (1, [1])):
            with self.subTest(records=n):
                data = {"suppliers": [supplier(i, f"2018-10-{10 + i:02d} 13:30:19.58") for i in range(n)]}
                server, output = run(zone_config(max_records_per_page=2), "suppliers", data=data)
                self.assertEqual(server.asked, [every_record("suppliers", page, 2) for page in pages])
                self.assertEqual(len(output.records), n)

    def test_max_page_results_as_number_or_string(self):
        for as_string in (True, False):
            with self.subTest(as_string=as_string):
                server, output = run(zone_config(max_records_per_page=2), "users", data=dataset(),
                                     max_as_string=as_string)
                self.assertEqual(sorted(ids(output)), ["U0000==", "U0001==", "U0002=="])
                self.assertEqual(len(server.requests), 2)

    def test_records_come_from_zoneresponse_of_the_zone(self):
        decoy = ok_body("payments", [payment(7)])
        decoy["zoneresponse"]["users"] = [user(9)]  # another zone's list must be ignored
        server, output = run(zone_config(), "payments", data=dataset(), script={1: answer(decoy)})
        self.assertEqual(ids(output), ["PAY0007=="])

    def test_no_list_when_nothing_matches_means_no_records(self):
        body = ok_body("users", [])
        del body["zoneresponse"]["users"]
        server, output = run(zone_config(), "users", data=dataset(), script={1: answer(body)})
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
                             states(users={"updated_at": "2022-01-01T00:00:00Z"}), data)
        got = ids(output)
        self.assertEqual(sorted(got), sorted(u["userid"] for u in data["users"]))
        self.assertEqual(len(got), len(set(got)))
        self.assertEqual(state_of(output, "users"), {"updated_at": "2023-01-01T00:00:04Z"})
        seeks = server.asked_of("users")
        self.assertEqual(seeks[:2], [
            zone_request("users").where("lastupdateddatetimeutc", ">", "2021-12-31 23:59:59")
            .order("lastupdateddatetimeutc", "asc").page(1).size(2),
            # from the last cursor of page 1 (inclusive: one second earlier)
            zone_request("users").where("lastupdateddatetimeutc", ">", "2023-01-01 00:00:01")
            .order("lastupdateddatetimeutc", "asc").page(1).size(2)])


if __name__ == "__main__":
    unittest.main()
