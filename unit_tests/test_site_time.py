"""Site-local times: fields without `utc` in their name are the AroFlo site's local time,
converted to UTC with the `site_timezone` option (default Australia/Melbourne).

Every expected UTC value here is worked out by hand from the zone's offset on that day (written
next to it), never with the library call under test.
"""

from __future__ import annotations

import logging
import operator
from zoneinfo import ZoneInfo

import pytest
import requests_mock
from airbyte_cdk.models import Status
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome

from source_aroflo.declaration import UPDATED_AT
from source_aroflo.dialects import ZoneDialect
from source_aroflo.mapping import build_mapper
from source_aroflo.paging import Seek
from source_aroflo.source import SourceAroflo
from source_aroflo.values import local_to_utc
from source_aroflo.zones import ZONES, ZONES_BY_NAME

from .builders import config as rest_config, connection_status, log_lines, run_check
from .zone_builders import ZoneServer, asked, catalog, records_of, supplier, zone_config, zone_request

DAYLIGHT = "2018-10-16 13:30:19.58"  # Melbourne AEDT since 7 Oct 2018; Auckland NZDT since 30 Sep 2018
STANDARD = "2018-06-16 13:30:19.58"  # Melbourne AEST, Auckland NZST, Perth AWST (no DST)


def read_suppliers(**overrides):
    data = {"suppliers": [supplier(1, DAYLIGHT), supplier(2, STANDARD)]}
    with requests_mock.Mocker() as m:
        ZoneServer(m, data=data)
        output = entrypoint_wrapper.read(SourceAroflo(), zone_config(**overrides), catalog("suppliers"), None,
                                         expected_outcome=ExpectedOutcome.EXPECT_SUCCESS)
    return {r["id"]: r for r in records_of(output)}


# ---- suppliers' created_at ----------------------------------------------------------------------
def test_default_site_timezone_is_melbourne_daylight_and_standard_time():
    rows = read_suppliers()
    assert rows["S0001=="]["created_at"] == "2018-10-16T02:30:19.580Z"  # 13:30:19.58 AEDT (+11:00)
    assert rows["S0002=="]["created_at"] == "2018-06-16T03:30:19.580Z"  # 13:30:19.58 AEST (+10:00)


@pytest.mark.parametrize("site, daylight, standard", [
    ("Pacific/Auckland", "2018-10-16T00:30:19.580Z", "2018-06-16T01:30:19.580Z"),  # NZDT +13, NZST +12
    ("Australia/Perth", "2018-10-16T05:30:19.580Z", "2018-06-16T05:30:19.580Z"),  # AWST +8 all year
    ("UTC", "2018-10-16T13:30:19.580Z", "2018-06-16T13:30:19.580Z"),
])
def test_a_non_default_site_timezone_changes_the_result(site, daylight, standard):
    rows = read_suppliers(site_timezone=site)
    assert rows["S0001=="]["created_at"] == daylight
    assert rows["S0002=="]["created_at"] == standard


def test_the_mapper_honours_the_site_timezone_it_is_given():
    record = supplier(1, DAYLIGHT)
    assert build_mapper("hmac", "suppliers")(record)["created_at"] == "2018-10-16T02:30:19.580Z"
    assert build_mapper("hmac", "suppliers", ZoneInfo("Australia/Perth"))(record)["created_at"] == \
        "2018-10-16T05:30:19.580Z"


# ---- local_to_utc around daylight-saving changes (Melbourne 2024) --------------------------------
MELBOURNE = ZoneInfo("Australia/Melbourne")


@pytest.mark.parametrize("local, expected", [
    # 6 Oct 2024: 02:00 AEST (+10) jumps to 03:00 AEDT (+11); 02:00-02:59 does not exist.
    ("2024-10-06 01:59:59", "2024-10-05T15:59:59Z"),  # +10
    ("2024-10-06 02:30:00", "2024-10-05T16:30:00Z"),  # the gap: the offset before the change (+10) = 03:30 AEDT
    ("2024/10/06 02:30:00", "2024-10-05T16:30:00Z"),  # AroFlo's `/` form
    ("2024-10-06 03:00:00", "2024-10-05T16:00:00Z"),  # +11
    # 7 Apr 2024: 03:00 AEDT (+11) falls back to 02:00 AEST (+10); 02:00-02:59 happens twice.
    ("2024-04-07 01:59:59", "2024-04-06T14:59:59Z"),  # +11
    ("2024-04-07 02:30:00", "2024-04-06T15:30:00Z"),  # the overlap: its first occurrence (+11)
    ("2024/04/07 02:30:00", "2024-04-06T15:30:00Z"),
    ("2024-04-07 03:00:00", "2024-04-06T17:00:00Z"),  # +10
    # Fractions of a second (suppliers, clients: 1-3 digits) are kept as milliseconds.
    ("2024-04-07 02:30:00.5", "2024-04-06T15:30:00.500Z"),
    ("2024-01-15 09:00:00.123", "2024-01-14T22:00:00.123Z"),
])
def test_local_to_utc_around_daylight_saving(local, expected):
    assert local_to_utc(local, MELBOURNE) == expected


def test_local_to_utc_blank_values_are_null_and_unreadable_ones_are_kept():
    assert local_to_utc(" ", MELBOURNE) is None
    assert local_to_utc("", MELBOURNE) is None
    assert local_to_utc("not a date", MELBOURNE) == "not a date"


# ---- an invalid site_timezone fails check ----------------------------------------------------------
@pytest.mark.parametrize("bad", ["Mars/Olympus", 12, "/etc/passwd"], ids=["unknown", "number", "path"])
def test_an_invalid_site_timezone_fails_check_naming_the_option(bad):
    with requests_mock.Mocker() as mocker:
        output = run_check(rest_config().with_("site_timezone", bad).build())
        assert mocker.call_count == 0, "a bad config must fail before any request"
    status = connection_status(output)
    assert status.status == Status.FAILED, f"site_timezone={bad!r} was accepted"
    assert "site_timezone" in status.message
    assert "IANA time zone" in status.message
    assert not any("Traceback" in line for line in log_lines(output))


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_site_timezone_means_not_set_like_any_empty_form_field(empty):
    from source_aroflo import config as config_module

    settings = config_module.parse(rest_config().with_("site_timezone", empty).build())
    assert settings.site_timezone == "Australia/Melbourne"


def test_a_near_miss_site_timezone_gets_a_did_you_mean_hint():
    with requests_mock.Mocker():
        status = connection_status(run_check(rest_config().with_("site_timezone", "Australia/Melbourn").build()))
    assert status.status == Status.FAILED
    assert "site_timezone" in status.message
    assert "did you mean 'Australia/Melbourne'" in status.message


def test_an_invalid_site_timezone_fails_check_in_the_zone_dialect_too():
    with requests_mock.Mocker() as mocker:
        status = SourceAroflo().check(logging.getLogger("airbyte"), zone_config(site_timezone="Mars/Olympus"))
        assert mocker.call_count == 0
    assert status.status == Status.FAILED
    assert "site_timezone" in status.message and "Mars/Olympus" in status.message


# ---- where a zone has both forms, the utc one is the cursor ---------------------------------------
def test_tasks_cursor_follows_the_utc_field_not_the_local_one():
    tasks = ZONES_BY_NAME["tasks"]
    assert tasks.cursor == "lastupdateddatetimeutc" and tasks.cursor_key == "lastupdateddatetimeutc"
    record = {"taskid": "T1==", "lastupdateddatetimeutc": "2024/05/01 10:00:00",
              # a different instant on purpose: 22:00 AEST (+10) = 12:00 UTC
              "lastupdateddatetime": "2024/05/01 22:00:00"}
    row = build_mapper("hmac", "tasks")(record)
    assert row[UPDATED_AT] == "2024-05-01T10:00:00Z"
    assert row["lastupdateddatetimeutc"] == "2024-05-01T10:00:00Z"
    assert row["lastupdateddatetime"] == "2024-05-01T12:00:00Z"  # still converted, as its own column


def test_tasks_seek_filters_and_orders_on_the_utc_field():
    tasks = ZONES_BY_NAME["tasks"]
    seek = Seek(tasks, UPDATED_AT, 500, operator.itemgetter("taskid"), "2024-05-01T10:00:00Z")
    path = ZoneDialect("https://api.aroflo.com/").path(seek.ask(seek.first()))
    assert asked(path) == (zone_request("tasks").where("lastupdateddatetimeutc", ">", "2024-05-01 09:59:59")
                           .order("lastupdateddatetimeutc", "asc").join("tasktotals").page(1).size(500))


def test_tasks_updated_at_in_a_read_follows_the_utc_field_whatever_the_site_timezone():
    record = {"taskid": "T1==", "lastupdateddatetimeutc": "2024/05/01 10:00:00", "lastupdateddatetime": "2024/05/01 18:00:00"}
    with requests_mock.Mocker() as m:
        ZoneServer(m, data={"tasks": [record]})
        output = entrypoint_wrapper.read(SourceAroflo(), zone_config(site_timezone="Australia/Perth"),
                                         catalog("tasks"), None, expected_outcome=ExpectedOutcome.EXPECT_SUCCESS)
    [row] = records_of(output)
    assert row["lastupdateddatetime"] == "2024-05-01T10:00:00Z"  # 18:00 AWST (+8)
    assert row["lastupdateddatetimeutc"] == "2024-05-01T10:00:00Z"
    # A full refresh carries updated_at too (the stream has an incremental cursor) and it is the utc one.
    assert row.get(UPDATED_AT) == "2024-05-01T10:00:00Z"


def test_no_zone_seeks_on_a_local_field_when_its_records_also_carry_the_utc_form():
    wrong = []
    for zone in ZONES:
        if not zone.cursor:
            continue
        columns = dict(zone.columns())
        key = zone.cursor_key
        if columns.get(key) is not None and columns[key].kind == "local":
            utc_forms = [c for c, f in columns.items() if f.kind == "utc" and c.replace("utc", "") == key]
            if utc_forms:
                wrong.append(f"{zone.name}: cursor {key} (local) while records carry {utc_forms}")
    assert not wrong, wrong
