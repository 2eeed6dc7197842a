"""Choosing how each zone is read in this sync, and what that is expected to cost.

A `Plan` is a reader (`paging.py`, `full_read.py`, `change_feed.py`) with its first token, in
words for the log, with the daily-limited and single-id requests it needs at least, and the state
keys the stream takes once it is done. By the zone's reading (`declaration.Reading`), the mode
and the saved state:

| what | full refresh | first incremental sync | later incremental syncs |
|---|---|---|---|
| every zone | every record | every record, newest first where it can be ordered | (below) |
| FEED | | | the feed's changed ids, fetched by id |
| FEED_OR_SEEK | | | by id, or a seek on its update time when cheaper |
| SEEK_TIME | | | a seek on its update time |
| WINDOW | | | records dated since the last sync; the re-read window once a day |
| REFRESH | | | every record, at most every `refresh_hours`; else nothing |

A zone the site's change feed turns out to carry (seen in this sync's feed read, or remembered in
its state) is read through the feed whatever its reading. Fetching by id spends one single-id
request an id (AroFlo's 20,000-a-day budget) or one daily-limited request per 50 ids:
`allocate_fetches` gives the single-id requests of a sync (`single_id_requests_per_sync`, and what
AroFlo says is left above the reserve) to the zones with the fewest changes first — there one
single-id request saves the most daily-limited ones — and the rest fetch 50 a request, or seek.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, List, Optional

from .config import parse_datetime
from .cursor import FEED_SEEN, TAKEN, WINDOW_AT, Cursor, canonical, progress_of, saved_time, where_value
from .declaration import READ_AT, UPDATED_AT, Grain, Reading
from .dialects import SINGLE
from .feed_reader import FeedReader
from .full_read import FullRead
from .paging import NumberedPages, Seek


@dataclass
class Plan:
    reader: Any = None
    token: Any = None
    what: str = "nothing to read"
    daily: int = 0  # daily-limited requests it needs at least
    single: int = 0  # single-id requests it needs
    more: bool = False  # `daily` is a lower bound (a read whose pages are unknown)
    finish: dict = field(default_factory=dict)  # state keys once the read is done
    changes: int = 0  # feed: changed records to fetch
    deleted: list = field(default_factory=list)  # feed: (id, time) of records AroFlo says it deleted
    fetch: Optional[dict] = None  # feed: what FeedReader needs, until allocate_fetches decides how

    @property
    def idle(self) -> bool:
        return self.reader is None and self.fetch is None


class Planner:
    def __init__(self, settings: Any, feed: Any, ids_per_request: int, now: datetime):
        self.settings, self.feed, self.ids_per_request, self.now = settings, feed, ids_per_request, now
        self.stamp = canonical(now)  # READ_AT of this sync

    # ---- one family ---------------------------------------------------------------------------
    def plan(self, zone: Any, key: Any, cursor: Cursor, mode: str, state: dict, joins: tuple = ()) -> Plan:
        """`mode`: full (no state kept), full_with_state (every record, and a state), incremental."""
        plan = self._plan(zone, key, cursor, mode, state, joins)
        if zone.change_feed:  # no daily limit
            plan.daily, plan.more = 0, False
        return plan

    def _plan(self, zone: Any, key: Any, cursor: Cursor, mode: str, state: dict, joins: tuple) -> Plan:
        size = self.settings.page_size
        if mode == "full":
            return Plan(NumberedPages(zone, size, key, joins=joins), what=f"every record, {size} a page", daily=1,
                        more=True)
        progress = progress_of(state)
        saved = cursor.saved(state) if mode == "incremental" else None
        if saved is None and progress is None and zone.change_feed and mode == "incremental":
            # The feed's entries always carry their time: a first sync seeks from the start date
            # instead of reading every entry of every zone (free, but long).
            start = canonical(self.settings.first_sync_start(self.now))
            return Plan(Seek(zone, UPDATED_AT, size, key, start), what=f"entries since {start[:10]} (a first sync)")
        if saved is None or progress is not None:
            return self._full_read(zone, key, cursor, state if mode == "incremental" else {}, progress, joins)
        since = cursor.since(state)
        if self._through_feed(zone, state, cursor):
            return self._changes(zone, key, cursor, state, since, joins)
        reading = zone.reading
        if reading is Reading.SEEK_TIME:
            seek = Seek(zone, UPDATED_AT, size, key, since, strict=zone.cursor_kind != "local", joins=joins)
            return Plan(seek, what=f"changes since {since} on its update time", daily=1, more=True)
        if reading is Reading.WINDOW:
            return self._window(zone, key, cursor, state, joins)
        if reading is Reading.REFRESH:
            last = saved_time(state, cursor.column) or saved_time(state, READ_AT)
            due = last is None or self.now - last >= timedelta(hours=self.settings.refresh_hours) - timedelta(minutes=5)
            if not due:
                nxt = last + timedelta(hours=self.settings.refresh_hours)
                return Plan(what=f"not due: read in full again after {nxt.strftime('%Y-%m-%d %H:%M')} UTC")
            return self._full_read(zone, key, cursor, {}, None, joins, why="due for its re-read")
        raise AssertionError(f"{zone.name}: no plan for {reading}")

    def _full_read(self, zone: Any, key: Any, cursor: Cursor, state: dict, progress: Optional[dict],
                   joins: tuple, why: str = "a first sync") -> Plan:
        size, reading = self.settings.page_size, zone.reading
        start = end = mark = taken = None
        if reading.uses_feed:
            mark = self.feed.mark  # the feed's newest change: anything later is found next time
            taken = lambda: self.feed.at_mark(zone.name)  # noqa: E731
        elif reading is Reading.SEEK_TIME:
            start = canonical(self.settings.first_sync_start(self.now), cursor.grain)
        if reading in (Reading.WINDOW, Reading.REFRESH) or reading.uses_feed:
            # (a feed zone whose feed has no entry yet: later changes are in the feed after now)
            end = cursor.cap  # the sync's start at the cursor's grain
        reader = FullRead(zone, size, key, cursor.column, start=start, mark=mark,
                          ask_zone_for_mark=reading is Reading.SEEK_TIME, end=end, progress=progress, joins=joins,
                          taken=taken)
        at = f", resumed at page {progress['page']}" if progress else ""
        order = " newest first" if zone.newest else ""
        delivered = f"; delivered: changed since {start[:10]}, or with a blank update time" if start else ""
        finish = {READ_AT: self.stamp} if reading in (Reading.WINDOW, Reading.REFRESH) else {}
        if reading is Reading.WINDOW:
            finish[WINDOW_AT] = self.stamp
        return Plan(reader, what=f"every record ({why}{at}){order}, {size} a page{delivered}", daily=1, more=True,
                    finish=finish)

    def _window(self, zone: Any, key: Any, cursor: Cursor, state: dict, joins: tuple) -> Plan:
        """Records dated from the day before the last sync (new ones: created, worked or paid since),
        and once a day from the start of the re-read window (edits to recent ones)."""
        days = self.settings.re_read_window_days
        window_at = saved_time(state, WINDOW_AT)
        due = window_at is None or self.now - window_at >= timedelta(hours=24) - timedelta(minutes=5)
        tz = self.settings.site_tz
        saved = cursor.saved(state)  # the cursor, or the seed's one `last_sync_time`
        last = saved_time(state, READ_AT) or (parse_datetime(saved) if saved else self.now)
        since_day = last.astimezone(tz).date() - timedelta(days=1)
        what = f"records dated since {since_day} (new since the last sync" + ("; future ones too" if zone.future else "")
        if due:
            window_day = self.now.astimezone(tz).date() - timedelta(days=days)
            if window_day < since_day:
                since_day = window_day
                what = f"records dated since {since_day} (the {days}-day re-read window, once a day"
        # `>` the day before: from the start of `since_day`. Site-local days against a UTC field
        # are at most a day apart; the day before the last sync covers that.
        day_before = where_value(since_day.isoformat(), 1)
        value = day_before if zone.where_kind(zone.window) == "date" else day_before + " 23:59:59"
        end = cursor.cap  # the sync's start at the cursor's grain
        finish = {READ_AT: self.stamp, **({WINDOW_AT: self.stamp} if due else {})}
        reader = NumberedPages(zone, self.settings.page_size, key, where=((zone.window, ">", value),), joins=joins,
                               end=end)
        return Plan(reader, what=what + ")", daily=1, more=True, finish=finish)

    # ---- the change feed ----------------------------------------------------------------------
    def _through_feed(self, zone: Any, state: dict, cursor: Cursor) -> bool:
        if zone.reading.uses_feed:
            return True
        # A feed entry names one id: a zone keyed on two columns (stock levels) cannot be matched to it.
        if not zone.id_where or len(zone.key) != 1 or cursor.grain is not Grain.SECOND or self.feed is None:
            return False
        return bool(state.get(FEED_SEEN)) or self.feed.carries(zone.name)

    def _changes(self, zone: Any, key: Any, cursor: Cursor, state: dict, since: str, joins: tuple) -> Plan:
        if not zone.reading.uses_feed:
            self.feed.ensure(zone.name, since)  # a zone just found in the feed: its changes from its own state
        changes, gone = self.feed.changes(zone.name, since), self.feed.deleted(zone.name, since)
        taken_at, taken = cursor.saved(state), set(state.get(TAKEN) or ())
        if taken:
            changes = [c for c in changes if not (c[1] == taken_at and c[0] in taken)]
            gone = [c for c in gone if not (c[1] == taken_at and c[0] in taken)]
        seek = None
        if zone.reading.seeks:
            seek = Seek(zone, UPDATED_AT, self.settings.page_size, key, since,
                        strict=zone.cursor_kind != "local", joins=joins)
        finish = {} if zone.reading.uses_feed else {FEED_SEEN: True}
        fetch = {"zone": zone, "key": key, "changes": changes, "end": self.feed.end, "seek": seek, "joins": joins,
                 "column": cursor.column}  # FeedReader's arguments
        plan = Plan(what=f"{len(changes)} changes from the change feed", changes=len(changes), fetch=fetch,
                    finish=finish, deleted=gone)
        if not changes:
            plan.fetch = None
            plan.finish = {**finish, cursor.column: self.feed.end} if self.feed.end else finish
        return plan

    def allocate_fetches(self, plans: List[Plan], single_left: Optional[int], single_reserve: int) -> None:
        """Decide for every feed plan how its changes are fetched (see the module's docstring)."""
        allowance = self.settings.single_id_requests_per_sync
        if single_left is not None:
            allowance = min(allowance, max(0, single_left - single_reserve))
        for plan in sorted((p for p in plans if p.fetch), key=lambda p: p.changes):
            k, fetch = plan.changes, dict(plan.fetch)
            seek = fetch.pop("seek")
            batch = math.ceil(k / self.ids_per_request)
            seek_cost = math.ceil(k / self.settings.page_size) if seek is not None else None
            if k <= allowance:
                allowance -= k
                plan.reader = FeedReader(ids_per_request=1, **fetch)
                plan.single, plan.what = k, f"{k} changes from the change feed: {k} single-id requests"
            elif seek_cost is not None and seek_cost < batch:
                plan.reader = FeedReader(ids_per_request=self.ids_per_request, seek=seek, **fetch)
                plan.daily, plan.more = seek_cost, True
                plan.what = f"{k} changes: a seek on its update time ({seek_cost} requests) instead of {batch} by id"
            else:
                plan.reader = FeedReader(ids_per_request=self.ids_per_request, **fetch)
                plan.daily = batch
                plan.what = f"{k} changes from the change feed: {batch} requests of up to {self.ids_per_request} ids"
            plan.fetch = None


def budget_words(plan: Plan) -> str:
    parts = []
    if plan.daily:
        parts.append(f"{'at least ' if plan.more else ''}{plan.daily} daily-limited")
    if plan.single:
        parts.append(f"{plan.single} {SINGLE}")
    return " + ".join(parts) or "0"
