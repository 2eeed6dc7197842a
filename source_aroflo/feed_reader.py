"""One zone's changed records, from the ids the change feed lists.

`FeedReader` fetches them one id a request from AroFlo's single-id budget (20,000 a day), or 50
ids a request from the daily limit — or, for a zone with an update time of its own, seeks on it
(500 a request) and then fetches by id only what the seek did not return. Records are emitted in
change order with the feed's change time as their `updated_at`; an id that no longer comes back
was deleted in AroFlo and becomes a deletion record.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, List, Optional, Set, Tuple

from .declaration import UPDATED_AT, Zone
from .dialects import Ask
from .paging import Key, Seek, Step, TooSmall

Change = Tuple[str, str]  # (id, change time)


@dataclass(frozen=True)
class FetchToken:
    pending: Tuple[Change, ...]  # (id, change time) still to fetch, in change order
    size: int  # ids a request (1: AroFlo's single-id budget)
    full: int = 0  # the ids a request before AroFlo refused one (0: never refused)

    @property
    def chunk(self) -> Tuple[Change, ...]:
        return self.pending[: self.size]

    def halved(self) -> "FetchToken":
        if self.size // 2 < 1:
            raise TooSmall()
        return replace(self, size=self.size // 2, full=self.full or self.size)

    def describe(self) -> str:
        what = "by id" if self.size == 1 else f"{len(self.chunk)} by id"
        return f"changed records {what} ({len(self.pending)} to go)"


class FeedReader:
    """One zone's changes: optionally a seek on its own update time first, then fetches by id."""

    def __init__(self, zone: Zone, key: Key, changes: List[Change], end: Optional[str], ids_per_request: int,
                 seek: Optional[Seek] = None, joins: Tuple[str, ...] = (), column: str = UPDATED_AT):
        self.zone, self.key, self.joins = zone, key, joins
        # The stream's cursor column: `updated_at` takes the feed's change time; a zone whose
        # cursor is `read_at` (one the site's feed turned out to carry) keeps when it was read.
        self.stamped = column == UPDATED_AT
        self.changes, self.end = changes, end
        self.ids_per_request = ids_per_request  # 1 (single-id budget) or up to 50 (daily limit)
        self._seek = seek
        self._stamps = dict(changes)  # id -> the feed's change time
        self._seen: Set[str] = set()
        self._last: Tuple[Optional[str], set] = (None, set())

    def first(self) -> Any:
        if self._seek is not None:
            return self._seek.first()
        return self._fetch(self.changes)

    def _fetch(self, pending: List[Change]) -> Optional[FetchToken]:
        return FetchToken(tuple(pending), self.ids_per_request) if pending else None

    def ask(self, token: Any) -> Ask:
        if not isinstance(token, FetchToken):
            return self._seek.ask(token)
        ids = [ident for ident, _ in token.chunk]
        # `=` one id is a single-id GET (AroFlo's 20,000-a-day budget); on the daily limit even
        # the last lone id of a chunk goes as `IN`.
        op, value = ("=", ids[0]) if self.ids_per_request == 1 else ("IN", "*".join(ids))
        return Ask(self.zone, page=1, size=len(ids), where=((self.zone.id_where, op, value),), joins=self.joins)

    def take(self, token: Any, rows: list, received: int) -> Step:
        if not isinstance(token, FetchToken):
            step = self._seek.take(token, rows, received)
            if step.problem is None:
                step.rows = self._changed(step.rows)
                step.cursor = None  # the state moves only once every change is in
                if step.next is None:  # what the seek did not return is fetched by id
                    step.next = self._fetch([c for c in self.changes if c[0] not in self._seen])
                    if step.next is None:
                        step.cursor = self.end
            return step
        return self._fetched(token, rows)

    def _changed(self, rows: list) -> list:
        """The seek's rows the feed lists as changed, once, with the feed's change time: a row the
        seek returns that the feed does not list (one the previous sync took at its saved instant,
        or one changed after the feed was read) is not a change of this sync."""
        kept = []
        for row in rows:
            ident = str(self.key(row))
            stamp = self._stamps.get(ident)
            if stamp is None or ident in self._seen:
                continue
            self._seen.add(ident)
            if self.stamped:
                row[UPDATED_AT] = stamp
            kept.append(row)
        return kept

    def _fetched(self, token: FetchToken, rows: list) -> Step:
        chunk = token.chunk
        by_id = {str(self.key(row)): row for row in rows}
        ordered, deleted = [], []
        for ident, stamp in chunk:
            row = by_id.get(ident)
            if row is None:
                deleted.append((ident, stamp))  # deleted in AroFlo since it changed
            else:
                if self.stamped:
                    row[UPDATED_AT] = stamp
                ordered.append(row)
        rest = token.pending[len(chunk):]
        following = replace(token, pending=rest, size=token.full or token.size, full=0) if rest else None
        cursor = chunk[-1][1]
        at, taken = self._last
        if at != cursor:
            at, taken = cursor, set()
        taken.update(ident for ident, stamp in chunk if stamp == cursor)
        self._last = (at, taken)
        if following is None and self.end and self.end > cursor:
            return Step(rows=ordered, cursor=self.end, deleted=tuple(deleted))  # nothing newer of this zone
        return Step(rows=ordered, next=following, cursor=cursor, taken=tuple(sorted(taken)), deleted=tuple(deleted))
