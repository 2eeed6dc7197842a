"""Builders for unit tests of AroFlo's HMAC-signed zone dialect.

- `zone_config(...)`: a valid hmac configuration (fake credentials, fast pacing, short waits).
- `zone_request("users").where("userid", "!=", "0").page(1).size(500)`: the query a zone request
  should send, decoded, in AroFlo's order (zone, where..., order..., join, page, pageSize);
  `asked(request)` is what a request really sent, in the same form, so a test says
  `assert asked(server.requests[0]) == zone_request(...)` (or `server.asked == [...]`).
- `user`, `payment`, `supplier`, `task`, `invoice`, `feed_entry`: zone records shaped like
  AroFlo's (strings for amounts, booleans and dates, `/` in dates).
- `ZoneServer`: a `requests_mock` callback that serves a dataset the way the zone API does
  (where/order/page/pageSize), with scripted answers for chosen requests, and keeps every
  request it saw.
- `expected_signature(request, secret)`: an HMAC computed here, independently of
  `source_aroflo.auth`, over the request *as it was sent*.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple, Union
from urllib.parse import parse_qsl, urlsplit

import requests_mock
from airbyte_cdk.models import ConfiguredAirbyteCatalog, DestinationSyncMode, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder, ConfiguredAirbyteStreamBuilder
from airbyte_cdk.test.state_builder import StateBuilder

from source_aroflo.zones import CHILDREN_BY_NAME, ZONES_BY_NAME

BASE_URL = "https://zone.aroflo.test/"
SECRET = "unit-secret-key"
HOST_IP = "203.0.113.10"


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
        # Fast pacing so the shared pacer never holds back a test that is not about pacing.
        "requests_per_second": 100,
        "requests_per_minute": 6000,
        "retry_attempts": 3,
        "max_retry_wait_seconds": 1,
    }
    config.update(overrides)
    return config


def cursor_of(stream: str) -> str:
    """The cursor column discover gives `stream` (a zone or a child stream)."""
    declaration = ZONES_BY_NAME.get(stream) or CHILDREN_BY_NAME[stream]
    return declaration.cursor_column


def catalog(streams: Union[str, Iterable[str]], mode: str = "full_refresh") -> ConfiguredAirbyteCatalog:
    """A configured catalog of one stream (a name) or several (a list), all in `mode`."""
    names = [streams] if isinstance(streams, str) else list(streams)
    sync_mode = SyncMode.incremental if mode == "incremental" else SyncMode.full_refresh
    builder = CatalogBuilder()
    for name in names:
        builder.with_stream(ConfiguredAirbyteStreamBuilder().with_name(name).with_sync_mode(sync_mode))
    built = builder.build()
    if sync_mode == SyncMode.incremental:
        for stream in built.streams:
            stream.cursor_field = [cursor_of(stream.stream.name)]
            stream.destination_sync_mode = DestinationSyncMode.append_dedup
    return built


def states(**by_stream: dict) -> list:
    """Incoming per-stream states: `states(users={"updated_at": ...}, payments={...})`."""
    builder = StateBuilder()
    for name, state in by_stream.items():
        builder.with_stream_state(name, state)
    return builder.build()


# ---- the request a zone read should send ----------------------------------------------------------
_POSITION = {"zone": 0, "where": 1, "order": 2, "join": 3, "page": 4, "pageSize": 5}


class ZoneRequest:
    """A zone request's query, decoded: what a test expects (built) or what was sent (`asked`).

    Built ones keep AroFlo's order of parameters (zone, where..., order..., join, page, pageSize)
    whatever order the builder was called in; two are equal when their parameter lists are.
    """

    def __init__(self, pairs: Tuple[Tuple[str, str], ...]):
        self.pairs = tuple(pairs)

    def _with(self, name: str, value: Any) -> "ZoneRequest":
        pairs = list(self.pairs) + [(name, str(value))]
        pairs.sort(key=lambda pair: _POSITION.get(pair[0], 9))  # stable: same-name parameters keep their order
        return ZoneRequest(tuple(pairs))

    def where(self, field: str, op: str, value: Any) -> "ZoneRequest":
        return self._with("where", f"and|{field}|{op}|{value}")

    def order(self, field: str, direction: str = "asc") -> "ZoneRequest":
        return self._with("order", f"{field}|{direction}")

    def join(self, *joins: str) -> "ZoneRequest":
        return self._with("join", ",".join(joins))

    def page(self, number: int) -> "ZoneRequest":
        return self._with("page", number)

    def size(self, records: int) -> "ZoneRequest":
        return self._with("pageSize", records)

    # what was sent, read back
    def value(self, name: str) -> Optional[str]:
        return next((v for k, v in self.pairs if k == name), None)

    def values(self, name: str) -> List[str]:
        return [v for k, v in self.pairs if k == name]

    @property
    def zone(self) -> Optional[str]:
        return self.value("zone")

    @property
    def wheres(self) -> List[Tuple[str, str, str]]:
        """Each `where` as (field, operator, value)."""
        return [tuple(w.split("|", 3)[1:]) for w in self.values("where")]  # type: ignore[misc]

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, ZoneRequest):
            return self.pairs == other.pairs
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.pairs)

    def __repr__(self) -> str:
        text = f"zone_request({self.zone!r})"
        for name, value in self.pairs:
            if name == "zone":
                continue
            if name == "where":
                _, field, op, rest = (value.split("|", 3) + ["", "", ""])[:4]
                text += f".where({field!r}, {op!r}, {rest!r})"
            elif name == "order":
                field, _, direction = value.partition("|")
                text += f".order({field!r}, {direction!r})"
            elif name == "join":
                text += ".join(" + ", ".join(repr(j) for j in value.split(",")) + ")"
            elif name == "page":
                text += f".page({value})"
            elif name == "pageSize":
                text += f".size({value})"
            else:
                text += f".{name}={value!r}"
        return text


def zone_request(zone: str) -> ZoneRequest:
    return ZoneRequest((("zone", zone),))


def asked(request: Any) -> ZoneRequest:
    """What a sent request (or a URL, or a dialect's `?...` path) asked for, decoded, in order."""
    url = request if isinstance(request, str) else request.url
    query = url.split("?", 1)[1] if "?" in url else urlsplit(url).query
    return ZoneRequest(tuple(parse_qsl(query, keep_blank_values=True)))


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


def task(i: int, updated: str = "2024/05/01 10:00:00", customfields: Optional[list] = None) -> dict:
    """A task; `updated` its `lastupdateddatetimeutc` (the zone's own update time)."""
    record = {"taskid": f"T{i:04d}==", "taskname": f"Job {i}", "jobnumber": str(1000 + i), "status": "Pending",
              "lastupdateddatetimeutc": updated, "tasktotals": {"totalhrs": "1.5", "totallab": "120.00"}}
    if customfields is not None:
        record["customfields"] = customfields
    return record


def invoice(i: int, updated: str = "2024/05/01 10:00:00", lines: Optional[list] = None) -> dict:
    """An invoice (with `join=lineitems` AroFlo adds its `lines`)."""
    record = {"invoiceid": f"I{i:04d}==", "invoicenumber": f"INV-{i}", "status": "Approved",
              "lastupdateddatetimeutc": updated, "totalinc": "110.0000"}
    if lines is not None:
        record["lines"] = lines
    return record


def client(i: int, name: Optional[str] = None) -> dict:
    return {"clientid": f"C{i:04d}==", "clientname": name or f"Client {i}", "postable": "TRUE",
            "datetimeinserted": "2020-01-02 09:00:00.0"}


def quote(i: int) -> dict:
    return {"quoteid": f"Q{i:04d}==", "quotenumber": str(2000 + i), "status": "Open"}


def feed_entry(zone: str, ident: str, when: str, deleted: bool = False) -> dict:
    """One entry of the change feed (`lastupdate`): `ident` of `zone` changed at `when` (UTC,
    AroFlo's `YYYY/MM/DD HH:MM:SS`)."""
    return {"zonename": zone, "zoneid": ident, "zoneidreference": "", "lastupdateutc": when,
            "isdeleted": "1" if deleted else "0"}


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


def quota_headers(daily: Optional[int] = None, single: Optional[int] = None) -> dict:
    """What AroFlo says is left of its two daily budgets, on an answer."""
    headers = {}
    if daily is not None:
        headers.update({"X-RateLimit-Daily-Remaining": str(daily), "X-RateLimit-Daily-Limit": "2000"})
    if single is not None:
        headers.update({"X-RateLimit-Secondary-Daily-Remaining": str(single),
                        "X-RateLimit-Secondary-Daily-Limit": "20000"})
    return headers


# ---- the fake zone API -------------------------------------------------------------------------
def query_pairs(request: Any) -> list:
    """The query of a sent request as (name, decoded value) pairs, in order."""
    return list(asked(request).pairs)


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

    @property
    def asked(self) -> ZoneRequest:
        return asked(self.url)


def id_field(zone: str) -> str:
    declared = ZONES_BY_NAME.get(zone)
    return declared.id if declared is not None else "id"


class ZoneServer:
    """Serves `data[zone]` like the zone API; `script[n]` answers the n-th request (1-based) instead.

    A script entry is an `Answer` or a callable(request) -> Answer. `headers` (a dict, or a
    callable(request) -> dict) are added to every dataset answer.
    """

    def __init__(self, mocker: requests_mock.Mocker, data: Optional[Dict[str, list]] = None,
                 script: Optional[Dict[int, Union[Answer, Callable[[Any], Answer]]]] = None,
                 headers: Union[None, dict, Callable[[Any], dict]] = None, max_as_string: bool = True,
                 on_request: Optional[Callable[[Any], None]] = None):
        self.data = data if data is not None else {}
        self.script = dict(script or {})
        self.headers = headers or {}
        self.max_as_string = max_as_string
        self.requests: list = []
        self.served: list = []  # ids served per dataset answer
        self.on_request = on_request  # called with each request as it arrives
        mocker.get(requests_mock.ANY, additional_matcher=self._is_zone, text=self._respond)

    @property
    def asked(self) -> List[ZoneRequest]:
        """Every request's query, decoded, in the order they were sent."""
        return [request.asked for request in self.requests]

    def asked_of(self, zone: str) -> List[ZoneRequest]:
        return [query for query in self.asked if query.zone == zone]

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
        date is NULL), `!=`, `=` and `IN` compare ids; no `order` = the order records were added;
        no `pageSize` (a GET for one id) = every match."""
        q = query_of(request)
        table = q["zone"]
        rows = filter_rows(self.data.get(table, []), q["where"])
        ident = id_field(table)
        if "order" in q:
            order_field, direction = q["order"].split("|")
            assert direction in ("asc", "desc"), q["order"]
            rows.sort(key=lambda r: (str(r.get(order_field) or "").strip().replace("/", "-"), str(r.get(ident))),
                      reverse=direction == "desc")
        page, size = int(q["page"]), int(q.get("pageSize") or 500)
        chunk = rows[(page - 1) * size: page * size]
        self.served.append([r.get(ident) for r in chunk])
        list_key = ZONES_BY_NAME[table].list_key if table in ZONES_BY_NAME else table
        headers = self.headers(request) if callable(self.headers) else dict(self.headers)
        return answer(ok_body(list_key, chunk, page, self.max_as_string), headers=headers)


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


# ---- reading the output ------------------------------------------------------------------------
def records_of(output: Any, stream: Optional[str] = None) -> List[dict]:
    return [m.record.data for m in output.records if stream is None or m.record.stream == stream]


def errors_of(output: Any) -> list:
    return [m.trace.error for m in output.errors]


def state_of(output: Any, stream: str) -> dict:
    """The last state `stream` was left with."""
    found = [m.state.stream.stream_state for m in output.state_messages
             if m.state.stream is not None and m.state.stream.stream_descriptor.name == stream]
    assert found, f"no state message for {stream}"
    return dict(found[-1].__dict__)


def statuses_of(output: Any, stream: str) -> List[str]:
    """The stream statuses `stream` went through (STARTED, RUNNING, COMPLETE, INCOMPLETE)."""
    from airbyte_cdk.models import TraceType

    return [m.trace.stream_status.status.name for m in output.trace_messages
            if m.trace.type == TraceType.STREAM_STATUS and m.trace.stream_status.stream_descriptor.name == stream]


def logs_of(output: Any, level: Optional[str] = None) -> List[str]:
    return [m.log.message for m in output.logs if level is None or m.log.level.name == level]


def run(config: dict, streams: Union[str, Iterable[str]], mode: str = "full_refresh", state: Any = None,
        data: Optional[dict] = None, failure: bool = False, **server_args: Any):
    """One `read` of `streams` against a `ZoneServer` of `data`: (server, output)."""
    from airbyte_cdk.test import entrypoint_wrapper
    from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome

    from source_aroflo.source import SourceAroflo

    with requests_mock.Mocker() as mocker:
        server = ZoneServer(mocker, data=data, **server_args)
        output = entrypoint_wrapper.read(
            SourceAroflo(), config, catalog(streams, mode), state,
            expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION if failure else ExpectedOutcome.EXPECT_SUCCESS)
    return server, output


