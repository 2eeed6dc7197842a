"""Paging: the page tokens, and the two ways of walking a zone's records page by page.

A reader says what to ask next (`ask(token) -> Ask`) and what an answer's rows mean
(`take(token, rows, received) -> Step`: the rows to emit, the next token, the cursor the state
may move to once those rows are out, or a problem that makes the stream ask the same page
again). Readers never touch HTTP, state or Airbyte messages.

- `NumberedPages` (`PageToken`): page 1, 2, 3... of a `where` (by default one that matches
  every record), in AroFlo's own order or newest first on an order field.
- `Seek` (`SeekToken`): keyset paging on a cursor. Records come ordered by the cursor; each next
  page is asked from the cursor of the last record received (inclusive), and the records already
  emitted at that value are skipped by id. A page wholly on one value steps through it by page
  number. A record whose cursor is blank is emitted and never moves the cursor.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, FrozenSet, Optional, Tuple

from .cursor import EVERYTHING, where_value
from .declaration import Grain, Zone
from .dialects import NO_ID, Ask, Where

Key = Callable[[dict], Any]  # a row's primary key (`operator.itemgetter` of the key columns)


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
    full: int = 0  # the size before AroFlo refused a page (0: never refused)

    def halved(self) -> "PageToken":
        offset = (self.page - 1) * self.size
        smaller = _smaller(self.size, offset)
        return replace(self, size=smaller, page=offset // smaller + 1, full=self.full or self.size)

    def following(self, previous: Optional[Tuple[Any, Any, int]]) -> "PageToken":
        """The next page: back at the full size as soon as the records read so far fill whole
        pages of it (a refused page costs a few smaller pages, not the rest of the read)."""
        read = self.page * self.size
        if self.full and read % self.full == 0:
            return PageToken(read // self.full + 1, self.full, previous)
        return replace(self, page=self.page + 1, previous=previous)

    def describe(self) -> str:
        return f"page {self.page}"


@dataclass(frozen=True)
class SeekToken:
    after: Optional[str]  # canonical cursor value (inclusive), None = from the first record
    page: int
    size: int
    seen: FrozenSet[Any] = frozenset()  # keys already emitted at `after`
    full: int = 0  # the size before AroFlo refused a page (0: never refused)

    def halved(self) -> "SeekToken":
        offset = (self.page - 1) * self.size
        smaller = _smaller(self.size, offset)
        return replace(self, size=smaller, page=offset // smaller + 1, full=self.full or self.size)

    def describe(self) -> str:
        return f"page {self.page}" + (f", from {self.after}" if self.after else "")


@dataclass
class Step:
    rows: list = field(default_factory=list)
    next: Any = None
    cursor: Optional[str] = None  # the state may move here once `rows` are emitted
    problem: Optional[str] = None  # not usable: ask the same page again
    taken: Tuple[str, ...] = ()  # change feed: ids whose change at `cursor` is delivered
    progress: Optional[dict] = None  # a full read's position, kept as the state until it is done
    deleted: Tuple[Tuple[Any, str], ...] = ()  # (id, change time) of records AroFlo no longer returns


def _signature(rows: list, key: Key) -> Optional[Tuple[Any, Any, int]]:
    return (key(rows[0]), key(rows[-1]), len(rows)) if rows else None


def match_all(zone: Zone) -> Tuple[Where, ...]:
    """A `where` that matches every record whatever its dates: any `where` turns AroFlo's 30-day
    default filter off, and an id comparison does not depend on dates (a blank date is NULL to
    AroFlo's SQL, which no date comparison matches). Zones without an id where field: the feed
    matches on its time; the others document no where field and no default filter."""
    if zone.id_where:
        return ((zone.id_where, "!=", NO_ID),)
    if zone.cursor:
        return ((zone.cursor, ">", where_value(EVERYTHING)),)
    return ()


class NumberedPages:
    """Page by number through `where` (default: every record), optionally newest first."""

    def __init__(self, zone: Zone, size: int, key: Key, where: Optional[Tuple[Where, ...]] = None,
                 newest_first: bool = False, joins: Tuple[str, ...] = (), end: Optional[str] = None):
        self.zone, self.size, self.key, self.joins = zone, size, key, joins
        self.end = end  # the cursor the state takes once the last page is out
        self.where = match_all(zone) if where is None else where
        self.order = ((zone.newest, "desc"),) if (newest_first and zone.newest) else ()

    def first(self) -> PageToken:
        return PageToken(1, self.size)

    def ask(self, token: PageToken) -> Ask:
        return Ask(self.zone, page=token.page, size=token.size, where=self.where, order=self.order, joins=self.joins)

    def take(self, token: PageToken, rows: list, received: int) -> Step:
        signature = _signature(rows, self.key)
        if signature and token.page > 1 and signature == token.previous:
            return Step(problem="the page repeats the previous page")
        full = received >= token.size
        following = token.following(signature) if full else None
        return Step(rows=rows, next=following, cursor=None if following else self.end)


class Seek:
    """Keyset paging on a cursor: `column` in the rows, `field` in the `where`."""

    def __init__(self, zone: Zone, column: str, size: int, key: Key, after: Optional[str],
                 grain: Grain = Grain.SECOND, field: Optional[str] = None, strict: bool = True,
                 joins: Tuple[str, ...] = ()):
        self.zone, self.column, self.size, self.key = zone, column, size, key
        self.after, self.grain, self.joins = after, grain, joins
        self.field = field or zone.cursor
        # A site-local cursor can run backwards in the hour repeated when daylight saving ends:
        # not strict, its values are read as never going backwards instead of failing the page.
        self.strict = strict

    def first(self) -> SeekToken:
        return SeekToken(self.after, 1, self.size)

    def ask(self, token: SeekToken) -> Ask:
        start = token.after or (EVERYTHING if self.grain is Grain.SECOND else EVERYTHING[:10])
        # `>` on the value one step earlier = "at or after" it.
        where = ((self.field, ">", where_value(start, 1)),)
        return Ask(self.zone, page=token.page, size=token.size, where=where, order=((self.field, "asc"),),
                   joins=self.joins, seek_from=start)

    def take(self, token: SeekToken, rows: list, received: int) -> Step:
        column, width, ident = self.column, self.grain.width, self.key
        full = received >= token.size
        bound_key = token.after[:width] if token.after else None
        # A record with a blank cursor cannot be ordered: it is emitted, and never moves the cursor.
        dated = [row for row in rows if row[column] is not None]
        keys = [row[column][:width] for row in dated]
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
        cursor = self.grain.canonical(keys[-1]) if keys else None
        if not full:
            return Step(rows=fresh, cursor=cursor)
        last_key = keys[-1] if keys else bound_key
        if last_key and last_key != bound_key:
            tail = frozenset(ident(row) for row in dated[bisect.bisect_left(keys, last_key):])
            # A page wholly on the new value is page 1 from that value already: go on to page 2.
            # From a new value the pages start afresh: back at the full size if a page was refused.
            size = token.full or token.size
            following = SeekToken(self.grain.canonical(last_key), 2 if len(tail) == len(rows) and size == token.size else 1,
                                  size, tail)
        else:
            # A whole page on one cursor value (or with no cursor at all): step by page number.
            following = replace(token, page=token.page + 1, seen=token.seen | frozenset(ident(row) for row in rows))
        return Step(rows=fresh, next=following, cursor=cursor)


# ---- a zone's newest records ----------------------------------------------------------------------
MARK_ROWS = 10  # asked newest first: the newest value is among them (a blank one never counts)


def newest_ask(zone: Zone, size: int = MARK_ROWS) -> Ask:
    """The zone's newest records on its cursor, newest first."""
    return Ask(zone, page=1, size=size, where=((zone.cursor, ">", where_value(EVERYTHING)),),
               order=((zone.cursor, "desc"),))


def newest_value(rows: list, column: str) -> Optional[str]:
    """The newest value of `column` among `rows` (rows without one aside)."""
    return max((row[column] for row in rows if isinstance(row.get(column), str)), default=None)
