"""One `read`: the selected streams grouped by zone, planned against AroFlo's quota, read side by side.

- **Families**: the streams of one zone — the zone's own and its child streams (lines, custom
  fields) — are read together: one read of the zone serves them all, so a child stream costs no
  request of its own, selected with its parent or without it. A family reads from the oldest state
  among its members (a member ahead of it only sees some records again).
- **The plan** (`sync_plan.py`): the change feed is read first (free of the daily limit), once
  for every zone that uses it; then every family gets its `Plan` (`plans.py`), and one log line
  says what the sync expects to spend: daily-limited and single-id requests, per stream that costs any.
- **Reading**: families are read side by side by a bounded pool of workers (`parallel.py`) under
  one pacer (`pacing.py`) and one quota (`quota.py`), cheapest first, so when the quota stops the
  sync, it stops the big reads. Each page goes out as one RECORD message per member stream
  (`output.RecordPage`), followed by each incremental member's STATE.
- **Ending**: a stream stopped by the quota ends with its state saved (and `waiting_until`), and
  its status COMPLETE — the destination keeps what arrived; one message names the waiting streams
  and the reset. A stream that fails ends INCOMPLETE with its own error; the others go on; the sync
  then fails, naming them. A login failure stops everything at the first one, with one error.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Dict, Iterator, List, Optional

from airbyte_cdk.models import AirbyteStreamStatus, StreamDescriptor
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message as status_message
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .auth import ZoneHmacAuth, build_authenticator
from .change_feed import ChangeFeed, FeedEntries, NewestEntry
from .cursor import PROGRESS, WAITING, canonical, saved_time, utc_now
from .declaration import REST, ZONE
from .dialects import FEED, dialect_for
from .families import Family, Member, build_families, with_deletions
from .full_read import pages_left
from .output import RecordPage
from .pacing import Pacer
from .parallel import did_not_finish, read_in_parallel, workers_for
from .paging import Step
from .quota import Fatal, Quota, QuotaStop
from .report import CHANGE_FEED, plan_line, summary_line
from .stream import AroFloStream
from .sync_plan import plan_sync
from .zones import ZONES_BY_NAME

log = logging.getLogger("airbyte.aroflo")


class Sync:
    def __init__(self, settings: Any, catalog: Any, states: Dict[str, dict], logger: logging.Logger,
                 declarations: Dict[str, Any], pages: bool = True):
        self.settings, self.logger, self.pages = settings, logger, pages
        self.now = utc_now()
        self.stamp = canonical(self.now)
        self.dialect = dialect_for(settings.dialect, settings.base_url)
        zone_api = self.dialect.name == ZONE
        waits = [t for t in (saved_time(s, WAITING) for s in states.values()) if t]
        self.quota = Quota(zone_api, settings.daily_quota_reserve, max(waits) if waits else None)
        signer = ZoneHmacAuth(settings.credentials) if zone_api else None
        self.pacer = Pacer(settings.requests_per_second, settings.requests_per_minute,
                           admit=lambda request: self.quota.admit(self.dialect.budget_of(request)), on_release=signer)
        self.authenticator = build_authenticator(settings.credentials)
        self.feed = ChangeFeed(self._feed_entries, self._feed_newest) if zone_api else None
        self.families = build_families(catalog, states, declarations, self.stream, self.settings, self.now)
        self.failed: List[tuple] = []
        self.fatal: Optional[BaseException] = None
        self._probe_lock = threading.Lock()
        self._credentials: Optional[bool] = None
        self._records: Dict[str, int] = {}
        self._seconds: Dict[str, float] = {}

    # ---- building ----------------------------------------------------------------------------
    def stream(self, declaration: Any, label: Optional[str] = None) -> AroFloStream:
        return AroFloStream(declaration, self.settings, self.dialect, self.authenticator, self.pacer, self.quota,
                            read_at=self.stamp, label=label)

    # ---- reading ----------------------------------------------------------------------------
    def messages(self) -> Iterator[Any]:
        started = time.monotonic()
        self.logger.info(f"Starting syncing SourceAroflo: {sum(len(f.members) for f in self.families)} streams")
        try:
            plan_sync(self.families, self.settings, self.dialect, self.quota, self.feed, self.now, self._feed_newest)
            log.info(plan_line(self.families, self.quota, rest=self.dialect.name == REST))
            yield from read_in_parallel(self.families, self._read_family, debug=self.settings.debug,
                                        pages=self.pages, workers=workers_for(self.settings.requests_per_second))
        finally:
            self.logger.info(summary_line(time.monotonic() - started, self.families, self.quota, self.feed,
                                          self._records, self._seconds))
            waiting = self.quota.waiting_message()
            if waiting:
                log.warning(waiting)
        if self.fatal is not None:
            raise self.fatal
        if self.failed:
            said = [(name, str(getattr(error, "message", None) or error)) for name, error in self.failed]
            raise did_not_finish(len(self.failed), sum(len(f.members) for f in self.families),
                                 [text if text.startswith(f"{name}:") else f"{name}: {text}" for name, text in said],
                                 [getattr(error, "failure_type", None) for _, error in self.failed])

    def _read_family(self, family: Family) -> Iterator[Any]:
        if self.fatal is not None:
            return  # the sync cannot go on: a family not started yet says nothing
        started = time.monotonic()
        for member in family.members:
            member.start()
            yield status_message(StreamDescriptor(name=member.name), AirbyteStreamStatus.STARTED)
        try:
            if family.error is not None:
                raise family.error
            plan = family.plan
            log.info(f"{family.names}: {'nothing to read, ' if plan.idle and not plan.deleted else 'reading '}{plan.what}")
            if family.mode == "incremental" and family.zone.caveat and not family.lead.rest:
                log.info(f"{family.zone.name}: {family.zone.caveat}")
            if plan.deleted:  # the feed says these were deleted: nothing to fetch for them
                yield from self._page(family, Step(deleted=tuple(plan.deleted)))
            if plan.reader is not None:
                for step in family.lead.pages(plan.reader, plan.token):
                    yield from self._page(family, step)
            for member in family.members:
                member.finish(plan.finish)
                yield from self._state(member)
                yield status_message(StreamDescriptor(name=member.name), AirbyteStreamStatus.COMPLETE)
        except Fatal:
            yield from self._statuses(family, AirbyteStreamStatus.INCOMPLETE)
        except QuotaStop:
            today = self.now.astimezone(self.settings.site_tz).date().isoformat()
            for member in family.members:
                member.wait(self.quota.resets_at)
                progress = member.state.get(PROGRESS)
                left = pages_left(progress, today) if progress else None
                self.quota.wait(member.name, member.progress_words(), left, unknown=bool(progress) and left is None)
                yield from self._state(member)
                yield status_message(StreamDescriptor(name=member.name), AirbyteStreamStatus.COMPLETE)
        except AirbyteTracedException as error:
            yield from self._failed(family, error)
        finally:
            for member in family.members:
                self._seconds[member.name] = time.monotonic() - started

    def _page(self, family: Family, step: Any) -> Iterator[Any]:
        emitted_at = time.time_ns() // 1_000_000
        for member in family.members:
            rows = with_deletions(member, member.rows_of(step.rows), step.deleted)
            if rows:
                if not member.running:
                    member.running = True
                    yield status_message(StreamDescriptor(name=member.name), AirbyteStreamStatus.RUNNING)
                self._records[member.name] = self._records.get(member.name, 0) + len(rows)
                yield RecordPage(member.name, rows, emitted_at)
            member.advance(step)
            yield from self._state(member)

    @staticmethod
    def _state(member: Member) -> Iterator[Any]:
        message = member.state_message()
        if message is not None:
            yield message

    @staticmethod
    def _statuses(family: Family, status: AirbyteStreamStatus) -> Iterator[Any]:
        for member in family.members:
            yield status_message(StreamDescriptor(name=member.name), status)

    def _failed(self, family: Family, error: AirbyteTracedException) -> Iterator[Any]:
        kind = getattr(error, "kind", None)
        if kind == "login" or (kind == "denied" and not self._credentials_hold()):
            if self.fatal is None:
                self.fatal = error
                self.quota.fail_all(error)
            yield from self._statuses(family, AirbyteStreamStatus.INCOMPLETE)
            return
        for member in family.members:
            self.failed.append((member.name, error))
            # (parallel.read_in_parallel drops its stack trace unless debug is on)
            yield error.as_airbyte_message(stream_descriptor=StreamDescriptor(name=member.name))
            yield status_message(StreamDescriptor(name=member.name), AirbyteStreamStatus.INCOMPLETE)

    def _credentials_hold(self) -> bool:
        """A permission answer before any request succeeded: are the credentials good at all?
        One free request to the change feed tells (asked once per sync)."""
        with self._probe_lock:
            if self.quota.succeeded:
                return True
            if self._credentials is None:
                try:
                    self._feed_newest()
                    self._credentials = True
                except (AirbyteTracedException, QuotaStop):
                    self._credentials = False
            return self._credentials

    # ---- the change feed's reads -------------------------------------------------------------
    def _feed_entries(self, after: Optional[str], zones: tuple) -> Iterator[list]:
        stream = self.stream(ZONES_BY_NAME[FEED], label=CHANGE_FEED)
        for step in stream.pages(FeedEntries(stream.zone, self.settings.page_size, after, zones)):
            yield step.rows

    def _feed_newest(self) -> List[dict]:
        stream = self.stream(ZONES_BY_NAME[FEED], label=CHANGE_FEED)
        return [row for step in stream.pages(NewestEntry(stream.zone)) for row in step.rows]
