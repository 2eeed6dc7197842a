"""Incremental syncs through AroFlo's change feed (the `lastupdate` zone), end to end.

The feed's zones (AroFlo's documented list) sync through the feed: a first sync reads them in
full, later syncs read the feed once for all of them (no daily limit) and fetch the changed
records by id — one id a request from AroFlo's single-id budget up to
`single_id_requests_per_sync`, beyond it 50 ids a request from the daily limit (a zone with an
update time of its own seeks on it when that is fewer requests). What these tests hold the
connector to, on the sandbox's wire and on the sandbox's clock:
- nothing changed: no daily-limited or single-id request on feed zones, one feed request for all;
- k changes in a zone: k single-id requests, none daily-limited; without single-id requests,
  ceil(k / 50) fetches or one seek; every change delivered once with its change time;
- a change in the same second as the saved state is not missed;
- the daily limit (status 7) half-way through the fetches stops the sync cleanly, keeps what was
  delivered, holds up no zone fetching from the single-id budget, and the next day's sync delivers
  the rest;
- a record deleted in AroFlo arrives as a deletion (`_ab_cdc_deleted_at`), not an error.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from integration_tests.harness import catalog_from, past_melbourne_midnight, run_connector, sandbox_config
from integration_tests.sandbox.dataset import FEED_ZONES

OWN_UPDATE_TIME = ("invoices", "locations", "tasks")  # feed zones that may seek on their own update time instead
CHUNK = 50


def _spent(server, zone: str) -> dict:
    """{"daily": n, "secondary": m} the zone's requests spent of AroFlo's two budgets."""
    return dict(server.stats()["by_zone_kind"].get(zone, {}))


def _feed_requests(server) -> int:
    return server.stats()["by_path"].get("zone:lastupdate", 0)


def _ok(run) -> None:
    assert run.returncode == 0 and not run.errors, (run.errors, run.stderr[-2000:])
    assert "Traceback" not in run.stdout + run.stderr


def _first_sync(sandbox, discovered, **sizes):
    server = sandbox(users=10, suppliers=30, payments=10, zones={"*": 12, **sizes})
    config = sandbox_config(server, "hmac")
    catalog = catalog_from(discovered, "incremental", FEED_ZONES)
    first = run_connector("read", config, catalog, now=server)
    _ok(first)
    for zone in FEED_ZONES:  # a first sync reads every record
        assert len(first.records_of(zone)) == server.dataset.count(zone), zone
    return server, config, catalog, first


def _touch(server, zone: str, count: int) -> list:
    """Edit the zone's first `count` records (by creation); their zone ids."""
    data = server.dataset
    touched = data.touch(zone, ids=data.ids(zone, "zone")[:count])
    return [data.zone_id(zone, data.index_of(zone, i)) for i in touched]


def _change_times(server, zone: str, ids) -> dict:
    data = server.dataset
    return {i: datetime.fromtimestamp(data.updated_ts(zone, data.index_of(zone, i)), timezone.utc)
            .strftime("%Y-%m-%dT%H:%M:%SZ") for i in ids}


def _key(zone: str) -> str:
    return "id" if zone == "suppliers" else {"clients": "clientid", "invoices": "invoiceid", "locations": "locationid",
                                              "purchaseorders": "purchaseorderid", "quotes": "quoteid",
                                              "taskexpenses": "lineid", "tasklabours": "lineid",
                                              "taskmaterials": "lineid", "tasks": "taskid"}[zone]


def _delivered_once_with_their_change_time(server, run, zone: str, ids, before: dict) -> None:
    """Exactly the changed records, each once: not one the previous state says it took (a record
    on the saved instant is in its `ids_at_cursor`)."""
    records = run.records_of(zone)
    got = [r[_key(zone)] for r in records]
    assert set(ids) <= set(got), (zone, "missed", sorted(set(ids) - set(got))[:5])
    assert set(got) <= set(ids), (zone, "delivered again though unchanged", sorted(set(got) - set(ids))[:5],
                                  "previous state", before)
    assert len(got) == len(set(got)), f"{zone}: a change delivered twice"
    assert {r[_key(zone)]: r["updated_at"] for r in records} == _change_times(server, zone, ids), zone


def test_a_sync_in_which_nothing_changed_spends_nothing_on_feed_zones(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered)
    server.dataset.advance(3600)
    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    server.dataset.advance(3600)
    server.stats_obj.reset()
    third = run_connector("read", config, catalog, state=second.final_state(), now=server)
    _ok(second), _ok(third)
    assert {zone: _spent(server, zone) for zone in FEED_ZONES} == {zone: {} for zone in FEED_ZONES}
    assert _feed_requests(server) == 1  # the feed is read once for all ten zones
    assert sum(len(third.records_of(zone)) for zone in FEED_ZONES) == 0
    [summary] = third.log_lines(starting="Finished syncing SourceAroflo")
    assert "0 daily-limited, 0 single-id and 1 change-feed requests" in summary, summary


def test_k_changes_cost_k_single_id_requests_and_arrive_with_their_change_time(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered, quotes=130)
    changed = {zone: _touch(server, zone, 120 if zone == "quotes" else 3) for zone in FEED_ZONES}
    server.stats_obj.reset()
    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    _ok(second)
    assert _feed_requests(server) == 1
    for zone, ids in changed.items():
        assert _spent(server, zone) == {"secondary": len(ids)}, zone  # one id a request, no daily limit
        _delivered_once_with_their_change_time(server, second, zone, ids, first.stream_state(zone))


def test_without_single_id_requests_k_changes_cost_ceil_k_over_50_fetches_or_one_seek(sandbox, discovered):
    sizes = {"quotes": 130, "tasks": 130}
    server, config, catalog, first = _first_sync(sandbox, discovered, **sizes)
    changed = {zone: _touch(server, zone, 120 if zone in sizes else 3) for zone in FEED_ZONES}
    server.stats_obj.reset()
    second = run_connector("read", {**config, "single_id_requests_per_sync": 0}, catalog, state=first.final_state(),
                           now=server)
    _ok(second)
    assert _feed_requests(server) == 1
    for zone, ids in changed.items():
        # 3 changes: one fetch of up to 50 ids; 120: three fetches, or for a zone with its own
        # update time one page seeking on it (500 a page).
        fetches = 1 if zone in OWN_UPDATE_TIME else math.ceil(len(ids) / CHUNK)
        assert _spent(server, zone) == {"daily": fetches}, zone
        _delivered_once_with_their_change_time(server, second, zone, ids, first.stream_state(zone))
    [chose] = second.log_lines(starting="tasks: reading")
    assert "seek on its update time" in chose, chose


def test_a_change_in_the_same_second_as_the_saved_state_is_not_missed(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered)
    data = server.dataset
    _touch(server, "quotes", 1)
    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    _ok(second)
    saved = second.stream_state("quotes")["updated_at"]
    at = datetime.fromisoformat(saved.replace("Z", "+00:00"))
    tied = data.touch("quotes", ids=data.ids("quotes", "zone")[5:7], at=at)  # the very same second
    server.stats_obj.reset()
    third = run_connector("read", config, catalog, state=second.final_state(), now=server)
    _ok(third)
    assert sorted(r["quoteid"] for r in third.records_of("quotes")) == sorted(tied)
    assert _spent(server, "quotes") == {"secondary": 2}


def test_the_daily_limit_mid_feed_stops_cleanly_and_the_next_day_delivers_the_rest(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered, quotes=160)
    # The single-id allowance covers the tasks' changes, not the quotes': they fetch 50 a request.
    config = {**config, "single_id_requests_per_sync": 3}
    changed = set(_touch(server, "quotes", 150))  # 3 fetches of 50
    tasks = set(_touch(server, "tasks", 3))
    server.set_faults([{"fault": "zone_status", "code": 7, "match": {"zone": "quotes"}, "skip": 1, "times": -1}])
    stopped = run_connector("read", config, catalog, state=first.final_state(), now=server)

    assert stopped.returncode == 0 and stopped.errors == []  # a clean stop, not a failure
    [waiting] = [w for w in stopped.log_lines("WARN") if "quota stopped this sync cleanly" in w]
    assert "quotes" in waiting and "status 7" in waiting, waiting
    assert stopped.stream_statuses("quotes")[-1] == "COMPLETE"
    state = stopped.stream_state("quotes")
    assert "waiting_until" in state, state
    delivered = {r["quoteid"] for r in stopped.records_of("quotes")}
    assert len(delivered) == CHUNK and delivered <= changed  # the first fetch
    assert state["updated_at"] == max(r["updated_at"] for r in stopped.records_of("quotes"))
    # The zones fetching from the single-id budget were not held up by the daily limit.
    assert {r["taskid"] for r in stopped.records_of("tasks")} == tasks
    assert "waiting_until" not in stopped.stream_state("tasks")

    server.set_faults([])
    past_melbourne_midnight(server)
    next_day = run_connector("read", config, catalog, state=stopped.final_state(), now=server)
    _ok(next_day)
    again = {r["quoteid"] for r in next_day.records_of("quotes")}
    assert delivered | again == changed, "a change was lost"
    assert len(delivered & again) <= 1  # at most the boundary instant is delivered twice
    assert "waiting_until" not in next_day.stream_state("quotes")


def test_a_record_deleted_in_aroflo_arrives_as_a_deletion(sandbox, discovered):
    server, config, catalog, first = _first_sync(sandbox, discovered)
    data = server.dataset
    gone = data.delete("clients", data.ids("clients", "zone")[:2])
    kept = _touch(server, "clients", 1)
    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    _ok(second)
    rows = {r["clientid"]: r for r in second.records_of("clients")}
    assert set(rows) == set(gone) | set(kept)
    assert {i: rows[i]["_ab_cdc_deleted_at"] for i in gone} == _change_times(server, "clients", gone)
    assert rows[kept[0]]["_ab_cdc_deleted_at"] is None
