"""Incremental syncs through AroFlo's change feed (the `lastupdate` zone), end to end.

The feed zones of §5.6 sync incrementally through the feed: a first sync reads them in full,
later syncs read the feed once for all of them (no daily limit) and fetch the changed records
by id, 50 a request. What these tests hold the connector to, on the sandbox's wire:
- nothing changed: 0 daily-limited requests on feed zones, one feed request for all of them;
- k changes in a zone: ceil(k / 50) fetches (a zone with an update time of its own seeks on it
  when that is fewer requests), every change delivered once with its change time;
- a change in the same second as the saved state is not missed;
- a daily-limit stop half-way through the fetches keeps what was delivered and the rerun
  delivers the rest; records deleted in AroFlo are counted in the log, not an error.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from integration_tests.harness import catalog_from, run_connector, sandbox_config

# §5.6, written out (not read from the connector).
FEED_ZONES = ("clients", "invoices", "locations", "purchaseorders", "quotes", "suppliers", "taskexpenses",
              "tasklabours", "taskmaterials", "tasks")
OWN_UPDATE_TIME = ("invoices", "locations", "tasks")  # may seek on their own update time instead
CHUNK = 50


@pytest.fixture(scope="module")
def discovered():
    from integration_tests.sandbox import Dataset, SandboxServer

    with SandboxServer(Dataset(users=5, suppliers=5, payments=5, zones=2)) as server:
        run = run_connector("discover", sandbox_config(server, "hmac"))
    assert run.returncode == 0, run.stderr[-2000:]
    return run.catalog()


def _daily(server, zone: str) -> int:
    return server.stats()["by_path"].get(f"zone:{zone}", 0)


def _feed_requests(server) -> int:
    return server.stats()["by_path"].get("zone:lastupdate", 0)


def _ok(run) -> None:
    assert run.returncode == 0 and not run.errors, (run.errors, run.stderr[-2000:])
    assert "Traceback" not in run.stdout + run.stderr


def _first_sync(sandbox, discovered, **sizes):
    server = sandbox(users=10, suppliers=30, payments=10, zones={"*": 12, **sizes})
    config = sandbox_config(server, "hmac")
    catalog = catalog_from(discovered, "incremental", FEED_ZONES)
    first = run_connector("read", config, catalog)
    _ok(first)
    for zone in FEED_ZONES:  # a first sync reads every record
        assert len(first.records_of(zone)) == server.dataset.count(zone), zone
    return server, config, catalog, first


def _change_times(server, zone: str, ids) -> dict:
    data = server.dataset
    return {i: datetime.fromtimestamp(data.updated_ts(zone, data.index_of(zone, i)), timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ") for i in ids}


def _key(zone: str) -> str:
    return "id" if zone == "suppliers" else {"clients": "clientid", "invoices": "invoiceid", "locations": "locationid",
                                              "purchaseorders": "purchaseorderid", "quotes": "quoteid",
                                              "taskexpenses": "lineid", "tasklabours": "lineid",
                                              "taskmaterials": "lineid", "tasks": "taskid"}[zone]


def test_a_sync_in_which_nothing_changed_spends_no_daily_request_on_feed_zones(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered)
    second = run_connector("read", config, catalog, state=first.final_state())
    server.stats_obj.reset()
    third = run_connector("read", config, catalog, state=second.final_state())
    _ok(second), _ok(third)
    assert {zone: _daily(server, zone) for zone in FEED_ZONES} == {zone: 0 for zone in FEED_ZONES}
    assert _feed_requests(server) == 1  # the feed is read once for all ten zones
    assert sum(len(third.records_of(zone)) for zone in FEED_ZONES) == 0
    summary = [m["message"] for m in third.logs if m["message"].startswith("Finished syncing SourceAroflo")]
    assert len(summary) == 1 and "0 daily-limited requests, 1 change-feed requests" in summary[0], summary


def test_k_changes_cost_ceil_k_over_50_fetches_and_arrive_with_their_change_time(sandbox, discovered):
    sizes = {"quotes": 130, "tasks": 130}
    server, config, catalog, first = _first_sync(sandbox, discovered, **sizes)
    data = server.dataset
    changed = {}
    for zone in FEED_ZONES:
        ids = data.ids(zone, "zone")
        k = 120 if zone in sizes else 3
        changed[zone] = data.touch(zone, ids=ids[:k]) if zone != "suppliers" else \
            [data.zone_id("suppliers", data.index_of("suppliers", r)) for r in data.touch("suppliers", ids=ids[:k])]
    server.stats_obj.reset()
    second = run_connector("read", config, catalog, state=first.final_state())
    _ok(second)
    assert _feed_requests(server) == 1
    for zone, ids in changed.items():
        fetches = math.ceil(len(ids) / CHUNK)
        if zone in OWN_UPDATE_TIME:
            # 3 changes: one fetch by id; 120: one page seeking on its own update time (500 a
            # page) instead of three fetches of 50 ids.
            assert _daily(server, zone) == 1, zone
        else:
            assert _daily(server, zone) == fetches, (zone, _daily(server, zone), fetches)
        records = second.records_of(zone)
        got = [r[_key(zone)] for r in records]
        assert set(got) == set(ids), zone
        assert len(got) == len(set(got)), f"{zone}: a change delivered twice"
        expected = _change_times(server, zone, ids)
        assert {r[_key(zone)]: r["updated_at"] for r in records} == expected, zone
    chose = [m["message"] for m in second.logs if m["message"].startswith("tasks: reading")]
    assert chose and "seeking on its update time" in chose[0], chose


def test_a_change_in_the_same_second_as_the_saved_state_is_not_missed(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered)
    data = server.dataset
    data.touch("quotes", ids=data.ids("quotes", "zone")[:1])
    second = run_connector("read", config, catalog, state=first.final_state())
    _ok(second)
    saved = second.stream_state("quotes")["updated_at"]
    at = datetime.fromisoformat(saved.replace("Z", "+00:00"))
    tied = data.touch("quotes", ids=data.ids("quotes", "zone")[5:7], at=at)  # the very same second
    server.stats_obj.reset()
    third = run_connector("read", config, catalog, state=second.final_state())
    _ok(third)
    assert sorted(r["quoteid"] for r in third.records_of("quotes")) == sorted(tied)
    assert _daily(server, "quotes") == 1


def test_a_daily_limit_stop_mid_feed_keeps_what_was_delivered_and_the_rerun_delivers_the_rest(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered, quotes=160)
    data = server.dataset
    changed = set(data.touch("quotes", ids=data.ids("quotes", "zone")[:150]))  # 3 fetches of 50
    server.set_faults([{"fault": "zone_status", "code": 7, "match": {"zone": "quotes"}, "skip": 1, "times": -1}])
    stopped = run_connector("read", config, catalog, state=first.final_state())
    assert stopped.returncode != 0
    errors = [e for e in stopped.errors if (e.get("stream_descriptor") or {}).get("name") == "quotes"]
    assert errors and "daily request limit" in errors[0]["message"] and errors[0]["failure_type"] == "transient_error"
    delivered = {r["quoteid"] for r in stopped.records_of("quotes")}
    assert len(delivered) == CHUNK  # the first fetch
    state = stopped.stream_state("quotes")
    assert state["updated_at"] == max(r["updated_at"] for r in stopped.records_of("quotes"))
    # Other feed zones were not held up by the stop.
    assert stopped.stream_state("tasks") is not None
    server.set_faults([])
    rerun = run_connector("read", config, catalog, state=stopped.final_state())
    _ok(rerun)
    again = {r["quoteid"] for r in rerun.records_of("quotes")}
    assert delivered | again == changed, "a change was lost"
    assert len(delivered & again) <= CHUNK  # at most the boundary instant is delivered twice


def test_records_deleted_in_aroflo_are_counted_not_an_error(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered)
    data = server.dataset
    gone = data.delete("clients", data.ids("clients", "zone")[:2])
    kept = data.touch("clients", ids=data.ids("clients", "zone")[:1])
    second = run_connector("read", config, catalog, state=first.final_state())
    _ok(second)
    assert {r["clientid"] for r in second.records_of("clients")} == set(kept)
    assert not set(gone) & {r["clientid"] for r in second.records_of("clients")}
    lines = [m["message"] for m in second.logs if m["message"].startswith("clients:")]
    assert any("2 changed record(s)" in line and "deleted" in line for line in lines), lines
