"""The ways of reading a zone, one small class each, each with its own typed page token.

A reader says what to ask next (`ask(token) -> Ask`) and what an answer's rows mean
(`take(token, rows, received) -> Step`: the rows to emit, the next token, the cursor value
the state may move to once those rows are out, or a problem that makes the stream ask the
same page again). Readers never touch HTTP, state or Airbyte messages.

- `NumberedPages` (`PageToken`): page 1, 2, 3... of a `where` that matches every record, in
  AroFlo's own (insertion) order. Every full refresh of the zone dialect reads this way; an
  edit during the read does not move a record, and records with blank dates are not missed.
- `SeekOnTime` / `SeekOnDate` (`SeekToken`): keyset paging on a cursor. Records come ordered by
  the cursor; each next page is asked from the cursor of the last record received (inclusive),
  and the records already emitted at that value are skipped by id. A page wholly on one value
  steps through it by page number. A record whose cursor is blank is emitted and never moves
  the cursor.
- `FirstSync` (`MarkToken`, then `PageToken`): the first incremental sync of a zone: its
  newest change (from the zone, or from the change feed), then every record in numbered pages;
  the state is that newest change once the read is done, the position until then.
- `ChangeFeedReader` (`FetchToken`): the zone's changes from the shared change feed
  (`feed.ChangeFeed`), fetched by id in chunks, emitted in change order with their change time
  as the cursor.
"""

from __future__ import annotations

import bisect
import itertools
import math
import operator
from dataclasses import dataclass, field, replace
from typing import Any, Callable, FrozenSet, Optional, Tuple, Union

from .declaration import Reading, Zone
from .dialects import Ask


class TooSmall(Exception):
    """A page cannot be made any smaller (AroFlo refuses even one record a page)."""


def _smaller(size: int, offset: int) -> int:
    """Half the page size, dividing `offset` (records already read), so the page number of the
    smaller pages starts exactly where the refused page did: nothing skipped or read twice."""
    smaller = size // 2
    if offset and smaller:
        smaller = math.gcd(offset, smaller)
    if smaller < 1:
        raise TooSmall()
    return smaller


@dataclass(frozen=True)
class PageToken:
    page: int
    size: int
    previous: Optional[Tuple[Any, Any, int]] = None  # first id, last id, count of the page before

    def halved(self) -> "PageToken":
        offset = (self.page - 1) * self.size
        smaller = _smaller(self.size, offset)
        return replace(self, size=smaller, page=offset // smaller + 1)

    def describe(self) -> str:
        return f"page {self.page}"


@dataclass(frozen=True)
class SeekToken:
    after: Optional[str]  # canonical cursor value (inclusive), None = from the first record
    page: int
    size: int
    seen: FrozenSet[Any] = frozenset()  # keys already emitted at `after`

    def halved(self) -> "SeekToken":
        offset = (self.page - 1) * self.size
        smaller = _smaller(self.size, offset)
        return replace(self, size=smaller, page=offset // smaller + 1)

    def describe(self) -> str:
        return f"page {self.page}" + (f", from {self.after}" if self.after else "")


@dataclass(frozen=True)
class FetchToken:
    pending: Tuple[Tuple[str, str], ...]  # (id, change time) still to fetch, in change order
    size: int  # ids a request

    @property
    def chunk(self) -> Tuple[Tuple[str, str], ...]:
        return self.pending[: self.size]

    def halved(self) -> "FetchToken":
        if self.size // 2 < 1:
            raise TooSmall()
        return replace(self, size=self.size // 2)

    def describe(self) -> str:
        return f"{len(self.chunk)} changed records by id ({len(self.pending)} to go)"


@dataclass(frozen=True)
class MarkToken:
    """A first sync's first request: the zone's newest cursor value (newest first, a few records)."""

    size: int = 10

    def halved(self) -> "MarkToken":
        raise TooSmall()

    def describe(self) -> str:
        return "its newest update time"


Token = Union[PageToken, SeekToken, FetchToken, MarkToken]


@dataclass
class Step:
    rows: list = field(default_factory=list)
    next: Optional[Token] = None
    cursor: Optional[str] = None  # the state may move here once `rows` are emitted
    problem: Optional[str] = None  # not usable: ask the same page again
    taken: Tuple[str, ...] = ()  # change feed: ids whose change at `cursor` is delivered
    progress: Optional[dict] = None  # a first sync's position, kept as the state until it is done


Key = Callable[[dict], Any]  # a row's primary key (`operator.itemgetter` of the key columns)


def _signature(rows: list, key: Key) -> Optional[Tuple[Any, Any, int]]:
    return (key(rows[0]), key(rows[-1]), len(rows)) if rows else None


class NumberedPages:
    """Page by number through a `where` that matches every record."""

    def __init__(self, zone: Zone, size: int, key: Key):
        self.zone, self.size, self.key = zone, size, key

    def first(self) -> PageToken:
        return PageToken(1, self.size)

    def ask(self, token: PageToken) -> Ask:
        return Ask(self.zone, page=token.page, size=token.size)

    def take(self, token: PageToken, rows: list, received: int) -> Step:
        signature = _signature(rows, self.key)
        if signature and token.page > 1 and signature == token.previous:
            return Step(problem="the page repeats the previous page")
        full = received >= token.size
        following = replace(token, page=token.page + 1, previous=signature) if full else None
        return Step(rows=rows, next=following)


class _Seek:
    """Keyset paging on a cursor column; `key_length` characters of its canonical value compare."""

    key_length = 19

    def __init__(self, zone: Zone, column: str, size: int, key: Key, after: Optional[str], strict: bool = True):
        self.zone, self.column, self.size, self.key = zone, column, size, key
        self.after = after
        # A site-local cursor can run backwards in the hour repeated when daylight saving ends:
        # not strict, its values are read as never going backwards instead of failing the page.
        self.strict = strict

    def first(self) -> SeekToken:
        return SeekToken(self.after, 1, self.size)

    def canonical(self, key: str) -> str:
        return key + ("Z" if self.key_length == 19 else "")

    def ask(self, token: SeekToken) -> Ask:
        return Ask(self.zone, page=token.page, size=token.size, seek=True, after=token.after)

    def take(self, token: SeekToken, rows: list, received: int) -> Step:
        column, length, ident = self.column, self.key_length, self.key
        full = received >= token.size
        bound_key = token.after[:length] if token.after else None
        # A record with a blank cursor cannot be ordered: it is emitted, and never moves the cursor.
        dated = [row for row in rows if row[column] is not None]
        keys = [row[column][:length] for row in dated]
        if not self.strict and keys != sorted(keys):
            keys = list(itertools.accumulate(keys, max))
        if keys != sorted(keys) or (bound_key and keys and keys[0] < bound_key):
            return Step(problem=f"records are not in {column} order from {token.after or 'the start'}: "
                                "the answer does not follow the requested order")
        seen = token.seen
        if bound_key and seen:
            # Rows on the boundary value are a prefix (ascending order): only they can repeat.
            edge = bisect.bisect_right(keys, bound_key)
            repeated = {ident(row) for row in dated[:edge] if ident(row) in seen}
            fresh = [row for row in rows if ident(row) not in repeated] if repeated else rows
        else:
            fresh = rows
        if token.page > 1 and rows and not fresh:
            # Stepping through one cursor value by page number: a page of ids already read
            # there is a repeat, and accepting it would skip the page really asked for.
            return Step(problem="the page repeats a page already read")
        cursor = self.canonical(keys[-1]) if keys else None
        if not full:
            return Step(rows=fresh, cursor=cursor)
        last_key = keys[-1] if keys else bound_key
        if last_key and last_key != bound_key:
            tail = frozenset(ident(row) for row in dated[bisect.bisect_left(keys, last_key):])
            # A page wholly on the new value is page 1 from that value already: go on to page 2.
            following = SeekToken(self.canonical(last_key), 2 if len(tail) == len(rows) else 1, token.size, tail)
        else:
            # A whole page on one cursor value (or with no cursor at all): step by page number.
            following = replace(token, page=token.page + 1,
                                seen=token.seen | frozenset(ident(row) for row in rows))
        return Step(rows=fresh, next=following, cursor=cursor)


class SeekOnTime(_Seek):
    """Keyset paging on a UTC update time, compared to the second."""

    key_length = 19


class SeekOnDate(_Seek):
    """Keyset paging on a date: the boundary is a whole day."""

    key_length = 10


class FirstSync:
    """A cursor zone's first sync: every record, in numbered pages, then the state at the zone's
    newest change as it was just before the read.

    AroFlo's date filters cannot see a record whose date is blank (§5.2), so a first sync reads
    the zone once in full (ceil(n / page) requests) rather than seeking from the start date; the
    start date still decides which records it delivers (those changed since, and those with a
    blank cursor). The mark comes from the zone itself (one request, newest first) or from the
    change feed. Until the read is done the state is its position (`progress`), so a first sync
    stopped half-way resumes at the page it reached.
    """

    PROGRESS = "first_sync"

    MARK_ROWS = 10  # asked newest first: the first with a cursor is the mark (a blank one never is)

    def __init__(self, zone: Zone, size: int, key: Key, column: str, start: Optional[str],
                 mark: Optional[Callable[[], Optional[str]]] = None, progress: Optional[dict] = None,
                 fallback: Optional[str] = None):
        self.zone, self.size, self.key, self.column, self.start = zone, size, key, column, start
        # The state when there is no mark (no record, or no change-feed entry, has a time yet):
        # the start, so the next sync looks for changes from there instead of reading all again.
        self.fallback = fallback or start
        self._pages = NumberedPages(zone, size, key)
        self._mark_from = mark  # None: ask the zone for its newest record
        self._progress = progress if isinstance(progress, dict) else None
        self.mark: Optional[str] = None

    def first(self) -> Token:
        progress = self._progress
        if progress and isinstance(progress.get("page"), int) and isinstance(progress.get("size"), int):
            self.mark = progress.get("mark")
            return PageToken(max(1, progress["page"]), max(1, progress["size"]))
        if self._mark_from is not None:
            self.mark = self._mark_from()
            return self._pages.first()
        return MarkToken()

    def ask(self, token: Token) -> Ask:
        if isinstance(token, MarkToken):
            return Ask(self.zone, page=1, size=self.MARK_ROWS, seek=True, newest=True)
        return self._pages.ask(token)

    def take(self, token: Token, rows: list, received: int) -> Step:
        if isinstance(token, MarkToken):
            self.mark = max((r[self.column] for r in rows if isinstance(r.get(self.column), str)), default=None)
            return Step(next=self._pages.first())
        step = self._pages.take(token, rows, received)
        if step.problem is not None:
            return step
        start, column = self.start, self.column
        if start:  # delivered: changed since the start, or with a cursor no filter could see
            size = len(start)
            step.rows = [row for row in step.rows if row[column] is None or row[column][:size] >= start[:size]]
        if step.next is not None:
            step.progress = {"mark": self.mark, "page": step.next.page, "size": step.next.size}
        else:
            step.cursor = self.mark or self.fallback
        return step


class ChangeFeedReader:
    """A zone's changes from the shared change feed, fetched by id, in change order."""

    def __init__(self, zone: Zone, size: int, key: Key, feed: Any, chunk: int,
                 since: str, seek: Optional[Callable[[], _Seek]] = None,
                 on_missing: Optional[Callable[[int], None]] = None,
                 taken: Tuple[Optional[str], FrozenSet[str]] = (None, frozenset())):
        self.zone, self.size, self.key, self.feed, self.chunk = zone, size, key, feed, chunk
        self.since = since  # the saved state minus the lookback
        # The saved state's instant and the ids whose change at that instant the last sync
        # delivered: not fetched again (the boundary is inclusive, for same-second ties).
        self._taken_at, self._taken = taken
        self._last: Tuple[Optional[str], set] = (None, set())
        self._make_seek = seek  # FEED_OR_SEEK: the zone's own update time, when fewer requests
        self._seek: Optional[_Seek] = None
        self._on_missing = on_missing or (lambda count: None)
        self.choice = ""

    def first(self) -> Tuple[Optional[Token], Optional[str]]:
        """The first token, and the cursor to keep when there is nothing to ask."""
        changes = self.feed.changes(self.zone.name, self.since)
        if self._taken:
            changes = [c for c in changes if not (c[1] == self._taken_at and c[0] in self._taken)]
        end = self.feed.end
        fetches = math.ceil(len(changes) / self.chunk)
        seeks = max(1, math.ceil(len(changes) / self.size))
        if self._make_seek is not None and fetches > seeks:
            self._seek = self._make_seek()
            self.choice = (f"{len(changes)} changes: {seeks} request(s) seeking on its update time "
                           f"instead of {fetches} by id")
            return self._seek.first(), end
        self.choice = f"{len(changes)} changes from the change feed: {fetches} request(s) by id"
        if not changes:
            return None, end
        return FetchToken(tuple(changes), min(self.chunk, self.size)), end

    def ask(self, token: Token) -> Ask:
        if self._seek is not None:
            return self._seek.ask(token)
        return Ask(self.zone, ids=tuple(ident for ident, _ in token.chunk))

    def take(self, token: Token, rows: list, received: int) -> Step:
        if self._seek is not None:
            step = self._seek.take(token, rows, received)
            if step.next is None and step.problem is None:
                step.cursor = max(filter(None, (step.cursor, self.feed.end)), default=None)
            return step
        return self._fetched(token, rows)

    def _fetched(self, token: FetchToken, rows: list) -> Step:
        chunk = token.chunk
        by_id = {self.key(row): row for row in rows}
        ordered = []
        for ident, stamp in chunk:
            row = by_id.get(ident)
            if row is not None:
                row["updated_at"] = stamp
                ordered.append(row)
        missing = len(chunk) - len(ordered)
        if missing:
            self._on_missing(missing)  # deleted in AroFlo since they changed: nothing to send
        rest = token.pending[len(chunk):]
        following = replace(token, pending=rest) if rest else None
        cursor = chunk[-1][1]
        at, taken = self._last
        if at != cursor:
            at, taken = cursor, set()
        taken.update(ident for ident, stamp in chunk if stamp == cursor)
        self._last = (at, taken)
        if following is None and self.feed.end and self.feed.end > cursor:
            return Step(rows=ordered, cursor=self.feed.end)  # nothing of this zone at the feed's end
        return Step(rows=ordered, next=following, cursor=cursor, taken=tuple(sorted(taken)))


def seek_class(reading: Reading) -> type:
    return SeekOnDate if reading is Reading.SEEK_DATE else SeekOnTime


class FeedEntries(SeekOnTime):
    """The change feed's entries for some zones, from a time on (keyset paging on its time)."""

    def __init__(self, zone: Zone, size: int, after: Optional[str], zones: Tuple[str, ...]):
        super().__init__(zone, "updated_at", size, operator.itemgetter("zonename", "zoneid"), after)
        self.zones = zones

    def ask(self, token: Token) -> Ask:
        return replace(super().ask(token), feed=self.zones)


class NewestEntry:
    """The change feed's newest entry for some zones: one request, newest first (the first with
    a time is the newest; an entry with a blank time is never taken for it)."""

    def __init__(self, zone: Zone, zones: Tuple[str, ...]):
        self.zone, self.zones = zone, zones

    def first(self) -> PageToken:
        return PageToken(1, 1)

    def ask(self, token: PageToken) -> Ask:
        return Ask(self.zone, page=1, size=FirstSync.MARK_ROWS, seek=True, newest=True, feed=self.zones)

    def take(self, token: PageToken, rows: list, received: int) -> Step:
        dated = [row for row in rows if isinstance(row.get("updated_at"), str)]
        return Step(rows=[max(dated, key=lambda row: row["updated_at"])] if dated else [])
