"""Issue 5: nothing is lost when the API and the network misbehave, in both dialects.

Every test runs `python main.py read` as a subprocess against the local sandbox with a fault
plan, then compares the ids delivered with the sandbox's own dataset.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from integration_tests.fault_matrix import (CURSOR, PAGE_SIZE, SANDBOX_DIALECT, SIZES, deliveries,
                                            error_messages, expected_ids, fast_config, mixed_plan, ordering_problems,
                                            read, stdout_problems, touched_ids)
from integration_tests.harness import MAIN, ROOT, TABLES, configured_catalog, run_connector
from integration_tests.sandbox import Dataset, SandboxServer
from source_aroflo.zones import ZONES_BY_NAME

ENDPOINT = {"bearer": "/v1/{table}", "hmac": "(zone {table})"}


@pytest.fixture
def server():
    started = []

    def start(faults=None, **options):
        s = SandboxServer(Dataset(**SIZES), faults=faults, **options).start()
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def _latest_cursor(server: SandboxServer, dialect: str, table: str, record_id: str) -> str:
    """The record's cursor now, as the connector emits it (UTC `...Z`, or a date)."""
    ds = server.dataset
    idx = ds.index_of(table, record_id)
    if dialect == "bearer":
        value = datetime.fromisoformat(ds.rest_record(table, idx)["updated_at"].replace("Z", "+00:00"))
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = ds.zone_record(table, idx)
    if table == "payments":
        return record["datepaid"].replace("/", "-")
    return record["lastupdateddatetimeutc"].replace("/", "-").replace(" ", "T") + "Z"


def _assert_complete_records(run, table: str) -> None:
    columns = set(ZONES_BY_NAME[table].seed.columns)
    for record in run.records_of(table):
        assert record.get("id"), record
        missing = columns - set(record)
        assert not missing, f"{table} record {record['id']} lacks {sorted(missing)}"


# ---- the mixed fault plan ----------------------------------------------------------------------

@pytest.mark.slow
def test_mixed_fault_plan_delivers_every_record(server, dialect):
    s = server(mixed_plan(dialect))
    expected = expected_ids(s, dialect)
    run = read(s, dialect)

    assert run.returncode == 0, error_messages(run) or run.stderr[-2000:]
    assert not run.errors
    assert not stdout_problems(run)
    idle = [rule for rule in s.stats()["faults"] if rule["fired"] < 1]
    assert not idle, f"faults that never fired, the plan proves nothing about them: {idle}"

    for table, got in deliveries([run], expected).items():
        assert not got.missing, f"{table}: lost {got.missing}"
        assert not got.unexpected, f"{table}: unknown ids {got.unexpected}"
        touched = touched_ids(s, dialect, table)
        assert touched, f"{table}: mutate_during_read touched nothing"
        # The only records read twice are those edited mid-sync (read again in their new version).
        assert set(got.duplicates) <= touched, f"{table}: duplicates {got.duplicates} not explained by edits {touched}"
        _assert_complete_records(run, table)
        cursor = CURSOR[dialect].get(table)
        if cursor:
            assert not ordering_problems(run, table, cursor)
            last_seen = {}
            for record in run.records_of(table):
                last_seen[record["id"]] = record[cursor]
            for record_id in touched:  # edited mid-sync: its new version arrived in this sync
                assert last_seen[record_id] == _latest_cursor(s, dialect, table, record_id), record_id

    warnings = " ".join(log["message"] for log in run.logs if log["level"] in ("WARN", "WARNING"))
    assert "Retry-After 2" in warnings
    assert "GMT" in warnings  # the HTTP-date form of Retry-After was read as a date


# ---- a server that never recovers ---------------------------------------------------------------

def test_a_server_that_always_fails_stops_within_the_retry_bound(server, dialect):
    retries, wait = 2, 2
    # Payments: the record without an id comes on the third page of its cursor read (in the zone,
    # after the first sync's sweep for blank cursors, which asks no `order`).
    seek = {"query_contains": "order="} if dialect == "hmac" else {}
    s = server([{"fault": "http_503", "match": {"table": "users"}, "times": -1},
                {"fault": "reset", "match": {"table": "suppliers"}, "times": -1},
                {"fault": "missing_id", "match": {"table": "payments", **seek}, "skip": 2, "times": -1}])
    run = read(s, dialect, retry_attempts=retries, max_retry_wait_seconds=wait)

    assert run.returncode != 0
    assert not run.records_of("users") and not run.records_of("suppliers")
    # The pages before the record without an id were delivered and checkpointed.
    cursor = CURSOR[dialect]["payments"]
    dated = [r[cursor] for r in run.records_of("payments") if r[cursor] is not None]
    assert PAGE_SIZE <= len(dated) <= 2 * PAGE_SIZE
    assert run.stream_state("payments") == {cursor: max(dated)}
    # Each wait is at most max_retry_wait_seconds + the CDK's own 1 s; streams wait side by side.
    assert run.seconds < retries * (wait + 1) + 12, run.seconds
    log = s.stats(log=500)["log"]
    per_table = {p: n for p, n in s.stats()["by_path"].items()
                 if p not in ("zone:lastupdate", "zone:payments", "/v1/payments")}
    payments_seek = sum(1 for e in log if "zone=payments" in e["target"] and "order=" in e["target"])
    if dialect == "bearer":
        payments_seek = s.stats()["by_path"]["/v1/payments"]
    assert sorted([*per_table.values(), payments_seek]) == [retries + 1, retries + 1, retries + 3], per_table
    # Zone suppliers sync through the change feed (no daily limit), then fetch by id.
    assert (s.stats()["by_path"].get("zone:lastupdate", 0) > 0) == (dialect == "hmac")
    assert not stdout_problems(run)
    assert "Traceback (most recent call last)" not in run.stderr

    by_stream = {e.get("stream_descriptor", {}).get("name"): e["message"] for e in run.errors}
    for table, error in (("users", "HTTP 503"), ("suppliers", "Connection"), ("payments", "have no id")):
        message = by_stream.get(table, "")
        assert ENDPOINT[dialect].format(table=table) in message, (table, message)
        assert error in message and f"gave up after {retries + 1} attempts" in message, message
    assert all(e.get("stack_trace") in (None, "") for e in run.errors)


# ---- AroFlo's daily limit -----------------------------------------------------------------------

def test_daily_limit_stops_cleanly_with_progress_saved_and_the_rerun_completes(server):
    dialect = "hmac"  # status 7 is the zone API's daily limit
    s = server([{"fault": "zone_status", "code": 7, "skip": 12, "times": -1}])
    expected = expected_ids(s, dialect)
    first = read(s, dialect)

    assert first.returncode != 0
    assert not stdout_problems(first)
    limit_errors = [e["message"] for e in first.errors if e.get("stream_descriptor")]
    assert limit_errors and all("daily request limit was reached" in m for m in limit_errors), limit_errors
    assert all("resets at 00:00 Australia/Melbourne" in m and " UTC)" in m for m in limit_errors)
    assert not any("gave up after" in m for m in limit_errors)  # not retried: it cannot clear today
    assert sum(len(first.ids(t)) for t in TABLES) < sum(len(v) for v in expected.values())

    for table, cursor in CURSOR[dialect].items():
        emitted = [r[cursor] for r in first.records_of(table) if r[cursor] is not None]
        if emitted:  # every page read before the stop is covered by the last checkpoint
            assert first.stream_state(table) == {cursor: max(emitted)}, table

    s.set_faults([])
    second = read(s, dialect, state=first.final_state())
    assert second.returncode == 0, error_messages(second)
    for table, got in deliveries([first, second], expected).items():
        assert not got.missing, f"{table}: lost {got.missing}"
    for table, cursor in CURSOR[dialect].items():
        state = (first.stream_state(table) or {}).get(cursor)
        if state:  # the rerun resumed from the saved state instead of starting over
            assert min(r[cursor] for r in second.records_of(table) if r[cursor]) >= state


# ---- interrupted syncs --------------------------------------------------------------------------

def _popen_read(config: dict, catalog: dict, folder: str) -> subprocess.Popen:
    paths = []
    for name, value in (("config", config), ("catalog", catalog)):
        path = Path(folder) / f"{name}.json"
        path.write_text(json.dumps(value))
        paths += [f"--{name}", str(path)]
    return subprocess.Popen([sys.executable, str(MAIN), "read", *paths], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, cwd=str(ROOT))


def _read_until(proc: subprocess.Popen, records: int, deadline: float = 60) -> list:
    """Messages until `records` records and a STATE of every cursor stream have arrived."""
    messages, count, stated = [], 0, set()
    stop_at = time.monotonic() + deadline
    for line in proc.stdout:
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        messages.append(message)
        if message["type"] == "RECORD":
            count += 1
        elif message["type"] == "STATE":
            stated.add(message["state"]["stream"]["stream_descriptor"]["name"])
        if count >= records and len(stated) >= 2:
            return messages
        assert time.monotonic() < stop_at, "the connector did not get far enough in time"
    raise AssertionError(f"the read ended before the interruption ({count} records)")


def _last_states(messages: list) -> list:
    last = {}
    for message in messages:
        if message["type"] == "STATE":
            state = message["state"]
            last[state["stream"]["stream_descriptor"]["name"]] = {"type": "STREAM", "stream": state["stream"]}
    return list(last.values())


def _ids(messages: list, table: str) -> list:
    return [m["record"]["data"]["id"] for m in messages if m["type"] == "RECORD" and m["record"]["stream"] == table]


def test_killed_connector_resumes_from_its_last_state(server, dialect, tmp_path):
    s = server(latency_s=0.03)  # slow enough to interrupt mid-stream
    expected = expected_ids(s, dialect, first_sync=True)  # a first sync, stopped and resumed
    proc = _popen_read(fast_config(s, dialect), configured_catalog("incremental", TABLES, dialect), str(tmp_path))
    try:
        messages = _read_until(proc, records=40)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    before = {t: _ids(messages, t) for t in TABLES}
    assert sum(map(len, before.values())) < sum(map(len, expected.values())), "not interrupted mid-stream"

    s.configure(latency_s=0)
    rerun = read(s, dialect, state=_last_states(messages))
    assert rerun.returncode == 0, error_messages(rerun)
    for table in TABLES:
        union = set(before[table]) | set(rerun.ids(table))
        assert union == expected[table], f"{table}: lost {sorted(expected[table] - union)}"


def _start_sandbox_process(port: int, latency: float) -> tuple:
    proc = subprocess.Popen([sys.executable, "-m", "integration_tests.sandbox", "--port", str(port), "--latency",
                             str(latency), *[f"--{t}={n}" for t, n in SIZES.items()]],
                            stdout=subprocess.PIPE, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=str(ROOT))
    urls = json.loads(proc.stdout.readline())
    return proc, urls


def test_sandbox_stopped_mid_stream_then_resumed_from_state(dialect, tmp_path):
    sandbox, urls = _start_sandbox_process(0, 0.03)
    port = int(urls["url"].rsplit(":", 1)[1])
    expected = {t: set(Dataset(**SIZES).ids(t, SANDBOX_DIALECT[dialect])) for t in TABLES}
    base = urls["rest_base_url" if dialect == "bearer" else "zone_base_url"]

    class Target:  # what sandbox_config needs of a server
        rest_base_url = zone_base_url = base

    config = fast_config(Target, dialect, retry_attempts=1)
    proc = _popen_read(config, configured_catalog("incremental", TABLES, dialect), str(tmp_path))
    try:
        messages = _read_until(proc, records=40)
        sandbox.kill()  # every connection dies with the server
        sandbox.wait(timeout=10)
        started = time.monotonic()
        for line in proc.stdout:
            if line.startswith("{"):
                messages.append(json.loads(line))
        assert proc.wait(timeout=60) != 0
        assert time.monotonic() - started < 20  # gives up within its retry bound
    finally:
        proc.kill()
        sandbox.kill()
    failures = [m["trace"]["error"]["message"] for m in messages
                if m["type"] == "TRACE" and m["trace"].get("type") == "ERROR"]
    assert failures and not any("Traceback" in f for f in failures)
    assert "Traceback (most recent call last)" not in json.dumps(messages)

    sandbox, _ = _start_sandbox_process(port, 0.0)  # back on the same address
    try:
        rerun = run_connector("read", config, configured_catalog("incremental", TABLES, dialect), state=_last_states(messages))
    finally:
        sandbox.kill()
    assert rerun.returncode == 0, error_messages(rerun)
    for table in TABLES:
        union = set(_ids(messages, table)) | set(rerun.ids(table))
        assert union == expected[table], f"{table}: lost {sorted(expected[table] - union)}"


# ---- edits between syncs ------------------------------------------------------------------------

def test_records_updated_during_a_sync_are_picked_up_by_the_next_incremental_sync(server, dialect):
    s = server([{"fault": "mutate_during_read", "match": {"table": t}, "skip": 3, "count": 2, "pick": "first"}
                for t in TABLES])
    expected = expected_ids(s, dialect)
    first = read(s, dialect)
    assert first.returncode == 0, error_messages(first)
    during = {t: touched_ids(s, dialect, t) for t in TABLES}
    after = {t: set(s.dataset.touch(t, count=2)) for t in TABLES}  # oldest records, edited after the sync
    added = {t: set(s.dataset.add(t, 1)) for t in TABLES}
    if dialect == "hmac":  # touch/add return REST ids
        conv = lambda t, ids: {s.dataset.zone_id(t, s.dataset.index_of(t, i)) for i in ids}  # noqa: E731
        after = {t: conv(t, v) for t, v in after.items()}
        added = {t: conv(t, v) for t, v in added.items()}

    second = read(s, dialect, state=first.final_state())
    assert second.returncode == 0, error_messages(second)
    for table in TABLES:
        cursor = CURSOR[dialect].get(table)
        assert after[table] | added[table] <= set(second.ids(table)), table
        assert set(first.ids(table)) | set(second.ids(table)) == expected[table] | added[table]
        if not cursor:
            continue
        assert len(second.ids(table)) < len(expected[table]) // 2, "the second sync was not incremental"
        versions = {}
        for run in (first, second):
            for record in run.records_of(table):
                versions[record["id"]] = record[cursor]
        for record_id in during[table] | after[table] | added[table]:
            assert versions[record_id] == _latest_cursor(s, dialect, table, record_id), (table, record_id)


# ---- bad answers --------------------------------------------------------------------------------

def test_bad_answers_are_retried_not_half_read_and_an_absurd_retry_after_is_capped(server, dialect):
    wait = 2
    # Zone suppliers sync through the change feed: their pages are the `lastupdate` zone's.
    suppliers = "lastupdate" if dialect == "hmac" else "suppliers"
    s = server([
        {"fault": "truncated_json", "match": {"table": "users"}, "skip": 1},
        {"fault": "truncated_json", "match": {"table": "payments"}, "skip": 3},
        {"fault": "non_json", "match": {"table": "users"}, "skip": 3},
        {"fault": "html_error", "status": 200, "match": {"table": "users"}, "skip": 5},
        {"fault": "html_error", "status": 502, "match": {"table": suppliers}, "skip": 1},
        {"fault": "absurd_retry_after", "match": {"table": suppliers}, "skip": 3},
        {"fault": "missing_id", "index": 1, "match": {"table": "payments"}, "skip": 1},
        *[{"fault": "repeat_previous_page", "match": {"table": t, "page": 2}} for t in ("users", "payments", suppliers)],
    ])
    expected = expected_ids(s, dialect)
    run = read(s, dialect, max_retry_wait_seconds=wait)

    assert run.returncode == 0, error_messages(run)
    assert not [rule for rule in s.stats()["faults"] if rule["fired"] < 1]
    assert run.seconds < 60  # Retry-After 99999 did not stall the read
    for table, got in deliveries([run], expected).items():
        assert not got.missing and not got.duplicates, (table, got)  # no page half-read or read twice
        _assert_complete_records(run, table)
    warnings = [log["message"] for log in run.logs if log["level"] in ("WARN", "WARNING")]
    text = " ".join(warnings)
    assert text.count("truncated answer") >= 2, warnings
    assert f"Retry-After 99999 is longer than max_retry_wait_seconds, capped at {wait} s" in text, warnings
    assert "not JSON" in text and "have no id" in text and "repeats" in text, warnings


# ---- ordering and state -------------------------------------------------------------------------

def test_records_ascend_and_state_never_passes_the_sync_start(server, dialect):
    s = server()
    future = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
    for table in CURSOR[dialect]:
        s.dataset.touch(table, count=2, at=future)  # a server clock days ahead of ours
    launched = datetime.now(timezone.utc)
    run = read(s, dialect)
    finished = datetime.now(timezone.utc)
    assert run.returncode == 0, error_messages(run)
    assert len(run.states) > len(TABLES)  # checkpoints along the way, not only at the end
    for table, cursor in CURSOR[dialect].items():
        assert not ordering_problems(run, table, cursor), ordering_problems(run, table, cursor)
        emitted = [r[cursor] for r in run.records_of(table) if r[cursor] is not None]
        assert max(emitted) >= future.strftime("%Y-%m-%d")  # the future records were read...
        cap = (finished.strftime("%Y-%m-%d") if cursor == "payment_date" else finished.strftime("%Y-%m-%dT%H:%M:%SZ"))
        floor = launched.strftime("%Y-%m-%d") if cursor == "payment_date" else launched.strftime("%Y-%m-%dT%H:%M:%SZ")
        values = [st["stream"]["stream_state"][cursor] for st in run.states
                  if st["stream"]["stream_descriptor"]["name"] == table and st["stream"].get("stream_state")]
        assert values and all(v <= cap for v in values), (values[-3:], cap)  # ...but state stops at sync start
        assert values[-1] >= floor


def test_a_first_sync_stopped_by_the_daily_limit_resumes_at_the_page_it_reached(server):
    """Zone dialect: a first sync reads every record in numbered pages; its state is its position
    until it is done, so a stop costs only the pages not yet read."""
    s = server([{"fault": "zone_status", "code": 7, "match": {"table": "users"}, "skip": 4, "times": -1}])
    expected = expected_ids(s, "hmac", ["users"], first_sync=True)["users"]
    first = read(s, "hmac", state=None, streams=["users"])
    assert first.returncode != 0 and "daily request limit" in " ".join(error_messages(first))
    progress = first.stream_state("users")["first_sync"]
    assert progress["page"] == 4 and progress["size"] == PAGE_SIZE and progress["mark"], progress  # mark + 3 pages
    assert len(first.ids("users")) == 3 * PAGE_SIZE

    s.set_faults([])
    s.stats_obj.reset()
    second = read(s, "hmac", state=first.final_state(), streams=["users"])
    assert second.returncode == 0, error_messages(second)
    asked = [e["target"] for e in s.stats(log=500)["log"] if "zone=users" in e["target"]]
    pages = [int(t.split("page=")[1].split("&")[0]) for t in asked]
    assert pages and min(pages) == 4, pages  # resumed where it stopped, no second mark request
    assert "order=" not in " ".join(asked)
    assert set(first.ids("users")) | set(second.ids("users")) == expected
    assert not set(first.ids("users")) & set(second.ids("users"))
    assert second.stream_state("users") == {"updated_at": progress["mark"]}
