"""The ways of reading, as plain objects: what each asks next and what an answer's rows mean.
No HTTP here: rows in, a `Step` out (rows to emit, next token, the cursor the state may move to).
What a reader asks is compared, as the query the zone dialect writes for it, with `zone_request`.
"""

from __future__ import annotations

import operator
from typing import List, Optional

import pytest

from source_aroflo.change_feed import ChangeFeed, FeedEntries, NewestEntry
from source_aroflo.feed_reader import FeedReader, FetchToken
from source_aroflo.declaration import Grain, Reading, Zone
from source_aroflo.dialects import ZoneDialect
from source_aroflo.full_read import FullRead, MarkToken, OldestToken, pages_left
from source_aroflo.paging import NumberedPages, PageToken, Seek, SeekToken, TooSmall, match_all
from source_aroflo.zones import ZONES_BY_NAME

from .zone_builders import asked, zone_request

KEY = operator.itemgetter("id")
USERS, PAYMENTS, QUOTES, TASKS, TIMESHEETS, LASTUPDATE = (
    ZONES_BY_NAME[n] for n in ("users", "payments", "quotes", "tasks", "timesheets", "lastupdate"))
DIALECT = ZoneDialect("https://zone.aroflo.test/")


def sent(reader, token):
    """The query the zone dialect writes for what `reader` asks at `token`."""
    return asked(DIALECT.path(reader.ask(token)))


def rows(*cursors: Optional[str], column: str = "updated_at", start: int = 0) -> List[dict]:
    return [{"id": f"r{start + i}", column: c} for i, c in enumerate(cursors)]


def t(hour: int, second: int = 0) -> str:
    return f"2024-01-10T{hour:02d}:00:{second:02d}Z"


# ---- a where that matches every record ------------------------------------------------------------
def test_every_record_is_matched_by_an_id_comparison_not_a_date():
    assert match_all(USERS) == (("userid", "!=", "0"),)
    assert match_all(ZONES_BY_NAME["tasklabours"]) == (("labourlineid", "!=", "0"),)  # its id where field
    assert match_all(LASTUPDATE) == (("lastupdateutc", ">", "1900-01-01 00:00:00"),)  # the feed: its time
    assert match_all(ZONES_BY_NAME["userposition"]) == ()  # no where field at all (and no default filter)


# ---- numbered pages ------------------------------------------------------------------------------
def test_numbered_pages_go_on_while_pages_are_full():
    pages = NumberedPages(USERS, 2, KEY)
    token = pages.first()
    assert sent(pages, token) == zone_request("users").where("userid", "!=", "0").page(1).size(2)
    step = pages.take(token, rows(t(1), t(2)), 2)
    assert sent(pages, step.next) == zone_request("users").where("userid", "!=", "0").page(2).size(2)
    assert len(step.rows) == 2 and step.cursor is None
    assert pages.take(step.next, rows(t(3), start=2), 1).next is None


def test_numbered_pages_newest_first_order_on_the_zones_newest_field():
    pages = NumberedPages(TIMESHEETS, 500, KEY, newest_first=True)
    assert sent(pages, pages.first()) == (zone_request("timesheets").where("timesheetid", "!=", "0")
                                          .order("workdate", "desc").page(1).size(500))


def test_the_last_page_of_a_read_with_an_end_moves_the_state_there():
    pages = NumberedPages(TIMESHEETS, 2, KEY, where=(("workdate", ">", "2024-05-30"),), end="2024-06-01T12:00:00Z")
    assert sent(pages, pages.first()) == zone_request("timesheets").where("workdate", ">", "2024-05-30").page(1).size(2)
    full = pages.take(pages.first(), rows(None, None), 2)
    assert full.cursor is None  # not before the last page
    assert pages.take(full.next, rows(None), 1).cursor == "2024-06-01T12:00:00Z"


def test_a_page_that_repeats_the_previous_one_is_asked_again():
    pages = NumberedPages(USERS, 2, KEY)
    first = pages.take(pages.first(), rows(t(1), t(2)), 2)
    assert pages.take(first.next, rows(t(1), t(2)), 2).problem == "the page repeats the previous page"


def test_smaller_pages_start_exactly_where_the_refused_page_did():
    assert PageToken(3, 500).halved() == PageToken(5, 250, full=500)  # 1,000 records read either way
    assert PageToken(2, 6).halved() == PageToken(3, 3, full=6)
    smaller = PageToken(3, 6).halved()  # 12 records read: pages of 3, from page 5
    assert (smaller.page - 1) * smaller.size == 12 and smaller.size == 3
    with pytest.raises(TooSmall):
        PageToken(4, 1).halved()
    assert SeekToken(t(1), 3, 4).halved() == SeekToken(t(1), 5, 2, full=4)


def test_after_a_refused_page_the_read_goes_back_to_full_pages_as_soon_as_they_line_up():
    smaller = PageToken(2, 6).halved()  # page 2 of 6 refused: records 7-9 as page 3 of 3
    assert smaller.following(None) == PageToken(4, 3, full=6)  # 9 read is not a multiple of 6: 10-12 as page 4 of 3
    pages = NumberedPages(USERS, 6, KEY)
    step = pages.take(PageToken(4, 3, full=6), rows(t(1), t(2), t(3)), 3)
    assert step.next == PageToken(3, 6, ("r0", "r2", 3))  # 12 read: page 3 of 6 is records 13-18
    assert FetchToken((("a", t(1)),) * 50, 50).halved().size == 25
    with pytest.raises(TooSmall):
        FetchToken((("a", t(1)),), 1).halved()
    for token in (MarkToken(), OldestToken()):  # one-off questions of a few records cannot shrink
        with pytest.raises(TooSmall):
            token.halved()


# ---- seeking on a cursor -------------------------------------------------------------------------
def test_a_seek_asks_at_or_after_its_start_in_cursor_order():
    seek = Seek(USERS, "updated_at", 3, KEY, t(0))
    assert sent(seek, seek.first()) == (zone_request("users").where("lastupdateddatetimeutc", ">", "2024-01-09 23:59:59")
                                        .order("lastupdateddatetimeutc", "asc").page(1).size(3))
    from_the_start = Seek(USERS, "updated_at", 3, KEY, None)
    assert sent(from_the_start, from_the_start.first()).wheres == [("lastupdateddatetimeutc", ">", "1899-12-31 23:59:59")]


def test_the_next_page_is_asked_from_the_last_cursor_and_the_boundary_records_are_not_emitted_twice():
    seek = Seek(USERS, "updated_at", 3, KEY, t(0))
    step = seek.take(seek.first(), rows(t(1), t(2), t(2)), 3)
    assert step.cursor == t(2) and step.next == SeekToken(t(2), 1, 3, frozenset({"r1", "r2"}))
    assert sent(seek, step.next).wheres == [("lastupdateddatetimeutc", ">", "2024-01-10 01:59:59")]
    again = seek.take(step.next, [{"id": "r1", "updated_at": t(2)}, {"id": "r2", "updated_at": t(2)},
                                  {"id": "r3", "updated_at": t(3)}], 3)
    assert [r["id"] for r in again.rows] == ["r3"]


def test_a_whole_page_on_one_cursor_value_steps_through_it_by_page_number():
    seek = Seek(USERS, "updated_at", 2, KEY, t(0))
    step = seek.take(seek.first(), rows(t(5), t(5)), 2)
    assert step.next.after == t(5) and step.next.page == 2  # page 1 from there is this very page
    step = seek.take(step.next, rows(t(5), t(5), start=2), 2)
    assert step.next == SeekToken(t(5), 3, 2, frozenset({"r0", "r1", "r2", "r3"}))
    assert seek.take(step.next, rows(t(5), t(5), start=0), 2).problem == "the page repeats a page already read"


def test_records_out_of_cursor_order_are_asked_again_and_blank_cursors_never_move_the_cursor():
    seek = Seek(USERS, "updated_at", 5, KEY, t(0))
    assert "not in updated_at order" in seek.take(seek.first(), rows(t(3), t(1)), 2).problem
    assert "not in updated_at order" in Seek(USERS, "updated_at", 5, KEY, t(4)).take(
        SeekToken(t(4), 1, 5), rows(t(3)), 1).problem  # before the page's own start
    step = seek.take(seek.first(), rows(None, t(2), None, t(3), None), 5)
    assert len(step.rows) == 5 and step.cursor == t(3) and step.next.after == t(3)


def test_a_site_local_cursor_may_run_back_in_the_repeated_hour_without_failing_the_page():
    seek = Seek(ZONES_BY_NAME["inventorystocklevels"], "updated_at", 3, KEY, t(0), strict=False)
    step = seek.take(seek.first(), rows(t(2), t(1, 30), t(3)), 3)
    assert step.problem is None and step.cursor == t(3)


def test_a_date_cursor_compares_whole_days():
    seek = Seek(PAYMENTS, "payment_date", 2, KEY, "2024-01-09", grain=Grain.DAY, field="datepaid")
    assert sent(seek, seek.first()).wheres == [("datepaid", ">", "2024-01-08")]
    step = seek.take(seek.first(), rows("2024-01-10", "2024-01-10", column="payment_date"), 2)
    assert step.cursor == "2024-01-10" and step.next.after == "2024-01-10" and step.next.page == 2


# ---- full reads (first syncs, refreshes) -----------------------------------------------------------
def test_a_seek_zones_first_sync_reads_newest_first_and_its_first_page_gives_the_mark():
    first = FullRead(USERS, 2, KEY, "updated_at", start="2024-01-10T02:00:00Z", ask_zone_for_mark=True)
    token = first.first()
    # No separate request for the mark: page 1, newest first, has it.
    assert sent(first, token) == (zone_request("users").where("userid", "!=", "0")
                                  .order("lastupdateddatetimeutc", "desc").page(1).size(2))
    step = first.take(token, rows(None, t(9)), 2)  # a blank one first is never the mark
    assert first.mark == t(9) and [r["id"] for r in step.rows] == ["r0", "r1"]  # blank: delivered
    # the position to resume at, with the first day's start (a first sync over several days
    # delivers from the same start every day)
    assert step.progress == {"mark": t(9), "page": 2, "size": 2, "start": "2024-01-10T02:00:00Z"}
    assert step.cursor is None
    # A read of more than one page asks once for the zone's oldest date, to say how long it takes.
    assert isinstance(step.next, OldestToken)
    assert sent(first, step.next) == (zone_request("users").where("lastupdateddatetimeutc", ">", "1900-01-01")
                                      .order("lastupdateddatetimeutc", "asc").page(1).size(1))
    oldest = first.take(step.next, rows(t(1)), 1)
    assert oldest.rows == [] and oldest.next == PageToken(2, 2, ("r0", "r1", 2))
    assert oldest.progress == {"mark": t(9), "page": 2, "size": 2, "start": "2024-01-10T02:00:00Z",
                               "oldest": "2024-01-10", "reached": "2024-01-10"}
    last = first.take(oldest.next, rows(t(1), start=2), 1)
    assert last.rows == []  # changed before the start: not delivered
    assert last.next is None and last.cursor == t(9) and last.progress is None


def test_a_one_page_first_sync_asks_nothing_more():
    first = FullRead(USERS, 5, KEY, "updated_at", ask_zone_for_mark=True)
    step = first.take(first.first(), rows(t(3), t(2)), 2)
    assert step.next is None and step.cursor == t(3)


def test_a_zone_whose_newest_order_is_not_its_cursor_asks_for_its_newest_change_first():
    zone = Zone("widgets", id="widgetid", doc="Widgets.", reading=Reading.SEEK_TIME, cursor="lastupdateddatetimeutc",
                newest="createdutc", where="widgetid lastupdateddatetimeutc:utc createdutc:utc",
                fields="widgetid:id lastupdateddatetimeutc:utc createdutc:utc")
    first = FullRead(zone, 2, KEY, "updated_at", ask_zone_for_mark=True)
    token = first.first()
    assert isinstance(token, MarkToken)
    assert sent(first, token) == (zone_request("widgets").where("lastupdateddatetimeutc", ">", "1900-01-01 00:00:00")
                                  .order("lastupdateddatetimeutc", "desc").page(1).size(FullRead.MARK_ROWS))
    step = first.take(token, rows(None, t(8), t(7)), 3)
    assert first.mark == t(8) and step.rows == [] and step.next == PageToken(1, 2)
    assert sent(first, step.next).value("order") == "createdutc|desc"


def test_a_feed_zones_first_sync_keeps_the_feeds_mark_and_the_ids_at_it():
    first = FullRead(QUOTES, 500, KEY, "updated_at", mark=lambda: t(7), taken=lambda: ("q1", "q2"))
    token = first.first()
    assert sent(first, token) == zone_request("quotes").where("quoteid", "!=", "0").join("lineitems").page(1).size(500)
    step = first.take(token, rows(None, None), 2)
    assert step.cursor == t(7) and step.taken == ("q1", "q2")


def test_a_stopped_full_read_resumes_at_its_page_and_keeps_its_mark():
    first = FullRead(USERS, 2, KEY, "updated_at", ask_zone_for_mark=True,
                     progress={"mark": t(9), "page": 4, "size": 2, "oldest": "2020-01-01", "reached": "2023-01-01"})
    assert first.first() == PageToken(4, 2) and first.mark == t(9)
    step = first.take(PageToken(4, 2), rows("2022-06-02T00:00:00Z", "2022-06-01T00:00:00Z", start=6), 2)
    assert step.progress == {"mark": t(9), "page": 5, "size": 2, "oldest": "2020-01-01", "reached": "2022-06-01"}
    assert step.next == PageToken(5, 2, ("r6", "r7", 2))  # the oldest date is known already: not asked again


def test_a_first_sync_resumed_on_a_later_day_delivers_from_its_first_days_start():
    resumed = FullRead(USERS, 2, KEY, "updated_at", start="2024-02-01T00:00:00Z", ask_zone_for_mark=True,
                       progress={"mark": t(9), "page": 3, "size": 2, "start": "2024-01-01T00:00:00Z"})
    resumed.first()
    step = resumed.take(PageToken(3, 2), rows("2024-01-15T00:00:00Z", start=4), 1)
    assert [r["id"] for r in step.rows] == ["r4"]  # changed after the first day's start: delivered


def test_a_full_read_without_a_mark_ends_at_its_end():
    # A date zone (or a refresh) has no change time: the state is when the sync read it.
    first = FullRead(TIMESHEETS, 2, KEY, "read_at", end="2024-06-01T12:00:00Z")
    step = first.take(first.first(), [{"id": "a", "workdate": "2024-05-01"}], 1)
    assert step.cursor == "2024-06-01T12:00:00Z"
    nothing = FullRead(QUOTES, 2, KEY, "updated_at", mark=lambda: None, end=None)
    assert nothing.take(nothing.first(), [], 0).cursor is None


def test_how_many_pages_a_stopped_newest_first_read_still_needs():
    # 4 pages read covered 2024-05-02..2024-06-01 (30 days) of a zone going back to 2023-06-02 (365):
    progress = {"page": 5, "size": 500, "oldest": "2023-06-02", "reached": "2024-05-02"}
    assert pages_left(progress, "2024-06-01") == round(4 * 365 / 30) - 4
    assert pages_left({"page": 5, "size": 500}, "2024-06-01") is None  # dates unknown
    assert pages_left({**progress, "page": 1}, "2024-06-01") is None  # nothing read yet


# ---- the change feed -----------------------------------------------------------------------------
def entries(*rows_: dict):
    """A feed whose one read yields these rows, remembering what it was asked."""
    asked_for = []

    def read(after, zones):
        asked_for.append((after, zones))
        yield list(rows_)

    return read, asked_for


def entry(zone: str, ident: str, when: str, deleted: str = "0") -> dict:
    return {"zonename": zone, "zoneid": ident, "updated_at": when, "isdeleted": deleted}


def test_the_feed_is_read_once_from_the_earliest_point_any_stream_needs_newest_change_per_id():
    read, asked_for = entries(entry("quotes", "q1", t(1)), entry("tasks", "t1", t(2)), entry("quotes", "q1", t(3)),
                              entry("", "x", t(3)), entry("Quotes", "q2", t(0, 30)))
    feed = ChangeFeed(read, lambda: [])
    feed.register("quotes", t(1))
    feed.register("tasks", t(0))
    assert feed.changes("quotes", t(1)) == [("q1", t(3))]  # q2 changed before quotes' own start
    assert feed.changes("quotes", t(0)) == [("q2", t(0, 30)), ("q1", t(3))]  # in change order
    assert feed.changes("tasks", t(0)) == [("t1", t(2))]
    assert asked_for == [(t(0), ())]  # one read of every zone, from the earliest start
    assert feed.end == t(3) and feed.skipped == 1 and feed.entries == 5
    assert feed.carries("quotes") and feed.carries("tasks") and not feed.carries("clients")


def test_a_deletion_the_feed_announces_is_not_fetched_and_a_later_change_undoes_it():
    read, _ = entries(entry("quotes", "q1", t(1)), entry("quotes", "q1", t(2), deleted="1"),
                      entry("quotes", "q2", t(1), deleted="true"), entry("quotes", "q2", t(4)))
    feed = ChangeFeed(read, lambda: [])
    feed.register("quotes", t(0))
    assert feed.changes("quotes", t(0)) == [("q2", t(4))]
    assert feed.deleted("quotes", t(0)) == [("q1", t(2))]
    assert feed.deleted("quotes", t(3)) == []  # deleted before this stream's start


def test_a_zone_first_seen_in_the_feed_is_read_for_that_zone_from_its_own_earlier_start():
    read, asked_for = entries(entry("clients", "c1", t(5)))
    feed = ChangeFeed(read, lambda: [])
    feed.register("quotes", t(4))
    feed.read()
    feed.ensure("clients", t(2))
    feed.ensure("clients", t(6))  # later than the shared read: nothing more to ask
    assert asked_for == [(t(4), ()), (t(2), ("clients",))]


def test_the_feeds_mark_is_its_newest_dated_entry_and_the_ids_at_it():
    newest = [{"zonename": "quotes", "zoneid": "q0", "updated_at": None},
              entry("quotes", "q1", t(9)), entry("quotes", "q2", t(9)), entry("tasks", "t1", t(8))]
    calls = []
    feed = ChangeFeed(lambda after, zones: iter(()), lambda: calls.append(1) or newest)
    assert feed.mark() == t(9) and feed.mark() == t(9) and calls == [1]  # asked once
    assert feed.at_mark("quotes") == ("q1", "q2") and feed.at_mark("tasks") == ()


def test_a_feed_read_that_failed_fails_every_stream_that_asks_not_only_the_first():
    def broken(after, zones):
        raise RuntimeError("feed down")
        yield  # noqa: unreachable - a generator

    feed = ChangeFeed(broken, lambda: [])
    feed.register("quotes", t(0))
    for _ in range(2):
        with pytest.raises(RuntimeError, match="feed down"):
            feed.changes("quotes", t(0))


def test_the_feeds_own_requests():
    entries_ = FeedEntries(LASTUPDATE, 500, t(1), ("quotes", "tasks"))
    assert sent(entries_, entries_.first()) == (zone_request("lastupdate").where("zonename", "IN", "quotes*tasks")
                                                .where("lastupdateutc", ">", "2024-01-10 00:59:59")
                                                .order("lastupdateutc", "asc").page(1).size(500))
    one = FeedEntries(LASTUPDATE, 500, t(1), ("suppliers",))
    assert sent(one, one.first()).wheres[0] == ("zonename", "=", "suppliers")
    every = FeedEntries(LASTUPDATE, 500, t(1), ())
    assert sent(every, every.first()).wheres == [("lastupdateutc", ">", "2024-01-10 00:59:59")]
    newest = NewestEntry(LASTUPDATE)
    assert sent(newest, newest.first()) == (zone_request("lastupdate").where("lastupdateutc", ">", "1900-01-01 00:00:00")
                                            .order("lastupdateutc", "desc").page(1).size(10))
    assert newest.take(newest.first(), [{"zoneid": "a", "updated_at": None}, {"zoneid": "b", "updated_at": t(1)}],
                       2).rows == [{"zoneid": "b", "updated_at": t(1)}]


# ---- fetching changed records by id ---------------------------------------------------------------
QKEY = operator.itemgetter("quoteid")


def test_single_id_fetches_ask_one_id_a_request_with_no_page_size():
    reader = FeedReader(QUOTES, QKEY, [("q1", t(1)), ("q2", t(1)), ("q3", t(2))], t(5), 1)
    token = reader.first()
    assert sent(reader, token) == zone_request("quotes").where("quoteid", "=", "q1").join("lineitems").page(1)
    step = reader.take(token, [{"quoteid": "q1"}], 1)
    assert step.rows == [{"quoteid": "q1", "updated_at": t(1)}]  # the feed's change time is its updated_at
    assert step.cursor == t(1) and step.taken == ("q1",)
    assert sent(reader, step.next).wheres == [("quoteid", "=", "q2")]
    gone = reader.take(step.next, [], 0)  # q2 was deleted in AroFlo since it changed
    assert gone.rows == [] and gone.deleted == (("q2", t(1)),) and gone.taken == ("q1", "q2")
    last = reader.take(gone.next, [{"quoteid": "q3"}], 1)
    assert last.next is None and last.cursor == t(5)  # nothing of this zone after it: up to the feed's end


def test_batched_fetches_ask_up_to_fifty_ids_in_one_request_and_emit_them_in_change_order():
    changes = [(f"q{i:02d}", t(1, i)) for i in range(60)]
    reader = FeedReader(QUOTES, QKEY, changes, t(1, 59), 50)
    token = reader.first()
    first_fifty = "*".join(f"q{i:02d}" for i in range(50))
    assert sent(reader, token) == (zone_request("quotes").where("quoteid", "IN", first_fifty).join("lineitems")
                                   .page(1).size(50))
    answer = [{"quoteid": f"q{i:02d}"} for i in reversed(range(50))]  # AroFlo's own order
    step = reader.take(token, answer, 50)
    assert [r["quoteid"] for r in step.rows] == [f"q{i:02d}" for i in range(50)]
    assert step.cursor == t(1, 49)
    assert sent(reader, step.next).wheres == [("quoteid", "IN", "*".join(f"q{i:02d}" for i in range(50, 60)))]


def test_a_zone_with_its_own_update_time_can_seek_first_and_fetch_only_what_the_seek_missed():
    seek = Seek(TASKS, "updated_at", 500, KEY, t(0))
    reader = FeedReader(TASKS, KEY, [("a", t(1)), ("b", t(2)), ("c", t(3))], t(3), 50, seek=seek)
    token = reader.first()
    assert isinstance(token, SeekToken)
    step = reader.take(token, [{"id": "a", "updated_at": t(1)}, {"id": "b", "updated_at": t(2)}], 2)
    assert step.cursor is None  # the state moves only once every change is in
    assert isinstance(step.next, FetchToken) and [i for i, _ in step.next.pending] == ["c"]
    last = reader.take(step.next, [{"id": "c"}], 1)
    assert last.cursor == t(3)


def test_a_seek_emits_only_what_the_feed_lists_as_changed_with_the_feeds_change_time():
    seek = Seek(TASKS, "updated_at", 500, KEY, t(0))
    reader = FeedReader(TASKS, KEY, [("a", t(1, 30)), ("b", t(2))], t(2), 50, seek=seek)
    # `z` sits on the previous sync's saved instant (taken then); `a` carries its own, later time.
    answer = [{"id": "z", "updated_at": t(0)}, {"id": "a", "updated_at": t(1, 31)}, {"id": "a", "updated_at": t(1, 31)},
              {"id": "b", "updated_at": t(2)}]
    step = reader.take(reader.first(), answer, 4)
    assert [(r["id"], r["updated_at"]) for r in step.rows] == [("a", t(1, 30)), ("b", t(2))]
    assert step.next is None and step.cursor == t(2)


def test_a_zone_read_through_the_feed_whose_cursor_is_read_at_keeps_it_and_gets_no_updated_at():
    reader = FeedReader(QUOTES, QKEY, [("q1", t(1))], t(1), 1, column="read_at")
    step = reader.take(reader.first(), [{"quoteid": "q1", "read_at": t(5)}], 1)
    assert step.rows == [{"quoteid": "q1", "read_at": t(5)}] and step.cursor == t(1)
