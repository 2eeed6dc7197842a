"""AroFlo's change feed (the `lastupdate` zone, which has no daily limit), read once per sync,
and the reader that fetches a zone's changed records from it.

`ChangeFeed` is shared by the streams of a sync. Its one read lists every zone's changes since
the earliest point a feed-reading stream needs (`where lastupdateutc > …`, no `zonename`
filter, keyset-paged on its time), so it also shows which zones this site's feed carries
(AroFlo documents "tasks, …, etc."). A zone first seen in the feed after its stream's own
starting point is read for that zone alone from there (`ensure`), once.

`FeedEntries` reads the feed's entries (keyset on their time), `NewestEntry` its newest one;
`feed_reader.FeedReader` fetches one zone's changed records.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from .declaration import UPDATED_AT, Zone
from .dialects import Ask
from .feed_reader import Change
from .paging import MARK_ROWS, PageToken, Seek, Step, newest_ask, newest_value

log = logging.getLogger("airbyte.aroflo")

Entries = Callable[[Optional[str], Tuple[str, ...]], Iterable[List[dict]]]
Newest = Callable[[], List[dict]]


class ChangeFeed:
    """The sync's reads of the change feed: `read_entries(after, zones)` yields pages of rows
    {zonename, zoneid, updated_at} (zones empty: every zone); `read_newest()` the newest entries."""

    def __init__(self, read_entries: Entries, read_newest: Newest):
        self._read_entries, self._read_newest = read_entries, read_newest
        self._lock = threading.RLock()
        self._since: Dict[str, str] = {}
        self._from: Optional[str] = None  # where the read started
        self._changes: Optional[Dict[str, Dict[str, str]]] = None
        self._mark: Any = _UNREAD
        self._at_mark: Dict[str, Set[str]] = {}
        self._gone: Dict[str, Set[str]] = {}  # zone -> ids whose newest entry says deleted
        self._failure: Optional[BaseException] = None
        self.zones_seen: Set[str] = set()
        self.end: Optional[str] = None  # the newest change time the read saw, in any zone
        self.entries = self.skipped = 0

    def register(self, zone: str, since: str) -> None:
        """A stream that reads its changes from the feed from `since` (its state minus the lookback)."""
        with self._lock:
            current = self._since.get(zone)
            self._since[zone] = since if current is None else min(current, since)

    def probe_from(self, since: str) -> None:
        """Where to read from when no stream reads the feed (only to see which zones it carries)."""
        with self._lock:
            self._since.setdefault("", since)

    def mark(self) -> Optional[str]:
        """The feed's newest change: a first sync keeps it as its state."""
        with self._lock:
            if self._mark is _UNREAD:
                newest = self._guarded(self._read_newest) or []
                self._mark = newest_value(newest, UPDATED_AT)
                for row in newest:  # the changes at that instant: a first sync has them already
                    if row.get(UPDATED_AT) == self._mark and row.get("zoneid"):
                        zone = str(row.get("zonename") or "").strip().lower()
                        self._at_mark.setdefault(zone, set()).add(str(row["zoneid"]))
            return self._mark

    def at_mark(self, zone: str) -> Tuple[str, ...]:
        """Ids of `zone` whose change is at the mark (those the newest-entries answer showed)."""
        return tuple(sorted(self._at_mark.get(zone, ())))

    def read(self) -> None:
        """Read the feed once (later calls do nothing)."""
        with self._lock:
            if self._changes is not None or not self._since:
                return
            self._from = min(self._since.values())
            changes: Dict[str, Dict[str, str]] = {}
            self._guarded(lambda: self._take(self._read_entries(self._from, ()), changes))
            self._changes = changes
            counts = ", ".join(f"{zone} {len(ids)}" for zone, ids in sorted(changes.items())) or "none"
            log.info(f"change feed: {self.entries} entries since {self._from}; changed records: {counts}"
                     + (f"; {self.skipped} entries without a zone name, id or time skipped" if self.skipped else ""))

    def carries(self, zone: str) -> bool:
        return zone in self.zones_seen

    def ensure(self, zone: str, since: str) -> None:
        """The zone's changes from `since` on, when the shared read began later (a zone the feed
        was just seen to carry, or a stream whose state is older than the others')."""
        with self._lock:
            self.read()
            if self._changes is None or self._from is None or since >= self._from:
                return
            # Into the shared map: an entry only replaces an older one of the same id.
            self._guarded(lambda: self._take(self._read_entries(since, (zone,)), self._changes, count=False))

    def changes(self, zone: str, since: str) -> List[Change]:
        """The zone's changed ids at or after `since`, newest change per id, in change order."""
        with self._lock:
            self.read()
            newest = dict((self._changes or {}).get(zone, {}))
        gone = self._gone.get(zone, set())
        picked = [(ident, stamp) for ident, stamp in newest.items() if stamp >= since and ident not in gone]
        picked.sort(key=lambda change: (change[1], change[0]))
        return picked

    def deleted(self, zone: str, since: str) -> List[Change]:
        """The zone's ids whose newest entry at or after `since` says the record was deleted."""
        with self._lock:
            self.read()
            newest = (self._changes or {}).get(zone, {})
            gone = sorted((ident, newest[ident]) for ident in self._gone.get(zone, ()) if newest.get(ident, "") >= since)
        return gone

    def _take(self, pages: Iterable[List[dict]], into: Dict[str, Dict[str, str]], count: bool = True) -> None:
        for rows in pages:
            for row in rows:
                if count:
                    self.entries += 1
                name = str(row.get("zonename") or "").strip().lower()
                ident, stamp = row.get("zoneid"), row.get(UPDATED_AT)
                if not name or not ident or not stamp:
                    self.skipped += count
                    continue
                self.zones_seen.add(name)
                if self.end is None or stamp > self.end:
                    self.end = stamp
                bucket = into.setdefault(name, {})
                if stamp > bucket.get(ident, ""):
                    bucket[ident] = stamp
                    gone = self._gone.setdefault(name, set())
                    if str(row.get("isdeleted") or "").strip().lower() in ("1", "true"):
                        gone.add(ident)  # AroFlo says the record was deleted: nothing to fetch
                    else:
                        gone.discard(ident)

    def _guarded(self, read: Callable[[], Any]) -> Any:
        if self._failure is not None:
            raise self._failure
        try:
            return read()
        except BaseException as error:
            self._failure = error
            raise


_UNREAD = object()


class FeedEntries(Seek):
    """The change feed's entries from a time on (keyset paging on its time); `zones` narrows it."""

    def __init__(self, zone: Zone, size: int, after: Optional[str], zones: Tuple[str, ...]):
        import operator

        super().__init__(zone, UPDATED_AT, size, operator.itemgetter("zonename", "zoneid"), after)
        self.zones = zones

    def ask(self, token: Any) -> Ask:
        ask = super().ask(token)
        if not self.zones:
            return ask
        narrowed = (("zonename", "IN" if len(self.zones) > 1 else "=", "*".join(self.zones)),)
        return replace(ask, where=narrowed + ask.where)


class NewestEntry:
    """The change feed's newest entry: one request, newest first (an entry with a blank time is
    never taken for it)."""

    def __init__(self, zone: Zone):
        self.zone = zone

    def first(self) -> Any:
        return PageToken(1, MARK_ROWS)

    def ask(self, token: Any) -> Ask:
        return newest_ask(self.zone)

    def take(self, token: Any, rows: list, received: int) -> Step:
        return Step(rows=[row for row in rows if isinstance(row.get(UPDATED_AT), str)])
