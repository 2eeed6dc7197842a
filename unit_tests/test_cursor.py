"""Cursor values and where a sync looks from (`cursor.py`): canonical values at each grain, `where`
values one step earlier ("at or after"), the saved state read back, the lookback, the cap at the
sync's start."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_aroflo.cursor import Cursor, canonical, progress_of, saved_time, where_value
from source_aroflo.declaration import Grain

STARTED = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)


def test_canonical_values_are_utc_at_the_cursors_grain():
    moment = datetime(2024, 6, 1, 8, 30, 5, 999, tzinfo=timezone(timedelta(hours=10)))
    assert canonical(moment) == "2024-05-31T22:30:05Z"
    assert canonical(moment, Grain.DAY) == "2024-05-31"


@pytest.mark.parametrize("value, before, expected", [
    ("2024-06-01T00:00:00Z", 1, "2024-05-31 23:59:59"),  # `>` one second earlier = at or after
    ("2024-06-01T10:00:00Z", 0, "2024-06-01 10:00:00"),
    ("2024-03-01", 1, "2024-02-29"),  # a date: one day earlier
])
def test_where_values_are_aroflos_spelling_one_step_earlier(value, before, expected):
    assert where_value(value, before) == expected


def test_the_saved_cursor_is_read_in_any_iso_form_or_from_the_seeds_one_cursor():
    cursor = Cursor("users", "updated_at", Grain.SECOND, 0, STARTED)
    assert cursor.saved({"updated_at": "2024-05-01T18:00:00+10:00"}) == "2024-05-01T08:00:00Z"
    assert cursor.saved({"last_sync_time": "2024-05-01"}) == "2024-05-01T00:00:00Z"
    assert cursor.saved({}) is None and cursor.saved({"updated_at": " "}) is None
    days = Cursor("payments", "payment_date", Grain.DAY, 0, STARTED)
    assert days.saved({"payment_date": "2024-05-01T23:00:00Z"}) == "2024-05-01"


def test_an_unreadable_saved_cursor_is_a_config_error_naming_the_stream_and_value():
    with pytest.raises(AirbyteTracedException) as raised:
        Cursor("users", "updated_at", Grain.SECOND, 0, STARTED).saved({"updated_at": "last tuesday"})
    assert "users: the saved state 'last tuesday' is not a date-time" in raised.value.message
    assert raised.value.failure_type.value == "config_error"


def test_a_sync_looks_from_the_saved_cursor_less_the_lookback():
    assert Cursor("users", "updated_at", Grain.SECOND, 90, STARTED).since({"updated_at": "2024-05-01T08:00:00Z"}) == \
        "2024-05-01T06:30:00Z"
    assert Cursor("users", "updated_at", Grain.SECOND, 90, STARTED).since({}) is None


def test_a_value_the_state_may_take_is_never_past_the_syncs_start():
    cursor = Cursor("users", "updated_at", Grain.SECOND, 0, STARTED)
    assert cursor.clip("2024-05-01T08:00:00.250Z") == "2024-05-01T08:00:00Z"
    assert cursor.clip("2024-07-01T00:00:00Z") == "2024-06-01T12:00:00Z"
    assert Cursor("payments", "payment_date", Grain.DAY, 0, STARTED).clip("2024-06-03") == "2024-06-01"


def test_times_and_positions_kept_in_a_state():
    assert saved_time({"window_at": "2024-06-01T06:00:00Z"}, "window_at") == datetime(2024, 6, 1, 6, tzinfo=timezone.utc)
    assert saved_time({"window_at": "soon"}, "window_at") is None and saved_time(None, "window_at") is None
    assert progress_of({"first_sync": {"mark": None, "page": 3, "size": 500}}) == {"mark": None, "page": 3, "size": 500}
    assert progress_of({"first_sync": {"page": "3", "size": 500}}) is None  # not a position it can resume
