"""AroFlo's quota as one sync sees it (`quota.Quota`): the reserve kept for the site's other
integrations, status 7, a login failure that stops everything, what AroFlo's headers say is left,
and a wait an earlier sync left in the state. Then the same in a read: daily-limited reading stops
cleanly while single-id and change-feed reading go on.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests
from freezegun import freeze_time

from source_aroflo.dialects import DAILY, FREE, SINGLE, UNLIMITED
from source_aroflo.quota import Fatal, Quota, QuotaStop

from .zone_builders import (feed_entry, logs_of, quota_headers, quote, records_of, run, state_of, states,
                            statuses_of, user, zone_config, zone_request)

NOW = datetime(2024, 5, 13, 23, 14, 15, tzinfo=timezone.utc)  # 09:14 on 14 May in Melbourne (AEST)
RESET = datetime(2024, 5, 14, 14, 0, tzinfo=timezone.utc)  # 00:00 on 15 May in Melbourne


def answer_with(**headers) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.headers.update(headers)
    return response


def quota(reserve: int = 400, waiting_until=None, now: datetime = NOW) -> Quota:
    return Quota(True, reserve, waiting_until, clock=lambda: now)


def heard_left(q: Quota, daily=None, single=None, stream="users", budget=DAILY, kind="ok") -> None:
    q.heard(stream, budget, answer_with(**quota_headers(daily=daily, single=single)), kind)


# ---- the reserve ---------------------------------------------------------------------------------------
def test_requests_go_while_aroflo_has_not_said_what_is_left():
    q = quota()
    for _ in range(5):
        q.admit(DAILY)
        q.admit(SINGLE)
    assert q.left(DAILY) is None and q.stopped == {}


def test_daily_limited_requests_stop_once_what_is_left_reaches_the_reserve():
    q = quota(reserve=400)
    heard_left(q, daily=402)
    q.admit(DAILY)  # 402 left
    q.admit(DAILY)  # 401 left
    with pytest.raises(QuotaStop) as stop:
        q.admit(DAILY)  # 400 left: the reserve
    assert stop.value.budget == DAILY
    assert "AroFlo reports 400 daily-limited requests left, the reserve kept for the site's other integrations is 400" \
        in stop.value.reason
    with pytest.raises(QuotaStop):
        q.admit(DAILY)  # stopped for the rest of the sync
    q.admit(SINGLE)  # the other budget goes on
    q.admit(FREE)


def test_the_single_id_reserve_is_ten_times_the_daily_one():
    q = quota(reserve=400)
    heard_left(q, single=4001, budget=SINGLE)
    q.admit(SINGLE)
    with pytest.raises(QuotaStop) as stop:
        q.admit(SINGLE)
    assert stop.value.budget == SINGLE and "reserve" in stop.value.reason and "4000" in stop.value.reason
    q.admit(DAILY)


def test_each_answer_says_afresh_what_is_left():
    q = quota(reserve=10)
    heard_left(q, daily=12)
    q.admit(DAILY)
    q.admit(DAILY)
    assert q.left(DAILY) == 10
    heard_left(q, daily=50)  # another answer: AroFlo's own count replaces ours
    assert q.left(DAILY) == 50
    q.admit(DAILY)
    assert q.left(DAILY) == 49


def test_a_reserve_of_zero_spends_the_whole_day():
    q = quota(reserve=0)
    heard_left(q, daily=1)
    q.admit(DAILY)
    with pytest.raises(QuotaStop):
        q.admit(DAILY)


def test_the_feed_and_the_rest_api_are_never_stopped_by_the_quota():
    q = quota()
    heard_left(q, daily=0, single=0)
    q.admit(FREE)
    q.admit(UNLIMITED)


def test_the_limits_aroflo_announces_replace_the_documented_ones_and_odd_headers_are_ignored():
    q = quota()
    q.heard("users", DAILY, answer_with(**{"X-RateLimit-Daily-Remaining": "1500", "X-RateLimit-Daily-Limit": "5000"}),
            "ok")
    assert q.limit[DAILY] == 5000 and q.left(DAILY) == 1500
    q.heard("users", DAILY, answer_with(**{"X-RateLimit-Daily-Remaining": "lots"}), "ok")
    assert q.left(DAILY) == 1500


# ---- status 7 --------------------------------------------------------------------------------------------
def test_status_7_stops_only_the_budget_the_request_spent():
    q = quota()
    q.heard("quotes", SINGLE, answer_with(), "daily_limit")
    with pytest.raises(QuotaStop) as stop:
        q.admit(SINGLE)
    assert stop.value.reason == "AroFlo answered status 7 (daily limit reached)"
    q.admit(DAILY)  # the daily-limited budget is AroFlo's other count
    q.heard("users", DAILY, answer_with(), "daily_limit")
    with pytest.raises(QuotaStop):
        q.admit(DAILY)
    assert set(q.stopped) == {DAILY, SINGLE}


def test_status_7_on_a_request_of_no_budget_stops_the_daily_one():
    q = quota()
    q.heard("change feed", FREE, answer_with(), "daily_limit")
    assert set(q.stopped) == {DAILY}


# ---- a login failure ------------------------------------------------------------------------------------
def test_after_a_login_failure_no_request_of_any_kind_goes():
    q = quota()
    q.fail_all(RuntimeError("bad secret"))
    q.fail_all(RuntimeError("second"))  # the first one is kept
    for budget in (DAILY, SINGLE, FREE, UNLIMITED):
        with pytest.raises(Fatal, match="bad secret"):
            q.admit(budget)


# ---- counting --------------------------------------------------------------------------------------------
def test_what_each_stream_spent_is_counted_and_rejections_are_not():
    q = quota()
    heard_left(q, stream="users")
    heard_left(q, stream="users")
    heard_left(q, stream="quotes", budget=SINGLE)
    heard_left(q, stream="users", kind="rate_limited")
    heard_left(q, stream="change feed", budget=FREE)
    assert q.spent["users"] == {DAILY: 2} and q.spent["quotes"] == {SINGLE: 1}
    assert (q.total(DAILY), q.total(SINGLE), q.total(FREE)) == (2, 1, 1)
    assert q.succeeded
    heard_left(q, daily=1200, single=15000)
    assert q.summary() == ("3 daily-limited, 1 single-id and 1 change-feed requests (no daily limit); AroFlo reports "
                           "1200 daily-limited requests and 15000 single-id requests left today")


def test_no_success_yet_until_an_answer_is_ok():
    q = quota()
    heard_left(q, kind="denied")
    assert not q.succeeded


# ---- a wait an earlier sync left -------------------------------------------------------------------------
def test_a_wait_from_the_state_holds_daily_limited_requests_until_aroflo_says_there_is_quota_again():
    q = quota(waiting_until=RESET)
    with pytest.raises(QuotaStop) as stop:
        q.admit(DAILY)
    assert "an earlier sync stopped at AroFlo's daily quota" in stop.value.reason and "2024-05-14 14:00 UTC" in stop.value.reason
    q.admit(SINGLE)
    heard_left(q, daily=400)  # still at the reserve: keeps waiting
    with pytest.raises(QuotaStop):
        q.admit(DAILY)
    heard_left(q, daily=1990)  # a new day at AroFlo (its clock, not ours)
    q.admit(DAILY)


def test_a_wait_that_has_passed_holds_nothing():
    q = quota(waiting_until=RESET, now=RESET + timedelta(minutes=1))
    q.admit(DAILY)
    assert q.stopped == {}


# ---- what the sync says -----------------------------------------------------------------------------------
@pytest.mark.parametrize("now, reset", [
    (NOW, "2024-05-14 14:00"),  # AEST (+10)
    (datetime(2024, 1, 10, 5, tzinfo=timezone.utc), "2024-01-10 13:00"),  # AEDT (+11)
])
def test_the_quota_resets_at_midnight_in_melbourne(now, reset):
    assert quota(now=now).resets_at.strftime("%Y-%m-%d %H:%M") == reset


def test_one_message_names_the_waiting_streams_the_reset_and_how_long_full_reads_still_need():
    q = quota(reserve=400)
    heard_left(q, daily=400)
    with pytest.raises(QuotaStop):
        q.admit(DAILY)
    q.wait("users", "changes up to 2024-05-01T00:00:00Z")
    q.wait("tasks", "a full read at page 12", pages_left=3000)
    q.wait("invoices", "a full read at page 2", unknown=True)
    text = q.waiting_message()
    assert text.startswith("AroFlo's quota stopped this sync cleanly (daily-limited requests: AroFlo reports 400")
    assert ("go on in the next sync after the quota resets at 00:00 Australia/Melbourne (2024-05-14 14:00 UTC): "
            "invoices (a full read at page 2), tasks (a full read at page 12), users (changes up to "
            "2024-05-01T00:00:00Z).") in text
    # 3,000 requests at 1,600 a day (2,000 less the reserve): 2 more days
    assert "about 3000 requests (tasks ~3000): about 2 more days at 1600 daily-limited requests a day" in text
    assert "How much is left of invoices is unknown" in text
    assert quota().waiting_message() is None


# ---- in a read --------------------------------------------------------------------------------------------
@freeze_time("2024-05-13T23:14:15Z")
def test_the_reserve_stops_daily_limited_reading_cleanly_and_single_id_reading_goes_on():
    data = {"users": [user(1, "2024/05/13 10:00:00")], "quotes": [quote(1)],
            "lastupdate": [feed_entry("quotes", "Q0001==", "2024/05/13 10:00:00")]}
    incoming = states(users={"updated_at": "2024-05-13T00:00:00Z"}, quotes={"updated_at": "2024-05-13T00:00:00Z"})
    # Every answer says 400 daily-limited requests are left: the reserve (400 by default).
    server, output = run(zone_config(), ["users", "quotes"], "incremental", incoming, data,
                         headers=quota_headers(daily=400))
    assert server.asked == [
        zone_request("lastupdate").where("lastupdateutc", ">", "2024-05-12 23:59:59").order("lastupdateutc", "asc")
        .page(1).size(500),
        zone_request("quotes").where("quoteid", "=", "Q0001==").join("lineitems").page(1)]  # single-id: goes on
    assert [r["quoteid"] for r in records_of(output, "quotes")] == ["Q0001=="]
    assert records_of(output, "users") == []
    assert state_of(output, "users") == {"updated_at": "2024-05-13T00:00:00Z", "waiting_until": "2024-05-14T14:00:00Z"}
    assert statuses_of(output, "users") == ["STARTED", "COMPLETE"]
    assert statuses_of(output, "quotes") == ["STARTED", "RUNNING", "COMPLETE"]
    assert output.errors == []
    [warning] = logs_of(output, "WARN")
    assert "AroFlo reports 400 daily-limited requests left, the reserve kept for the site's other integrations is 400" \
        in warning
    assert "00:00 Australia/Melbourne (2024-05-14 14:00 UTC): users (changes up to 2024-05-13T00:00:00Z)" in warning
    assert "quotes" not in warning.split("UTC):")[1]


@freeze_time("2024-05-14T01:00:00Z")
def test_a_stream_waiting_from_an_earlier_sync_goes_on_once_aroflo_says_the_day_turned():
    data = {"users": [user(1, "2024/05/13 10:00:00")]}
    incoming = states(users={"updated_at": "2024-05-13T00:00:00Z", "waiting_until": "2024-05-14T14:00:00Z"})
    server, output = run(zone_config(), "users", "incremental", incoming, data, headers=quota_headers(daily=1990))
    # The free feed, asked first, says 1,990 are left: the wait is over before it began.
    assert [query.zone for query in server.asked] == ["lastupdate", "users"]
    assert [r["id"] for r in records_of(output)] == ["U0001=="]
    assert state_of(output, "users") == {"updated_at": "2024-05-13T10:00:00Z"}


@freeze_time("2024-05-14T01:00:00Z")
def test_a_stream_waiting_from_an_earlier_sync_keeps_waiting_while_aroflo_says_nothing_is_left():
    incoming = states(users={"updated_at": "2024-05-13T00:00:00Z", "waiting_until": "2024-05-14T14:00:00Z"})
    server, output = run(zone_config(), "users", "incremental", incoming, {"users": [user(1)]},
                         headers=quota_headers(daily=12))
    assert server.asked_of("users") == []
    assert state_of(output, "users") == {"updated_at": "2024-05-13T00:00:00Z", "waiting_until": "2024-05-14T14:00:00Z"}
    assert statuses_of(output, "users") == ["STARTED", "COMPLETE"] and output.errors == []


# ---- which budget a request spends ---------------------------------------------------------------------
def _sent(query: str) -> requests.PreparedRequest:
    return requests.Request("GET", f"https://zone.aroflo.test/?{query}").prepare()


@pytest.mark.parametrize("query, budget", [
    ("zone=lastupdate&where=and%7Clastupdateutc%7C%3E%7C2024-05-01%2000%3A00%3A00&page=1&pageSize=500", FREE),
    ("zone=quotes&where=and%7Cquoteid%7C%3D%7CQ1%3D%3D&page=1", SINGLE),  # one record by its id
    ("zone=tasklabours&where=and%7Clabourlineid%7C%3D%7CL1%3D%3D&page=1", SINGLE),  # its id where field
    ("zone=quotes&where=and%7Cquoteid%7CIN%7CQ1%3D%3D*Q2%3D%3D&page=1&pageSize=2", DAILY),  # several ids
    ("zone=quotes&where=and%7Cquoteid%7C%3D%7CQ1*Q2&page=1", DAILY),  # `=` with a list is not one id
    ("zone=quotes&where=and%7Cstatus%7C%3D%7COpen&page=1&pageSize=500", DAILY),  # not the id
    ("zone=users&where=and%7Cuserid%7C!%3D%7C0&page=1&pageSize=500", DAILY),
    ("zone=users&where=and%7Cuserid%7C%3D%7CU1&where=and%7Carchived%7C%3D%7Cfalse&page=1", DAILY),
])
def test_the_budget_a_zone_request_spends_is_read_from_what_it_asks(query, budget):
    from source_aroflo.dialects import ZoneDialect

    assert ZoneDialect.budget_of(_sent(query)) == budget


def test_the_rest_api_has_no_daily_budget():
    from source_aroflo.dialects import RestDialect

    assert RestDialect.budget_of(requests.Request("GET", "https://rest.test/v1/users?page=1").prepare()) == UNLIMITED


def test_a_first_sync_the_daily_limit_stops_resumes_at_its_page_the_next_day():
    from .zone_builders import answer, status_body

    data = {"users": [user(i, f"2024/0{1 + i}/10 08:00:00") for i in range(5)]}
    newest_first = zone_request("users").where("userid", "!=", "0").order("lastupdateddatetimeutc", "desc").size(2)
    with freeze_time("2024-06-01T12:00:00Z"):
        server, first = run(zone_config(max_records_per_page=2, start_date="2024-01-01"), "users", "incremental",
                            data=data, script={3: answer(status_body(7, "Daily API limit reached"))})
    assert server.asked_of("users")[-1] == newest_first.page(2)  # refused: status 7
    assert [r["id"] for r in records_of(first)] == ["U0004==", "U0003=="]  # the newest first
    stopped = state_of(first, "users")
    assert stopped["first_sync"]["page"] == 2 and stopped["first_sync"]["mark"] == "2024-05-10T08:00:00Z"
    assert stopped["waiting_until"] == "2024-06-01T14:00:00Z"
    assert statuses_of(first, "users") == ["STARTED", "RUNNING", "COMPLETE"] and first.errors == []

    with freeze_time("2024-06-02T12:00:00Z"):
        server, second = run(zone_config(max_records_per_page=2, start_date="2024-01-01"), "users", "incremental",
                             states(users=stopped), data)
    assert server.asked == [newest_first.page(2), newest_first.page(3)]  # where it stopped; no page read twice
    assert [r["id"] for r in records_of(second)] == ["U0002==", "U0001==", "U0000=="]
    assert state_of(second, "users") == {"updated_at": "2024-05-10T08:00:00Z"}  # the first day's mark


@freeze_time("2024-06-01T12:00:00Z")
def test_with_the_single_id_budget_at_its_reserve_one_change_is_fetched_from_the_daily_limit():
    """The plan gives a zone no single-id request when AroFlo says that budget is at its reserve:
    even one changed id is then asked as a daily-limited request, and the stream is not held."""
    data = {"quotes": [quote(1)], "lastupdate": [feed_entry("quotes", "Q0001==", "2024/05/31 10:00:00")]}
    server, output = run(zone_config(), "quotes", "incremental", states(quotes={"updated_at": "2024-05-31T00:00:00Z"}),
                         data, headers=quota_headers(daily=1500, single=3000))  # single-id reserve: 4,000
    from source_aroflo.dialects import ZoneDialect

    fetches = [request for request in server.requests if request.asked.zone == "quotes"]
    assert len(fetches) == 1, "the stream was held for the single-id budget"
    assert ZoneDialect.budget_of(fetches[0]) == DAILY, fetches[0].asked
    assert [r["quoteid"] for r in records_of(output)] == ["Q0001=="]
    assert "waiting_until" not in state_of(output, "quotes")
