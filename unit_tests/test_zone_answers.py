"""Zone answers as AroFlo's own examples give them: no `status`, list keys that are not the
zone name, a mistyped base_url, a server that stays down, and what a payment is linked to."""

from __future__ import annotations

import logging

import pytest
import requests_mock
from airbyte_cdk.models import Status
from airbyte_cdk.test import entrypoint_wrapper
from airbyte_cdk.test.entrypoint_wrapper import ExpectedOutcome

from source_aroflo.mapping import build_mapper
from source_aroflo.source import SourceAroflo

from .zone_builders import (ZoneServer, answer, catalog, logs_of, ok_body, payment, records_of, states, user,
                            zone_config, zone_request)


def read(stream, script=None, data=None, config=None, failure=False):
    with requests_mock.Mocker() as m:
        server = ZoneServer(m, data=data or {}, script=script)
        output = entrypoint_wrapper.read(
            SourceAroflo(), config or zone_config(), catalog(stream), None,
            expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION if failure else ExpectedOutcome.EXPECT_SUCCESS)
    return server, output


def without_status(list_key, records):
    """An answer shaped like AroFlo's quotes examples: `zoneresponse` and nothing else."""
    return {"zoneresponse": {list_key: records, "maxpageresults": 500, "pagenumber": 1,
                             "currentpageresults": len(records)}}


# ---- zoneresponse without status ----------------------------------------------------------
def test_a_quotes_answer_with_zoneresponse_and_no_status_is_a_success():
    quotes = [{"quoteid": "Q1==", "quotenumber": "1001", "status": "Open"},
              {"quoteid": "Q2==", "quotenumber": "1002", "status": "Approved"}]
    server, output = read("quotes", script={1: answer(without_status("quotes", quotes))})
    assert not output.errors, output.get_formatted_error_message()
    assert [r["quoteid"] for r in records_of(output)] == ["Q1==", "Q2=="]
    assert len(server.requests) == 1, "a success must not be retried"


def test_a_users_answer_without_status_is_a_success_too():
    server, output = read("users", script={1: answer(without_status("users", [user(1), user(2)]))})
    assert not output.errors, output.get_formatted_error_message()
    assert [r["id"] for r in records_of(output)] == ["U0001==", "U0002=="]
    assert len(server.requests) == 1


# ---- list keys that are not the zone name ---------------------------------------------------
LIST_KEYS = [
    # zone, list key, id field, full-read where field
    ("inventory", "items", "itemid", "itemid"),
    ("tasklabours", "labours", "lineid", "labourlineid"),
    ("taskmaterials", "materials", "lineid", "materiallineid"),
    ("taskexpenses", "expenses", "lineid", "expenselineid"),
    ("substatus", "substatuses", "substatusid", "substatusid"),
    ("userposition", "userpositions", "positionid", None),
    ("messageboard", "messageboards", "messageid", "messageid"),
]


@pytest.mark.parametrize("zone, list_key, id_field, where", LIST_KEYS, ids=[z[0] for z in LIST_KEYS])
def test_records_under_the_documented_list_key_are_read(zone, list_key, id_field, where):
    records = [{id_field: f"{zone[:3].upper()}{i}=="} for i in range(2)]
    server, output = read(zone, script={1: answer(ok_body(list_key, records))})
    assert not output.errors, output.get_formatted_error_message()
    assert [r[id_field] for r in records_of(output)] == [f"{zone[:3].upper()}0==", f"{zone[:3].upper()}1=="]
    expected = zone_request(zone).where(where, "!=", "0") if where else zone_request(zone)
    joins = {"inventory": ("stocklevels",)}.get(zone, ())
    assert server.asked == [(expected.join(*joins) if joins else expected).page(1).size(500)]


@pytest.mark.parametrize("zone, list_key, id_field, where", LIST_KEYS, ids=[z[0] for z in LIST_KEYS])
def test_a_list_under_the_zone_name_instead_is_not_mistaken_for_the_records(zone, list_key, id_field, where):
    body = ok_body(list_key, [{id_field: "REAL1=="}])
    body["zoneresponse"][zone] = [{id_field: "DECOY=="}]
    server, output = read(zone, script={1: answer(body)})
    assert [r[id_field] for r in records_of(output)] == ["REAL1=="]


# ---- a mistyped base_url: HTTP 404 ------------------------------------------------------------------
WRONG_URL = "https://api.aroflo.com/apii/"


def check_against(status_code, **body):
    with requests_mock.Mocker() as m:
        m.get(requests_mock.ANY, status_code=status_code, **body)
        status = SourceAroflo().check(logging.getLogger("airbyte"), zone_config(base_url=WRONG_URL))
        calls = m.call_count
    return status, calls


@pytest.mark.parametrize("body", [
    {"text": "<html><body><h1>404 Not Found</h1></body></html>", "headers": {"Content-Type": "text/html"}},
    {"json": {"message": "Not Found"}},
    {"text": ""},
], ids=["html", "json", "empty"])
def test_a_404_from_a_mistyped_base_url_fails_check_after_one_request(body):
    status, calls = check_against(404, **body)
    assert status.status == Status.FAILED
    assert calls == 1, f"a 404 must not be retried ({calls} requests)"
    assert "base_url" in status.message
    assert "404" in status.message
    assert "gave up after" not in status.message


def test_a_503_that_persists_gives_up_after_four_attempts():
    status, calls = check_against(503, text="Service Unavailable")
    assert status.status == Status.FAILED
    assert calls == 4  # retry_attempts=3: one attempt and three retries
    assert "gave up after 4 attempts" in status.message
    assert "503" in status.message


def test_a_503_that_persists_in_a_read_gives_up_after_four_attempts():
    unavailable = answer(text="Service Unavailable", status_code=503)
    server, output = read("users", script={n: unavailable for n in range(1, 10)}, data={"users": [user(1)]},
                          failure=True)
    assert len(server.requests) == 4
    assert any("gave up after 4 attempts" in e.trace.error.message for e in output.errors)


# ---- what a payment is linked to ----------------------------------------------------------------------
def _linked(kind, ident):
    p = payment(1)
    p["linkedto"] = {"linkedtoid": ident, "linkedtotype": kind}
    return p


@pytest.mark.parametrize("kind", ["job", "Job", "JOB"])
def test_a_payment_linked_to_a_job_gets_job_id_and_no_invoice_id(kind):
    row = build_mapper("hmac", "payments")(_linked(kind, "JOB7=="))
    assert row["job_id"] == "JOB7=="
    assert row["invoice_id"] is None
    assert row["transaction_type"] == kind


@pytest.mark.parametrize("kind", ["invoice", "Invoice"])
def test_a_payment_linked_to_an_invoice_gets_invoice_id_and_no_job_id(kind):
    row = build_mapper("hmac", "payments")(_linked(kind, "INV7=="))
    assert row["invoice_id"] == "INV7=="
    assert row["job_id"] is None
    assert row["transaction_type"] == kind


def test_a_payment_linked_to_something_else_gets_neither():
    row = build_mapper("hmac", "payments")(_linked("client", "C7=="))
    assert (row["invoice_id"], row["job_id"]) == (None, None)
    assert row["linkedto_linkedtoid"] == "C7=="


def test_job_and_invoice_links_in_a_read():
    data = {"payments": [_linked("job", "JOB1=="), _linked("invoice", "INV2==")]}
    data["payments"][1]["paymentid"] = "PAY0002=="
    server, output = read("payments", data=data)
    rows = {r["id"]: r for r in records_of(output)}
    assert rows["PAY0001=="]["job_id"] == "JOB1==" and rows["PAY0001=="].get("invoice_id") is None
    assert rows["PAY0002=="]["invoice_id"] == "INV2==" and rows["PAY0002=="].get("job_id") is None


def test_an_incremental_payments_sync_says_once_what_it_cannot_see():
    """Payments have no update time and are not in the change feed: the caveat is logged once a sync."""
    incoming = states(payments={"payment_date": "2023-12-01", "read_at": "2023-12-01T00:00:00Z"})
    with requests_mock.Mocker() as m:
        ZoneServer(m, data={"payments": [payment(i, f"2023/12/{10 + i:02d}") for i in range(3)]})
        output = entrypoint_wrapper.read(SourceAroflo(), zone_config(), catalog("payments", "incremental"), incoming)
    said = [line for line in logs_of(output) if "no update time" in line]
    assert len(said) == 1 and "full refresh" in said[0], said
