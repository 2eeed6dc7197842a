"""Child streams cut from their parent's rows (`child_rows.build_child_rows`): invoice lines flattened
with the parent's id and version, custom field values typed by AroFlo's field type; and the rows
that say a record was deleted (`child_rows.deletion_row`, a zone's own deletion time).
"""

from __future__ import annotations

import pytest

from source_aroflo.child_rows import build_child_rows, deletion_row
from source_aroflo.mapping import build_mapper
from source_aroflo.schemas import columns
from source_aroflo.zones import CHILDREN_BY_NAME, ZONES_BY_NAME

from .zone_builders import (feed_entry, invoice, records_of, run, state_of, states, task, zone_config,
                            zone_request)


def cut(child_name: str, *records: dict) -> list:
    """The child stream's rows of the parent's records, mapped as a read maps them."""
    child = CHILDREN_BY_NAME[child_name]
    parent = build_mapper("hmac", child.parent)
    return build_child_rows(child, columns(child, "hmac"))([parent(record) for record in records])


LINE = {"lineid": "L1==", "description": "Tap washer", "price": "12.50", "qtybilled": "2", "total": "25.0000",
        "task": {"taskid": "T1==", "jobnumber": "1001"}}


# ---- lines ---------------------------------------------------------------------------------------------
def test_each_line_is_a_row_with_its_parents_id_and_version_and_its_fields_flattened_and_typed():
    rows = cut("invoices_lines", invoice(1, "2024/05/31 10:00:00", lines=[LINE, {**LINE, "lineid": "L2=="}]))
    assert [(r["invoiceid"], r["lineid"], r["updated_at"]) for r in rows] == [
        ("I0001==", "L1==", "2024-05-31T10:00:00Z"), ("I0001==", "L2==", "2024-05-31T10:00:00Z")]
    first = rows[0]
    assert (first["price"], first["qtybilled"], first["total"]) == (12.5, 2, 25.0)
    assert (first["task_taskid"], first["task_jobnumber"]) == ("T1==", 1001)
    assert set(first) == set(columns(CHILDREN_BY_NAME["invoices_lines"], "hmac"))  # every column, none more


def test_a_line_without_its_id_cannot_be_keyed_and_is_left_out():
    rows = cut("invoices_lines", invoice(1, lines=[{"description": "no id"}, {**LINE, "lineid": 77}]))
    assert [r["lineid"] for r in rows] == ["77"]  # ids are text


def test_a_parent_without_lines_or_deleted_gives_no_row():
    assert cut("invoices_lines", invoice(1), invoice(2, lines=[]), invoice(3, lines=" ")) == []
    child = CHILDREN_BY_NAME["invoices_lines"]
    deleted = deletion_row(("invoiceid",), "I9==", "updated_at", "2024-05-31T10:00:00Z")
    assert build_child_rows(child, columns(child, "hmac"))([{**deleted, "lines": [LINE]}]) == []


def test_an_undeclared_object_in_a_line_stays_one_column():
    [row] = cut("invoices_lines", invoice(1, lines=[{**LINE, "supplierref": {"code": "X1", "batch": 4}}]))
    assert row["supplierref"] == {"code": "X1", "batch": 4}
    assert not [column for column in row if column.startswith("supplierref_")]


# ---- custom fields ----------------------------------------------------------------------------------------
def field(kind: str, value, fieldid="F1==", **extra) -> dict:
    return {"fieldid": fieldid, "name": f"a {kind} field", "type": kind, "value": value, "archived": "false", **extra}


@pytest.mark.parametrize("kind, value, typed", [
    ("checkbox", "true", ("value_boolean", True)),
    ("checkbox", "FALSE", ("value_boolean", False)),
    ("Datefield", "2024/05/31", ("value_date", "2024-05-31")),
    ("Datefield", "2024-05-31", ("value_date", "2024-05-31")),
    ("numeric", "1,250.50", ("value_number", 1250.5)),
    ("numeric", "7", ("value_number", 7)),
])
def test_a_custom_fields_value_is_typed_by_its_type_and_kept_as_text(kind, value, typed):
    [row] = cut("tasks_customfields", task(1, customfields=[field(kind, value)]))
    typed_columns = {"value_number": None, "value_boolean": None, "value_date": None}
    typed_columns[typed[0]] = typed[1]
    assert {k: row[k] for k in typed_columns} == typed_columns
    assert row["value"] == value  # the text as AroFlo sent it


@pytest.mark.parametrize("kind", ["text", "textarea", "radio", "Select"])
def test_other_types_have_only_their_text(kind):
    [row] = cut("tasks_customfields", task(1, customfields=[field(kind, "42")]))
    assert (row["value"], row["value_number"], row["value_boolean"], row["value_date"]) == ("42", None, None, None)


@pytest.mark.parametrize("kind, value", [("checkbox", "maybe"), ("numeric", "n/a"), ("Datefield", "next week"),
                                         ("numeric", " "), ("checkbox", "")])
def test_a_value_its_type_cannot_read_has_no_typed_value(kind, value):
    [row] = cut("tasks_customfields", task(1, customfields=[field(kind, value)]))
    assert (row["value_number"], row["value_boolean"], row["value_date"]) == (None, None, None)


def test_a_custom_field_row_carries_the_parents_id_version_and_the_fields_own_columns():
    record = task(1, "2024/05/31 10:00:00", customfields=[field("text", "L", fieldid=7, archived="TRUE"),
                                                          field("text", "no id", fieldid=" ")])
    [row] = cut("tasks_customfields", record)
    assert row == {"taskid": "T0001==", "fieldid": "7", "name": "a text field", "type": "text", "archived": True,
                   "value": "L", "value_number": None, "value_boolean": None, "value_date": None,
                   "updated_at": "2024-05-31T10:00:00Z"}


def test_a_seed_tables_custom_fields_carry_its_aroflo_id():
    record = {"userid": "U1==", "lastupdateddatetimeutc": "2024/05/31 10:00:00",
              "customfields": [field("numeric", "3")]}
    [row] = cut("users_customfields", record)
    assert (row["userid"], row["updated_at"], row["value_number"]) == ("U1==", "2024-05-31T10:00:00Z", 3)


# ---- deleted records ---------------------------------------------------------------------------------------
def test_a_deletion_row_has_the_key_the_cursor_and_the_deletion_time():
    assert deletion_row(("quoteid",), "Q9==", "updated_at", "2024-05-31T10:00:00Z") == {
        "quoteid": "Q9==", "updated_at": "2024-05-31T10:00:00Z", "_ab_cdc_deleted_at": "2024-05-31T10:00:00Z"}
    # a composite key: the parts the feed does not give are null
    assert deletion_row(("itemid", "assignedtoid"), "I9==", "updated_at", "2024-05-31T10:00:00Z") == {
        "itemid": "I9==", "assignedtoid": None, "updated_at": "2024-05-31T10:00:00Z",
        "_ab_cdc_deleted_at": "2024-05-31T10:00:00Z"}


@pytest.mark.parametrize("zone", ["tasklabours", "taskmaterials"])
def test_a_labour_or_material_line_aroflo_marked_deleted_carries_its_deletion_time(zone):
    assert ZONES_BY_NAME[zone].deleted == "deleteddatetime"
    mapper = build_mapper("hmac", zone)
    # 20:00 in Melbourne on 31 May (AEST, +10) is 10:00 UTC
    gone = mapper({"lineid": "L1==", "deleted": "true", "deleteddatetime": "2024/05/31 20:00:00"})
    assert gone["_ab_cdc_deleted_at"] == "2024-05-31T10:00:00Z"
    kept = mapper({"lineid": "L2==", "deleted": "false", "deleteddatetime": " "})
    assert kept["_ab_cdc_deleted_at"] is None


# ---- in a read -------------------------------------------------------------------------------------------
def test_an_invoice_changed_in_the_feed_brings_its_lines_in_the_same_request():
    data = {"invoices": [invoice(1, lines=[LINE, {**LINE, "lineid": "L2=="}])],
            "lastupdate": [feed_entry("invoices", "I0001==", "2024/05/31 10:00:00")]}
    incoming = states(invoices={"updated_at": "2024-05-31T00:00:00Z"},
                      invoices_lines={"updated_at": "2024-05-31T00:00:00Z"})
    server, output = run(zone_config(), ["invoices", "invoices_lines"], "incremental", incoming, data)
    assert server.asked_of("invoices") == [zone_request("invoices").where("invoiceid", "=", "I0001==")
                                           .join("lineitems", "task").page(1)]
    # the lines' version is the invoice's change in the feed
    assert [(r["invoiceid"], r["lineid"], r["updated_at"]) for r in records_of(output, "invoices_lines")] == [
        ("I0001==", "L1==", "2024-05-31T10:00:00Z"), ("I0001==", "L2==", "2024-05-31T10:00:00Z")]
    assert state_of(output, "invoices_lines") == state_of(output, "invoices")
