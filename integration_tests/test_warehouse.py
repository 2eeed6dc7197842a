"""The warehouse: every stream of a small coherent sandbox read by PyAirbyte (a real Airbyte
client) into its DuckDB cache, then each SQL recipe of docs/recipes/ run on it, its answers
checked against the sandbox's own business data — the jobs, labour, materials, timesheets,
invoices and payments the sandbox built — never against the connector's output.

One first read of every stream (module-scoped), then one incremental read of invoices and their
lines into the same cache after a line is taken off an invoice and another invoice is deleted:
the current-lines view no longer counts the removed line while the raw `invoices_lines` table
still holds it. PyAirbyte is a dev dependency (`pip install -e '.[dev]'`): no skip.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from integration_tests.demo import (EXPECTED_STREAMS, SITE_TZ, pyairbyte_environment, read_into_cache, run_recipe,
                                    site_today)
from integration_tests.harness import expected_keys, run_connector, sandbox_config
from integration_tests.sandbox import Dataset, SandboxServer
from integration_tests.sandbox.business.core import rid

# PyAirbyte reads its environment when it is imported: no registry lookup, no telemetry, its logs
# in a folder of this run (not /tmp/airbyte).
_LOGS = Path(tempfile.mkdtemp(prefix="aroflo-warehouse-logs-"))
atexit.register(shutil.rmtree, _LOGS, True)
pyairbyte_environment(_LOGS)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # its Google clients' FutureWarnings about Python 3.11
    import airbyte  # noqa: E402  (after its environment)
    import duckdb  # noqa: E402


# Six months of a 14-person plumbing & electrical business: enough jobs, timesheets, materials and
# unpaid invoices that every recipe has answers (every ageing bucket holds money).
SITE = dict(users=14, suppliers=12, payments=200, years=0.5,
            zones={"*": 8, "tasks": 400, "tasklabours": 600, "timesheets": 700, "taskmaterials": 700,
                   "taskexpenses": 60, "invoices": 220, "clients": 80, "contacts": 90, "locations": 100,
                   "schedules": 500})
CENT = Decimal("0.01")


def local_day(ts: float) -> date:
    return datetime.fromtimestamp(ts, SITE_TZ).date()


def cents(value: Any) -> int:
    """A money value of the warehouse, in cents."""
    return int((Decimal(str(value)) * 100).to_integral_value())


@dataclass
class Warehouse:
    data: Dataset
    server: SandboxServer
    cache: Any
    path: Path
    config: dict
    today: date
    deleted_labour: str
    deleted_material: str
    first_read_keys: Dict[str, set]

    def sql(self, query: str) -> list:
        """The rows of a query, on a connection of its own (closed before returning: PyAirbyte's
        next read and the next query each open the file anew)."""
        con = duckdb.connect(str(self.path))
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()

    def recipe(self, name: str, as_of: Optional[date] = None) -> List[dict]:
        """The rows of docs/recipes/<name>.sql as of `as_of` (the site's today)."""
        con = duckdb.connect(str(self.path))
        try:
            columns, rows = run_recipe(con, name, as_of or self.today)
        finally:
            con.close()
        return [dict(zip(columns, row)) for row in rows]


def _soft_deletes(data: Dataset, today: date) -> tuple:
    """Before the first read: AroFlo's soft delete of a labour line worked last month and of a
    material used in the last 90 days, both on invoiced jobs. AroFlo still returns them (with their
    `deleteddatetime`): the recipes must leave them out."""
    site = data.site
    lab, mat, tasks = site.t["tasklabours"], site.t["taskmaterials"], site.t["tasks"]
    invoiced = {site.t["invoices"].task[i] for i in range(len(site.t["invoices"]))}
    month = date(today.year, today.month, 1)
    first = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    labour = next(k for k in reversed(range(len(lab))) if lab.task[k] in invoiced and tasks.deleted_at[lab.task[k]] < 0
                  and first <= local_day(lab.start[k]) < month)
    material = next(m for m in reversed(range(len(mat))) if mat.task[m] in invoiced and mat.item[m] >= 0
                    and 0 <= (today - local_day(mat.used[m])).days < 90)
    data.soft_delete("tasklabours", [rid("tasklabours", labour)])
    data.soft_delete("taskmaterials", [rid("taskmaterials", material)])
    return rid("tasklabours", labour), rid("taskmaterials", material)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Warehouse:
    executable = Path(sys.executable).parent / "source-aroflo"
    assert executable.exists(), "install the connector (pip install -e '.[dev]') into this environment"
    data = Dataset(**SITE)
    today = site_today(data)
    deleted_labour, deleted_material = _soft_deletes(data, today)
    server = SandboxServer(data).start()
    try:
        # Every stream from the beginning of the site's history, on the sandbox's clock.
        config = sandbox_config(server, "hmac", start_date="2000-01-01")
        folder = tmp_path_factory.mktemp("warehouse")
        cache = read_into_cache(airbyte, config, folder, {"SOURCE_AROFLO_NOW": data.now.isoformat()})
        keys = {name: set(map(str, expected_keys(server, name, "hmac"))) for name in EXPECTED_STREAMS["hmac"]}
        yield Warehouse(data, server, cache, Path(cache.db_path), config, today, deleted_labour, deleted_material,
                        keys)
    finally:
        server.stop()


# ---- what the sandbox built ------------------------------------------------------------------------
def line_task(site: Any, kind: str, idx: int) -> int:
    table = {"lab": "tasklabours", "mat": "taskmaterials", "exp": "taskexpenses", "fee": "invoices"}[kind]
    return site.t[table].task[idx]


def expected_jobs(data: Dataset) -> Dict[str, dict]:
    """Per invoiced job: its invoices' lines (ex GST) and its labour, material and expense costs,
    in cents, as the sandbox built them."""
    site = data.site
    t, inv, lab, mat, ex = (site.t[z] for z in ("tasks", "invoices", "tasklabours", "taskmaterials", "taskexpenses"))
    invoiced: Dict[int, int] = defaultdict(int)
    invoices: Dict[int, set] = defaultdict(set)
    for i in range(len(inv)):
        if i in inv.deleted:
            continue
        for kind, idx in site.invoice_lines[i]:
            task = line_task(site, kind, idx)
            invoiced[task] += site.line_total(kind, idx)
            invoices[task].add(i)
    jobs = {}
    for task, amount in invoiced.items():
        if task in t.deleted or t.deleted_at[task] > 0:
            continue
        labs = [k for k in site.task_labours[task] if lab.deleted_at[k] < 0 and k not in lab.deleted]
        mats = [m for m in site.task_materials[task] if mat.deleted_at[m] < 0 and m not in mat.deleted]
        labour = sum(int(round(lab.cost[k] * lab.minutes[k] / 60)) for k in labs)
        material = sum(int(round(mat.cost[m] * mat.qty[m] / 100)) for m in mats)
        expense = sum(ex.cost[e] for e in site.task_expenses[task] if e not in ex.deleted)
        cost = labour + material + expense
        jobs[rid("tasks", task)] = {
            "jobnumber": t.jobno[task], "client": site.t["clients"].name[t.client[task]], "invoiced": amount,
            "invoices": len(invoices[task]), "last_invoiced": max(local_day(inv.created[i]) for i in invoices[task]),
            "labour": labour, "material": material, "expense": expense, "cost": cost, "margin": amount - cost,
            "hours": Decimal(sum(lab.minutes[k] for k in labs)) / 60, "lines": len(labs) + len(mats)}
    return jobs


def previous_month(today: date) -> tuple:
    month = date(today.year, today.month, 1)
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1), month


def expected_hours(data: Dataset, today: date) -> Dict[str, dict]:
    """Per user: the timesheet entries the sandbox holds for the previous calendar month."""
    site = data.site
    ts, users = site.t["timesheets"], site.t["users"]
    first, month = previous_month(today)
    out: Dict[str, dict] = {}
    for j in range(len(ts)):
        day = local_day(ts.start[j])
        if j in ts.deleted or not first <= day < month:
            continue
        u = ts.user[j]
        row = out.setdefault(rid("users", u), {"name": f"{users.given[u]} {users.surname[u]}", "minutes": 0,
                                              "job_minutes": 0, "jobs": set(), "days": set(), "entries": 0})
        row["minutes"] += ts.minutes[j]
        row["days"].add(day)
        row["entries"] += 1
        if ts.task[j] >= 0:
            row["job_minutes"] += ts.minutes[j]
            row["jobs"].add(ts.task[j])
    return out


BUCKETS = ("current", "1_30", "31_60", "61_90", "90_plus")


def bucket(days: int) -> str:
    return "current" if days <= 0 else "1_30" if days <= 30 else "31_60" if days <= 60 else \
        "61_90" if days <= 90 else "90_plus"


def expected_ageing(data: Dataset, today: date) -> Dict[str, dict]:
    """Per client: what each issued invoice (not a draft pending approval) still owes, in cents,
    by days past its due date."""
    site = data.site
    inv, pay, t = site.t["invoices"], site.t["payments"], site.t["tasks"]
    paid: Dict[int, int] = defaultdict(int)
    for j in range(len(pay)):
        if j not in pay.deleted:
            paid[pay.invoice[j]] += pay.amount[j]
    out: Dict[str, dict] = {}
    for i in range(len(inv)):
        if i in inv.deleted or inv.status[i] == "pending approval":
            continue
        owed = site.invoice_totals(i)[2] - paid[i]
        if owed <= 0:
            continue
        client = t.client[inv.task[i]]
        days = (today - local_day(inv.due[i])).days
        row = out.setdefault(rid("clients", client), {**dict.fromkeys(BUCKETS, 0), "invoices": 0, "oldest": 0,
                                                      "client": data.views.client_name(client)})
        row[bucket(days)] += owed
        row["invoices"] += 1
        row["oldest"] = max(row["oldest"], days)
    return out


def expected_materials(data: Dataset, today: date) -> Dict[tuple, dict]:
    """Per (part number, item): the materials used on jobs in the 90 days up to `today`."""
    site = data.site
    mat, items = site.t["taskmaterials"], site.t["inventory"]
    out: Dict[tuple, dict] = {}
    for m in range(len(mat)):
        day = local_day(mat.used[m])
        if m in mat.deleted or mat.deleted_at[m] > 0 or not 0 <= (today - day).days < 90:
            continue
        part = items.part[mat.item[m]] if mat.item[m] >= 0 else None
        row = out.setdefault((part, mat.desc[m]), {"qty": 0, "cost": 0, "sell": 0, "jobs": set(), "lines": 0,
                                                   "days": set()})
        row["qty"] += mat.qty[m]                      # hundredths
        row["cost"] += mat.cost[m] * mat.qty[m]       # cents x hundredths
        row["sell"] += mat.sell[m] * mat.qty[m]
        row["jobs"].add(mat.task[m])
        row["lines"] += 1
        row["days"].add(day)
    return out


# ---- the tests -------------------------------------------------------------------------------------
def test_every_stream_lands_in_its_table(warehouse: Warehouse) -> None:
    """One table per stream, each holding exactly the sandbox's records, once."""
    tables = {row[0] for row in warehouse.sql("SELECT table_name FROM information_schema.tables")}
    assert set(EXPECTED_STREAMS["hmac"]) <= tables
    discovered = run_connector("discover", warehouse.config).catalog()
    keys = {s["name"]: [k[0] for k in s["source_defined_primary_key"]] for s in discovered["streams"]}
    con = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        for name in EXPECTED_STREAMS["hmac"]:
            columns = ", ".join(f'"{c}"' for c in keys[name])
            rows = con.execute(f'SELECT {columns} FROM "{name}"').fetchall()
            got = [str(r[0]) if len(r) == 1 else str(tuple(r)) for r in rows]
            assert len(got) == len(set(got)), f"{name}: a key twice"
            assert set(got) == warehouse.first_read_keys[name], name
            # The sandbox gives locations no custom fields.
            assert got or name == "locations_customfields", f"{name}: empty"
    finally:
        con.close()


def test_soft_deleted_lines_arrive_marked(warehouse: Warehouse) -> None:
    """The precondition of the recipes' `_ab_cdc_deleted_at IS NULL`: AroFlo's soft-deleted labour
    and material lines are in the warehouse, marked."""
    for table, lineid in (("tasklabours", warehouse.deleted_labour), ("taskmaterials", warehouse.deleted_material)):
        rows = warehouse.sql(f"SELECT _ab_cdc_deleted_at FROM {table} WHERE lineid = '{lineid}'")
        assert len(rows) == 1 and rows[0][0] is not None, table
        assert warehouse.sql(f"SELECT count(*) FROM {table} WHERE _ab_cdc_deleted_at IS NOT NULL")[0][0] >= 1


def check_job_profitability(warehouse: Warehouse) -> List[dict]:
    rows = warehouse.recipe("job_profitability")
    want = expected_jobs(warehouse.data)
    got = {row["taskid"]: row for row in rows}
    assert len(got) == len(rows), "a job twice"
    assert set(got) == set(want), "the invoiced jobs"
    for taskid, job in want.items():
        row = got[taskid]
        assert row["jobnumber"] == job["jobnumber"] and row["client"] == job["client"], taskid
        assert (row["invoices"], row["last_invoiced"]) == (job["invoices"], job["last_invoiced"]), taskid
        assert cents(row["invoiced_ex"]) == job["invoiced"], (taskid, "invoiced ex GST")
        assert (cents(row["labour_cost"]), cents(row["material_cost"]), cents(row["expense_cost"])) == \
            (job["labour"], job["material"], job["expense"]), (taskid, "costs")
        assert cents(row["cost"]) == job["cost"] and cents(row["margin"]) == job["margin"], (taskid, "margin")
        assert abs(row["margin_pct"] - 100 * job["margin"] / job["invoiced"]) <= 0.05, (taskid, "margin %")
        assert Decimal(str(row["hours"])) == job["hours"], (taskid, "hours")
        # The lines add up to AroFlo's totals, to a cent a line (each line's cost rounded once).
        assert abs(cents(row["cost_from_lines"]) - job["cost"]) <= job["lines"], (taskid, "cost from lines")
    order = [(r["last_invoiced"], r["invoiced_ex"], r["jobnumber"]) for r in rows]
    assert order == sorted(order, reverse=True), "newest invoiced first"
    return rows


def test_job_profitability(warehouse: Warehouse) -> None:
    rows = check_job_profitability(warehouse)
    assert len(rows) >= 100
    assert len({r["margin_pct"] for r in rows}) > 10  # jobs differ: not one rate for all
    # The soft-deleted labour line's job: AroFlo's totals and the lines both leave it out.
    job = warehouse.data.site.t["tasklabours"].task[warehouse.data.index_of("tasklabours", warehouse.deleted_labour)]
    assert rid("tasks", job) in {r["taskid"] for r in rows}


def test_hours_per_user_last_month(warehouse: Warehouse) -> None:
    # As of the site's today, and as of a day of the month before: two month ends, one of them on
    # a working day (1 October 2026 is a Thursday).
    earlier = date(warehouse.today.year, warehouse.today.month, 1) - timedelta(days=20)
    for as_of in (warehouse.today, earlier):
        rows = warehouse.recipe("hours_per_user_last_month", as_of)
        want = expected_hours(warehouse.data, as_of)
        first, _ = previous_month(as_of)
        assert len(want) >= 5 and sum(w["minutes"] for w in want.values()) >= 60 * 200, "the data has a month"
        assert {r["userid"] for r in rows} == set(want), as_of
        for row in rows:
            w = want[row["userid"]]
            assert row["name"] == w["name"] and row["month"] == first.strftime("%Y-%m")
            assert Decimal(str(row["hours"])) == Decimal(w["minutes"]) / 60, (as_of, row["name"])
            assert Decimal(str(row["job_hours"])) == Decimal(w["job_minutes"]) / 60, (as_of, row["name"])
            assert (row["jobs"], row["days"], row["entries"]) == (len(w["jobs"]), len(w["days"]), w["entries"]), row
        assert [r["hours"] for r in rows] == sorted((r["hours"] for r in rows), reverse=True)
    # The soft-deleted labour line (worked last month) took its timesheet entry with it.
    site = warehouse.data.site
    k = warehouse.data.index_of("tasklabours", warehouse.deleted_labour)
    assert k not in site.labour_timesheet and rid("users", site.t["tasklabours"].user[k]) in \
        expected_hours(warehouse.data, warehouse.today)


def check_receivables_ageing(warehouse: Warehouse, as_of: Optional[date] = None) -> List[dict]:
    as_of = as_of or warehouse.today
    rows = warehouse.recipe("receivables_ageing", as_of)
    want = expected_ageing(warehouse.data, as_of)
    assert {r["clientid"] for r in rows} == set(want), as_of
    for row in rows:
        w = want[row["clientid"]]
        assert row["client"] == w["client"]
        assert [cents(row[b]) for b in BUCKETS] == [w[b] for b in BUCKETS], (as_of, row["client"])
        assert cents(row["total_owed"]) == sum(w[b] for b in BUCKETS) == sum(cents(row[b]) for b in BUCKETS)
        assert (row["invoices"], row["oldest_days_past_due"]) == (w["invoices"], max(w["oldest"], 0)), row["client"]
    owed = [r["total_owed"] for r in rows]
    assert owed == sorted(owed, reverse=True), "most owed first"
    return rows


def unpaid(data: Dataset) -> int:
    """What the issued invoices still owe, in cents: each one's total less its payments, where that
    is positive."""
    site = data.site
    inv, pay = site.t["invoices"], site.t["payments"]
    paid: Dict[int, int] = defaultdict(int)
    for j in range(len(pay)):
        if j not in pay.deleted:
            paid[pay.invoice[j]] += pay.amount[j]
    return sum(max(site.invoice_totals(i)[2] - paid[i], 0) for i in range(len(inv))
               if i not in inv.deleted and inv.status[i] != "pending approval")


def test_receivables_ageing(warehouse: Warehouse) -> None:
    rows = check_receivables_ageing(warehouse)
    totals = {b: sum(cents(r[b]) for r in rows) for b in BUCKETS}
    assert all(totals.values()), f"every bucket holds money in the sandbox: {totals}"
    assert sum(totals.values()) == unpaid(warehouse.data)
    inv = warehouse.data.site.t["invoices"]
    assert any(inv.status[i] == "pending approval" for i in range(len(inv))), "drafts, not receivables"
    # Each of the two weeks before: invoices cross the buckets' edges (a day past due, 30/31, 60/61,
    # 90/91 days) from one day to the next; what is owed in all stays.
    for back in range(1, 15):
        rows = check_receivables_ageing(warehouse, warehouse.today - timedelta(days=back))
        assert sum(cents(r["total_owed"]) for r in rows) == sum(totals.values())


def test_materials_used(warehouse: Warehouse) -> None:
    # As of the site's today and each of the two weeks before: materials enter and leave the 90 days.
    for back in range(15):
        as_of = warehouse.today - timedelta(days=back)
        rows = warehouse.recipe("materials_used", as_of)
        want = expected_materials(warehouse.data, as_of)
        assert len(want) >= 10
        assert {(r["partnumber"], r["item"]) for r in rows} == set(want), as_of
        for row in rows:
            w = want[(row["partnumber"], row["item"])]
            assert cents(row["quantity"]) == w["qty"], (as_of, row["item"])
            assert abs(Decimal(str(row["cost"])) - Decimal(w["cost"]) / 10000) < Decimal("0.006"), row["item"]
            assert abs(Decimal(str(row["sell"])) - Decimal(w["sell"]) / 10000) < Decimal("0.006"), row["item"]
            assert (row["jobs"], row["lines"]) == (len(w["jobs"]), w["lines"]), (as_of, row["item"])
            assert (row["first_used"], row["last_used"]) == (min(w["days"]), max(w["days"])), (as_of, row["item"])
        assert [r["quantity"] for r in rows] == sorted((r["quantity"] for r in rows), reverse=True)
        assert any(r["partnumber"] is None for r in rows), "ad-hoc materials (no part number) are counted"


@pytest.fixture(scope="module")
def after_changes(warehouse: Warehouse) -> dict:
    """A line taken off an invoice and another invoice deleted in AroFlo, then an incremental sync
    of invoices and their lines into the same cache (merge: dedup on the primary key)."""
    data, site = warehouse.data, warehouse.data.site
    inv = site.t["invoices"]
    paid = defaultdict(int)
    for j in range(len(site.t["payments"])):
        paid[site.t["payments"].invoice[j]] += site.t["payments"].amount[j]
    edited = next(i for i in reversed(range(len(inv))) if len(site.invoice_lines[i]) >= 3)
    deleted = next(i for i in reversed(range(len(inv))) if i != edited and inv.status[i] != "pending approval"
                   and site.invoice_totals(i)[2] > paid[i] and site.invoice_lines[i])
    edited_id, deleted_id = rid("invoices", edited), rid("invoices", deleted)
    lines = [line["lineid"] for line in data.zone_record("invoices", edited, joins=["lineitems"])["lines"]]
    removed = lines[1]
    deleted_lines = len(site.invoice_lines[deleted])
    data.remove_line("invoices", edited_id, removed)
    data.delete("invoices", [deleted_id])
    read_into_cache(airbyte, warehouse.config, warehouse.path.parent, {"SOURCE_AROFLO_NOW": data.now.isoformat()},
                    streams=["invoices", "invoices_lines"], cache=warehouse.cache, strategy="merge")
    kept = [line["lineid"] for line in data.zone_record("invoices", edited, joins=["lineitems"])["lines"]]
    return {"edited": edited_id, "removed": removed, "kept": kept, "deleted": deleted_id,
            "deleted_lines": deleted_lines}


def test_current_invoice_lines_after_a_line_is_removed(warehouse: Warehouse, after_changes: dict) -> None:
    edited, removed, deleted = after_changes["edited"], after_changes["removed"], after_changes["deleted"]
    assert removed not in after_changes["kept"] and len(after_changes["kept"]) >= 2
    warehouse.recipe("current_invoice_lines")  # creates the view
    sql = warehouse.sql
    raw = {r[0] for r in sql(f"SELECT lineid FROM invoices_lines WHERE invoiceid = '{edited}'")}
    view = [r[0] for r in sql(f"SELECT lineid FROM current_invoice_lines WHERE invoiceid = '{edited}'")]
    # The raw table still holds the removed line (with the invoice's old version): the view does not.
    assert removed in raw
    assert sorted(view) == sorted(after_changes["kept"])
    # The lines of the deleted invoice stay in the raw table; its invoice row is marked deleted.
    assert sql(f"SELECT count(*) FROM current_invoice_lines WHERE invoiceid = '{deleted}'") == [(0,)]
    marked = sql(f"SELECT _ab_cdc_deleted_at FROM invoices WHERE invoiceid = '{deleted}'")
    assert len(marked) == 1 and marked[0][0] is not None
    stale = sql("SELECT (SELECT count(*) FROM invoices_lines) - (SELECT count(*) FROM current_invoice_lines)")
    assert stale == [(1 + after_changes["deleted_lines"],)]
    # Every invoice's current lines add up to its total ex GST; the raw lines of the edited one do not.
    totals = sql("""
        SELECT i.invoiceid, CAST(i.totalex AS DECIMAL(18, 2)), sum(CAST(l.total AS DECIMAL(18, 2)))
        FROM invoices AS i JOIN current_invoice_lines AS l USING (invoiceid)
        GROUP BY ALL""")
    assert len(totals) >= 100 and all(header == lines for _, header, lines in totals)
    [(raw_total, header)] = sql(f"""
        SELECT (SELECT sum(total) FROM invoices_lines WHERE invoiceid = '{edited}'),
               (SELECT totalex FROM invoices WHERE invoiceid = '{edited}')""")
    assert raw_total != header
    # The sandbox's edited invoice in the recipes: profitability and ageing follow the new version.
    check_job_profitability(warehouse)
    check_receivables_ageing(warehouse)


def test_pyairbyte_reads_the_rest_api(tmp_path: Path) -> None:
    """The bearer dialect (the REST API's users, suppliers and payments) through PyAirbyte: every
    stream it discovers, a full refresh into a cache of its own."""
    counts = {"users": 60, "suppliers": 40, "payments": 80}
    with SandboxServer(Dataset(**counts)) as server:
        config = sandbox_config(server, "bearer", max_records_per_page=25)
        cache = read_into_cache(airbyte, config, tmp_path, {}, full_refresh=True)
        con = duckdb.connect(str(cache.db_path), read_only=True)
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                                "WHERE table_name NOT LIKE '%airbyte%'").fetchall()}
            assert tables == set(counts)
            for stream, count in counts.items():
                assert con.execute(f"SELECT count(*), count(DISTINCT id) FROM {stream}").fetchone() == (count, count)
        finally:
            con.close()
        assert server.stats()["total"] >= 9  # three streams of 2-4 pages each
