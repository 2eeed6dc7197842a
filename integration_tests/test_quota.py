"""AroFlo's daily quota, end to end on the sandbox's wire (`python main.py read`, every stream).

What these tests hold the connector to (issue 16):
- the reserve: when what AroFlo says is left reaches `daily_quota_reserve`, daily-limited reading
  stops cleanly — exit 0, state saved with `waiting_until`, one message naming the waiting streams
  and the reset — a rerun the same day spends nothing daily-limited, and after 00:00 Melbourne the
  next sync goes on where it stopped until every record is delivered;
- status 7: no further daily-limited request from any stream, one message;
- two budgets: changed records come one id a request from the single-id budget while it lasts
  (`single_id_requests_per_sync`), 50 a request from the daily limit beyond it;
- windows and the refresh interval: a date zone's new records arrive by the next sync, its
  re-read window once a day; a zone without a change signal is not read again before `refresh_hours`;
- a zone the site's change feed turns out to carry is read through it;
- two readers on one set of keys: per-second rejections are waited out, no stream fails.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from integration_tests.harness import (catalog_from, expected_keys, key_of, past_melbourne_midnight, run_connector,
                                       sandbox_config)

RESERVE = 400


def _kinds(server) -> dict:
    return dict(server.stats()["by_kind"])


def _warnings(run) -> list:
    return [log["message"] for log in run.logs if log["level"] == "WARN"]


def _state_of(run, stream: str) -> dict:
    return run.stream_state(stream) or {}


def _states(*runs) -> list:
    merged = {}
    for run in runs:
        for state in run.final_state():
            merged[state["stream"]["stream_descriptor"]["name"]] = state
    return list(merged.values())


# ---- the reserve ---------------------------------------------------------------------------------
def test_the_sync_stops_at_the_reserve_and_the_next_day_goes_on_where_it_stopped(sandbox, discovered):
    server = sandbox(users=30, suppliers=30, payments=30, zones=30, daily_limit=2000)
    server.spend(daily=2000 - RESERVE - 6)  # other integrations used the day: 6 above the reserve left
    config = sandbox_config(server, "hmac", max_records_per_page=10, start_date="2000-01-01")
    catalog = catalog_from(discovered, "incremental")

    first = run_connector("read", config, catalog=catalog)

    assert first.returncode == 0, first.errors
    assert first.errors == []
    assert _kinds(server).get("daily", 0) == 6  # to the reserve, not one more
    waiting = [w for w in _warnings(first) if "quota stopped this sync cleanly" in w]
    assert len(waiting) == 1 and "00:00 Australia/Melbourne" in waiting[0]
    stopped = [s for s in first.final_state() if "waiting_until" in s["stream"]["stream_state"]]
    assert stopped and all(s["stream"]["stream_descriptor"]["name"] in waiting[0] for s in stopped)

    server.stats_obj.reset()
    again = run_connector("read", config, catalog=catalog, state=first.final_state())
    assert again.returncode == 0 and _kinds(server).get("daily", 0) == 0  # the same day: nothing daily-limited

    runs = [first, again]
    for _ in range(5):  # the next days: every stream finishes
        past_melbourne_midnight(server)
        runs.append(run_connector("read", config, catalog=catalog, state=_states(*runs)))
        assert runs[-1].returncode == 0, runs[-1].errors
        if not any("waiting_until" in s["stream"]["stream_state"] for s in runs[-1].final_state()):
            break
    else:
        pytest.fail("the first sync did not finish in five days")
    for stream in discovered["streams"]:
        name = stream["name"]
        if "_" in name:
            continue  # child streams: their rows have no counterpart in expected_keys
        got = {str(key_of(stream)(r)) for run in runs for r in run.records_of(name)}
        assert got >= {str(k) for k in expected_keys(server, name, "hmac")}, name


def test_status_7_stops_every_stream_without_another_daily_limited_request(sandbox, discovered):
    # Another integration spent the day between two of our requests: AroFlo answers status 7
    # although its last headers still showed quota.
    server = sandbox(users=30, suppliers=30, payments=30, zones=30,
                     faults=[{"fault": "zone_status", "code": 7, "match": {"zone": "assets"}, "times": -1}])
    config = sandbox_config(server, "hmac", max_records_per_page=10)
    streams = ["assets", "clientnotes", "payments", "priorities", "tasktypes", "timesheets", "users"]  # assets first

    run = run_connector("read", config, catalog=catalog_from(discovered, "incremental", streams=streams))

    assert run.returncode == 0 and run.errors == []
    assert server.stats()["faults_fired"] == {"zone_status": 1}  # assets asked once, and nobody after it
    assert server.stats()["by_kind"].get("daily", 0) <= 3  # at most the requests already on their way
    waiting = [w for w in _warnings(run) if "quota stopped this sync cleanly" in w]
    assert len(waiting) == 1 and "status 7" in waiting[0]
    assert {s["stream"]["stream_descriptor"]["name"] for s in run.final_state()
            if "waiting_until" in s["stream"]["stream_state"]} >= {"assets"}


# ---- two budgets ---------------------------------------------------------------------------------
def _first_then_changes(server, discovered, changes: dict, **config_overrides):
    config = sandbox_config(server, "hmac", **config_overrides)
    catalog = catalog_from(discovered, "incremental", streams=list(changes))
    first = run_connector("read", config, catalog=catalog)
    assert first.returncode == 0, first.errors
    for zone, count in changes.items():
        server.dataset.touch(zone, count=count)
    server.stats_obj.reset()
    second = run_connector("read", config, catalog=catalog, state=first.final_state())
    assert second.returncode == 0, second.errors
    return second


def test_changed_records_come_one_id_a_request_from_the_single_id_budget(sandbox, discovered):
    server = sandbox(zones=60)
    changes = {"tasklabours": 3, "quotes": 7, "purchaseorders": 12}
    run = _first_then_changes(server, discovered, changes)
    by_zone = server.stats()["by_zone_kind"]
    for zone, count in changes.items():
        assert by_zone[zone] == {"secondary": count}, zone
        assert len(run.records_of(zone)) == count


def test_beyond_the_single_id_allowance_the_zones_with_most_changes_fetch_50_ids_a_request(sandbox, discovered):
    server = sandbox(zones=120)
    changes = {"tasklabours": 3, "quotes": 7, "purchaseorders": 110}
    run = _first_then_changes(server, discovered, changes, single_id_requests_per_sync=12)
    by_zone = server.stats()["by_zone_kind"]
    assert by_zone["tasklabours"] == {"secondary": 3} and by_zone["quotes"] == {"secondary": 7}
    assert by_zone["purchaseorders"] == {"daily": 3}  # ceil(110 / 50)
    assert len(run.records_of("purchaseorders")) == 110


def test_what_aroflo_says_is_left_of_the_single_id_budget_bounds_the_allowance(sandbox, discovered):
    server = sandbox(zones=60, daily_limit=2000, secondary_daily_limit=20000)
    server.spend(secondary=20000 - 10 * RESERVE - 5)  # 5 single-id requests above their reserve
    changes = {"quotes": 4, "purchaseorders": 9}
    _first_then_changes(server, discovered, changes)
    by_zone = server.stats()["by_zone_kind"]
    assert by_zone["quotes"] == {"secondary": 4}
    assert by_zone["purchaseorders"] == {"daily": 1}


# ---- windows and the refresh interval ------------------------------------------------------------
def _with_state(states: list, stream: str, **changes) -> list:
    out = []
    for state in states:
        if state["stream"]["stream_descriptor"]["name"] == stream:
            state = {**state, "stream": {**state["stream"],
                                         "stream_state": {**state["stream"]["stream_state"], **changes}}}
        out.append(state)
    return out


def _hours_ago(hours: float) -> str:
    return (datetime.now(timezone.utc) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_zone_without_a_change_signal_is_read_again_only_after_refresh_hours(sandbox, discovered):
    server = sandbox(zones=30)
    config = sandbox_config(server, "hmac", refresh_hours=24)
    catalog = catalog_from(discovered, "incremental", streams=["priorities"])
    first = run_connector("read", config, catalog=catalog)
    assert len(first.records_of("priorities")) == 30
    server.stats_obj.reset()
    soon = run_connector("read", config, catalog=catalog, state=first.final_state())
    spent = server.stats()["by_kind"]
    assert soon.records_of("priorities") == [] and spent.get("daily", 0) == spent.get("secondary", 0) == 0
    due = run_connector("read", config, catalog=catalog,
                        state=_with_state(first.final_state(), "priorities", read_at=_hours_ago(25)))
    assert len(due.records_of("priorities")) == 30


def test_a_date_zone_reads_what_is_new_each_sync_and_its_window_once_a_day(sandbox, discovered):
    server = sandbox(zones=40)
    config = sandbox_config(server, "hmac", re_read_window_days=31)
    catalog = catalog_from(discovered, "incremental", streams=["timesheets"])
    first = run_connector("read", config, catalog=catalog)
    assert first.returncode == 0, first.errors
    server.stats_obj.reset()
    hourly = run_connector("read", config, catalog=catalog, state=first.final_state())
    wheres = [e for e in server.stats(log=50)["log"] if "timesheets" in e.get("target", "")]
    assert server.stats()["by_kind"].get("daily") == 1 and wheres
    state = _state_of(hourly, "timesheets")
    assert state["window_at"] == _state_of(first, "timesheets")["window_at"]  # the window waits for its day
    server.stats_obj.reset()
    daily = run_connector("read", config, catalog=catalog,
                          state=_with_state(hourly.final_state(), "timesheets", window_at=_hours_ago(25)))
    assert _state_of(daily, "timesheets")["window_at"] > _hours_ago(1)


# ---- the site's change feed carries a zone -------------------------------------------------------
def test_a_zone_the_sites_feed_carries_is_read_through_it(sandbox, discovered):
    feed = ("tasks", "purchaseorders", "invoices", "clients", "suppliers", "locations", "tasklabours",
            "taskmaterials", "taskexpenses", "quotes", "users")
    server = sandbox(users=40, zones=10, feed_zones=feed)
    config = sandbox_config(server, "hmac")
    catalog = catalog_from(discovered, "incremental", streams=["users", "quotes"])
    first = run_connector("read", config, catalog=catalog)
    server.dataset.touch("users", count=3)
    server.dataset.touch("quotes", count=1)
    second = run_connector("read", config, catalog=catalog, state=first.final_state())
    assert _state_of(second, "users").get("feed") is True
    server.dataset.touch("users", count=2)
    server.stats_obj.reset()
    third = run_connector("read", config, catalog=catalog, state=second.final_state())
    assert server.stats()["by_zone_kind"]["users"] == {"secondary": 2}
    assert len(third.records_of("users")) == 2


# ---- two readers on one set of keys --------------------------------------------------------------
def test_two_readers_on_the_same_keys_wait_out_rejections_and_both_finish(sandbox, discovered):
    server = sandbox(users=60, suppliers=20, payments=60, zones=30, rate_limit_per_second=3,
                     rate_limit_per_minute=120)
    config = sandbox_config(server, "hmac", max_records_per_page=15, requests_per_second=3,
                            requests_per_minute=120)
    streams = ["users", "payments", "priorities", "assets"]
    catalog = catalog_from(discovered, "full_refresh", streams=streams)
    runs = [None, None]

    def read(slot: int) -> None:
        runs[slot] = run_connector("read", config, catalog=catalog, timeout=600)

    threads = [threading.Thread(target=read, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.stats()["rejected_total"] > 0  # they did compete for the keys
    by_name = {s["name"]: s for s in discovered["streams"]}
    for run in runs:
        assert run.returncode == 0 and run.errors == []
        for name in streams:
            got = sorted(str(key_of(by_name[name])(r)) for r in run.records_of(name))
            assert got == sorted(str(k) for k in expected_keys(server, name, "hmac")), name


# ---- a first sync bigger than a day's quota ------------------------------------------------------
def test_a_first_sync_the_quota_stops_delivered_the_newest_first_and_says_how_many_days_are_left(sandbox, discovered):
    server = sandbox(users=200, zones=5, daily_limit=2000)
    server.spend(daily=2000 - RESERVE - 4)  # four requests to the reserve
    config = sandbox_config(server, "hmac", max_records_per_page=20, start_date="2000-01-01")
    catalog = catalog_from(discovered, "incremental", streams=["users"])

    day_one = run_connector("read", config, catalog=catalog)

    assert day_one.returncode == 0 and day_one.errors == []
    got = day_one.records_of("users")
    assert 0 < len(got) < 200
    [message] = [w for w in _warnings(day_one) if "quota stopped this sync cleanly" in w]
    assert "users ~" in message and "more day" in message
    progress = day_one.stream_state("users")["first_sync"]
    assert progress["page"] > 1 and progress["oldest"] <= progress["reached"]

    runs = [day_one]
    for _ in range(3):
        past_melbourne_midnight(server)
        runs.append(run_connector("read", config, catalog=catalog, state=_states(*runs)))
        if "first_sync" not in (runs[-1].stream_state("users") or {}):
            break
    ids = {r["id"] for run in runs for r in run.records_of("users")}
    assert ids == set(server.dataset.ids("users", "zone"))
    later = [r["updated_at"] for run in runs[1:] for r in run.records_of("users") if r["updated_at"]]
    assert max(later) <= min(r["updated_at"] for r in got if r["updated_at"])  # the newest came first
