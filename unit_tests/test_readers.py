"""The ways of reading, as plain objects: what each asks next and what an answer's rows mean.
No HTTP here: rows in, a `Step` out (rows to emit, next token, the cursor the state may move to)."""

from __future__ import annotations

import operator
from typing import List, Optional

import pytest

from source_aroflo.feed import ChangeFeed
from source_aroflo.readers import (ChangeFeedReader, FetchToken, FirstSync, MarkToken, NumberedPages, PageToken,
                                   SeekOnDate, SeekOnTime, SeekToken, TooSmall)
from source_aroflo.zones import ZONES_BY_NAME

KEY = operator.itemgetter("id")
USERS, PAYMENTS, QUOTES, TASKS = (ZONES_BY_NAME[n] for n in ("users", "payments", "quotes", "tasks"))


def rows(*cursors: Optional[str], column: str = "updated_at", start: int = 0) -> List[dict]:
    return [{"id": f"r{start + i}", column: c} for i, c in enumerate(cursors)]


def t(hour: int, second: int = 0) -> str:
    return f"2024-01-10T{hour:02d}:00:{second:02d}Z"


# ---- numbered pages ------------------------------------------------------------------------------
def test_numbered_pages_go_on_while_pages_are_full():
    pages = NumberedPages(USERS, 2, KEY)
    token = pages.first()
    assert token == PageToken(1, 2) and pages.ask(token).page == 1 and not pages.ask(token).seek
    step = pages.take(token, rows(t(1), t(2)), 2)
    assert step.next.page == 2 and len(step.rows) == 2 and step.cursor is None
    assert pages.take(step.next, rows(t(3), start=2), 1).next is None


def test_a_page_that_repeats_the_previous_one_is_asked_again():
    pages = NumberedPages(USERS, 2, KEY)
    first = pages.take(pages.first(), rows(t(1), t(2)), 2)
    assert pages.take(first.next, rows(t(1), t(2)), 2).problem == "the page repeats the previous page"


def test_smaller_pages_start_exactly_where_the_refused_page_did():
    assert PageToken(3, 500).halved() == PageToken(5, 250)  # 1,000 records read either way
    assert PageToken(2, 6).halved() == PageToken(3, 3)
    smaller = PageToken(3, 6).halved()  # 12 records read: pages of 3, from page 5
    assert (smaller.page - 1) * smaller.size == 12 and smaller.size == 3
    with pytest.raises(TooSmall):
        PageToken(4, 1).halved()
    assert FetchToken((("a", t(1)),) * 50, 50).halved().size == 25


# ---- seeking on a cursor -------------------------------------------------------------------------
def test_the_next_page_is_asked_from_the_last_cursor_and_the_boundary_records_are_not_emitted_twice():
    seek = SeekOnTime(USERS, "updated_at", 3, KEY, t(0))
    step = seek.take(seek.first(), rows(t(1), t(2), t(2)), 3)
    assert step.cursor == t(2) and step.next == SeekToken(t(2), 1, 3, frozenset({"r1", "r2"}))
    assert seek.ask(step.next).after == t(2) and seek.ask(step.next).seek
    again = seek.take(step.next, [{"id": "r1", "updated_at": t(2)}, {"id": "r2", "updated_at": t(2)},
                                  {"id": "r3", "updated_at": t(3)}], 3)
    assert [r["id"] for r in again.rows] == ["r3"]


def test_a_whole_page_on_one_cursor_value_steps_through_it_by_page_number():
    seek = SeekOnTime(USERS, "updated_at", 2, KEY, t(0))
    step = seek.take(seek.first(), rows(t(5), t(5)), 2)
    assert step.next.after == t(5) and step.next.page == 2  # page 1 from there is this very page
    step = seek.take(step.next, rows(t(5), t(5), start=2), 2)
    assert step.next == SeekToken(t(5), 3, 2, frozenset({"r0", "r1", "r2", "r3"}))
    assert seek.take(step.next, rows(t(5), t(5), start=0), 2).problem == "the page repeats a page already read"


def test_records_out_of_cursor_order_are_asked_again_and_blank_cursors_never_move_the_cursor():
    seek = SeekOnTime(USERS, "updated_at", 5, KEY, t(0))
    assert "not in updated_at order" in seek.take(seek.first(), rows(t(3), t(1)), 2).problem
    step = seek.take(seek.first(), rows(None, t(2), None, t(3), None), 5)
    assert len(step.rows) == 5 and step.cursor == t(3) and step.next.after == t(3)


def test_a_site_local_cursor_may_run_back_in_the_repeated_hour_without_failing_the_page():
    seek = SeekOnTime(ZONES_BY_NAME["inventorystocklevels"], "updated_at", 3, KEY, t(0), strict=False)
    step = seek.take(seek.first(), rows(t(2), t(1, 30), t(3)), 3)
    assert step.problem is None and step.cursor == t(3)


def test_a_date_cursor_compares_whole_days():
    seek = SeekOnDate(PAYMENTS, "payment_date", 2, KEY, "2024-01-09")
    step = seek.take(seek.first(), rows("2024-01-10", "2024-01-10", column="payment_date"), 2)
    assert step.cursor == "2024-01-10" and step.next.after == "2024-01-10" and step.next.page == 2


# ---- first syncs ---------------------------------------------------------------------------------
def test_a_first_sync_asks_the_newest_change_then_reads_every_record_and_keeps_it_as_the_state():
    first = FirstSync(USERS, 2, KEY, "updated_at", start="2024-01-10T02:00:00Z")
    token = first.first()
    assert isinstance(token, MarkToken)
    ask = first.ask(token)
    assert ask.newest and ask.seek and ask.size == FirstSync.MARK_ROWS
    step = first.take(token, rows(None, t(9), t(8)), 3)  # a blank one first is never the mark
    assert first.mark == t(9) and step.next == PageToken(1, 2) and not step.rows
    step = first.take(step.next, rows(t(1), None), 2)
    assert [r["id"] for r in step.rows] == ["r1"]  # before the start: not delivered; blank: delivered
    assert step.progress == {"mark": t(9), "page": 2, "size": 2} and step.cursor is None
    last = first.take(step.next, rows(t(9), start=2), 1)
    assert last.next is None and last.cursor == t(9) and last.progress is None


def test_a_stopped_first_sync_resumes_at_its_page_and_with_no_mark_keeps_the_start():
    first = FirstSync(USERS, 2, KEY, "updated_at", None, progress={"mark": t(9), "page": 4, "size": 2})
    assert first.first() == PageToken(4, 2) and first.mark == t(9)
    empty = FirstSync(QUOTES, 2, KEY, "updated_at", None, mark=lambda: None, fallback="2024-01-01T00:00:00Z")
    assert empty.first() == PageToken(1, 2)
    assert empty.take(PageToken(1, 2), [], 0).cursor == "2024-01-01T00:00:00Z"


# ---- the change feed -----------------------------------------------------------------------------
class FakeFeed:
    def __init__(self, changes, end):
        self._changes, self.end = changes, end

    def changes(self, zone, since):
        return [c for c in self._changes if c[1] >= since]


def test_changes_are_fetched_by_id_in_chunks_in_change_order_with_their_change_time():
    changes = [(f"q{i}", t(1, i)) for i in range(5)]
    reader = ChangeFeedReader(QUOTES, 500, KEY, FakeFeed(changes, t(2)), 2, t(0))
    token, _ = reader.first()
    assert token.chunk == (("q0", t(1, 0)), ("q1", t(1, 1))) and reader.ask(token).ids == ("q0", "q1")
    step = reader.take(token, [{"id": "q1"}, {"id": "q0"}], 2)
    assert [(r["id"], r["updated_at"]) for r in step.rows] == [("q0", t(1, 0)), ("q1", t(1, 1))]
    assert step.cursor == t(1, 1) and step.taken == ("q1",)
    missing = []
    reader._on_missing = missing.append
    step = reader.take(step.next, [{"id": "q2"}], 1)  # q3 was deleted in AroFlo
    assert missing == [1] and [r["id"] for r in step.rows] == ["q2"]
    last = reader.take(step.next, [{"id": "q4"}], 1)
    assert last.next is None and last.cursor == t(2)  # nothing of this zone after it: up to the feed's end


def test_changes_already_delivered_at_the_saved_instant_are_not_fetched_again():
    feed = FakeFeed([("q1", t(1)), ("q2", t(1)), ("q3", t(2))], t(2))
    reader = ChangeFeedReader(QUOTES, 500, KEY, feed, 50, t(1), taken=(t(1), frozenset({"q1"})))
    token, _ = reader.first()
    assert [i for i, _ in token.pending] == ["q2", "q3"]
    nothing = ChangeFeedReader(QUOTES, 500, KEY, FakeFeed([("q1", t(1))], t(1)), 50, t(1),
                               taken=(t(1), frozenset({"q1"})))
    assert nothing.first() == (None, t(1))  # no request at all


def test_a_zone_with_its_own_update_time_seeks_on_it_when_that_costs_fewer_requests():
    many = [(f"t{i}", t(1, i % 60)) for i in range(120)]
    make = lambda: SeekOnTime(TASKS, "updated_at", 500, KEY, t(0))  # noqa: E731
    reader = ChangeFeedReader(TASKS, 500, KEY, FakeFeed(many, t(2)), 50, t(0), seek=make)
    token, _ = reader.first()
    assert isinstance(token, SeekToken) and "1 request(s) seeking on its update time instead of 3" in reader.choice
    few = ChangeFeedReader(TASKS, 500, KEY, FakeFeed(many[:50], t(2)), 50, t(0), seek=make)
    assert isinstance(few.first()[0], FetchToken)  # 1 fetch either way: the feed, which costs 0 when idle


def test_the_feed_is_read_once_for_every_zone_newest_change_per_id():
    reads = []

    def entries(after, zones):
        reads.append((after, zones))
        yield [{"zonename": "quotes", "zoneid": "q1", "updated_at": t(1)},
               {"zonename": "tasks", "zoneid": "t1", "updated_at": t(2)},
               {"zonename": "quotes", "zoneid": "q1", "updated_at": t(3)},
               {"zonename": "", "zoneid": "x", "updated_at": t(3)}]

    feed = ChangeFeed(entries, lambda zones: t(5))
    feed.register("quotes", t(1))
    feed.register("tasks", t(0))
    assert feed.changes("quotes", t(1)) == [("q1", t(3))]
    assert feed.changes("tasks", t(0)) == [("t1", t(2))]
    assert reads == [(t(0), ("quotes", "tasks"))] and feed.end == t(3) and feed.skipped == 1


def test_a_feed_read_that_failed_fails_every_stream_that_asks_not_only_the_first():
    def broken(after, zones):
        raise RuntimeError("feed down")
        yield  # noqa: unreachable - a generator

    feed = ChangeFeed(broken, lambda zones: None)
    feed.register("quotes", t(0))
    for _ in range(2):
        with pytest.raises(RuntimeError, match="feed down"):
            feed.changes("quotes", t(0))
