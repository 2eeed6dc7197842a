"""A full read of a zone that keeps a state: an incremental stream's first sync, and the periodic
re-read of a zone AroFlo gives no change signal.

AroFlo's date filters cannot see a record whose date is blank (a blank is NULL to its SQL), so a
first sync reads the zone once in full — ceil(n / page) requests, what a full-history first sync
costs anyway — rather than seeking from the start date; the start date still decides which
records it delivers (those changed since, and those with a blank cursor). Where the zone can be
ordered by a date (`Zone.newest`), the newest records come first, so a first sync that takes
several days of AroFlo's quota is useful from the first day.

The state after the read is its `mark`: the zone's newest change just before the read (asked of
the zone, newest first, or of the change feed), so anything that changes while the zone is read is
found by the next sync. Until the read is done the state is its position (`progress`), so a read
stopped half-way (AroFlo's daily limit, a cancel) resumes at the page it reached. Pages can shift
between days (new records come first); a shift only makes a record arrive twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

from .cursor import EVERYTHING, where_value
from .declaration import Zone
from .dialects import Ask
from .paging import MARK_ROWS, Key, NumberedPages, PageToken, Step, TooSmall, newest_ask, newest_value


@dataclass(frozen=True)
class MarkToken:
    """A first sync's first request: the zone's newest cursor value (newest first, a few records)."""

    size: int = 10

    def halved(self) -> "MarkToken":
        raise TooSmall()

    def describe(self) -> str:
        return "its newest update time"


@dataclass(frozen=True)
class OldestToken:
    """Asked once a newest-first read needs a second page: the date of the zone's oldest record
    (one record), so a read the daily quota stops can say how far it got and how many days it
    still needs. `then`: the page to go on with."""

    then: Any = None

    def halved(self) -> "OldestToken":
        raise TooSmall()

    def describe(self) -> str:
        return "its oldest record"


class FullRead:
    """Every record of the zone in numbered pages; the state at `mark` (or `end`) once done."""

    MARK_ROWS = MARK_ROWS  # (paging.MARK_ROWS: the mark is among the newest records)

    def __init__(self, zone: Zone, size: int, key: Key, column: str, *, start: Optional[str] = None,
                 mark: Optional[Callable[[], Optional[str]]] = None, ask_zone_for_mark: bool = False,
                 end: Optional[str] = None, progress: Optional[dict] = None, joins: Tuple[str, ...] = (),
                 taken: Optional[Callable[[], Tuple[str, ...]]] = None):
        self.zone, self.size, self.key, self.column, self.start = zone, size, key, column, start
        # The state when there is no mark (no record, or no change-feed entry, has a time yet).
        self.end = end
        self._pages = NumberedPages(zone, size, key, newest_first=True, joins=joins)
        self._mark_from = mark
        self._taken = taken  # ids whose change at the mark the read has (the feed's newest entries)
        self._ask_zone = ask_zone_for_mark and mark is None
        self._progress = progress
        self.mark: Optional[str] = None
        # The column of the rows that holds the newest-first order field, when the rows have it.
        order = zone.newest
        self.order_column = column if (order and order == zone.cursor) else order if zone.column(order or "") else None
        self.oldest: Optional[str] = (progress or {}).get("oldest")
        self.reached: Optional[str] = (progress or {}).get("reached")

    def first(self) -> Any:
        progress = self._progress
        if progress:
            self.mark = progress.get("mark")
            self.start = progress.get("start", self.start)  # the first day's start, not today's
            return PageToken(max(1, progress["page"]), max(1, progress["size"]))
        if self._mark_from is not None:
            self.mark = self._mark_from()
        if self._ask_zone and self.zone.newest != self.zone.cursor:
            return MarkToken(self.MARK_ROWS)
        return self._pages.first()  # newest first on the cursor: page 1 gives the mark

    def ask(self, token: Any) -> Ask:
        if isinstance(token, MarkToken):
            return newest_ask(self.zone, token.size)
        if isinstance(token, OldestToken):
            order = self.zone.newest
            return Ask(self.zone, page=1, size=1, where=((order, ">", where_value(EVERYTHING[:10])),),
                       order=((order, "asc"),))
        return self._pages.ask(token)

    def take(self, token: Any, rows: list, received: int) -> Step:
        if isinstance(token, MarkToken):
            self.mark = newest_value(rows, self.column)
            return Step(next=self._pages.first())
        if isinstance(token, OldestToken):
            self.oldest = min(_dates(rows, self.order_column), default=None)
            return Step(next=token.then, progress=self._position(token.then))
        step = self._pages.take(token, rows, received)
        if step.problem is not None:
            return step
        if self.order_column:
            self.reached = min(_dates(rows, self.order_column), default=self.reached)
        if self._ask_zone and self.mark is None and token.page == 1 and self._progress is None:
            self.mark = newest_value(rows, self.column)
        start, column = self.start, self.column
        if start:  # delivered: changed since the start, or with a cursor no filter could see
            width = len(start)
            step.rows = [row for row in step.rows if row.get(column) is None or row[column][:width] >= start[:width]]
        if step.next is not None:
            step.progress = self._position(step.next)
            if self.order_column and self.oldest is None and token.page == 1:
                step.next = OldestToken(then=step.next)  # a read of more than one page: how long?
        else:
            step.cursor = self.mark or self.end
            if self.mark and self._taken is not None and self._progress is None:
                step.taken = self._taken()
        return step

    def _position(self, token: Any) -> dict:
        """Where the read resumes (the state until it is done)."""
        progress = {"mark": self.mark, "page": token.page, "size": token.size}
        if self.start:
            progress["start"] = self.start
        if self.oldest and self.reached:
            progress.update(oldest=self.oldest, reached=self.reached)
        return progress


def _dates(rows: list, column: str) -> list:
    return [row[column][:10] for row in rows if isinstance(row.get(column), str) and len(row[column]) >= 10]


def pages_left(progress: dict, today: str) -> Optional[int]:
    """How many pages a stopped newest-first read still needs, estimated from how much of the
    zone's date range (`oldest` to today) its pages so far covered (`reached`); None if unknown."""
    from datetime import date

    try:
        oldest, reached = date.fromisoformat(progress["oldest"]), date.fromisoformat(progress["reached"])
        now = date.fromisoformat(today)
    except (KeyError, TypeError, ValueError):
        return None
    covered, span = (now - reached).days, (now - oldest).days
    read = max(0, progress.get("page", 1) - 1)
    if span <= 0 or covered <= 0 or read == 0:
        return None
    return max(1, round(read * span / covered) - read)
