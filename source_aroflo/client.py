"""How source-aroflo talks to AroFlo: one `HttpStream` for every zone, driven by its declaration.

The stream holds what every zone shares: auth, the shared request budget, timeouts, the error
handler (which classifies each answer, `errors.py`), halving the page when AroFlo says an answer
is too big, asking a page again when its content is unusable, and state. What to ask and what an
answer's rows mean is the reader's (`readers.py`), chosen from the declaration, the dialect and
the sync mode:

| dialect | full refresh | incremental |
|---|---|---|
| zone | `NumberedPages` (a `where` that matches every record) | by the zone's `reading` |
| REST | `SeekOnTime` on `updated_at` from the start | `SeekOnTime` from the state |

State is the cursor of the last record emitted (or the change feed's position), never behind
the incoming state and never past the time the sync started (a server clock ahead of ours
cannot make us skip records). The filter always starts from the state at slice start (minus the
lookback), never from a value mutated while reading.
"""

from __future__ import annotations

import functools
import logging
import operator
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator, List, Mapping, MutableMapping, Optional

import requests
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.http.page_size_reduction_exception import PageSizeReductionRequiredException
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .declaration import REST, UPDATED_AT, Reading, Zone
from .cdk_seams import PagedHttpStream
from .config import Settings, parse_datetime
from .dialects import Ask, Answer
from .errors import ANSWER_ATTRIBUTE, AroFloBackoff, AroFloErrorHandler
from .mapping import build_mapper
from .output import RecordPage
from .readers import (ChangeFeedReader, FetchToken, FirstSync, NumberedPages, SeekOnTime, Step, TooSmall,
                      seek_class)
from .schemas import json_schema

log = logging.getLogger("airbyte.aroflo")
STEP_ATTRIBUTE = "_aroflo_step"
# In the state of a zone read through the change feed: the ids whose change at the saved instant
# was delivered (the feed's boundary is inclusive, so same-second changes are never missed).
TAKEN = "ids_at_cursor"


class AroFloStream(PagedHttpStream):
    """The stream of one zone declaration, in one dialect."""

    def __init__(self, zone: Zone, settings: Settings, dialect: Any, authenticator: Any,
                 budget: Optional[APIBudget], sync_started_at: datetime, feed: Any = None,
                 ledger: Any = None, label: Optional[str] = None):
        # HttpStream.__init__ builds the HTTP client from get_error_handler()/get_backoff_strategy(),
        # so everything they need is set first.
        self.zone = zone
        self._settings = settings
        self._dialect = dialect
        self._rest = dialect.name == REST
        self._feed = feed
        self._ledger = ledger
        self._label = label or zone.name  # whose requests these are, in the quota ledger
        self._schema = json_schema(zone, dialect.name)
        self._reading = Reading.SEEK_TIME if self._rest else zone.reading
        self._mapper = build_mapper(dialect.name, zone, settings.site_tz)
        self._key_columns = ("id",) if self._rest else zone.key
        self._key = operator.itemgetter(*self._key_columns)
        column = UPDATED_AT if self._rest else zone.cursor_column
        self._cursor = column if (settings.incremental and self._reading.incremental) else None
        self._key_length = 10 if self._reading is Reading.SEEK_DATE and not self._rest else 19
        self._sync_cap = self._canonical(sync_started_at)
        self._state_now: dict = {}
        self._reader: Any = None
        self._token: Any = None
        self._last_problem = ""
        self._last_kind = "ok"
        self._pages = self._records = self._missing = 0
        super().__init__(authenticator=authenticator, api_budget=budget)

    # ---- declarations the CDK reads ---------------------------------------------------------
    @property
    def name(self) -> str:
        return self.zone.name

    @property
    def primary_key(self) -> Any:
        return list(self.zone.key) if len(self.zone.key) > 1 else self.zone.key[0]

    @property
    def url_base(self) -> str:
        return self._dialect.url_base

    @property
    def cursor_field(self) -> list:
        return [self._cursor] if self._cursor else []

    @property
    def supports_incremental(self) -> bool:
        return self._cursor is not None

    @property
    def source_defined_cursor(self) -> bool:
        return True

    @property
    def is_resumable(self) -> bool:
        # Only cursor streams checkpoint; a cursor-less read starts over on the next attempt
        # (the CDK would otherwise treat our `state` property as resumable full refresh).
        return self._cursor is not None

    @property
    def state_checkpoint_interval(self) -> Optional[int]:
        # The CDK counts messages; a message is a whole page: checkpoint after each one.
        return 1 if self._cursor is not None else None

    def get_json_schema(self) -> Mapping[str, Any]:
        return self._schema  # the CDK asks once per record: built once per stream

    def get_error_handler(self) -> AroFloErrorHandler:
        return AroFloErrorHandler(self.logger, self._classify, self._settings.retry_attempts, self._note_answer)

    def get_backoff_strategy(self) -> AroFloBackoff:
        return AroFloBackoff(self.logger, self._where, self._settings.retry_attempts,
                             self._settings.max_retry_wait_seconds)

    # ---- requests ---------------------------------------------------------------------------
    def _ask(self) -> Ask:
        return self._reader.ask(self._token)

    def path(self, **kwargs: Any) -> str:
        return self._dialect.path(self._ask())

    def request_params(self, **kwargs: Any) -> MutableMapping[str, Any]:
        return self._dialect.params(self._ask())

    def request_kwargs(self, **kwargs: Any) -> Mapping[str, Any]:
        return {"timeout": self._settings.request_timeout_seconds}

    def next_page_token(self, response: requests.Response) -> Optional[Any]:
        return getattr(response, STEP_ATTRIBUTE).next

    def _where(self) -> str:
        ask = self._ask() if self._reader is not None else None
        zone = ask.zone.name if ask is not None else self.name
        what = self._token.describe() if self._token is not None else "page 1"
        return f"{self.name}: GET {self._dialect.endpoint(zone)} {what}"

    def _classify(self, response: requests.Response) -> Answer:
        zone = self._ask().zone if self._reader is not None else self.zone
        return self._dialect.decode(response, zone.list_key)

    def _note_answer(self, response: Any, answer: Optional[Answer]) -> None:
        if answer is not None:
            self._last_kind = answer.kind
            if answer.problem:
                self._last_problem = answer.problem
        if self._ledger is not None and isinstance(response, requests.Response):
            zone = self._ask().zone.name if self._reader is not None else self.name
            self._ledger.answered(self._label, zone, response)

    # ---- reading ----------------------------------------------------------------------------
    def read_records(self, sync_mode: SyncMode, cursor_field: Optional[list] = None,
                     stream_slice: Optional[Mapping[str, Any]] = None,
                     stream_state: Optional[Mapping[str, Any]] = None) -> Iterable[Mapping[str, Any]]:
        incremental = sync_mode == SyncMode.incremental and self._cursor is not None
        self._reader, self._token, done = self._reader_for(incremental, stream_state or {})
        started = time.monotonic()
        self._pages = self._records = self._missing = 0
        log.info(f"{self.name}: reading {self._plan(incremental)}")
        if incremental and self.zone.caveat and not self._rest:
            log.info(f"{self.name}: {self.zone.caveat}")
        if self._ledger is not None:
            self._ledger.expect(self._label, self._fewest_requests())
        if self._token is None:
            self._advance_state(done)  # nothing to ask (no change in the feed)
        else:
            yield from self.read_pages(self.parse_response)
        if self._missing:
            log.info(f"{self.name}: {self._missing} changed record(s) listed by the change feed no longer come "
                     f"back (deleted in AroFlo); nothing was sent for them")
        log.info(f"{self.name}: {self._records} records in {self._pages} pages, {time.monotonic() - started:.1f} s")

    def _fewest_requests(self) -> int:
        """The daily-limited requests this read needs at least (AroFlo gives no record counts)."""
        if self._token is None:
            return 0
        if isinstance(self._token, FetchToken):
            return -(-len(self._token.pending) // self._token.size)
        return 0 if self.zone.name == "lastupdate" else 1

    def _plan(self, incremental: bool) -> str:
        reader = self._reader
        if isinstance(reader, ChangeFeedReader):
            return reader.choice
        if isinstance(reader, NumberedPages):
            return f"every record, {self._settings.page_size} a page"
        if isinstance(reader, FirstSync):
            since = f"; delivered: changed since {reader.start}, or with a blank cursor" if reader.start else ""
            return f"every record (a first sync), {self._settings.page_size} a page{since}"
        after = getattr(reader, "after", None)
        return (f"changes since {after}" if after else "every record") + f", {self._settings.page_size} a page"

    def _reader_for(self, incremental: bool, stream_state: Mapping[str, Any]) -> tuple:
        """(reader, first token or None, cursor to keep when there is nothing to ask)."""
        size = self._settings.page_size
        zone, ident = self.zone, self._key
        if self._rest:
            after = self._start_bound(stream_state) if incremental else None
            reader = SeekOnTime(zone, UPDATED_AT, size, ident, after)
            return reader, reader.first(), None
        if not incremental:
            reader = NumberedPages(zone, size, ident)
            return reader, reader.first(), None
        reading = self._reading
        incoming = self._state_value(stream_state)
        if not incoming:
            # A first sync: every record (AroFlo's date filters miss blank dates), the state at
            # the zone's newest change. Its position is the state until it is done.
            start = None if reading.uses_feed else self._start_bound(stream_state)
            mark = self._feed.mark if reading.uses_feed else None
            reader = FirstSync(zone, size, ident, self._cursor, start, mark=mark,
                               progress=stream_state.get(FirstSync.PROGRESS), fallback=self._start_bound(stream_state))
            return reader, reader.first(), None
        if reading.uses_feed:
            since = self.feed_since(stream_state)
            # A zone with an update time of its own may seek on it instead, when that costs less.
            own = functools.partial(SeekOnTime, zone, self._cursor, size, ident, since) \
                if reading is Reading.FEED_OR_SEEK else None
            taken = (incoming, frozenset(stream_state.get(TAKEN) or ()))
            reader = ChangeFeedReader(zone, size, ident, self._feed, self._dialect.IDS_PER_REQUEST, since,
                                      seek=own, on_missing=self._count_missing, taken=taken)
            token, done = reader.first()
            return reader, token, done
        reader = seek_class(reading)(zone, self._cursor, size, ident, self._start_bound(stream_state),
                                     strict=zone.cursor_kind != "local")
        return reader, reader.first(), None

    def feed_since(self, stream_state: Mapping[str, Any]) -> Optional[str]:
        """Where this stream's changes start in the feed (state minus the lookback), if it has state."""
        incoming = self._state_value(stream_state)
        if not incoming:
            return None
        start = parse_datetime(incoming) - timedelta(minutes=self._settings.lookback_window_minutes)
        return self._canonical(start)

    @property
    def reads_feed(self) -> bool:
        return self._cursor is not None and self._reading.uses_feed and not self._rest

    def _count_missing(self, count: int) -> None:
        self._missing += count

    def probe(self) -> None:
        """`check`: one request for one record, through the same client, errors and retries."""
        self._reader = NumberedPages(self.zone, 1, self._key) if not self._rest else \
            SeekOnTime(self.zone, UPDATED_AT, 1, self._key, None)
        self._token = self._reader.first()
        self.fetch_page(None)

    def fetch_page(self, next_page_token: Any) -> tuple:
        """One usable answer for the current token (or the next one), as (request, response)."""
        if next_page_token:
            self._token = next_page_token
        attempts = 0
        while True:
            started = time.monotonic()
            try:
                request, response = self.send(self._token)
            except PageSizeReductionRequiredException:
                self._token = self._smaller_pages(self._token)
                continue
            except AirbyteTracedException as error:
                raise self._stopped(error) from None
            if log.isEnabledFor(logging.DEBUG):
                log.debug(f"{self._where()}: HTTP {response.status_code} in {time.monotonic() - started:.3f} s "
                          f"({len(response.content)} bytes)")
            step = self._interpret(response)
            if step.problem is None:
                setattr(response, STEP_ATTRIBUTE, step)
                return request, response
            # The answer arrived but its content is unusable (a record without id, a page out of
            # order, a repeat): ask the same page again, like a server error.
            attempts += 1
            self._last_problem = step.problem
            if attempts > self._settings.retry_attempts:
                raise AirbyteTracedException(
                    message=f"{self._where()}: {step.problem} (gave up after {attempts} attempts)",
                    failure_type=FailureType.system_error)
            wait = self.get_backoff_strategy().backoff_time(_Unusable(step.problem), attempts)
            time.sleep(wait + 1.0)

    def _smaller_pages(self, token: Any) -> Any:
        """Ask the same records again in smaller pages (zone status 8 / 888888)."""
        try:
            smaller = token.halved()
        except TooSmall:
            raise AirbyteTracedException(
                message=f"{self._where()}: AroFlo refuses even one record a page ({self._last_problem})",
                failure_type=FailureType.system_error) from None
        log.warning(f"{self._where()}: {self._last_problem}; asking again with {smaller.size} records a page "
                    f"instead of {token.size}")
        return smaller

    def _stopped(self, error: AirbyteTracedException) -> AirbyteTracedException:
        problem = self._last_problem or error.message or "unknown error"
        message = f"{self._where()}: {problem}"
        if self._last_kind in _RETRIED:  # the CDK made every attempt before giving up
            message += f" (gave up after {self._settings.retry_attempts + 1} attempts)"
        return AirbyteTracedException(message=message, internal_message=message,
                                      failure_type=error.failure_type or FailureType.system_error)

    def _interpret(self, response: requests.Response) -> Step:
        """Map an answer's records and let the reader say what they mean (each exactly once)."""
        answer: Answer = getattr(response, ANSWER_ATTRIBUTE)
        records = answer.records or []
        mapper = self._mapper
        try:
            rows = [mapper(record) for record in records]
        except (AttributeError, TypeError) as error:
            return Step(problem=f"a record is not a JSON object ({error})")
        answer.records = None  # the raw dicts are not needed any more (the response lives on a while)
        ident = self._key_columns[0]
        missing = sum(1 for row in rows if row.get(ident) in (None, ""))
        if missing:
            return Step(problem=f"{missing} record(s) on this page have no {ident}")
        return self._reader.take(self._token, rows, len(records))

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Any]:
        """The page's rows as one `RecordPage` message (see `output.py`), state advanced first.

        The CDK checkpoints after every page message (interval 1), so a checkpoint lands exactly
        on each page edge and never covers a row not yet emitted.
        """
        step: Step = getattr(response, STEP_ATTRIBUTE)
        rows = step.rows
        self._pages += 1
        self._records += len(rows)
        if self._cursor is not None:
            if step.progress is not None and self._cursor not in self._state_now:
                self._state_now = {FirstSync.PROGRESS: step.progress}  # where a stopped first sync resumes
            self._advance_state(step.cursor, step.taken)
        if rows:
            yield RecordPage(self.name, rows, time.time_ns() // 1_000_000)

    def read_rows(self, reader: Any) -> Iterator[List[dict]]:
        """Rows page by page with another reader (the change feed reads itself this way)."""
        self._reader, self._token = reader, reader.first()
        for message in self.read_pages(self.parse_response):
            yield message.rows

    # ---- state --------------------------------------------------------------------------------
    def _canonical(self, moment: datetime) -> str:
        if self._key_length == 10:
            return moment.astimezone(timezone.utc).strftime("%Y-%m-%d")
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _start_bound(self, stream_state: Mapping[str, Any]) -> str:
        incoming = self._state_value(stream_state)
        if incoming:
            start = parse_datetime(incoming) - timedelta(minutes=self._settings.lookback_window_minutes)
        else:
            start = self._settings.first_sync_start(datetime.now(timezone.utc))
        return self._canonical(start)

    def _state_value(self, value: Optional[Mapping[str, Any]]) -> Optional[str]:
        if not value or self._cursor is None:
            return None
        raw = value.get(self._cursor) or value.get("last_sync_time")
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return self._canonical(parse_datetime(raw))
        except ValueError:
            raise AirbyteTracedException(
                message=f"{self.name}: the saved state {raw!r} is not a date-time; reset the stream's state",
                failure_type=FailureType.config_error,
            ) from None

    def _advance_state(self, latest: Optional[str], taken: tuple = ()) -> None:
        """State after emitting records up to `latest`: never behind the incoming state, never
        past the sync's start (a server clock ahead of ours must not make us skip records).
        `taken`: change-feed ids whose change at `latest` is delivered (kept with the state, so a
        sync in which nothing changed fetches nothing)."""
        if not latest or self._cursor is None:
            return
        latest = latest[: self._key_length] + ("Z" if self._key_length == 19 else "")
        if latest > self._sync_cap:
            latest, taken = self._sync_cap, ()
        current = self._state_now.get(self._cursor)
        if current is None or latest > current:  # (a first sync's position gives way to its cursor)
            self._state_now = {self._cursor: latest, **({TAKEN: list(taken)} if taken else {})}
        elif latest == current and taken:
            self._state_now = {self._cursor: latest, TAKEN: sorted(set(self._state_now.get(TAKEN, ())) | set(taken))}

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._state_now  # read by the CDK after every record: a plain attribute

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        incoming = self._state_value(value)
        self._state_now = {self._cursor: incoming} if (incoming and self._cursor) else {}
        if not incoming and self._cursor and isinstance((value or {}).get(FirstSync.PROGRESS), dict):
            self._state_now = {FirstSync.PROGRESS: dict(value[FirstSync.PROGRESS])}
        if incoming and self.reads_feed and isinstance(value.get(TAKEN), list):
            self._state_now[TAKEN] = list(value[TAKEN])


_RETRIED = ("retry", "rate_limited")


class _Unusable(Exception):
    """What the backoff strategy is told when an answer arrived but its content is unusable."""
