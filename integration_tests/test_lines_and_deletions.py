"""Child streams and deletions, end to end: `python main.py read` on the sandbox's wire.

- A line stream is cut from its parent's pages: selected without its parent it costs exactly the
  requests the parent alone costs (the sandbox counts them), and delivers one row per line with
  its parent's id and the parent's cursor value (its version).
- Custom fields come typed by AroFlo's field type: a checkbox a boolean, a Datefield a date, a
  numeric field a number; any other type only its `value`.
- What AroFlo deletes reaches the next incremental sync as a record with its key and
  `_ab_cdc_deleted_at`: a task or labour line gone from its zone (the change feed still lists it),
  a labour or material line soft-deleted (AroFlo's `deleteddatetime`).
- A line taken off an invoice (quote, order, bill) is absent from the parent's next version.

Every expectation comes from the sandbox's records, not from the connector.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Optional

import pytest

from integration_tests.harness import (Run, catalog_from, child_stream, expected_keys, run_connector,
                                       sandbox_config)
from integration_tests.sandbox.zone import record_id_field


# A year of a small business: every zone has records, invoices and orders several lines.
SIZES = {"*": 12, "tasks": 60, "tasklabours": 80, "taskmaterials": 80, "timesheets": 90, "invoices": 30,
         "quotes": 15, "quotelineitems": 60, "purchaseorders": 15, "bills": 12, "billlineitems": 40,
         "workorderlineitems": 30, "clients": 20, "assets": 20}
LINES = ("invoices_lines", "quotes_lines", "purchaseorders_lines", "bills_lines", "workorders_lines")
CUSTOM_FIELDS = ("tasks_customfields", "clients_customfields", "suppliers_customfields", "users_customfields",
                 "assets_customfields", "locations_customfields")
DELETED_AT = "_ab_cdc_deleted_at"


class Site:
    """A sandbox, its config, discover's catalog, and syncs on the sandbox's clock."""

    def __init__(self, sandbox: Any) -> None:
        self.server = sandbox(zones=SIZES)
        self.data = self.server.dataset
        self.config = sandbox_config(self.server, "hmac", start_date="2000-01-01")
        self.catalog = run_connector("discover", self.config, env=self.env()).catalog()
        assert self.catalog, "discover"
        self.streams = {s["name"]: s for s in self.catalog["streams"]}

    def env(self) -> dict:
        return {"SOURCE_AROFLO_NOW": self.data.now.isoformat()}

    def sync(self, streams, state: Any = None) -> Run:
        """An incremental sync of `streams` (from `state`); the sandbox's counters start at zero."""
        self.server.reset()
        run = run_connector("read", self.config, catalog_from(self.catalog, "incremental", streams),
                            state=state, env=self.env())
        assert run.returncode == 0 and not run.errors, run.errors or run.stderr[-2000:]
        return run

    def cost(self) -> dict:
        """What the last sync asked of the sandbox: requests by zone and budget, and in all."""
        stats = self.server.stats()
        return {"total": stats["total"], "by_zone_kind": stats["by_zone_kind"]}


def iso(ts: Optional[float]) -> Optional[str]:
    """A sandbox time as the connector's cursor values are written (UTC, whole seconds)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def invoice_version(data: Any, i: int) -> Optional[str]:
    """An invoice's update time as the sandbox keeps it (AroFlo leaves a few blank)."""
    return None if i in data.blank["invoices"] else iso(data.updated["invoices"][i])


@pytest.fixture
def site(sandbox) -> Site:
    return Site(sandbox)


def test_a_line_stream_costs_what_its_parent_costs(site: Site) -> None:
    """The five parents alone, then their five line streams alone: the same requests, zone by
    zone and budget by budget; one row per line, with the parent's cursor value."""
    parents = [child_stream(name)[0] for name in LINES]
    alone = site.sync(parents)
    parents_cost = site.cost()
    lines = site.sync(list(LINES))
    assert site.cost() == parents_cost, "the line streams alone cost what their parents alone cost"
    assert set(parents) <= set(parents_cost["by_zone_kind"])
    for name, parent in zip(LINES, parents):
        assert not lines.records_of(parent) and not alone.records_of(name)
        key = site.streams[name]["source_defined_primary_key"][0][0]  # the parent's id
        keys = [(r[key], r["lineid"]) for r in lines.records_of(name)]
        assert keys and len(keys) == len(set(keys)), f"{name}: one row per line"
        assert set(map(str, keys)) == set(map(str, expected_keys(site.server, name, "hmac"))), name
        # Every line carries its parent's cursor value: the version of the parent it was read with.
        cursor = site.streams[name]["default_cursor_field"][0]
        parent_key = site.streams[parent]["source_defined_primary_key"][0][0]
        versions = {r[parent_key]: r.get(cursor) for r in alone.records_of(parent)}
        for row in lines.records_of(name):
            assert row[cursor] == versions[row[key]], (name, row["lineid"])


def test_invoice_lines_carry_the_invoice_id_and_its_update_time(site: Site) -> None:
    data = site.data
    site.sync(["invoices"])
    invoices_cost = site.cost()
    lines = site.sync(["invoices_lines"]).records_of("invoices_lines")
    assert site.cost() == invoices_cost, "invoices_lines alone costs exactly what invoices alone costs"
    both = site.sync(["invoices", "invoices_lines"])
    assert site.cost() == invoices_cost, "and nothing more with the invoices"
    want = {}
    for i in range(data.count("invoices")):
        record = data.zone_record("invoices", i, joins=["lineitems"])
        for line in record["lines"]:
            want[(record["invoiceid"], line["lineid"])] = (invoice_version(data, i), line)
    assert len(lines) == len(want) and {(r["invoiceid"], r["lineid"]) for r in lines} == set(want)
    assert len({r["invoiceid"] for r in lines}) >= 20
    for row in lines:
        version, line = want[(row["invoiceid"], row["lineid"])]
        assert row["updated_at"] == version, row["lineid"]
        assert (row["total"], row["qtybilled"], row["price"]) == \
            (float(line["total"]), float(line["qtybilled"]), float(line["price"])), row["lineid"]
        assert (row["task_taskid"], row["task_jobnumber"]) == (line["task"]["taskid"], int(line["task"]["jobnumber"]))
    # The same rows whether the invoices are selected too or not.
    assert sorted(map(str, both.records_of("invoices_lines"))) == sorted(map(str, lines))


def test_custom_fields_come_typed_by_their_type(site: Site) -> None:
    data = site.data
    run = site.sync(list(CUSTOM_FIELDS))
    kinds = set()
    for name in CUSTOM_FIELDS:
        zone = child_stream(name)[0]
        parent_key = site.streams[name]["source_defined_primary_key"][0][0]
        want: Dict[tuple, dict] = {}
        for record in data.zone_records(zone, joins=["customfields"]):
            for item in record.get("customfields") or []:
                want[(record[record_id_field(zone)], item["fieldid"])] = item
        rows = run.records_of(name)
        assert {(r[parent_key], r["fieldid"]) for r in rows} == set(want), name
        for row in rows:
            item = want[(row[parent_key], row["fieldid"])]
            assert (row["name"], row["type"], row["value"]) == (item["name"], item["type"], str(item["value"])), row
            kind = item["type"].lower()
            typed = {"value_boolean": None, "value_date": None, "value_number": None}
            if kind == "checkbox":
                typed["value_boolean"] = str(item["value"]).strip().lower() in ("true", "1", "yes")
            elif kind == "datefield":
                typed["value_date"] = datetime.strptime(item["value"], "%Y-%m-%d").date().isoformat()
            elif kind == "numeric":
                typed["value_number"] = float(item["value"])
            else:
                kind = "other"
            kinds.add(kind)
            assert {k: row[k] for k in typed} == typed, row
            if typed["value_boolean"] is not None:
                assert type(row["value_boolean"]) is bool
            if typed["value_number"] is not None:
                assert type(row["value_number"]) in (int, float)
    assert kinds == {"checkbox", "datefield", "numeric", "other"}, "the sandbox has every kind of field"


def test_deleted_records_reach_the_next_incremental_sync(site: Site) -> None:
    data = site.data
    streams = ["tasks", "tasklabours", "taskmaterials", "quotes"]
    first = site.sync(streams)
    task = data.ids("tasks", "zone")[7]
    labour_gone, labour_soft = data.ids("tasklabours", "zone")[3], data.ids("tasklabours", "zone")[10]
    material_soft = data.ids("taskmaterials", "zone")[5]
    quote = data.ids("quotes", "zone")[2]
    data.delete("tasks", [task])
    data.delete("tasklabours", [labour_gone])
    data.soft_delete("tasklabours", [labour_soft])
    data.soft_delete("taskmaterials", [material_soft])
    data.delete("quotes", [quote])
    deleted_at = {("tasks", task): data.site.t["tasks"].deleted[data.index_of("tasks", task)],
                  ("tasklabours", labour_gone): data.site.t["tasklabours"].deleted[data.index_of("tasklabours", labour_gone)],
                  ("tasklabours", labour_soft): data.site.t["tasklabours"].deleted_at[data.index_of("tasklabours", labour_soft)],
                  ("taskmaterials", material_soft):
                      data.site.t["taskmaterials"].deleted_at[data.index_of("taskmaterials", material_soft)],
                  ("quotes", quote): data.site.t["quotes"].deleted[data.index_of("quotes", quote)]}
    second = site.sync(streams, state=first.final_state())
    found = {}
    for name in streams:
        key = site.streams[name]["source_defined_primary_key"][0][0]
        for row in second.records_of(name):
            if row.get(DELETED_AT) is not None:
                found[(name, row[key])] = row
    assert set(found) == set(deleted_at), "exactly the deleted records come marked"
    for (name, ident), row in found.items():
        assert row[DELETED_AT] == iso(deleted_at[(name, ident)]), (name, ident)
        if ident in (labour_soft, material_soft):
            # Soft-deleted: the whole record, as AroFlo still returns it, with its deletion time.
            assert row["deleted"] is True and row["deleteddatetime"] == row[DELETED_AT]
            assert row["task_taskid"] and row["cost"] is not None
        else:
            # Gone from its zone: the key, the cursor and the deletion time.
            cursor = site.streams[name]["default_cursor_field"][0]
            assert {k for k, v in row.items() if v is not None} == {
                site.streams[name]["source_defined_primary_key"][0][0], cursor, DELETED_AT}, (name, row)


def test_a_removed_line_is_absent_from_the_next_version(site: Site) -> None:
    """A line taken off an invoice, a quote, a purchase order and a bill. (Work orders have no
    update time: their lines come again when the work order is read again, within the re-read
    window once a day.)"""
    data = site.data
    zones = ("invoices", "quotes", "purchaseorders", "bills")
    streams = [s for zone in zones for s in (zone, f"{zone}_lines")]
    first = site.sync(streams)
    removed = {}
    for zone in zones:
        name = f"{zone}_lines"
        parent_key = site.streams[name]["source_defined_primary_key"][0][0]
        counts: Dict[str, int] = {}
        for row in first.records_of(name):
            counts[row[parent_key]] = counts.get(row[parent_key], 0) + 1
        parent = max(counts, key=lambda p: (counts[p], p))
        assert counts[parent] >= 2, f"{zone}: a parent with several lines"
        line = next(r["lineid"] for r in first.records_of(name) if r[parent_key] == parent)
        data.remove_line(zone, parent, line)
        removed[zone] = (parent, line, counts[parent])
    second = site.sync(streams, state=first.final_state())
    for zone, (parent, line, before) in removed.items():
        name = f"{zone}_lines"
        parent_key = site.streams[name]["source_defined_primary_key"][0][0]
        cursor = site.streams[name]["default_cursor_field"][0]
        index = data.index_of(zone, parent)
        now = {item["lineid"] for item in data.zone_record(zone, index, joins=["lineitems"])["lines"]}
        assert line not in now and len(now) == before - 1, zone
        [record] = [r for r in second.records_of(zone) if r[parent_key] == parent]
        rows = [r for r in second.records_of(name) if r[parent_key] == parent]
        assert {r["lineid"] for r in rows} == now, f"{zone}: the next version has the remaining lines only"
        assert record[cursor] == iso(data.updated[zone][index]), f"{zone}: the new version"
        assert {r[cursor] for r in rows} == {record[cursor]}, f"{zone}: its lines carry the new version"
