"""How source-aroflo talks to AroFlo: one `HttpStream` base that holds auth, paging, errors and state.

Paging is keyset ("seek") paging over a page number: AroFlo returns records ordered by the
cursor, so the next page is asked from the cursor of the last record received (inclusive), with
the page number counting only pages that all sit on that same cursor value. Plain page numbers
would skip a record whenever another one is edited mid-sync and moves to the end of the order;
seeking cannot. Records already emitted at the boundary value are remembered by id and not
emitted twice; with a date cursor (zone payments) that boundary is a whole day. A table with no
cursor to order by (zone suppliers) pages by number.

State is the cursor of the last record emitted, never behind the incoming state and never past
the time the sync started (so a server clock ahead of ours cannot make us skip records). The
filter always starts from the state at slice start (minus the lookback), never from a value
mutated while reading.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Mapping, MutableMapping, Optional

import requests
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.streams.call_rate import APIBudget
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.page_size_reduction_exception import PageSizeReductionRequiredException
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .config import Settings, parse_datetime
from .dialects import DecodedPage, PageRequest
from .errors import PAGE_ATTRIBUTE, AroFloBackoff, AroFloErrorHandler
from .mapping import build_mapper, to_utc
from .output import RecordPage
from .schemas import ZONE_EXTRA_COLUMNS, json_schema

log = logging.getLogger("airbyte.aroflo")


class AroFloStream(HttpStream):
    """Base of the three table streams. Subclasses only name their table."""

    table: str = ""
    primary_key = "id"

    def __init__(self, settings: Settings, dialect: Any, authenticator: Any, budget: Optional[APIBudget],
                 sync_started_at: datetime):
        # HttpStream.__init__ builds the HTTP client from get_error_handler()/get_backoff_strategy(),
        # so everything they need is set first.
        self._settings = settings
        self._dialect = dialect
        # The order field drives paging whatever the sync mode; it is the cursor only when
        # incremental syncs are enabled. A cursor kept in a change feed does not order the
        # table's own pages (those are numbered).
        spec = dialect.cursors.get(self.table)
        self._order = spec if (spec is not None and not spec.feed) else None
        self._cursor = spec if settings.incremental else None
        self._mapper = build_mapper(dialect.name, self.table, ZONE_EXTRA_COLUMNS[self.table])
        self._sync_cap = self._canonical(sync_started_at)
        self._state_now: dict = {}
        self._token: dict = {}
        self._last_problem = ""
        self._pages = 0
        self._records = 0
        # First read of a change-feed table: the feed's newest change when it began, which
        # becomes the state once the whole table is read.
        self._feed_mark: Optional[str] = None
        super().__init__(authenticator=authenticator, api_budget=budget)

    # ---- declarations the CDK reads ---------------------------------------------------------
    @property
    def name(self) -> str:
        return self.table

    @property
    def url_base(self) -> str:
        return self._dialect.url_base

    @property
    def cursor_field(self) -> list:
        return [self._cursor.column] if self._cursor else []

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
        # The CDK counts messages; a message is a whole page: checkpoint after each one, so a
        # stop loses no progress. Cursor-less streams have no checkpoint to give.
        return 1 if self._cursor is not None else None

    def get_json_schema(self) -> Mapping[str, Any]:
        # The CDK asks for the schema once per record it emits: build it once per stream.
        schema = self.__dict__.get("_schema")
        if schema is None:
            schema = self._schema = json_schema(self.table)
        return schema

    def get_error_handler(self) -> AroFloErrorHandler:
        return AroFloErrorHandler(self.logger, self._interpret, self._settings.retry_attempts, self._note_problem)

    def get_backoff_strategy(self) -> AroFloBackoff:
        return AroFloBackoff(self.logger, self._where, self._settings.retry_attempts,
                             self._settings.max_retry_wait_seconds)

    # ---- requests ---------------------------------------------------------------------------
    def _request(self) -> PageRequest:
        t = self._token
        phase = t.get("phase")
        if phase == "changes":
            return PageRequest(self.table, t["page"], t["page_size"], t.get("bound"), changes=True)
        if phase == "newest":
            return PageRequest(self.table, 1, 1, None, changes=True, newest=True)
        if phase == "fetch":
            return PageRequest(self.table, 1, t["page_size"], ids=tuple(i for i, _ in self._fetch_chunk(t)))
        return PageRequest(self.table, t["page"], t["page_size"], t.get("bound"))

    def _fetch_chunk(self, token: dict) -> list:
        return token["pending"][: token["page_size"]]

    @staticmethod
    def _page_one(page_size: int, bound: Optional[str] = None, **extra: Any) -> dict:
        """The token of a read's first page."""
        return {"page": 1, "page_size": page_size, "bound": bound, "seen": [], **extra}

    def _zone_asked(self) -> str:
        """What the current request reads: the table, or its change feed."""
        return self._dialect.FEED if self._token.get("phase") in ("changes", "newest") else self.table

    def path(self, **kwargs: Any) -> str:
        return self._dialect.path(self._request())

    def request_params(self, **kwargs: Any) -> MutableMapping[str, Any]:
        return self._dialect.params(self._request())

    def request_kwargs(self, **kwargs: Any) -> Mapping[str, Any]:
        return {"timeout": self._settings.request_timeout_seconds}

    def next_page_token(self, response: requests.Response) -> Optional[Mapping[str, Any]]:
        return getattr(response, PAGE_ATTRIBUTE).next_token

    def _where(self) -> str:
        t = self._token
        phase = t.get("phase")
        if phase == "fetch":
            return (f"{self.table}: GET {self._dialect.endpoint(self.table)} "
                    f"{len(self._fetch_chunk(t))} changed records by id")
        bound = f", from {t['bound']}" if t.get("bound") else ""
        return f"{self.table}: GET {self._dialect.endpoint(self._zone_asked())} page {t.get('page')}{bound}"

    def _note_problem(self, problem: str) -> None:
        self._last_problem = problem

    # ---- reading ----------------------------------------------------------------------------
    def read_records(self, sync_mode: SyncMode, cursor_field: Optional[list] = None,
                     stream_slice: Optional[Mapping[str, Any]] = None,
                     stream_state: Optional[Mapping[str, Any]] = None) -> Iterable[Mapping[str, Any]]:
        incremental = sync_mode == SyncMode.incremental and self._cursor is not None
        bound = self._start_bound(stream_state or {}) if incremental else None
        self._token = self._page_one(self._settings.page_size, bound)
        source = self._dialect.endpoint(self.table)
        self._feed_mark = None
        if incremental and self._cursor.feed:
            if self._state_value(stream_state or {}):
                self._token["phase"] = "changes"
                source = f"{self._dialect.endpoint(self._dialect.FEED)}, then the changed {self.table} by id"
            else:
                # First sync: the feed's newest change (1 request, no daily limit), then every
                # record, a page at a time (fetching all by id would cost 50 a request); the
                # state is that newest change: anything later is in the feed for the next sync.
                self._token = self._page_one(1, phase="newest")
                bound = None
        started = time.monotonic()
        self._pages = self._records = 0
        log.info(f"{self.table}: reading {'changes since ' + bound if bound else 'every record'} "
                 f"from {source}, {self._settings.page_size} a page")
        yield from self._read_pages(lambda req, res, state, _slice: self.parse_response(res), stream_slice, stream_state)
        log.info(f"{self.table}: {self._records} records in {self._pages} pages, "
                 f"{time.monotonic() - started:.1f} s")

    def probe(self) -> None:
        """`check`: one request for one record, through the same client, errors and retries."""
        self._token = self._page_one(1)
        self._fetch_next_page()

    def _fetch_next_page(self, stream_slice=None, stream_state=None, next_page_token=None):
        if next_page_token:
            self._token = dict(next_page_token)
        while True:
            started = time.monotonic()
            try:
                request, response = super()._fetch_next_page(stream_slice, stream_state, self._token)
            except PageSizeReductionRequiredException:
                self._token = self._smaller_pages(self._token)
                continue
            except AirbyteTracedException as error:
                raise self._stopped(error) from None
            if log.isEnabledFor(logging.DEBUG):
                log.debug(f"{self._where()}: HTTP {response.status_code} in {time.monotonic() - started:.3f} s "
                          f"({len(response.content)} bytes)")
            return request, response

    def _smaller_pages(self, token: dict) -> dict:
        """Ask the same records again in smaller pages (zone status 8 / 888888).

        The records already read stay read: the new page size divides their count, so the new
        page number starts exactly where the failed page did.
        """
        size, page = token["page_size"], token["page"]
        offset = (page - 1) * size
        smaller = size // 2
        if offset and smaller:
            smaller = math.gcd(offset, smaller)
        if smaller < 1:
            raise AirbyteTracedException(
                message=f"{self._where()}: AroFlo refuses even one record a page ({self._last_problem})",
                failure_type=FailureType.system_error,
            )
        log.warning(f"{self._where()}: {self._last_problem}; asking again with {smaller} records a page instead of {size}")
        return {**token, "page_size": smaller, "page": offset // smaller + 1}

    def _stopped(self, error: AirbyteTracedException) -> AirbyteTracedException:
        problem = self._last_problem or error.message or "unknown error"
        message = f"{self._where()}: {problem}"
        if error.failure_type != FailureType.config_error and "daily request limit" not in problem:
            message += f" (gave up after {self._settings.retry_attempts + 1} attempts)"
        return AirbyteTracedException(message=message, internal_message=message,
                                      failure_type=error.failure_type or FailureType.system_error)

    def _interpret(self, response: requests.Response) -> DecodedPage:
        """Decode one answer, map its records and work out the next page (all exactly once)."""
        phase = self._token.get("phase")
        page = self._dialect.decode(response, self._zone_asked())
        if page.kind != "ok":
            return page
        if phase == "changes":
            return self._interpret_changes(page)
        if phase == "newest":
            newest = page.records[0] if page.records and isinstance(page.records[0], dict) else {}
            stamp = newest.get("lastupdateutc")
            self._feed_mark = to_utc(stamp) if isinstance(stamp, str) else None
            page.records, page.rows = [], []
            page.next_token = self._page_one(self._settings.page_size)
            return page
        mapper = self._mapper
        try:
            rows = [mapper(record) for record in page.records]
        except (AttributeError, TypeError) as error:
            page.kind, page.problem = "retry", f"a record is not a JSON object ({error})"
            return page
        page.received, page.records = len(page.records), []  # the raw dicts are not needed any more
        ids = [row["id"] for row in rows]
        if None in ids or "" in ids:
            missing = ids.count(None) + ids.count("")
            page.kind, page.problem = "retry", f"{missing} record(s) on this page have no id"
            return page
        if phase == "fetch":
            self._take_fetched(page, rows)
            return page
        problem = self._paginate(page, rows, self._order)
        if problem:
            page.kind, page.problem = "retry", problem
        return page

    def _interpret_changes(self, page: DecodedPage) -> DecodedPage:
        """A page of the change feed: which records changed, and when, in time order.

        Paged like any cursor (seek from the last change, ids already taken at that instant
        skipped); the changed records are then fetched by id before the feed's next page.
        """
        changes = []
        for entry in page.records:
            if not isinstance(entry, dict):
                page.kind, page.problem = "retry", "a change-feed entry is not a JSON object"
                return page
            if str(entry.get("zonename") or self.table).strip().lower() != self.table:
                continue
            stamp = entry.get("lastupdateutc")
            changes.append({"id": str(entry.get("zoneid") or ""),
                            self._cursor.column: to_utc(stamp) if isinstance(stamp, str) else None})
        page.received, page.records = len(page.records), []
        if any(not change["id"] for change in changes):
            page.kind, page.problem = "retry", "a change-feed entry has no zoneid"
            return page
        problem = self._paginate(page, changes, self._cursor)
        if problem:
            page.kind, page.problem = "retry", problem
            return page
        column = self._cursor.column
        fresh = [[change["id"], change[column]] for change in page.rows or []]
        if fresh:
            # A fetch's page size is its number of ids, so a too-big answer halves it like any page.
            ids_at_once = min(self._token["page_size"], self._dialect.IDS_PER_REQUEST)
            page.next_token = {"phase": "fetch", "page": 1, "page_size": ids_at_once, "pending": fresh,
                               "after": page.next_token}
        page.rows = []
        return page

    def _take_fetched(self, page: DecodedPage, rows: list) -> None:
        """Records fetched by id: in the feed's order, each with its change time as the cursor."""
        token = self._token
        chunk = self._fetch_chunk(token)
        by_id = {row["id"]: row for row in rows}
        column = self._cursor.column
        ordered = []
        for ident, stamp in chunk:
            row = by_id.get(ident)
            if row is not None:  # absent: deleted since it changed; nothing to send
                row[column] = stamp
                ordered.append(row)
        page.rows = ordered
        rest = token["pending"][len(chunk):]
        page.next_token = {**token, "pending": rest} if rest else token.get("after")

    def _paginate(self, page: DecodedPage, rows: list, order: Optional[Any]) -> Optional[str]:
        token = self._token
        size = token["page_size"]
        full = page.received >= size
        if order is None or not order.seek:
            signature = [rows[0]["id"], rows[-1]["id"], len(rows)] if rows else None
            if signature and token["page"] > 1 and signature == token.get("previous"):
                return "the page repeats the previous page"
            page.rows = rows
            page.next_token = {**token, "page": token["page"] + 1, "previous": signature} if full else None
            return None
        column, length = order.column, order.key_length
        bound = token.get("bound")
        bound_key = bound[:length] if bound else None
        seen = set(token.get("seen") or ())
        keys = [(row[column] or "")[:length] for row in rows]
        if keys != sorted(keys) or (bound_key and keys and keys[0] < bound_key):
            return (f"records are not in {column} order from {bound or 'the start'}: "
                    "the answer does not follow the requested order")
        # Rows on the boundary value are a prefix (ascending order): only they can repeat.
        edge = bisect.bisect_right(keys, bound_key) if (bound_key and seen) else 0
        fresh = [row for row in rows[:edge] if row["id"] not in seen] + rows[edge:] if edge else rows
        previous_key = keys[-1] if keys else (bound_key or "")
        if token["page"] > 1 and rows and not fresh:
            # Stepping through one cursor value by page number: a page of ids already read
            # there is a repeat, and accepting it would skip the page really asked for.
            return "the page repeats a page already read"
        page.rows = fresh
        if not full:
            page.next_token = None
            return None
        last_key = previous_key
        if last_key and last_key != bound_key:
            tail = [row["id"] for row in rows[bisect.bisect_left(keys, last_key):]]
            new_bound = last_key + ("Z" if length == 19 else "")
            # A page wholly on the new value is page 1 from that value already: go on to page 2.
            page.next_token = {**token, "bound": new_bound, "page": 2 if len(tail) == len(rows) else 1, "seen": tail}
        else:
            # A whole page on one cursor value: step through that value by page number.
            seen.update(row["id"] for row in rows)
            page.next_token = {**token, "page": token["page"] + 1, "seen": sorted(seen)}
        return None

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Any]:
        """The page's rows as one `RecordPage` message (see `output.py`), state advanced first.

        Rows are in cursor order (checked in `_paginate`), so the state after this page is the
        last row's cursor; the CDK checkpoints after every page message (interval 1), so a
        checkpoint lands exactly on each page edge and never covers a row not yet emitted.
        """
        page = getattr(response, PAGE_ATTRIBUTE)
        rows = page.rows or []
        self._pages += 1
        self._records += len(rows)
        if self._feed_mark and page.next_token is None:
            self._advance_state(self._feed_mark)  # the whole table is read: later changes are in the feed
        if not rows:
            return
        if self._cursor is not None:
            self._advance_state(rows[-1][self._cursor.column])  # (rows read in full carry no feed time)
        yield RecordPage(self.table, rows, time.time_ns() // 1_000_000)

    # ---- state --------------------------------------------------------------------------------
    def _canonical(self, moment: datetime) -> str:
        if self._cursor is not None and self._cursor.key_length == 10:
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
        raw = value.get(self._cursor.column) or value.get("last_sync_time")
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return self._canonical(parse_datetime(raw))
        except ValueError:
            raise AirbyteTracedException(
                message=f"{self.table}: the saved state {raw!r} is not a date-time; reset the stream's state",
                failure_type=FailureType.config_error,
            ) from None

    def _advance_state(self, latest: Optional[str]) -> None:
        """State after emitting records up to `latest`: never behind the incoming state, never
        past the sync's start (a server clock ahead of ours must not make us skip records)."""
        if not latest or self._cursor is None:
            return
        latest = latest[: self._cursor.key_length] + ("Z" if self._cursor.key_length == 19 else "")
        if latest > self._sync_cap:
            latest = self._sync_cap
        current = self._state_now.get(self._cursor.column)
        if current is None or latest > current:
            self._state_now = {self._cursor.column: latest}

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._state_now  # read by the CDK after every record: a plain attribute

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        incoming = self._state_value(value)
        self._state_now = {self._cursor.column: incoming} if (incoming and self._cursor) else {}
