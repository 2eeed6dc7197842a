"""The two AroFlo API dialects: how a page is asked for, and how an answer is read.

A dialect knows nothing about state or Airbyte; the stream hands it a `PageRequest` (table,
lower bound on the cursor, page number, page size) and gets back the URL path and query, and
later a `DecodedPage` (records, or the reason the answer is not usable). Each answer is parsed
exactly once, with orjson, by `decode()`.

- `RestDialect`: the seed's `/v1/<table>` API with a bearer token, `modified_since`
  (inclusive), `page` and `per_page`, body `{"data": [...]}`.
- `ZoneDialect`: AroFlo's real single endpoint, `zone=<table>` and `where/order/page/pageSize`
  in the query, a body `status` on every answer (HTTP 200 included). The query is built here,
  already encoded with encodeURIComponent, so the signature covers exactly what is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Optional
from zoneinfo import ZoneInfo

import orjson
import requests

from .auth import encode_uri_component
from .config import BEARER, HMAC


@dataclass(frozen=True)
class PageRequest:
    table: str
    page: int
    page_size: int
    bound: Optional[str] = None  # canonical cursor value (UTC `...Z` or a date): records at or after it
    changes: bool = False  # the table's change feed (zone `lastupdate`: ids and times), not its records
    newest: bool = False  # with `changes`: only the feed's newest entry
    ids: tuple = ()  # only these records, by id (the ones the change feed named)


@dataclass
class DecodedPage:
    """What one answer means. `problem` is set when the answer carries no usable page."""

    records: list = field(default_factory=list)
    problem: Optional[str] = None  # human text
    kind: str = "ok"  # ok | auth | rate_limited | daily_limit | too_big | retry | fail
    rows: Optional[list] = None  # mapped rows still to emit, filled by the stream
    next_token: Optional[dict] = None  # the request for the next page, None after the last
    received: int = 0  # records the answer held (before the ones already emitted were dropped)


@dataclass(frozen=True)
class CursorSpec:
    """How a table's cursor is filtered and ordered on the wire."""

    column: str  # normalized column that carries the cursor, e.g. "updated_at"
    key_length: int  # chars of the canonical value compared: 19 = to the second, 10 = a date
    seek: bool  # True: each next page is asked from the last record's cursor (keyset paging)
    feed: bool = False  # True: the cursor lives in a change feed, not in the records (zone suppliers)


def _json(response: requests.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return _NOT_JSON


_NOT_JSON = object()


def _body_hint(response: requests.Response) -> str:
    kind = response.headers.get("Content-Type", "unknown content type").split(";")[0]
    size = len(response.content or b"")
    return f"{kind}, {size} bytes"


class _Dialect:
    """What both dialects share: where the API lives."""

    name = ""
    cursors: dict = {}

    def __init__(self, base_url: str):
        self.url_base = base_url.rstrip("/") + "/"


class RestDialect(_Dialect):
    name = BEARER
    cursors = {
        "users": CursorSpec("updated_at", 19, True),
        "suppliers": CursorSpec("updated_at", 19, True),
        "payments": CursorSpec("updated_at", 19, True),
    }

    def endpoint(self, table: str) -> str:
        return f"{self.url_base}{table}"

    def path(self, request: PageRequest) -> str:
        return request.table

    def params(self, request: PageRequest) -> dict:
        params = {"page": request.page, "per_page": request.page_size}
        if request.bound:
            params["modified_since"] = request.bound
        return params

    def decode(self, response: requests.Response, table: str) -> DecodedPage:
        status = response.status_code
        body = _json(response)
        if status == 200:
            if isinstance(body, dict):
                records = body.get("data", body.get(table))
                if isinstance(records, list):
                    return DecodedPage(records=records)
            what = "not JSON (a truncated answer or an HTML error page)" if body is _NOT_JSON else "JSON without a 'data' list"
            return DecodedPage(problem=f"the answer was {what} ({_body_hint(response)})", kind="retry")
        message = body.get("error") if isinstance(body, dict) else None
        detail = f": {message}" if isinstance(message, str) and message else ""
        if status in (401, 403):
            verb = "rejected" if status == 401 else "is not allowed to read this data with"
            return DecodedPage(
                problem=f"AroFlo {verb} the API key (HTTP {status}{detail}); check credentials.api_key", kind="auth"
            )
        if status == 429:
            return DecodedPage(problem=f"rate limited by AroFlo (HTTP 429{detail})", kind="rate_limited")
        if status == 404:
            return DecodedPage(problem=f"{response.url.split('?')[0]} does not exist (HTTP 404); check base_url", kind="auth")
        if status == 400:
            return DecodedPage(problem=f"AroFlo refused the request parameters (HTTP 400{detail})", kind="auth")
        if status >= 500 or status == 408:
            return DecodedPage(problem=f"AroFlo answered HTTP {status}{detail}", kind="retry")
        return DecodedPage(problem=f"AroFlo answered HTTP {status}{detail}", kind="fail")


# The zone's cursor fields on the wire, per table (contract §4). Suppliers have none that
# moves on update: they are read in full, ordered by insertion so that edits never reorder pages.
_ZONE_FILTERS = {
    # table: (where field, value format, step that turns "at or after" into AroFlo's ">")
    "users": ("lastupdateddatetimeutc", "%Y-%m-%d %H:%M:%S", timedelta(seconds=1)),
    "payments": ("datepaid", "%Y-%m-%d", timedelta(days=1)),
    "suppliers": ("datetimeinserted", "%Y-%m-%d %H:%M:%S", timedelta(seconds=1)),
}
_ZONE_IDS = {"users": "userid", "suppliers": "supplierid", "payments": "paymentid"}
# A date before any AroFlo record: a full read must always send an explicit `where`, because
# a request without one only returns the last 30 days.
EVERYTHING = "1900-01-01T00:00:00Z"

# Body status codes (contract §1).
_AUTH_CODES = {"-99999", "1", "2", "3", "4", "20", "30"}
MELBOURNE = ZoneInfo("Australia/Melbourne")


def next_daily_reset(now: datetime) -> datetime:
    local = now.astimezone(MELBOURNE)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc)


class ZoneDialect(_Dialect):
    name = HMAC
    cursors = {
        "users": CursorSpec("updated_at", 19, True),
        # A date: each next page seeks from the last record's day (inclusive, ids already read
        # that day skipped). Page numbers under a fixed filter would skip records whenever a
        # payment edited mid-sync moves to today, the end of the order.
        "payments": CursorSpec("payment_date", 10, True),
        # The suppliers zone has no update time; the `lastupdate` zone (no daily limit) lists
        # which suppliers changed and when, in time order: incremental syncs page through it and
        # then fetch the named suppliers by id. Full reads page the suppliers zone by number.
        "suppliers": CursorSpec("updated_at", 19, True, feed=True),
    }
    FEED = "lastupdate"  # the change-feed zone's name, and its list's key in the answer
    IDS_PER_REQUEST = 50  # ids asked for at once: keeps the signed URL short (~1 KB)

    def endpoint(self, table: str) -> str:
        return f"{self.url_base} (zone {table})"

    def path(self, request: PageRequest) -> str:
        if request.changes:
            after = _parse_canonical(request.bound or EVERYTHING) - timedelta(seconds=1)
            parts = [
                ("zone", self.FEED),
                ("where", f"and|zonename|=|{request.table}"),
                ("where", f"and|lastupdateutc|>|{after.strftime('%Y-%m-%d %H:%M:%S')}"),
                ("order", f"lastupdateutc|{'desc' if request.newest else 'asc'}"),
                ("page", str(request.page)),
                ("pageSize", str(request.page_size)),
            ]
            return _query(parts)
        if request.ids:
            parts = [
                ("zone", request.table),
                ("where", f"and|{_ZONE_IDS[request.table]}|IN|{'*'.join(request.ids)}"),
                ("page", "1"),
                ("pageSize", str(len(request.ids))),
            ]
            return _query(parts)
        field_name, fmt, step = _ZONE_FILTERS[request.table]
        bound = request.bound or EVERYTHING
        after = _parse_canonical(bound) - step  # ">" on the value one step earlier = "at or after"
        parts = [
            ("zone", request.table),
            ("where", f"and|{field_name}|>|{after.strftime(fmt)}"),
            ("order", f"{field_name}|asc"),
            ("page", str(request.page)),
            ("pageSize", str(request.page_size)),
        ]
        return _query(parts)

    def params(self, request: PageRequest) -> dict:
        return {}

    def decode(self, response: requests.Response, table: str) -> DecodedPage:
        status = response.status_code
        if status >= 500 or status == 408:
            return DecodedPage(problem=f"AroFlo answered HTTP {status}", kind="retry")
        body = _json(response)
        if status == 429 and not (isinstance(body, dict) and str(body.get("status", "")).strip() == "7"):
            # A daily limit (status 7) answered with HTTP 429 still stops the stream: retrying
            # cannot succeed before the reset and would spend more requests.
            return DecodedPage(problem="rate limited by AroFlo (HTTP 429)", kind="rate_limited")
        if not isinstance(body, dict):
            what = "not JSON (a truncated answer or an HTML error page)" if body is _NOT_JSON else "not a JSON object"
            return DecodedPage(problem=f"the answer was {what} (HTTP {status}, {_body_hint(response)})", kind="retry")
        code = str(body.get("status", "")).strip()
        message = str(body.get("statusmessage") or "no message").strip()
        if code == "0":
            zone = body.get("zoneresponse")
            records = zone.get(table) if isinstance(zone, dict) else None
            if isinstance(records, list):
                return DecodedPage(records=records)
            if isinstance(zone, dict) and table not in zone:
                return DecodedPage(records=[])  # AroFlo leaves the list out when nothing matches
            return DecodedPage(problem=f"status 0 but no '{table}' list in zoneresponse", kind="retry")
        if code in _AUTH_CODES:
            advice = (
                "check this machine's clock (afdatetimeutc must be current UTC)"
                if "expired" in message.lower()
                else "check u_encoded, p_encoded, org_encoded and secret_key (and host_ip if AroFlo requires it)"
                if code == "-99999"
                else "check that the API user may log in and read this zone"
            )
            return DecodedPage(problem=f"AroFlo refused the request (status {code}: {message}); {advice}", kind="auth")
        if code == "6":
            return DecodedPage(problem=f"rate limited by AroFlo (status 6: {message})", kind="rate_limited")
        if code == "7":
            reset = next_daily_reset(datetime.now(timezone.utc))
            return DecodedPage(
                problem=(
                    f"AroFlo's daily request limit was reached (status 7: {message}); the sync stopped after "
                    f"saving its progress. The limit resets at 00:00 Australia/Melbourne "
                    f"({reset.strftime('%Y-%m-%d %H:%M')} UTC): run the sync again after that"
                ),
                kind="daily_limit",
            )
        if code in ("8", "888888"):
            what = "the answer was over 3.5 MB" if code == "8" else "the query ran over 60 s"
            return DecodedPage(problem=f"{what} (status {code}: {message})", kind="too_big")
        if code == "5":
            return DecodedPage(problem=f"AroFlo rejected the request method (status 5: {message})", kind="fail")
        return DecodedPage(problem=f"AroFlo answered an unknown status {code!r}: {message}", kind="fail")


def _query(parts: list) -> str:
    """`?k=v&...`, each value encoded as AroFlo's signature expects (encodeURIComponent)."""
    return "?" + "&".join(f"{k}={encode_uri_component(v)}" for k, v in parts)


def _parse_canonical(value: str) -> datetime:
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def dialect_for(auth_type: str, base_url: str):
    return ZoneDialect(base_url) if auth_type == HMAC else RestDialect(base_url)
