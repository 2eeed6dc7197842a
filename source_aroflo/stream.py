"""The CDK adapter: one `HttpStream` per declaration (a zone or a child stream), in one dialect.

It tells discover what the stream is (name, schema, key, cursor) and sends a reader's requests
through the CDK's own HTTP machinery — `HttpStream.read_records` with its public hooks (`path`,
`request_params`, `parse_response`, `next_page_token`), the session's auth, the shared pacer,
the error handler and the backoff strategy. `pages(reader)` yields one `Step` per usable answer;
what to ask and what the rows mean is the reader's, state and messages the sync's (`sync.py`).
"""

from __future__ import annotations

import logging
import operator
import time
from typing import Any, Iterable, Iterator, Mapping, MutableMapping, Optional

import requests
from airbyte_cdk.models import FailureType, SyncMode
from airbyte_cdk.sources.streams.http import HttpStream
from airbyte_cdk.sources.streams.http.page_size_reduction_exception import PageSizeReductionRequiredException
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .declaration import REST, Child
from .errors import AroFloBackoff, AroFloErrorHandler, PageAttempts, stopped
from .mapping import build_mapper
from .paging import Step, TooSmall
from .quota import QuotaStop
from .schemas import json_schema

log = logging.getLogger("airbyte.aroflo")


class AroFloStream(HttpStream):
    def __init__(self, declaration: Any, settings: Any, dialect: Any, authenticator: Any, pacer: Any = None,
                 quota: Any = None, read_at: Optional[str] = None, label: Optional[str] = None):
        # HttpStream.__init__ builds the HTTP client from get_error_handler()/get_backoff_strategy():
        # everything they need is set first.
        self.declaration = declaration
        self.zone = declaration.parent if isinstance(declaration, Child) else declaration
        self.settings, self.dialect, self.quota, self.pacer = settings, dialect, quota, pacer
        self.label = label or declaration.name  # whose requests these are, in the quota's counts
        self.rest = dialect.name == REST
        self.schema = json_schema(declaration, dialect.name)
        self.key_columns = tuple(self.zone.key)  # a child's rows are cut from its parent's records
        self.key = operator.itemgetter(*self.key_columns)
        self.mapper = build_mapper(dialect.name, self.zone, settings.site_tz, read_at)
        self.attempts = PageAttempts(settings.retry_attempts)
        self._reader: Any = None
        self._token: Any = None
        self._next: Any = None
        self._answer: Any = None
        self._asked: Any = (None, None)  # (token, its Ask): one Ask a request, however often asked
        super().__init__(authenticator=authenticator, api_budget=pacer)

    # ---- what discover shows ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.declaration.name

    @property
    def primary_key(self) -> Any:
        key = tuple(self.declaration.key)
        return list(key) if len(key) > 1 else key[0]

    @property
    def url_base(self) -> str:
        return self.dialect.url_base

    @property
    def cursor_field(self) -> list:
        if not self.settings.incremental:
            return []
        return ["updated_at"] if self.rest else [self.declaration.cursor_column]

    @property
    def source_defined_cursor(self) -> bool:
        return True

    @property
    def is_resumable(self) -> bool:
        return False  # state is the sync's (sync.py)

    def get_cursor(self) -> None:
        return None  # no CDK cursor: `read_records` pages through every page the reader asks for

    def get_json_schema(self) -> Mapping[str, Any]:
        return self.schema

    def get_error_handler(self) -> AroFloErrorHandler:
        return AroFloErrorHandler(self.logger, self._classify, self.attempts, self._heard)

    def get_backoff_strategy(self) -> AroFloBackoff:
        return AroFloBackoff(self.logger, self.where, self.attempts, self.settings.max_retry_wait_seconds, self.pacer)

    # ---- requests through the CDK -------------------------------------------------------------
    def pages(self, reader: Any, token: Any = None) -> Iterator[Step]:
        """Every usable answer of `reader`, from `token` (its first by default), as `Step`s."""
        self._reader, self._next = reader, token if token is not None else reader.first()
        self._asked = (None, None)
        self.attempts.begin()  # and again after every usable page (`parse_response`)
        while self._next is not None:
            try:
                yield from self.read_records(SyncMode.full_refresh)
                return
            except PageSizeReductionRequiredException:
                self._next = self._smaller(self._token)
            except AirbyteTracedException as error:
                raise self._stopped(error) from None

    def path(self, next_page_token: Any = None, **kwargs: Any) -> str:
        self._token = next_page_token or self._next
        return self.dialect.path(self._ask(self._token))

    def request_params(self, next_page_token: Any = None, **kwargs: Any) -> MutableMapping[str, Any]:
        return self.dialect.params(self._ask(next_page_token or self._next))

    def _ask(self, token: Any) -> Any:
        if self._asked[0] is not token or self._asked[1] is None:
            self._asked = (token, self._reader.ask(token))
        return self._asked[1]

    def _asked_zone(self) -> Any:  # the zone of the request under way (the feed's, for a zone's changes)
        return self._ask(self._token).zone if self._reader is not None and self._token is not None else self.zone

    def request_kwargs(self, **kwargs: Any) -> Mapping[str, Any]:
        return {"timeout": self.settings.request_timeout_seconds}

    def next_page_token(self, response: requests.Response) -> Any:
        return self._next

    def parse_response(self, response: requests.Response, **kwargs: Any) -> Iterable[Step]:
        answer, self._answer = self._answer, None
        if self.attempts.kind == "daily_limit":
            raise QuotaStop("daily", self.attempts.problem)
        records = (answer.records if answer is not None else None) or []
        step = interpret(records, self.mapper, self.key_columns, lambda rows: self._reader.take(self._token, rows, len(records)))
        if step.problem is None:
            self.attempts.begin()
            self._next = step.next
            yield step
            return
        # The answer arrived but its content is unusable (a record without id, a page out of
        # order, a repeat): ask the same page again, from the same budget of attempts.
        if not self.attempts.failed("unusable", step.problem):
            raise AirbyteTracedException(message=f"{self.where()}: {self.attempts.gave_up()}",
                                         failure_type=FailureType.system_error)
        time.sleep(self.get_backoff_strategy().wait_for_unusable())
        self._next = self._token

    def _classify(self, response: requests.Response) -> Any:
        return self.dialect.decode(response, self._asked_zone().list_key)

    def _heard(self, response: Any, answer: Any) -> None:
        self._answer = answer if answer.kind == "ok" else None
        if self.quota is not None:
            request = getattr(response, "request", None)
            self.quota.heard(self.label, self.dialect.budget_of(request), response, answer.kind)

    def where(self) -> str:
        what = self._token.describe() if self._token is not None else "page 1"
        return f"{self.name}: GET {self.dialect.endpoint(self._asked_zone().name)} {what}"

    def _smaller(self, token: Any) -> Any:
        """The same records again in smaller pages (zone status 8 / 888888); a request as small as
        it gets (one record, or a mark) is asked again like any failed attempt."""
        try:
            smaller = token.halved()
        except TooSmall:
            if not self.attempts.failed("too_big", self.attempts.problem):
                raise AirbyteTracedException(
                    message=f"{self.where()}: AroFlo refuses even one record a page ({self.attempts.problem}; "
                            f"gave up after {self.attempts.used} attempts)",
                    failure_type=FailureType.system_error) from None
            time.sleep(self.get_backoff_strategy().wait_for_unusable())
            return token
        log.warning(f"{self.where()}: {self.attempts.problem}; asking again with {smaller.size} records a page "
                    f"instead of {token.size}")
        return smaller

    def _stopped(self, error: AirbyteTracedException) -> BaseException:
        if self.attempts.kind == "daily_limit" and self.quota is not None:
            return QuotaStop("daily", self.attempts.problem)
        return stopped(self.name, self.zone.name, self.where(), self.attempts, error)

    def probe(self, reader: Any) -> None:
        """`check`: one page of `reader`, through the same client, errors and retries."""
        next(iter(self.pages(reader)), None)


def interpret(records: list, mapper: Any, key: tuple, take: Any) -> Step:
    """An answer's records mapped to rows and handed to the reader (`take`), unless the page is
    unusable: a record that is not an object, or one without its key (every column of it)."""
    try:
        rows = [mapper(record) for record in records]
    except (AttributeError, TypeError) as error:
        return Step(problem=f"a record is not a JSON object ({error})")
    for column in key:
        missing = sum(1 for row in rows if row.get(column) in (None, ""))
        if missing:
            return Step(problem=f"{missing} record(s) on this page have no {column}")
    return take(rows)
