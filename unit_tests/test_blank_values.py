"""Blank values: an empty date is "", an empty date-time is " " (one space).

A record whose cursor is blank must never fail a sync and never vanish: a full refresh returns
it, a first incremental sync returns it, the state never becomes blank or goes backwards, and a
later incremental sync does not fail on a page that holds such records. Every typed field that
arrives blank leaves as null.

Two fake servers are used:
- `strict`: what AroFlo's SQL does: `where <date> > x` never matches a blank (NULL) value,
  `order ... desc` puts blanks last.
- `lenient`: a server that does return blank-cursor records to a `>` filter, in the middle of
  ordered pages (blanks keep their slots, the dated records are in cursor order around them), so
  that seek pages and change-feed pages really contain blank cursors at their start, middle and end.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional

import pytest
import requests_mock
from airbyte_cdk.models import DestinationSyncMode, SyncMode
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.catalog_builder import CatalogBuilder, ConfiguredAirbyteStreamBuilder
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome
from airbyte_cdk.test.state_builder import StateBuilder
from freezegun import freeze_time

from source_aroflo.mapping import build_mapper
from source_aroflo.schemas import json_schema
from source_aroflo.zones import ZONES, ZONES_BY_NAME
from source_aroflo.source import SourceAroflo

from .builders import states_of
from .zone_builders import (ZoneServer, answer, filter_rows, ok_body, payment, query_of, records_of, supplier, user,
                            zone_config, zone_request)

PAGE = 3  # 7 records: pages [0 1 2] [3 4 5] [6]
# Blank cursors at the start and end of page 1, the middle and end of page 2, both spellings.
PATTERN = ["B ", "d", "B", "d", "B ", "B", "d"]  # "B " = " ", "B" = "", "d" = a date

ZONE_CURSOR = {"users": "lastupdateddatetimeutc", "payments": "datepaid", "lastupdate": "lastupdateutc"}
ZONE_ID = {"users": "userid", "payments": "paymentid", "suppliers": "supplierid", "lastupdate": "zoneid"}
STATE_KEY = {"users": "updated_at", "payments": "payment_date", "suppliers": "updated_at"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _norm(value: Any) -> str:
    return str(value).strip().replace("/", "-")


class BlankServer(ZoneServer):
    """The zone API, with the `lastupdate` zone (both orders), and a choice of blank semantics."""

    def __init__(self, mocker, data, lenient: bool = False, **kwargs):
        super().__init__(mocker, data=data, **kwargs)
        self.lenient = lenient

    def page(self, request):
        q = query_of(request)
        table = q["zone"]
        rows = filter_rows(self.data.get(table, []), q["where"], blank_matches_greater=self.lenient)
        id_field = ZONE_ID.get(table, "zoneid")
        if "order" in q:
            field, direction = q["order"].split("|")
            dated = sorted((r for r in rows if not _blank(r.get(field))),
                           key=lambda r: (_norm(r[field]), str(r.get(id_field))))
            if self.lenient:
                # Blank records keep their slots; the dated ones fill the others in cursor order.
                it = iter(dated)
                rows = [r if _blank(r.get(field)) else next(it) for r in rows]
            else:
                rows = [r for r in rows if _blank(r.get(field))] + dated  # NULLs first in asc
            if direction == "desc":
                rows = rows[::-1]
        page, size = int(q["page"]), int(q.get("pageSize") or 500)  # a GET for one id: no pageSize
        chunk = rows[(page - 1) * size: page * size]
        self.served.append([r.get(id_field) for r in chunk])
        return answer(ok_body(table, chunk, page, self.max_as_string), headers=dict(self.headers))


# ---- datasets ---------------------------------------------------------------------------------
def _value(slot: str, i: int, stream: str) -> str:
    if slot == "B ":
        return " "
    if slot == "B":
        return ""
    if stream == "payments":
        return f"2023/12/{i + 1:02d}"
    return f"2024/01/{i + 1:02d} 10:00:00"


def dataset(stream: str) -> Dict[str, list]:
    """7 records of `stream` whose cursor follows PATTERN (suppliers: their change-feed entries)."""
    if stream == "users":
        return {"users": [user(i, _value(s, i, stream)) for i, s in enumerate(PATTERN)]}
    if stream == "payments":
        return {"payments": [payment(i, _value(s, i, stream)) for i, s in enumerate(PATTERN)]}
    return {
        "suppliers": [supplier(i) for i in range(len(PATTERN))],
        "lastupdate": [{"zonename": "suppliers", "zoneid": f"S{i:04d}==", "zoneidreference": "",
                        "lastupdateutc": _value(s, i, stream), "isdeleted": "0"} for i, s in enumerate(PATTERN)],
    }


def all_ids(stream: str) -> List[str]:
    prefix = {"users": "U", "payments": "PAY", "suppliers": "S"}[stream]
    return [f"{prefix}{i:04d}==" for i in range(len(PATTERN))]


def blank_ids(stream: str) -> List[str]:
    return [ident for ident, slot in zip(all_ids(stream), PATTERN) if slot != "d"]


def dated_ids(stream: str) -> List[str]:
    return [ident for ident, slot in zip(all_ids(stream), PATTERN) if slot == "d"]


def catalog(stream: str, mode: str):
    sync_mode = SyncMode.incremental if mode == "incremental" else SyncMode.full_refresh
    built = CatalogBuilder().with_stream(
        ConfiguredAirbyteStreamBuilder().with_name(stream).with_sync_mode(sync_mode)).build()
    if sync_mode == SyncMode.incremental:
        built.streams[0].cursor_field = [STATE_KEY[stream]]
        built.streams[0].destination_sync_mode = DestinationSyncMode.append_dedup
    return built


NOW = "2024-06-01T12:00:00Z"  # the clock of every sync here
TODAY = NOW[:10]  # payments keep the day of the sync as their state (a date zone: no change time)


def run(stream: str, mode: str, state=None, lenient: bool = False, data=None):
    config = zone_config(max_records_per_page=PAGE, start_date="2020-01-01")
    with requests_mock.Mocker() as m, freeze_time(NOW):
        server = BlankServer(m, data if data is not None else dataset(stream), lenient=lenient)
        output = entrypoint_wrapper.read(SourceAroflo(), config, catalog(stream, mode), state,
                                         expected_outcome=ExpectedOutcome.ALLOW_ANY)
    return server, output


def ids_of(output) -> List[str]:
    return [r["id"] for r in records_of(output)]


def states(output, stream: str) -> List[dict]:
    return states_of(output, stream)


PROGRESS = "first_sync"  # a first sync's position (page reached, mark), kept as the state until it is done


def _readable(value: Any, state: dict) -> None:
    assert isinstance(value, str) and value.strip() == value and value, f"blank state value: {state}"
    datetime.fromisoformat(value.replace("Z", "+00:00"))  # readable


def assert_sane_states(output, stream: str, floor: Optional[str] = None, must_end_set: bool = True) -> None:
    """No state value is blank or unreadable; the values never go backwards (nor below `floor`).

    A state is empty, the cursor ({key: value}), or a first sync's position ({"first_sync":
    {"mark", "page", "size"}}: its mark, when known, must not be blank either, its pages only go
    forwards, and it never follows a cursor state).
    """
    key = STATE_KEY[stream]
    seen = states(output, stream)
    assert seen, "no STATE message at all"
    values, pages = [], []
    for state in seen:
        if key not in state:
            if PROGRESS in state:
                assert not values, f"a first-sync position after a cursor state: {seen}"
                progress = state[PROGRESS]
                assert set(state) == {PROGRESS}, state
                if progress.get("mark") is not None:
                    _readable(progress["mark"], state)
                assert isinstance(progress.get("page"), int) and progress["page"] >= 1, state
                assert isinstance(progress.get("size"), int) and progress["size"] >= 1, state
                pages.append((progress["page"] - 1) * progress["size"])
                continue
            assert not state, f"state without the cursor {key!r}: {state}"
            continue
        value = state[key]
        _readable(value, state)
        values.append(value)
    assert pages == sorted(pages), f"the first sync's position went backwards: {seen}"
    assert values == sorted(values), f"state went backwards: {values}"
    if floor is not None:
        assert all(v >= floor for v in values), f"state below the incoming {floor}: {values}"
    if must_end_set:
        assert key in seen[-1] and seen[-1][key], f"the sync ended without a cursor in its state: {seen}"


def assert_succeeded(output) -> None:
    assert not output.errors, output.get_formatted_error_message()


STREAMS = ("users", "payments", "suppliers")


# ---- full refresh ------------------------------------------------------------------------------
@pytest.mark.parametrize("stream", STREAMS)
def test_a_full_refresh_returns_every_record_and_never_filters_on_a_date(stream):
    server, output = run(stream, "full_refresh")
    assert_succeeded(output)
    assert sorted(ids_of(output)) == sorted(all_ids(stream))
    # Always a where (without one AroFlo applies its 30-day default filter), never on a date (a blank
    # date is NULL to AroFlo's SQL, which no date comparison matches): an id comparison.
    every = zone_request(stream).where(ZONE_ID[stream], "!=", "0").size(PAGE)
    assert server.asked == [every.page(1), every.page(2), every.page(3)]


@pytest.mark.parametrize("stream", ("users", "payments"))
def test_a_full_refresh_maps_blank_cursors_to_null(stream):
    _, output = run(stream, "full_refresh")
    assert_succeeded(output)
    column = STATE_KEY[stream]
    rows = {r["id"]: r for r in records_of(output)}
    for ident in blank_ids(stream):
        # (the test entrypoint's serializer drops null values: a missing key is a null)
        assert rows[ident].get(column) is None, (ident, rows[ident].get(column))
    for ident in dated_ids(stream):
        assert isinstance(rows[ident].get(column), str) and rows[ident][column].strip()


# ---- first incremental sync (no state) ----------------------------------------------------------
@pytest.mark.parametrize("stream", STREAMS)
def test_a_first_incremental_sync_returns_the_blank_cursor_records_too(stream):
    server, output = run(stream, "incremental")
    assert_succeeded(output)
    got = ids_of(output)
    assert set(blank_ids(stream)) <= set(got), f"blank-cursor records lost: {set(blank_ids(stream)) - set(got)}"
    assert sorted(got) == sorted(all_ids(stream)), f"every record exactly once, got {got}"
    assert_sane_states(output, stream)


@pytest.mark.parametrize("stream", STREAMS)
def test_a_first_incremental_sync_against_a_server_returning_blanks_to_a_date_filter(stream):
    server, output = run(stream, "incremental", lenient=True)
    assert_succeeded(output)
    assert set(ids_of(output)) == set(all_ids(stream))
    assert_sane_states(output, stream)


def test_first_sync_state_is_the_newest_dated_cursor_or_the_day_of_the_sync():
    _, output = run("users", "incremental")
    assert_succeeded(output)
    assert states(output, "users")[-1] == {"updated_at": "2024-01-07T10:00:00Z"}
    _, output = run("payments", "incremental")
    assert_succeeded(output)
    assert states(output, "payments")[-1] == {"payment_date": TODAY, "read_at": NOW, "window_at": NOW}


def test_first_suppliers_sync_keeps_the_newest_dated_feed_entry_as_state():
    _, output = run("suppliers", "incremental")
    assert_succeeded(output)
    # and the id whose change is at that instant: the next sync does not fetch it again
    assert states(output, "suppliers")[-1] == {"updated_at": "2024-01-07T10:00:00Z", "ids_at_cursor": ["S0006=="]}


def test_first_suppliers_sync_when_the_newest_feed_entry_answer_starts_with_a_blank_time():
    # A server that returns blank-time entries to `lastupdateutc > 1900-01-01 ... desc` and puts
    # them first: the newest *dated* change must still become the state (not nothing, not blank).
    data = dataset("suppliers")
    data["lastupdate"].append({"zonename": "suppliers", "zoneid": "S0000==", "zoneidreference": "",
                               "lastupdateutc": " ", "isdeleted": "0"})
    _, output = run("suppliers", "incremental", lenient=True, data=data)
    assert_succeeded(output)
    assert sorted(ids_of(output)) == sorted(all_ids("suppliers"))
    assert_sane_states(output, "suppliers")
    assert states(output, "suppliers")[-1] == {"updated_at": "2024-01-07T10:00:00Z", "ids_at_cursor": ["S0006=="]}


@pytest.mark.parametrize("stream", ("users", "payments"))
def test_first_sync_when_the_newest_first_answer_starts_with_a_blank_cursor(stream):
    # A server that returns blank-cursor records to a date filter and, newest first, puts them
    # first: the state must still end at the newest *dated* cursor.
    data = dataset(stream)
    extra = user(7, " ") if stream == "users" else payment(7, " ")
    data[stream].append(extra)
    _, output = run(stream, "incremental", lenient=True, data=data)
    assert_succeeded(output)
    assert set(ids_of(output)) == set(all_ids(stream)) | {extra[ZONE_ID[stream]]}
    assert_sane_states(output, stream)
    assert states(output, stream)[-1][STATE_KEY[stream]] == {"users": "2024-01-07T10:00:00Z", "payments": TODAY}[stream]


def test_first_suppliers_sync_with_no_supplier_entries_in_the_change_feed_yet():
    # The feed has nothing for suppliers yet (a new site, or no change within the feed's reach):
    # the first sync must still finish with a cursor, and the next sync must ask the feed, not
    # read the zone's pages again.
    data = dataset("suppliers")
    data["lastupdate"] = []
    _, first = run("suppliers", "incremental", data=data)
    assert_succeeded(first)
    assert sorted(ids_of(first)) == sorted(all_ids("suppliers"))
    assert_sane_states(first, "suppliers")
    final = states(first, "suppliers")[-1]
    server, second = run("suppliers", "incremental", data=data,
                         state=StateBuilder().with_stream_state("suppliers", final).build())
    assert_succeeded(second)
    assert ids_of(second) == [], "nothing changed, yet records were read again"
    assert server.asked_of("suppliers") == [], server.asked


# ---- later incremental syncs (with state) -------------------------------------------------------
INCOMING = {"users": "2024-01-02T12:00:00Z", "payments": "2023-12-02", "suppliers": "2024-01-02T12:00:00Z"}
# dated records: index 1 (day 2), 3 (day 4), 6 (day 7)
AFTER_STATE = {"users": ["U0003==", "U0006=="], "payments": ["PAY0001==", "PAY0003==", "PAY0006=="],
               "suppliers": ["S0003==", "S0006=="]}


def _state(stream: str):
    return StateBuilder().with_stream_state(stream, {STATE_KEY[stream]: INCOMING[stream]}).build()


@pytest.mark.parametrize("stream", STREAMS)
def test_a_later_incremental_sync_reads_the_changes_since_its_state(stream):
    server, output = run(stream, "incremental", state=_state(stream))
    assert_succeeded(output)
    assert sorted(ids_of(output)) == sorted(AFTER_STATE[stream])
    assert_sane_states(output, stream, floor=INCOMING[stream])


@pytest.mark.parametrize("stream", STREAMS)
def test_a_later_incremental_sync_does_not_fail_on_pages_holding_blank_cursors(stream):
    server, output = run(stream, "incremental", state=_state(stream), lenient=True)
    assert_succeeded(output)
    # The blank-cursor records were on the pages: at least one page had one at its start, one in
    # its middle and one at its end.
    assert set(AFTER_STATE[stream]) <= set(ids_of(output)), ids_of(output)
    assert_sane_states(output, stream, floor=INCOMING[stream])
    final = states(output, stream)[-1][STATE_KEY[stream]]
    assert final == {"users": "2024-01-07T10:00:00Z", "payments": TODAY,
                     "suppliers": "2024-01-07T10:00:00Z"}[stream]


def test_the_lenient_server_really_puts_blanks_on_page_edges():
    # Guard for the test above: the pages served in a later users sync hold blank cursors.
    server, output = run("users", "incremental", state=_state("users"), lenient=True)
    blanks = set(blank_ids("users"))
    pages = [p for p in server.served if p]
    assert any(p[0] in blanks for p in pages), pages
    assert any(len(p) == 3 and p[1] in blanks for p in pages), pages
    assert any(p[-1] in blanks for p in pages), pages


# ---- mapping: every typed field that arrives blank leaves as null --------------------------------
def test_a_task_with_blank_typed_fields_maps_them_to_null():
    mapper = build_mapper("hmac", "tasks")
    record = {
        "taskid": "T0001==", "taskname": "Fix the tap", "jobnumber": "", "lastupdateddatetimeutc": " ",
        "lastupdateddatetime": " ", "lastupdatedutc": "", "lastupdated": "", "duedate": "", "duedatetime": " ",
        "createdutc": "", "createddatetimeutc": " ", "completeddate": "", "completeddatetime": " ",
        "gpslatitude": "", "gpslongitude": " ", "linkprocessed": "", "readtask": " ", "assetid": "",
        "linkprocesseddate": " ", "requestdate": "", "requestdatetime": " ",
        "tasktotals": {"totalexp": "", "totalhrs": " ", "totallab": "", "totalmat": ""},
        "quote": {"totalex": "", "totalinc": " ", "totaltax": "", "estimator": {"userid": "", "givennames": ""}},
        "client": {"clientid": "", "clientname": ""},
        "labours": [{"lineid": "L1==", "workdate": "", "hours": "", "cost": " ", "lablocked": "", "deleted": " ",
                     "workdatetimestart": " ", "deleteddatetime": " ", "user": {"userid": "", "username": ""}}],
        "tasknotes": [{"noteid": "N1==", "dateposted": "", "sticky": ""}],
    }
    row = mapper(record)
    for column in ("updated_at", "lastupdateddatetimeutc", "lastupdateddatetime", "lastupdatedutc", "lastupdated",
                   "duedate", "duedatetime", "createdutc", "createddatetimeutc", "completeddate", "completeddatetime",
                   "gpslatitude", "gpslongitude", "linkprocessed", "readtask", "assetid", "jobnumber",
                   "linkprocesseddate", "requestdate", "requestdatetime", "tasktotals_totalexp", "tasktotals_totalhrs",
                   "tasktotals_totallab", "tasktotals_totalmat", "quote_totalex", "quote_totalinc", "quote_totaltax",
                   "quote_estimator_userid", "client_clientid"):
        assert column in row, f"{column} missing from the row"
        assert row[column] is None, f"{column}: {row[column]!r}"
    labour = row["labours"][0]
    for key in ("workdate", "hours", "cost", "lablocked", "deleted", "workdatetimestart", "deleteddatetime"):
        assert labour[key] is None, f"labours[0].{key}: {labour[key]!r}"
    assert labour["user"]["userid"] is None
    assert row["tasknotes"][0]["dateposted"] is None and row["tasknotes"][0]["sticky"] is None
    assert row["taskid"] == "T0001==" and row["taskname"] == "Fix the tap"


def test_a_user_with_a_blank_update_time_and_a_payment_with_blank_date_and_money():
    u = user(1, " ")
    u["createddatetimeutc"] = " "
    u["createdutc"] = ""
    u["archived"] = ""
    row = build_mapper("hmac", "users")(u)
    assert (row["updated_at"], row["created_at"], row["createdutc"]) == (None, None, None)
    assert row["status"] == "active"
    p = payment(1, "", amount="")
    p.update(surchargeamount=" ", surchargepercentage="", linkprocessed="", datelinkprocessed=" ")
    row = build_mapper("hmac", "payments")(p)
    for column in ("payment_date", "amount", "totalamount", "surchargeamount", "surchargepercentage",
                   "linkprocessed", "datelinkprocessed"):
        assert row[column] is None, f"{column}: {row[column]!r}"


def test_an_object_or_array_sent_blank_leaves_no_string_behind():
    row = build_mapper("hmac", "tasks")({"taskid": "T1==", "tasktotals": "", "labours": " ", "client": " "})
    assert row["labours"] is None
    for column in ("tasktotals", "client", "tasktotals_totalexp", "client_clientid"):
        assert row.get(column) is None, f"{column}: {row.get(column)!r}"


def _generated(fields, blank: str, id_field: Optional[str] = None) -> dict:
    """A record with every declared field present, every scalar blank (the id kept)."""
    out = {}
    for f in fields:
        if f.kind == "object":
            out[f.name] = _generated(f.children, blank)
        elif f.kind == "array":
            out[f.name] = [_generated(f.children, blank)] if f.children else []
        else:
            out[f.name] = blank
    if id_field:
        out[id_field] = "ID0001=="
    return out


def _typed(schema: dict) -> bool:
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    return bool(schema.get("format")) or any(t in types for t in ("number", "integer", "boolean"))


def _typed_violations(value: Any, schema: dict, where: str) -> List[str]:
    problems = []
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "array" in types and isinstance(value, list):
        item = schema.get("items", {})
        for i, element in enumerate(value):
            problems += _typed_violations(element, item, f"{where}[{i}]")
    elif "object" in types and isinstance(value, dict):
        for key, child in schema.get("properties", {}).items():
            problems += _typed_violations(value.get(key), child, f"{where}.{key}")
    elif _typed(schema) and value is not None:
        problems.append(f"{where} = {value!r}")
    return problems


@pytest.mark.parametrize("blank", [" ", ""], ids=["space", "empty"])
@pytest.mark.parametrize("zone", [z.name for z in ZONES])
def test_every_typed_field_of_a_generated_zone_record_maps_blank_to_null(zone, blank):
    declaration = ZONES_BY_NAME[zone]
    mapper = build_mapper("hmac", zone)
    properties = json_schema(declaration, "hmac")["properties"]
    id_columns = set(declaration.key) | {"id", declaration.id}
    record = _generated(declaration.fields, blank, declaration.id)
    for key in declaration.key:  # every primary key part must have a value
        if key in record and key != "id":
            record[key] = "K0001=="
    row = mapper(record)  # never an error
    problems = []
    for column, schema in properties.items():
        if column in id_columns:
            continue
        problems += _typed_violations(row.get(column), schema, column)
    assert not problems, f"{zone}: blank {blank!r} did not map to null: {problems}"
