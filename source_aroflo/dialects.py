"""The two AroFlo API dialects: how a request is written, and what an answer says.

A dialect knows nothing about state, paging or Airbyte. A reader hands it an `Ask` (which zone,
which page, which `where`, `order` and joins) and gets the URL path and query back; the error
handler hands it each answer and gets an `Answer`: the records, or why there are none (a kind the
error handler turns into the CDK's retry / fail / smaller-pages decision). Each body is parsed
exactly once, with orjson, here.

- `RestDialect`: the seed's `/v1/<table>` API with a bearer token, `modified_since`
  (inclusive), `page` and `per_page`, body `{"data": [...]}`.
- `ZoneDialect`: AroFlo's single endpoint, `zone=<zone>` and `where/order/join/page/pageSize` in
  the query, a body `status` on every answer (HTTP 200 included). The query is built here,
  already encoded with encodeURIComponent, so the signature covers exactly what is sent.
  Which of AroFlo's budgets a request spends is read back from the request itself
  (`ZoneDialect.budget_of`): the `lastupdate` zone none, a GET for one id the single-id budget,
  anything else the daily limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import orjson
import requests

from .auth import encode_uri_component
from .declaration import REST, ZONE, Zone

FEED = "lastupdate"  # the change-feed zone
# A value no AroFlo id takes (ids are base64 strings of 16+ characters): `id != NO_ID` matches
# every record without depending on any date.
NO_ID = "0"
Where = Tuple[str, str, str]  # (field, operator, value)

# The budgets a request can spend (AroFlo counts a GET for one id against a separate limit).
DAILY, SINGLE, FREE, UNLIMITED = "daily", "single-id", "free", "unlimited"


@dataclass(frozen=True)
class Ask:
    """One request, in words both dialects understand."""

    zone: Zone
    page: int = 1
    size: int = 500
    where: Tuple[Where, ...] = ()
    order: Tuple[Tuple[str, str], ...] = ()  # (field, "asc" | "desc")
    joins: Tuple[str, ...] = ()  # beyond the zone's own
    seek_from: Optional[str] = None  # a seek's inclusive start (canonical): the REST dialect's modified_since

    @property
    def single(self) -> bool:
        """A GET for one record by its id: AroFlo's single-id (secondary) daily budget."""
        return one_id(self.zone, self.where)


def one_id(zone: Any, where: Any) -> bool:
    """`where` is exactly one `=` on the zone's id field, for one id: AroFlo's single-id query."""
    return (zone is not None and len(where) == 1 and len(where[0]) == 3 and where[0][0] == zone.id_where
            and where[0][1] == "=" and "*" not in where[0][2])


@dataclass
class Answer:
    """What one HTTP answer means. `kind` is ok | auth | login | denied | rate_limited |
    daily_limit | too_big | retry | fail; `problem` is the reason in words when it is not ok."""

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
        if ask.seek_from and not ask.seek_from.startswith("1900"):
            start = ask.seek_from
            params["modified_since"] = start if len(start) > 10 else start + "T00:00:00Z"
        return params

    @staticmethod
    def budget_of(request: Any) -> str:
        return UNLIMITED

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
            return Answer("login", problem=f"AroFlo {verb} the API key (HTTP {status}{detail}); check credentials.api_key")
        if status == 429:
            return Answer("rate_limited", problem=f"rate limited by AroFlo (HTTP 429{detail})")
        if status in (404, 405):
            return Answer("auth", problem=f"{(response.url or '').split('?')[0]} does not exist (HTTP {status}); check base_url")
        if status == 400:
            return Answer("auth", problem=f"AroFlo refused the request parameters (HTTP 400{detail})")
        if status >= 500 or status == 408:
            return Answer("retry", problem=f"AroFlo answered HTTP {status}{detail}")
        return Answer("fail", problem=f"AroFlo answered HTTP {status}{detail}")


# Body status codes. -99999: the signature or the API setup; 1, 2: the request string or the
# user name and password; 3, 4, 20, 30: "Permission Denied" (AroFlo's docs describe them as
# login-level: API access not enabled, legacy login, API disabled).
_SIGNATURE = "-99999"
_LOGIN_CODES = {"1", "2"}
_PERMISSION_CODES = {"3", "4", "20", "30"}
MELBOURNE = ZoneInfo("Australia/Melbourne")


def next_daily_reset(now: datetime) -> datetime:
    """AroFlo's limits reset at 00:00 Australia/Melbourne."""
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
        parts += [("where", f"and|{name}|{op}|{value}") for name, op, value in ask.where]
        parts += [("order", f"{name}|{direction}") for name, direction in ask.order]
        joins = tuple(zone.joins) + tuple(j for j in ask.joins if j not in zone.joins)
        if joins:
            parts.append(("join", ",".join(joins)))
        parts.append(("page", str(ask.page)))
        if not ask.single:
            parts.append(("pageSize", str(ask.size)))
        return "?" + "&".join(f"{k}={encode_uri_component(v)}" for k, v in parts)

    def params(self, ask: Ask) -> dict:
        return {}

    @staticmethod
    def budget_of(request: Any) -> str:
        """Which of AroFlo's budgets a prepared request spends, read from its query."""
        query = parse_qsl(urlsplit(getattr(request, "url", "") or "").query)
        zone = next((value.lower() for name, value in query if name == "zone"), "")
        from .zones import ZONES_BY_NAME

        declared = ZONES_BY_NAME.get(zone)
        if declared is not None and declared.change_feed:
            return FREE
        wheres = [tuple(value.split("|")[1:]) for name, value in query if name == "where"]
        if one_id(declared, wheres):
            return SINGLE
        return DAILY

    def decode(self, response: requests.Response, list_key: str) -> Answer:
        status = response.status_code
        if status >= 500 or status == 408:
            return Answer("retry", problem=f"AroFlo answered HTTP {status}")
        body = _json(response)
        envelope = isinstance(body, dict) and ("zoneresponse" in body or "statusmessage" in body)
        code = str(body.get("status", "")).strip() if isinstance(body, dict) else ""
        if status == 429 and code != "7":
            # A daily limit (status 7) answered with HTTP 429 still stops: retrying cannot
            # succeed before the reset and would spend more requests.
            return Answer("rate_limited", problem="rate limited by AroFlo (HTTP 429)")
        if 400 <= status < 500 and not envelope:
            return Answer("auth", problem=_base_url_hint(response, status))
        if not isinstance(body, dict):
            what = "not JSON (a truncated answer or an HTML error page)" if body is _NOT_JSON else "not a JSON object"
            return Answer("retry", problem=f"the answer was {what} (HTTP {status}, {_body_hint(response)})")
        zone = body.get("zoneresponse")
        if code == "0" or (not code and isinstance(zone, dict)):  # a zoneresponse without status is a success
            records = zone.get(list_key) if isinstance(zone, dict) else None
            if isinstance(records, list):
                return Answer(records=records)
            if isinstance(zone, dict) and records is None:
                return Answer(records=[])  # AroFlo leaves the list out when nothing matches
            return Answer("retry", problem=f"status 0 but no '{list_key}' list in zoneresponse")
        message = str(body.get("statusmessage") or "no message").strip()
        if code == _SIGNATURE:
            advice = ("check this machine's clock (afdatetimeutc must be current UTC)" if "expired" in message.lower()
                      else "check u_encoded, p_encoded, org_encoded and secret_key (and host_ip if AroFlo requires it)")
            return Answer("login", problem=f"AroFlo refused the request (status {code}: {message}); {advice}")
        if code in _LOGIN_CODES:
            return Answer("login", problem=f"AroFlo refused the login (status {code}: {message}); check u_encoded, "
                                           "p_encoded and org_encoded")
        if code in _PERMISSION_CODES:
            return Answer("denied", problem=f"AroFlo refused the request (status {code}: {message})")
        if code == "6":
            return Answer("rate_limited", problem=f"rate limited by AroFlo (status 6: {message})")
        if code == "7":
            return Answer("daily_limit", problem=f"AroFlo's daily request limit was reached (status 7: {message})")
        if code in ("8", "888888"):
            what = "the answer was over 3.5 MB" if code == "8" else "the query ran over 60 s"
            return Answer("too_big", problem=f"{what} (status {code}: {message})")
        if code == "5":
            return Answer("fail", problem=f"AroFlo rejected the request (status 5: {message})")
        return Answer("fail", problem=f"AroFlo answered an unknown status {code!r}: {message}")


def dialect_for(auth_type: str, base_url: str) -> Any:
    return ZoneDialect(base_url) if auth_type == ZONE else RestDialect(base_url)
