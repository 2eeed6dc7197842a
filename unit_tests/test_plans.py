"""How the planner reads each zone in a sync (`plans.Planner`): by the zone's reading, the mode and
the saved state — first or later sync, a date window due or not, a refresh due or not, a feed with
no or some changes — and how `allocate_fetches` spends the sync's single-id requests. Plain
objects: no HTTP; what a plan will ask first is compared with `zone_request`.

NOW is 2024-06-01T12:00:00Z: 22:00 on 1 June in Melbourne (AEST, +10).
"""

from __future__ import annotations

import operator
from datetime import datetime, timezone

import pytest

from source_aroflo import config as config_module
from source_aroflo.change_feed import ChangeFeed
from source_aroflo.feed_reader import FeedReader
from source_aroflo.cursor import Cursor
from source_aroflo.dialects import ZoneDialect
from source_aroflo.full_read import FullRead
from source_aroflo.paging import NumberedPages, Seek
from source_aroflo.plans import Plan, Planner, budget_words
from source_aroflo.zones import ZONES_BY_NAME

from .zone_builders import asked, zone_config, zone_request

NOW = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
STAMP = "2024-06-01T12:00:00Z"
KEY = operator.itemgetter("id")
DIALECT = ZoneDialect("https://zone.aroflo.test/")


def settings(**overrides):
    return config_module.parse(zone_config(**overrides), now=NOW)


def feed_of(*entries, newest=()):
    """A change feed whose one read lists `entries` ((zone, id, time[, deleted]))."""
    def read(after, zones):
        yield [{"zonename": e[0], "zoneid": e[1], "updated_at": e[2], "isdeleted": "1" if e[3:] else "0"}
               for e in entries if not zones or e[0] in zones]

    return ChangeFeed(read, lambda: [{"zonename": z, "zoneid": i, "updated_at": t} for z, i, t in newest])


def plan(zone_name, state=None, mode="incremental", feed=None, **config):
    zone = ZONES_BY_NAME[zone_name]
    cursor = Cursor(zone_name, zone.cursor_column, zone.grain, config.pop("lookback_window_minutes", 0), NOW)
    planner = Planner(settings(**config), feed if feed is not None else feed_of(), 50, NOW)
    return planner.plan(zone, KEY, cursor, mode, state or {})


def first_ask(made: Plan):
    reader = made.reader
    return asked(DIALECT.path(reader.ask(made.token or reader.first())))


# ---- full refresh -------------------------------------------------------------------------------------
def test_a_full_refresh_reads_every_record_and_keeps_no_state():
    made = plan("tasks", {"updated_at": "2024-05-01T00:00:00Z"}, mode="full")
    assert isinstance(made.reader, NumberedPages) and made.finish == {}
    assert first_ask(made) == zone_request("tasks").where("taskid", "!=", "0").join("tasktotals").page(1).size(500)
    assert (made.daily, made.more, made.single) == (1, True, 0)  # at least one daily-limited request


# ---- first incremental syncs ---------------------------------------------------------------------------
def test_a_feed_zones_first_sync_reads_every_record_and_keeps_the_feeds_newest_change():
    feed = feed_of(newest=[("quotes", "Q1==", "2024-05-31T10:00:00Z")])
    made = plan("quotes", feed=feed)
    assert isinstance(made.reader, FullRead) and "a first sync" in made.what
    assert first_ask(made) == zone_request("quotes").where("quoteid", "!=", "0").join("lineitems").page(1).size(500)
    assert made.reader.mark == "2024-05-31T10:00:00Z" and made.finish == {}


def test_a_feed_or_seek_zones_first_sync_reads_newest_first_and_keeps_the_feeds_mark():
    feed = feed_of(newest=[("tasks", "T1==", "2024-05-31T10:00:00Z")])
    made = plan("tasks", feed=feed)
    assert first_ask(made) == (zone_request("tasks").where("taskid", "!=", "0").order("lastupdateddatetimeutc", "desc")
                               .join("tasktotals").page(1).size(500))
    assert made.reader.mark == "2024-05-31T10:00:00Z" and "newest first" in made.what


def test_a_seek_zones_first_sync_reads_newest_first_and_delivers_from_the_start_date():
    made = plan("users", initial_sync_days=30)
    assert first_ask(made) == (zone_request("users").where("userid", "!=", "0").order("lastupdateddatetimeutc", "desc")
                               .page(1).size(500))
    assert made.reader.start == "2024-05-02T12:00:00Z"  # 30 days before NOW
    assert "delivered: changed since 2024-05-02, or with a blank update time" in made.what


def test_a_date_zones_first_sync_reads_every_record_and_ends_at_the_syncs_start():
    made = plan("timesheets")
    assert first_ask(made) == (zone_request("timesheets").where("timesheetid", "!=", "0").order("workdate", "desc")
                               .page(1).size(500))
    assert made.reader.end == STAMP
    assert made.finish == {"read_at": STAMP, "window_at": STAMP}


def test_payments_first_sync_ends_at_the_day_of_the_sync():
    made = plan("payments")
    assert made.reader.end == "2024-06-01"
    assert made.finish == {"read_at": STAMP, "window_at": STAMP}


def test_a_refresh_zones_first_sync_reads_every_record_and_keeps_when():
    made = plan("tasktypes")
    assert first_ask(made) == zone_request("tasktypes").page(1).size(500)
    assert made.reader.end == STAMP and made.finish == {"read_at": STAMP}


def test_the_change_feeds_own_first_sync_seeks_from_the_start_date_instead_of_reading_every_entry():
    made = plan("lastupdate", start_date="2024-05-01")
    assert isinstance(made.reader, Seek)
    assert first_ask(made) == (zone_request("lastupdate").where("lastupdateutc", ">", "2024-04-30 23:59:59")
                               .order("lastupdateutc", "asc").page(1).size(500))
    assert made.daily == 0  # the feed has no daily limit


def test_a_first_sync_stopped_half_way_resumes_at_its_page():
    progress = {"mark": "2024-05-31T10:00:00Z", "page": 7, "size": 500}
    made = plan("users", {"first_sync": progress})
    assert first_ask(made).value("page") == "7" and made.reader.mark == "2024-05-31T10:00:00Z"
    assert "resumed at page 7" in made.what


# ---- later syncs --------------------------------------------------------------------------------------
def test_a_seek_zone_seeks_from_its_state_less_the_lookback():
    made = plan("users", {"updated_at": "2024-05-31T10:00:00Z"}, lookback_window_minutes=60)
    assert isinstance(made.reader, Seek)
    assert first_ask(made) == (zone_request("users").where("lastupdateddatetimeutc", ">", "2024-05-31 08:59:59")
                               .order("lastupdateddatetimeutc", "asc").page(1).size(500))


def test_a_date_zone_whose_window_is_due_reads_the_re_read_window():
    made = plan("timesheets", {"read_at": "2024-05-31T10:00:00Z", "window_at": "2024-05-31T10:00:00Z"},
                re_read_window_days=10)
    # Melbourne's 1 June less 10 days = 22 May: `>` the day before.
    assert first_ask(made) == zone_request("timesheets").where("workdate", ">", "2024-05-21").page(1).size(500)
    assert made.finish == {"read_at": STAMP, "window_at": STAMP}
    assert "10-day re-read window" in made.what


def test_a_date_zone_whose_window_is_not_due_reads_from_the_day_before_its_last_sync():
    made = plan("timesheets", {"read_at": "2024-06-01T06:00:00Z", "window_at": "2024-06-01T06:00:00Z"})
    assert first_ask(made) == zone_request("timesheets").where("workdate", ">", "2024-05-30").page(1).size(500)
    assert made.finish == {"read_at": STAMP}  # the window keeps its time: due again tomorrow


def test_the_window_is_due_again_a_day_after_it_was_read():
    just_under = plan("timesheets", {"read_at": "2024-05-31T12:10:00Z", "window_at": "2024-05-31T12:10:00Z"})
    a_day = plan("timesheets", {"read_at": "2024-05-31T12:00:00Z", "window_at": "2024-05-31T12:00:00Z"})
    assert "window_at" not in just_under.finish and "window_at" in a_day.finish


def test_a_refresh_zone_not_due_reads_nothing_and_says_when_it_will():
    made = plan("tasktypes", {"read_at": "2024-06-01T00:00:00Z"}, refresh_hours=24)
    assert made.idle and made.reader is None and made.daily == 0
    assert made.what == "not due: read in full again after 2024-06-02 00:00 UTC"


def test_a_refresh_zone_due_reads_every_record_again():
    made = plan("tasktypes", {"read_at": "2024-06-01T00:00:00Z"}, refresh_hours=12)
    assert isinstance(made.reader, FullRead) and "due for its re-read" in made.what
    assert made.finish == {"read_at": STAMP}


def test_a_feed_zone_with_no_change_moves_its_state_to_the_feeds_end_without_a_request():
    feed = feed_of(("tasks", "T1==", "2024-05-31T11:00:00Z"))
    feed.register("quotes", "2024-05-31T00:00:00Z")
    made = plan("quotes", {"updated_at": "2024-05-31T00:00:00Z"}, feed=feed)
    assert made.idle and made.changes == 0
    assert made.finish == {"updated_at": "2024-05-31T11:00:00Z"}


def test_a_feed_zone_with_changes_waits_for_the_allocation_to_know_how_it_fetches():
    feed = feed_of(("quotes", "Q1==", "2024-05-31T10:00:00Z"), ("quotes", "Q2==", "2024-05-31T11:00:00Z"),
                   ("quotes", "Q3==", "2024-05-31T09:00:00Z", "deleted"))
    feed.register("quotes", "2024-05-31T00:00:00Z")
    made = plan("quotes", {"updated_at": "2024-05-31T00:00:00Z"}, feed=feed)
    assert made.changes == 2 and made.fetch is not None and made.reader is None and not made.idle
    assert made.deleted == [("Q3==", "2024-05-31T09:00:00Z")]  # announced deleted: not fetched


def test_ids_delivered_at_the_saved_instant_are_not_fetched_again():
    feed = feed_of(("quotes", "Q1==", "2024-05-31T10:00:00Z"), ("quotes", "Q2==", "2024-05-31T10:00:00Z"))
    feed.register("quotes", "2024-05-31T10:00:00Z")
    made = plan("quotes", {"updated_at": "2024-05-31T10:00:00Z", "ids_at_cursor": ["Q1=="]}, feed=feed)
    assert made.changes == 1 and [ident for ident, _ in made.fetch["changes"]] == ["Q2=="]


def test_a_zone_the_sites_feed_carries_is_read_through_it_and_remembers_that():
    feed = feed_of(("users", "U1==", "2024-05-31T10:00:00Z"))
    feed.register("quotes", "2024-05-31T00:00:00Z")
    feed.read()
    made = plan("users", {"updated_at": "2024-05-31T00:00:00Z"}, feed=feed)
    assert made.changes == 1 and made.finish == {"feed": True}
    # Remembered: through the feed even when this sync's feed has nothing of it (no seek of its own).
    remembered = plan("users", {"updated_at": "2024-05-31T00:00:00Z", "feed": True}, feed=feed_of())
    assert remembered.idle and remembered.changes == 0 and remembered.finish == {"feed": True}


# ---- allocating the single-id requests ------------------------------------------------------------
def _feed_plans(counts, **config):
    """One feed plan per zone with `counts[zone]` changes, allocated with `single_left` when given."""
    entries = [(zone, f"{zone[0].upper()}{i}==", f"2024-05-31T{10 + i // 60:02d}:{i % 60:02d}:00Z")
               for zone, n in counts.items() for i in range(n)]
    feed = feed_of(*entries)
    for zone in counts:
        feed.register(zone, "2024-05-31T00:00:00Z")
    single_left = config.pop("single_left", None)
    planner = Planner(settings(**config), feed, 50, NOW)
    plans = {}
    for zone in counts:
        declared = ZONES_BY_NAME[zone]
        cursor = Cursor(zone, declared.cursor_column, declared.grain, 0, NOW)
        plans[zone] = planner.plan(declared, KEY, cursor, "incremental", {"updated_at": "2024-05-31T00:00:00Z"})
    planner.allocate_fetches(list(plans.values()), single_left, planner.settings.daily_quota_reserve * 10)
    return plans


def how(made: Plan) -> str:
    """How the plan fetches, read from its first request: one id (single-id budget), several ids,
    or a seek on the zone's update time."""
    first = first_ask(made)
    [(field, op, _)] = first.wheres
    if first.value("order"):
        return "seek"
    return {"=": "single", "IN": "batch"}[op]


def test_the_zones_with_fewest_changes_get_the_single_id_requests_first():
    plans = _feed_plans({"quotes": 5, "clients": 1, "suppliers": 3}, single_id_requests_per_sync=4)
    assert {zone: how(p) for zone, p in plans.items()} == {"clients": "single", "suppliers": "single", "quotes": "batch"}
    assert (plans["clients"].single, plans["suppliers"].single, plans["quotes"].single) == (1, 3, 0)
    assert plans["quotes"].daily == 1  # 5 ids in one request of up to 50
    assert budget_words(plans["quotes"]) == "1 daily-limited" and budget_words(plans["suppliers"]) == "3 single-id"


def test_a_zone_gets_single_id_requests_only_for_all_of_its_changes():
    plans = _feed_plans({"quotes": 5}, single_id_requests_per_sync=4)
    assert how(plans["quotes"]) == "batch" and plans["quotes"].single == 0


def test_the_allowance_is_what_aroflo_says_is_left_above_the_reserve_when_that_is_less():
    # 1,000 a sync allowed, but AroFlo says 4,003 single-id requests are left and the reserve is 4,000.
    plans = _feed_plans({"quotes": 5, "clients": 3}, single_id_requests_per_sync=1000, single_left=4003)
    assert {zone: how(p) for zone, p in plans.items()} == {"clients": "single", "quotes": "batch"}
    none_left = _feed_plans({"clients": 1}, single_left=3999)
    assert how(none_left["clients"]) == "batch"


def test_without_word_from_aroflo_the_allowance_is_the_configured_one():
    plans = _feed_plans({"quotes": 5}, single_id_requests_per_sync=5, single_left=None)
    assert how(plans["quotes"]) == "single"
    assert [how(p) for p in _feed_plans({"quotes": 1}, single_id_requests_per_sync=0).values()] == ["batch"]


def test_a_zone_with_its_own_update_time_seeks_when_that_costs_fewer_requests_than_batches():
    plans = _feed_plans({"tasks": 120}, single_id_requests_per_sync=0)
    assert how(plans["tasks"]) == "seek" and plans["tasks"].daily == 1  # one seek of 500 instead of 3 of 50
    assert "a seek on its update time (1 requests) instead of 3 by id" in plans["tasks"].what
    few = _feed_plans({"tasks": 40}, single_id_requests_per_sync=0)
    assert how(few["tasks"]) == "batch"  # one request either way: the ids


def test_a_zone_without_its_own_update_time_never_seeks():
    plans = _feed_plans({"quotes": 120}, single_id_requests_per_sync=0)
    assert how(plans["quotes"]) == "batch" and plans["quotes"].daily == 3


def test_fetches_ask_in_change_order():
    plans = _feed_plans({"quotes": 3}, single_id_requests_per_sync=10)
    reader = plans["quotes"].reader
    assert isinstance(reader, FeedReader)
    assert asked(DIALECT.path(reader.ask(reader.first()))) == (zone_request("quotes").where("quoteid", "=", "Q0==")
                                                               .join("lineitems").page(1))


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_the_change_feed_zone_costs_no_daily_limited_request(mode):
    """lastupdate has no daily limit: no plan of it may count one (the plan line would say so)."""
    for state in ({}, {"updated_at": "2024-05-31T00:00:00Z"}):
        made = plan("lastupdate", state, mode=mode)
        assert made.daily == 0, (mode, state, made.what)
