"""Builders for unit tests of AroFlo's HMAC-signed zone dialect.

- `zone_config(...)`: a valid hmac configuration (fake credentials, fast pacing, short waits).
- `user`, `payment`, `supplier`: zone records shaped like AroFlo's (strings for amounts,
  booleans and dates, `/` in dates).
- `ZoneServer`: a `requests_mock` callback that serves a dataset the way the zone API does
  (where/order/page/pageSize), with scripted answers for chosen requests, and keeps every
  request it saw.
- `expected_signature(request, secret)`: an HMAC computed here, independently of
  `source_aroflo.auth`, over the request *as it was sent*.
"""

from __future__ import annotations

import hashlib
import hmac
import contextlib
import json
import time
import types
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Union
from urllib.parse import parse_qsl, urlsplit

import requests_mock
from airbyte_cdk.models import ConfiguredAirbyteCatalog, DestinationSyncMode, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder, ConfiguredAirbyteStreamBuilder

_REAL_SLEEP = time.sleep  # taken at import, before any test patches time.sleep
BASE_URL = "https://zone.aroflo.test/"
SECRET = "unit-secret-key"
HOST_IP = "203.0.113.10"
CURSORS = {"users": "updated_at", "payments": "payment_date"}


def zone_config(host_ip: Optional[str] = None, **overrides: Any) -> dict:
    credentials = {
        "auth_type": "hmac",
        "u_encoded": "unit user",
        "p_encoded": "unit|pass*word",
        "org_encoded": "unit-org",
        "secret_key": SECRET,
    }
    if host_ip:
        credentials["host_ip"] = host_ip
    config = {
        "credentials": credentials,
        "base_url": BASE_URL,
        # Fast pacing so the shared budget never blocks a test that is not about pacing.
        "requests_per_second": 100,
        "requests_per_minute": 6000,
        "retry_attempts": 3,
        "max_retry_wait_seconds": 1,
    }
    config.update(overrides)
    return config


def catalog(stream: str, mode: str = "full_refresh") -> ConfiguredAirbyteCatalog:
    sync_mode = SyncMode.incremental if mode == "incremental" else SyncMode.full_refresh
    built = CatalogBuilder().with_stream(ConfiguredAirbyteStreamBuilder().with_name(stream).with_sync_mode(sync_mode)).build()
    if sync_mode == SyncMode.incremental:
        built.streams[0].cursor_field = [CURSORS[stream]]
        built.streams[0].destination_sync_mode = DestinationSyncMode.append_dedup
    return built


@contextlib.contextmanager
def real_budget_waits():
    """Let the shared request budget really wait (the unit conftest records `time.sleep` instead).

    Yields the list of waits the budget asked for, in seconds. Only the CDK's call-rate module
    and the budget's own wait (`pacing`) get the real sleep; retry back-offs elsewhere stay recorded, not slept.
    """
    from unittest import mock

    from airbyte_cdk.sources.streams import call_rate

    waits: list = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        _REAL_SLEEP(seconds)

    from source_aroflo import pacing

    clock = types.SimpleNamespace(sleep=sleep)
    with mock.patch.object(call_rate, "time", clock), mock.patch.object(pacing, "time", clock):
        yield waits


# ---- records ---------------------------------------------------------------------------------
def user(i: int, updated: str = "2023/05/23 23:28:15", archived: str = "false") -> dict:
    """`updated` in AroFlo's response form, `YYYY/MM/DD HH:MM:SS`."""
    return {
        "userid": f"U{i:04d}==",
        "givennames": f"Given{i}",
        "surname": f"Surname{i}",
        "username": f"user{i}",
        "email": f"user{i}@example.test",
        "phone": "03 9000 0000",
        "position": "Technician",
        "userposition": {"positionid": "P1==", "positionname": "Field Technician"},
        "org": {"orgid": "O1==", "orgname": "Head Office"},
        "accesstype": "Standard",
        "archived": archived,
        "createdutc": "2020/01/02",
        "createddatetimeutc": "2020/01/02 03:04:05",
        "lastupdatedutc": updated[:10],
        "lastupdateddatetimeutc": updated,
    }


def payment(i: int, datepaid: str = "2023/12/18", amount: str = "296.7600", linkprocessed: str = "TRUE") -> dict:
    return {
        "paymentid": f"PAY{i:04d}==",
        "amount": amount,
        "totalamount": amount,
        "surchargeamount": "0.0000",
        "surchargepercentage": "0",
        "datepaid": datepaid,
        "paymentmethodname": "EFT",
        "reference": f"REF-{i}",
        "notes": "",
        "linkprocessed": linkprocessed,
        "datelinkprocessed": "2023/12/19",
        "linkedto": {"linkedtoid": f"INV{i}==", "linkedtotype": "invoice"},
        "receivedby": {"userid": "U0001==", "username": "user1"},
    }


def supplier(i: int, inserted: str = "2018-10-16 13:30:19.58") -> dict:
    return {
        "supplierid": f"S{i:04d}==",
        "suppliername": f"Supplier {i}",
        "firstname": "Pat",
        "surname": "Smith",
        "email": f"s{i}@example.test",
        "abn": "12 345 678 901",
        "address": {"addressline1": "1 Main St", "addressline2": "", "suburb": "Richmond", "state": "VIC",
                    "postcode": "3121", "country": "Australia"},
        "postable": "TRUE",
        "archived": "false",
        "datecreated": inserted,
        "datetimeinserted": inserted,
    }


# Zone field each table is filtered and ordered by, and its record id field.
ZONE_FIELDS = {
    "users": ("lastupdateddatetimeutc", "userid"),
    "payments": ("datepaid", "paymentid"),
    "suppliers": ("datetimeinserted", "supplierid"),
}


# ---- bodies ----------------------------------------------------------------------------------
def ok_body(table: str, records: list, page: int = 1, max_as_string: bool = True, max_results: int = 500) -> dict:
    return {
        "status": "0",
        "statusmessage": "Login OK",
        "zoneresponse": {
            table: records,
            "maxpageresults": str(max_results) if max_as_string else max_results,
            "pagenumber": str(page),
            "currentpageresults": len(records),
            "generatedisplayresponsetime": 3,
            "queryresponsetimes": {table: 12},
        },
    }


def status_body(code: Union[str, int], message: str) -> dict:
    return {"status": str(code), "statusmessage": message, "zoneresponse": {}}


Answer = Dict[str, Any]  # {"status_code": int, "json": ..., "text": ..., "headers": {...}}


def answer(body: Any = None, status_code: int = 200, text: Optional[str] = None,
           headers: Optional[dict] = None) -> Answer:
    return {"status_code": status_code, "json": body, "text": text, "headers": headers or {}}


# ---- the fake zone API -------------------------------------------------------------------------
def query_pairs(request: Any) -> list:
    """The query of a sent request as (name, decoded value) pairs, in order."""
    return parse_qsl(urlsplit(request.url).query, keep_blank_values=True)


def query_of(request: Any) -> dict:
    """Single-valued view of the query; `where` is a list."""
    out: dict = {"where": []}
    for key, value in query_pairs(request):
        if key == "where":
            out["where"].append(value)
        else:
            out[key] = value
    return out


@dataclass(frozen=True)
class Sent:
    """One request as it went on the wire (method, full URL, headers)."""

    method: str
    url: str
    headers: dict


class ZoneServer:
    """Serves `data[table]` like the zone API; `script[n]` answers the n-th request (1-based) instead.

    A script entry is an `Answer` or a callable(request) -> Answer. `headers` are added to
    every dataset answer.
    """

    def __init__(self, mocker: requests_mock.Mocker, data: Optional[Dict[str, list]] = None,
                 script: Optional[Dict[int, Union[Answer, Callable[[Any], Answer]]]] = None,
                 headers: Optional[dict] = None, max_as_string: bool = True):
        self.data = data or {}
        self.script = dict(script or {})
        self.headers = headers or {}
        self.max_as_string = max_as_string
        self.requests: list = []
        self.served: list = []  # ids served per dataset answer
        self.on_request: Optional[Callable[[Any], None]] = None
        mocker.get(requests_mock.ANY, additional_matcher=self._is_zone, text=self._respond)

    @staticmethod
    def _is_zone(request: Any) -> bool:
        return request.url.startswith(BASE_URL)

    def _respond(self, request: Any, context: Any) -> str:
        # A snapshot: the CDK re-sends (and re-signs) the *same* PreparedRequest object on a
        # retry, so `request_history` entries would all show the last attempt's headers.
        request = Sent(request.method, request.url, dict(request.headers))
        self.requests.append(request)
        if self.on_request:
            self.on_request(request)
        scripted = self.script.get(len(self.requests))
        if scripted is not None:
            result = scripted(request) if callable(scripted) else scripted
        else:
            result = self.page(request)
        context.status_code = result["status_code"]
        context.headers.update(result.get("headers") or {})
        if result.get("text") is not None:
            return result["text"]
        context.headers.setdefault("Content-Type", "application/json")
        return json.dumps(result["json"])

    def page(self, request: Any) -> Answer:
        """Where clauses as AroFlo's SQL reads them: `>` on a blank value never matches (a blank
        date is NULL), `!=` and `IN` compare ids; no `order` = the order records were added."""
        q = query_of(request)
        table = q["zone"]
        rows = filter_rows(self.data.get(table, []), q["where"])
        if "order" in q:
            order_field, direction = q["order"].split("|")
            assert direction in ("asc", "desc"), q["order"]
            id_field = ZONE_FIELDS.get(table, (None, "zoneid"))[1]
            rows.sort(key=lambda r: (str(r[order_field]).strip().replace("/", "-"), r.get(id_field)),
                      reverse=direction == "desc")
        page, size = int(q["page"]), int(q["pageSize"])
        chunk = rows[(page - 1) * size: page * size]
        id_field = ZONE_FIELDS.get(table, (None, "zoneid"))[1]
        self.served.append([r.get(id_field) for r in chunk])
        return answer(ok_body(table, chunk, page, self.max_as_string), headers=dict(self.headers))


def filter_rows(rows: list, wheres: list, blank_matches_greater: bool = False) -> list:
    """The records a zone request's `where` clauses keep (`blank_matches_greater`: a server that,
    unlike SQL, lets a blank value pass `>`)."""
    rows = list(rows)
    for clause in wheres:
        _, name, op, value = clause.split("|", 3)
        if op == ">":
            rows = [r for r in rows if (blank_matches_greater if not str(r.get(name) or "").strip()
                                        else str(r[name]).strip().replace("/", "-") > value)]
        elif op == "!=":
            rows = [r for r in rows if str(r.get(name)) != value]
        elif op == "=":
            rows = [r for r in rows if str(r.get(name)) == value]
        elif op == "IN":
            wanted = set(value.split("*"))
            rows = [r for r in rows if str(r.get(name)) in wanted]
        else:
            raise AssertionError(f"unexpected operator in {clause}")
    return rows


# ---- signature, recomputed independently ------------------------------------------------------
def expected_signature(request: Any, secret: str = SECRET) -> str:
    """HMAC-SHA512 over the fields of the request exactly as it went out."""
    headers = request.headers
    fields = [request.method.upper()]
    if "HostIP" in headers:
        fields.append(headers["HostIP"])
    fields += ["", headers["Accept"], headers["Authorization"], headers["afdatetimeutc"], urlsplit(request.url).query]
    return hmac.new(secret.encode(), "+".join(fields).encode(), hashlib.sha512).hexdigest()


def signature_of(request: Any) -> str:
    value = request.headers["Authentication"]
    assert value.startswith("HMAC "), "Authentication header must start with 'HMAC '"
    return value[len("HMAC "):]


def records_of(output: Any) -> List[dict]:
    return [m.record.data for m in output.records]


def errors_of(output: Any) -> list:
    return [m.trace.error for m in output.errors]
