"""The state each selected stream of a family keeps while its zone is read (`families.Member`), and
which state the family reads from (`families.family_state`). Plain objects: steps in, state out.

State never moves behind the incoming state nor past the sync's start; a full read's position is the
state until its cursor arrives; ids delivered at the cursor's instant are kept with it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

from source_aroflo.cursor import Cursor
from source_aroflo.declaration import Grain
from source_aroflo.families import Member, family_state, with_deletions
from source_aroflo.paging import Step

STARTED = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)  # the sync's start
NOW = "2024-06-01T12:00:00Z"


def member(incoming=None, column="updated_at", grain=Grain.SECOND, incremental=True, is_zone=True) -> Member:
    stream = SimpleNamespace(name="quotes", key_columns=("quoteid",))
    made = Member(stream, incremental, dict(incoming or {}), Cursor("quotes", column, grain, 0, STARTED),
                  lambda rows: rows, is_zone=is_zone)
    made.start()
    return made


def t(hour: int) -> str:
    return f"2024-05-31T{hour:02d}:00:00Z"


# ---- what carries over ---------------------------------------------------------------------------------
def test_a_sync_starts_from_the_incoming_state_less_what_it_no_longer_holds():
    incoming = {"updated_at": t(9), "ids_at_cursor": ["Q1=="], "feed": True, "window_at": t(1), "read_at": t(1),
                "first_sync": {"mark": t(2), "page": 3, "size": 500}, "waiting_until": t(23), "stray": "x"}
    assert member(incoming).state == {k: v for k, v in incoming.items() if k not in ("waiting_until", "stray")}


def test_the_seeds_one_cursor_starts_the_stream():
    assert member({"last_sync_time": "2024-05-31T09:00:00+00:00"}).state == {"updated_at": t(9)}


# ---- advancing ------------------------------------------------------------------------------------------
def test_the_state_follows_the_cursor_of_each_emitted_page():
    quotes = member({"updated_at": t(1)})
    quotes.advance(Step(cursor=t(5)))
    assert quotes.state == {"updated_at": t(5)}
    quotes.advance(Step())  # a page that moves nothing
    assert quotes.state == {"updated_at": t(5)}


def test_the_state_never_moves_behind_the_incoming_state():
    quotes = member({"updated_at": t(9)})
    quotes.advance(Step(cursor=t(3)))  # a lookback re-reading older changes
    assert quotes.state == {"updated_at": t(9)}


def test_the_state_never_moves_past_the_syncs_start_and_then_claims_no_ids():
    quotes = member({"updated_at": t(9)})
    quotes.advance(Step(cursor="2024-07-01T00:00:00Z", taken=("Q1==",)))  # a server clock ahead of ours
    assert quotes.state == {"updated_at": NOW}


def test_a_full_reads_position_is_the_state_until_its_cursor_arrives():
    quotes = member({})
    quotes.advance(Step(progress={"mark": t(7), "page": 2, "size": 500}))
    assert quotes.state == {"first_sync": {"mark": t(7), "page": 2, "size": 500}}
    quotes.advance(Step(progress={"mark": t(7), "page": 3, "size": 500}))
    assert quotes.state["first_sync"]["page"] == 3
    quotes.advance(Step(cursor=t(7)))
    assert quotes.state == {"updated_at": t(7)}


def test_ids_delivered_at_the_cursors_instant_are_kept_with_it():
    quotes = member({"updated_at": t(1)})
    quotes.advance(Step(cursor=t(5), taken=("Q2==",)))
    assert quotes.state == {"updated_at": t(5), "ids_at_cursor": ["Q2=="]}
    quotes.advance(Step(cursor=t(5), taken=("Q1==",)))  # the same instant: both are in
    assert quotes.state == {"updated_at": t(5), "ids_at_cursor": ["Q1==", "Q2=="]}
    quotes.advance(Step(cursor=t(6)))  # a later instant: the ids of the earlier one no longer matter
    assert quotes.state == {"updated_at": t(6)}


def test_a_date_cursor_keeps_the_day():
    payments = member({"payment_date": "2024-05-20"}, column="payment_date", grain=Grain.DAY)
    payments.advance(Step(cursor="2024-05-31"))
    assert payments.state == {"payment_date": "2024-05-31"}
    payments.advance(Step(cursor="2024-06-02"))  # after the sync's day
    assert payments.state == {"payment_date": "2024-06-01"}


# ---- finishing --------------------------------------------------------------------------------------------
def test_finishing_moves_the_cursor_as_a_page_would_and_sets_the_other_keys():
    timesheets = member({"read_at": t(1), "window_at": t(1)}, column="read_at")
    timesheets.finish({"read_at": NOW, "window_at": NOW})
    assert timesheets.state == {"read_at": NOW, "window_at": NOW}
    quotes = member({"updated_at": t(9)})
    quotes.finish({"updated_at": t(3), "feed": True})
    assert quotes.state == {"updated_at": t(9), "feed": True}


def test_a_stream_stopped_by_the_quota_says_until_when_it_waits():
    quotes = member({"updated_at": t(9)})
    quotes.wait(datetime(2024, 6, 1, 14, tzinfo=timezone.utc))
    assert quotes.state == {"updated_at": t(9), "waiting_until": "2024-06-01T14:00:00Z"}


def test_only_an_incremental_stream_sends_a_state():
    assert member({"updated_at": t(9)}, incremental=False).state_message() is None
    message = member({"updated_at": t(9)}).state_message()
    assert message.state.stream.stream_descriptor.name == "quotes"
    assert message.state.stream.stream_state.__dict__ == {"updated_at": t(9)}


# ---- deletions ---------------------------------------------------------------------------------------------
def test_a_zone_stream_gets_a_deletion_record_for_every_id_no_longer_returned_and_a_child_stream_none():
    rows = [{"quoteid": "Q1==", "updated_at": t(1)}]
    deleted = (("Q9==", t(2)),)
    assert with_deletions(member(), rows, deleted) == rows + [
        {"quoteid": "Q9==", "updated_at": t(2), "_ab_cdc_deleted_at": t(2)}]
    assert with_deletions(member(is_zone=False), rows, deleted) == rows


# ---- the state a family reads from --------------------------------------------------------------------------
def test_a_family_reads_from_the_oldest_state_of_its_incremental_members():
    ahead, behind = member({"updated_at": t(9)}), member({"updated_at": t(3)})
    full = member({"updated_at": t(1)}, incremental=False)
    assert family_state([ahead, behind, full]) == {"updated_at": t(3)}


def test_a_family_with_a_new_member_reads_in_full():
    assert family_state([member({"updated_at": t(9)}), member({})]) == {}
    assert family_state([member({}, incremental=False)]) == {}


def test_a_first_sync_under_way_resumes_only_when_every_member_shares_it():
    progress = {"first_sync": {"mark": t(7), "page": 4, "size": 500}}
    assert family_state([member(progress), member(dict(progress))]) == progress
    other = {"first_sync": {"mark": t(7), "page": 2, "size": 500}}
    assert family_state([member(progress), member(other)]) == {}
