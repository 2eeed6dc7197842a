"""The two AroFlo API dialects: how a request is written, and what an answer says.

A dialect knows nothing about state, paging or Airbyte. A reader hands it an `Ask` (which zone,
which page, from which cursor value, which ids) and gets the URL path and query back; the error
handler hands it each answer and gets an `Answer`: the records, or why there are none (a kind
the error handler turns into the CDK's retry / fail / smaller-pages decision). Each body is
parsed exactly once, with orjson, here.

- `RestDialect`: the seed's `/v1/<table>` API with a bearer token, `modified_since`
  (inclusive), `page` and `per_page`, body `{"data": [...]}`.
- `ZoneDialect`: AroFlo's single endpoint, `zone=<zone>` and `where/order/join/page/pageSize` in
  the query, a body `status` on every answer (HTTP 200 included). The query is built here,
  already encoded with encodeURIComponent, so the signature covers exactly what is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, List, Optional, Tuple
from zoneinfo import ZoneInfo

import orjson
import requests

from .auth import encode_uri_component
from .declaration import REST, ZONE, Zone

FEED = "lastupdate"  # the change-feed zone
# A value no AroFlo id takes (ids are base64 strings of 16+ characters): `id != NO_ID` matches
# every record without depending on any date, so records whose dates are blank are not lost.
NO_ID = "0"


@dataclass(frozen=True)
class Ask:
    """One request, in words both dialects understand."""

    zone: Zone
    page: int = 1
    size: int = 500
    seek: bool = False  # ordered by the cursor, from `after` (inclusive) when given
    after: Optional[str] = None  # canonical cursor value: `...Z` (to the second) or a date
    ids: Tuple[str, ...] = ()  # only these records (by the zone's id where field)
    feed: Tuple[str, ...] = ()  # change feed: only entries of these zones
    newest: bool = False  # change feed: newest entry first


@dataclass
class Answer:
    """What one HTTP answer means. `kind` is ok | auth | rate_limited | daily_limit | too_big |
    retry | fail; `problem` is the reason in words when it is not ok."""

    kind: str = "ok"
    records: Optional[list] = None
    problem: Optional[str] = None


def _json(response: requests.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return _NOT_JSON


_NOT_JSON = object()


def _body_hint(response: requests.Response) -> str:
    kind = response.headers.get("Content-Type", "unknown content type").split(";")[0]
    return f"{kind}, {len(response.content or b'')} bytes"


def _base_url_hint(response: requests.Response, status: int) -> str:
    where = (response.url or "").split("?")[0]
    return (f"{where} answered HTTP {status}, which AroFlo's zone API never does: check base_url "
            f"(AroFlo's is https://api.aroflo.com/)")


class RestDialect:
    name = REST

    def __init__(self, base_url: str):
        self.url_base = base_url.rstrip("/") + "/"

    def endpoint(self, zone: str) -> str:
        return f"{self.url_base}{zone}"

    def path(self, ask: Ask) -> str:
        return ask.zone.name

    def params(self, ask: Ask) -> dict:
        params = {"page": ask.page, "per_page": ask.size}
        if ask.after:
            params["modified_since"] = ask.after if len(ask.after) > 10 else ask.after + "T00:00:00Z"
        return params

    def decode(self, response: requests.Response, list_key: str) -> Answer:
        status = response.status_code
        body = _json(response)
        if status == 200:
            if isinstance(body, dict):
                records = body.get("data", body.get(list_key))
                if isinstance(records, list):
                    return Answer(records=records)
            what = "not JSON (a truncated answer or an HTML error page)" if body is _NOT_JSON else "JSON without a 'data' list"
            return Answer("retry", problem=f"the answer was {what} ({_body_hint(response)})")
        message = body.get("error") if isinstance(body, dict) else None
        detail = f": {message}" if isinstance(message, str) and message else ""
        if status in (401, 403):
            verb = "rejected" if status == 401 else "is not allowed to read this data with"
            return Answer("auth", problem=f"AroFlo {verb} the API key (HTTP {status}{detail}); check credentials.api_key")
        if status == 429:
            return Answer("rate_limited", problem=f"rate limited by AroFlo (HTTP 429{detail})")
        if status in (404, 405):
            return Answer("auth", problem=f"{(response.url or '').split('?')[0]} does not exist (HTTP {status}); check base_url")
        if status == 400:
            return Answer("auth", problem=f"AroFlo refused the request parameters (HTTP 400{detail})")
        if status >= 500 or status == 408:
            return Answer("retry", problem=f"AroFlo answered HTTP {status}{detail}")
        return Answer("fail", problem=f"AroFlo answered HTTP {status}{detail}")


# Body status codes (contract §1).
_AUTH_CODES = {"-99999", "1", "2", "3", "4", "20", "30"}
MELBOURNE = ZoneInfo("Australia/Melbourne")
# A date before any AroFlo record, for a seek with no lower bound.
EVERYTHING = "1900-01-01T00:00:00Z"


def next_daily_reset(now: datetime) -> datetime:
    local = now.astimezone(MELBOURNE)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc)


class ZoneDialect:
    name = ZONE
    IDS_PER_REQUEST = 50  # ids asked for at once: keeps the signed URL short (~1 KB)

    def __init__(self, base_url: str):
        self.url_base = base_url.rstrip("/") + "/"

    def endpoint(self, zone: str) -> str:
        return f"{self.url_base} (zone {zone})"

    def path(self, ask: Ask) -> str:
        zone = ask.zone
        parts: List[Tuple[str, str]] = [("zone", zone.name)]
        if ask.feed:
            parts.append(("where", f"and|zonename|{'IN' if len(ask.feed) > 1 else '='}|{'*'.join(ask.feed)}"))
        if ask.ids:
            parts.append(("where", f"and|{zone.id_where}|IN|{'*'.join(ask.ids)}"))
        elif ask.seek:
            cursor = zone.cursor
            if ask.newest:
                parts.append(("where", f"and|{cursor}|>|{_where_value(EVERYTHING, 1)}"))
                parts.append(("order", f"{cursor}|desc"))
            else:
                # ">" on the value one step earlier = "at or after" (a second, or a day for a date).
                step = 1 if zone.cursor_kind == "utc" or len(ask.after or EVERYTHING) > 10 else 0
                parts.append(("where", f"and|{cursor}|>|{_where_value(ask.after or EVERYTHING, step)}"))
                parts.append(("order", f"{cursor}|asc"))
        elif zone.id_where and not ask.feed:
            # Any `where` turns AroFlo's 30-day default filter off (§5.1); this one matches every
            # record whatever its dates (§5.2).
            parts.append(("where", f"and|{zone.id_where}|!=|{NO_ID}"))
        if zone.joins:
            parts.append(("join", ",".join(zone.joins)))
        parts.append(("page", str(ask.page if not ask.ids else 1)))
        parts.append(("pageSize", str(len(ask.ids) if ask.ids else ask.size)))
        return "?" + "&".join(f"{k}={encode_uri_component(v)}" for k, v in parts)

    def params(self, ask: Ask) -> dict:
        return {}

    def decode(self, response: requests.Response, list_key: str) -> Answer:
        status = response.status_code
        if status >= 500 or status == 408:
            return Answer("retry", problem=f"AroFlo answered HTTP {status}")
        body = _json(response)
        daily_429 = isinstance(body, dict) and str(body.get("status", "")).strip() == "7"
        if status == 429 and not daily_429:
            # A daily limit (status 7) answered with HTTP 429 still stops the stream: retrying
            # cannot succeed before the reset and would spend more requests.
            return Answer("rate_limited", problem="rate limited by AroFlo (HTTP 429)")
        if status in (400, 401, 403, 404, 405) and not isinstance(body, dict):
            return Answer("auth", problem=_base_url_hint(response, status))
        if not isinstance(body, dict):
            what = "not JSON (a truncated answer or an HTML error page)" if body is _NOT_JSON else "not a JSON object"
            return Answer("retry", problem=f"the answer was {what} (HTTP {status}, {_body_hint(response)})")
        code = str(body.get("status", "")).strip()
        zone = body.get("zoneresponse")
        if code == "0" or (not code and isinstance(zone, dict)):  # §5.8: zoneresponse without status is a success
            records = zone.get(list_key) if isinstance(zone, dict) else None
            if isinstance(records, list):
                return Answer(records=records)
            if isinstance(zone, dict) and records is None:
                return Answer(records=[])  # AroFlo leaves the list out when nothing matches
            return Answer("retry", problem=f"status 0 but no '{list_key}' list in zoneresponse")
        if 400 <= status < 500 and status != 429 and not code:
            return Answer("auth", problem=_base_url_hint(response, status))
        message = str(body.get("statusmessage") or "no message").strip()
        if code in _AUTH_CODES:
            advice = (
                "check this machine's clock (afdatetimeutc must be current UTC)"
                if "expired" in message.lower()
                else "check u_encoded, p_encoded, org_encoded and secret_key (and host_ip if AroFlo requires it)"
                if code == "-99999"
                else "check that the API user may log in and read this zone"
            )
            return Answer("auth", problem=f"AroFlo refused the request (status {code}: {message}); {advice}")
        if code == "6":
            return Answer("rate_limited", problem=f"rate limited by AroFlo (status 6: {message})")
        if code == "7":
            reset = next_daily_reset(datetime.now(timezone.utc))
            return Answer("daily_limit", problem=(
                f"AroFlo's daily request limit was reached (status 7: {message}); the sync stopped after "
                f"saving its progress. The limit resets at 00:00 Australia/Melbourne "
                f"({reset.strftime('%Y-%m-%d %H:%M')} UTC): run the sync again after that"))
        if code in ("8", "888888"):
            what = "the answer was over 3.5 MB" if code == "8" else "the query ran over 60 s"
            return Answer("too_big", problem=f"{what} (status {code}: {message})")
        if code == "5":
            return Answer("fail", problem=f"AroFlo rejected the request (status 5: {message})")
        return Answer("fail", problem=f"AroFlo answered an unknown status {code!r}: {message}")


def _where_value(canonical: str, step: int) -> str:
    """A canonical cursor value minus one step (a second, or a day for a date), as a `where` value."""
    if len(canonical) == 10:
        day = datetime.fromisoformat(canonical) - timedelta(days=1)
        return day.strftime("%Y-%m-%d")
    moment = datetime.fromisoformat(canonical.replace("Z", "+00:00")) - timedelta(seconds=step)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def dialect_for(auth_type: str, base_url: str):
    return ZoneDialect(base_url) if auth_type == ZONE else RestDialect(base_url)
