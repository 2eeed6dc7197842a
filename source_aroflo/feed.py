"""AroFlo's change feed (the `lastupdate` zone), read once per sync for every zone that uses it.

The `lastupdate` zone lists which records changed and when (`zonename`, `zoneid`,
`lastupdateutc`) and is the only zone without a daily limit. Each stream that syncs through it
(`readers.ChangeFeedReader`) asks this object; the first question reads the feed, and every
later one is answered from what was read:

- `mark()`: the feed's newest change (one request, newest first, one entry): a first sync
  keeps it as its state, so anything that changes while the zone is read in full is in the feed
  for the next sync.
- `changes(zone, since)`: the zone's changed ids at or after `since`, newest change per id,
  in change order (ties by id). The feed is read once, from the earliest `since` of all the
  streams registered before the read began, for just the zones registered (`zonename IN ...`),
  keyset-paged on `lastupdateutc` like any seek.
- `end`: the newest change time the read saw (in any zone). A zone with nothing newer is up to
  date to that instant, so every stream's state moves to it: an idle zone does not hold the
  next sync's feed read back.

The entries live in memory for the sync: a few dozen bytes per changed record.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

log = logging.getLogger("airbyte.aroflo")

Entries = Callable[[Optional[str], Tuple[str, ...]], Iterable[List[dict]]]
Newest = Callable[[Tuple[str, ...]], Optional[str]]


class ChangeFeed:
    def __init__(self, read_entries: Entries, read_newest: Newest):
        self._read_entries = read_entries  # (after, zones) -> pages of rows {zonename, zoneid, updated_at}
        self._read_newest = read_newest  # zones -> the newest change time, or None
        self._lock = threading.Lock()
        self._since: Dict[str, Optional[str]] = {}
        self._first_sync: set = set()
        self._changes: Optional[Dict[str, Dict[str, str]]] = None
        self._mark: Any = _UNREAD
        self._failure: Optional[BaseException] = None
        self.end: Optional[str] = None
        self.entries = 0  # entries read, for the sync's summary
        self.skipped = 0  # entries without a zone name or id

    def register(self, zone: str, since: Optional[str]) -> None:
        """A stream that will ask: `since` its state minus the lookback, None on a first sync."""
        with self._lock:
            if since is None:
                self._first_sync.add(zone)
            else:
                current = self._since.get(zone)
                self._since[zone] = since if current is None else min(current, since)

    @property
    def zones(self) -> Tuple[str, ...]:
        return tuple(sorted(set(self._since) | self._first_sync))

    def mark(self) -> Optional[str]:
        with self._lock:
            if self._mark is _UNREAD:
                self._raise_if_failed()
                try:
                    self._mark = self._read_newest(self.zones)
                except BaseException as error:
                    self._failure = error
                    raise
            return self._mark

    def changes(self, zone: str, since: str) -> List[Tuple[str, str]]:
        with self._lock:
            if self._changes is None:
                self._raise_if_failed()
                if zone not in self._since:
                    self._since[zone] = since
                try:
                    self._read()
                except BaseException as error:
                    self._failure = error
                    raise
            newest = self._changes.get(zone, {})
        picked = [(ident, stamp) for ident, stamp in newest.items() if stamp >= since]
        picked.sort(key=lambda change: (change[1], change[0]))
        return picked

    def _read(self) -> None:
        zones = tuple(sorted(self._since))
        after = min(self._since.values())
        log.info(f"change feed: reading the changes of {', '.join(zones)} since {after}")
        changes: Dict[str, Dict[str, str]] = {zone: {} for zone in zones}
        end = None
        for rows in self._read_entries(after, zones):
            for row in rows:
                self.entries += 1
                name = str(row.get("zonename") or "").strip().lower()
                ident, stamp = row.get("zoneid"), row.get("updated_at")
                if not name or not ident or not stamp:
                    self.skipped += 1
                    continue
                if end is None or stamp > end:
                    end = stamp
                bucket = changes.get(name)
                if bucket is not None and stamp > bucket.get(ident, ""):
                    bucket[ident] = stamp
        self._changes, self.end = changes, end
        counts = ", ".join(f"{zone} {len(ids)}" for zone, ids in changes.items())
        log.info(f"change feed: {self.entries} entries, changed records: {counts}"
                 + (f"; {self.skipped} entries without a zone name, id or time were skipped" if self.skipped else ""))

    def _raise_if_failed(self) -> None:
        if self._failure is not None:
            raise self._failure


_UNREAD = object()
