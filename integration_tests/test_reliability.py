"""Issue 5: nothing is lost when the API and the network misbehave, in both dialects.

Every test runs `python main.py read` as a subprocess against the local sandbox with a fault
plan, on the sandbox's clock (`SOURCE_AROFLO_NOW`), then compares the ids delivered with the
sandbox's own dataset. What each stream sends in the zone dialect (users: a seek on their update
time; suppliers: the change feed, then one id a request; payments: a date window in numbered
pages) is in `fault_matrix.py`; fault plans follow those requests, and a fault that never fires
fails the test (it would prove nothing).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest

from integration_tests.fault_matrix import (CURSOR, ORDERED, OWN_TIME, PAGE_SIZE, SANDBOX_DIALECT, SIZES, WAITING,
                                            cdk_read_lines, clock_env, deliveries, error_messages, expected_ids,
                                            fast_config, mixed_plan, next_day, ordering_problems, rate_limit_waits,
                                            read, state_count_problems, statuses, stdout_problems, touched_ids,
                                            waiting_states, warnings)
from integration_tests.harness import MAIN, ROOT, TABLES, configured_catalog, run_connector
from integration_tests.sandbox import Dataset, SandboxServer
from integration_tests.sandbox.dataset import DEFAULT_NOW
from source_aroflo.zones import ZONES_BY_NAME

ENDPOINT = {"bearer": "/v1/{table}", "hmac": "(zone {table})"}
ATTEMPT = re.compile(r"attempt (\d+) of (\d+) failed \((.+)\); waiting [\d.]+ s before retrying")


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
    if table == "suppliers":  # the change feed's time of its newest change
        return datetime.fromtimestamp(ds.updated_ts(table, idx), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
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


def _requests(server: SandboxServer, zone: str) -> list:
    """The query strings of the zone's requests the sandbox logged, decoded."""
    return [unquote(e["target"]) for e in server.stats(log=5000)["log"] if f"zone={zone}&" in unquote(e["target"])]


# ---- the mixed fault plan ----------------------------------------------------------------------

def test_mixed_fault_plan_delivers_every_record(server, dialect):
    s = server(mixed_plan(dialect))
    run = read(s, dialect)
    expected = expected_ids(s, dialect)  # after the run: an edit gives a record with a blank date a time

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
        cursor = CURSOR[dialect][table]
        problems = ordering_problems(run, table, cursor, ordered=table in ORDERED[dialect])
        assert not problems, (table, problems)
        assert not state_count_problems(run, table), (table, state_count_problems(run, table))
        if table in OWN_TIME[dialect]:
            last_seen = {}
            for record in run.records_of(table):
                last_seen[record["id"]] = record[cursor]
            for record_id in touched:  # edited mid-sync: its new version arrived in this sync
                assert last_seen[record_id] == _latest_cursor(s, dialect, table, record_id), record_id
        seen = statuses(run)[table]
        assert seen[0] == "STARTED" and "RUNNING" in seen and seen[-1] == "COMPLETE", (table, seen)

    assert not cdk_read_lines(run)  # the sync's summary says what each stream read
    # Every failed attempt is said the same way, within one budget of attempts per page (5).
    attempts = [ATTEMPT.search(log["message"]) for log in run.logs]
    assert any(attempts) and all(int(m.group(2)) == 5 and int(m.group(1)) < 5 for m in attempts if m)
    # Rate limits are waited out: Retry-After in seconds (2) and as an HTTP date (3 s ahead, in
    # whole seconds: a wait of 2 to 3 s, where a date not understood would have given the 1 s
    # default).
    waits = rate_limit_waits(run)
    assert 2.0 in waits.get("users", []), waits
    dated = "lastupdate" if dialect == "hmac" else "suppliers"
    assert any(w >= 1.5 for w in waits.get(dated, [])), waits


def test_a_change_feed_entry_without_its_id_is_asked_again():
    """A record without its id on a page of the change feed is a broken answer like any other:
    the page is asked again. Accepting it would skip the entry, and the changed supplier with it."""
    rule = {"fault": "missing_id", "index": 2, "match": {"table": "lastupdate"}, "times": 1}
    with SandboxServer(Dataset(**SIZES), faults=[rule]) as s:
        run = read(s, "hmac", streams=["suppliers"])
        assert s.stats()["faults_fired"] == {"missing_id": 1}
        expected = expected_ids(s, "hmac", ["suppliers"])
    assert run.returncode == 0, error_messages(run)
    got = deliveries([run], expected)["suppliers"]
    skipped = [log["message"] for log in run.logs if "without a zone name, id or time skipped" in log["message"]]
    assert not got.missing, f"lost {got.missing}; the feed's read said: {skipped}"


@pytest.mark.parametrize("allowance", [1000, 10], ids=["one id a request", "50 ids a request"])
def test_changes_fetched_by_id_survive_bad_answers_on_either_budget(server, allowance):
    """Zone suppliers come through the change feed: each changed supplier one id a request from
    AroFlo's single-id budget while `single_id_requests_per_sync` lasts, beyond it 50 ids a
    request from the daily limit. Bad answers to those fetches cost a retry, never a supplier."""
    fetches = {"table": "suppliers"}
    # The first fetch: a 5xx, a record without its id, a rate-limit rejection, then its answer;
    # the next fetch: a truncated answer first.
    s = server([{"fault": "http_503", "match": fetches, "times": 1},
                {"fault": "missing_id", "index": 7, "match": fetches, "times": 1},
                {"fault": "zone_status", "code": 6, "match": fetches, "times": 1},
                {"fault": "truncated_json", "match": fetches, "skip": 1, "times": 1}])
    run = read(s, "hmac", streams=["suppliers"], single_id_requests_per_sync=allowance)
    expected = expected_ids(s, "hmac", ["suppliers"])["suppliers"]

    assert run.returncode == 0 and not run.errors, error_messages(run)
    stats = s.stats()
    assert not [rule for rule in stats["faults"] if rule["fired"] < 1], stats["faults"]
    got = deliveries([run], {"suppliers": expected})["suppliers"]
    assert not got.missing and not got.duplicates, got
    assert not ordering_problems(run, "suppliers", "updated_at") and not state_count_problems(run, "suppliers")
    asked = [t for t in _requests(s, "suppliers")]
    # three failed answers were asked again; the rate-limit rejection spends no budget
    if allowance >= len(expected):
        assert all("|supplierid|=|" in t and "pageSize" not in t for t in asked), asked[:3]
        assert len(asked) == len(expected) + 4 and stats["by_zone_kind"]["suppliers"] == {"secondary": len(expected) + 3}
    else:
        assert all("|supplierid|IN|" in t for t in asked), asked[:3]
        batches = -(-len(expected) // 50)
        assert len(asked) == batches + 4 and stats["by_zone_kind"]["suppliers"] == {"daily": batches + 3}


def test_a_page_refused_as_too_big_costs_a_few_smaller_pages_not_the_rest_of_the_read():
    """Status 8 (over 3.5 MB) / 888888 (over 60 s): the refused records are asked again in smaller
    pages, and nothing is skipped or read twice. Every request counts against AroFlo's daily
    limit: the smaller pages must not cost more than the read itself."""
    refused = {"fault": "zone_status", "code": 888888, "match": {"table": "payments", "page": 10}, "times": 1}
    with SandboxServer(Dataset(**SIZES), faults=[refused]) as s:
        run = read(s, "hmac", streams=["payments"])
        asked = _requests(s, "payments")
        expected = expected_ids(s, "hmac", ["payments"])
    assert run.returncode == 0 and not run.errors, error_messages(run)
    got = deliveries([run], expected)["payments"]
    assert not got.missing and not got.duplicates, got
    pages = -(-len(expected["payments"]) // PAGE_SIZE)
    sizes = [t.split("pageSize=")[1].split("&")[0] for t in asked]
    assert len(asked) <= 2 * pages, (f"{len(asked)} requests for {pages} pages of {PAGE_SIZE}: after the refused page "
                                     f"the read went on at pageSize {sorted(set(sizes))}")


# ---- a server that never recovers ---------------------------------------------------------------

def test_a_server_that_always_fails_stops_within_the_retry_bound(server, dialect):
    """One budget of attempts a page (retry_attempts + 1), shared by the CDK's retries (5xx, resets)
    and asking again for an unusable page, whichever comes first; rate-limit rejections between
    them are waited out and are not attempts."""
    retries, wait = 2, 2
    limited = ({"fault": "zone_status", "code": 6} if dialect == "hmac" else {"fault": "http_429", "retry_after": "1"})
    s = server([
        # users: a 5xx, two rate-limit rejections, then a record without an id on every answer
        {"fault": "http_503", "match": {"table": "users"}, "times": 1},
        {**limited, "match": {"table": "users"}, "times": 2},
        {"fault": "missing_id", "match": {"table": "users"}, "times": -1},
        # suppliers (zone: fetched by id after the change feed): the connection drops, always
        {"fault": "reset", "match": {"table": "suppliers"}, "times": -1},
        # payments: two good pages, then a record without an id, then HTTP 500 on every answer
        {"fault": "missing_id", "match": {"table": "payments"}, "skip": 2, "times": 1},
        {"fault": "http_500", "match": {"table": "payments"}, "skip": 2, "times": -1},
    ])
    run = read(s, dialect, retry_attempts=retries, max_retry_wait_seconds=wait)

    assert run.returncode != 0
    assert not stdout_problems(run)
    assert "Traceback (most recent call last)" not in run.stderr
    assert not run.records_of("users") and not run.records_of("suppliers")
    # The pages before the failing one were delivered and checkpointed (a REST seek asks each
    # next page from the last record's time, inclusive: its first record is one already read).
    cursor = CURSOR[dialect]["payments"]
    assert PAGE_SIZE < len(run.records_of("payments")) <= 2 * PAGE_SIZE
    if "payments" in ORDERED[dialect]:
        dated = [r[cursor] for r in run.records_of("payments") if r[cursor] is not None]
        assert run.stream_state("payments") == {cursor: max(dated)}
    else:  # a date window's state moves once the window is read: the next sync reads it again
        assert run.stream_state("payments") == {cursor: "2000-01-01"}
    # Each wait is at most max_retry_wait_seconds + the CDK's own 1 s; streams wait side by side;
    # the two rejections pause every stream about a second each.
    assert run.seconds < retries * (wait + 1) + 14, run.seconds
    by_path = s.stats()["by_path"]
    path = (lambda t: f"/v1/{t}") if dialect == "bearer" else (lambda t: f"zone:{t}")
    counts = {t: by_path.get(path(t), 0) for t in TABLES}
    assert counts == {"users": retries + 1 + 2, "suppliers": retries + 1, "payments": 2 + retries + 1}, counts
    # Zone suppliers sync through the change feed (no daily limit), then fetch by id.
    assert (by_path.get("zone:lastupdate", 0) > 0) == (dialect == "hmac")

    by_stream = {e.get("stream_descriptor", {}).get("name"): e["message"] for e in run.errors}
    for table, error in (("users", "have no id"), ("suppliers", "Connection"), ("payments", "HTTP 500")):
        message = by_stream.get(table, "")
        assert ENDPOINT[dialect].format(table=table) in message, (table, message)
        assert error in message and f"(gave up after {retries + 1} attempts)" in message, message
    assert all(e.get("stack_trace") in (None, "") for e in run.errors)
    said = [log["message"] for log in run.logs if log["message"].startswith("users:")]
    assert any("attempt 1 of 3 failed (" in m and "503" in m for m in said), said
    assert any("attempt 2 of 3 failed (" in m and "have no id" in m for m in said), said
    assert len([m for m in said if "rate limited by AroFlo" in m]) == 2, said
    assert not any("attempt 3 of 3 failed" in m for m in said)  # the last attempt gives up, no wait
    for table in TABLES:
        assert statuses(run)[table][-1] == "INCOMPLETE", table


# ---- AroFlo's daily limit -----------------------------------------------------------------------

def test_status_7_stops_daily_limited_reading_cleanly_and_the_next_day_goes_on_where_it_stopped(server):
    dialect = "hmac"  # status 7 is the zone API's daily limit
    # Another integration on the same keys spent the day mid-sync: AroFlo answers status 7
    # although its last headers still showed quota. Users and payments spend the daily limit;
    # suppliers' fetches by id the single-id budget, which AroFlo still grants.
    s = server([{"fault": "zone_status", "code": 7, "match": {"table": t}, "skip": 4, "times": -1}
                for t in ("users", "payments")])
    first = read(s, dialect)

    assert first.returncode == 0 and not first.errors, error_messages(first)
    assert not stdout_problems(first)
    assert 1 <= s.stats()["faults_fired"]["zone_status"] <= 2  # no daily-limited request after the first 7
    [message] = [w for w in warnings(first) if WAITING in w]
    assert "status 7" in message and "00:00 Australia/Melbourne" in message
    waiting = waiting_states(first)
    assert set(waiting) == {"users", "payments"} and all(name in message for name in waiting), message
    reset = next_day_reset(s.dataset.now)
    assert all(state["waiting_until"] == reset for state in waiting.values()), (waiting, reset)
    for table in TABLES:
        assert statuses(first)[table][-1] == "COMPLETE", table
    before = expected_ids(s, dialect)
    assert set(first.ids("suppliers")) == before["suppliers"]  # the single-id budget still served
    assert 0 < len(first.ids("users")) <= 4 * PAGE_SIZE and len(first.ids("payments")) <= 4 * PAGE_SIZE
    # Every page read before the stop is covered by the last checkpoint (a window's, once read).
    dated = [r["updated_at"] for r in first.records_of("users") if r["updated_at"]]
    assert waiting["users"]["updated_at"] == max(dated)
    assert waiting["payments"]["payment_date"] == "2000-01-01"

    s.set_faults([])
    next_day(s)
    second = read(s, dialect, state=first.final_state())
    assert second.returncode == 0 and not second.errors, error_messages(second)
    assert not waiting_states(second) and not [w for w in warnings(second) if WAITING in w]
    for table, got in deliveries([first, second], expected_ids(s, dialect)).items():
        assert not got.missing, f"{table}: lost {got.missing}"
    # Users went on from their checkpoint instead of starting over.
    assert min(r["updated_at"] for r in second.records_of("users") if r["updated_at"]) >= waiting["users"]["updated_at"]
    assert not set(first.ids("suppliers")) & set(second.ids("suppliers"))


def next_day_reset(now: datetime) -> str:
    """AroFlo's next reset (00:00 Australia/Melbourne) after `now`, as the state's `waiting_until`."""
    from zoneinfo import ZoneInfo

    local = now.astimezone(ZoneInfo("Australia/Melbourne"))
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_first_sync_stopped_at_the_reserve_resumes_the_next_day_at_the_page_it_reached(server):
    """Zone dialect: a first sync reads every record in numbered pages, newest first; its state is
    its position until it is done, so a stop costs only the pages not yet read. Here AroFlo's
    headers say the reserve kept for the other integrations is reached after four requests."""
    reserve = 10
    s = server(daily_limit=2000)
    s.spend(daily=2000 - reserve - 4)
    expected = expected_ids(s, "hmac", ["users"], first_sync=True)["users"]
    first = read(s, "hmac", state=None, streams=["users"], daily_quota_reserve=reserve)

    assert first.returncode == 0 and not first.errors, error_messages(first)
    assert s.stats()["by_kind"].get("daily") == 4  # to the reserve, not one more
    [message] = [w for w in warnings(first) if WAITING in w]
    assert "users" in message and "more day" in message, message
    progress = first.stream_state("users")["first_sync"]
    # page 1 (its first record's time is the mark), the oldest record's date, pages 2 and 3
    assert progress["page"] == 4 and progress["size"] == PAGE_SIZE and progress["mark"], progress
    assert first.stream_state("users")["waiting_until"] == next_day_reset(s.dataset.now)
    assert len(first.ids("users")) == 3 * PAGE_SIZE
    assert statuses(first)["users"][-1] == "COMPLETE"

    next_day(s)
    s.stats_obj.reset()
    second = read(s, "hmac", state=first.final_state(), streams=["users"], daily_quota_reserve=reserve)
    assert second.returncode == 0, error_messages(second)
    asked = _requests(s, "users")
    pages = [int(t.split("page=")[1].split("&")[0]) for t in asked]
    assert pages and min(pages) == 4, asked  # resumed where it stopped: no mark, no oldest date again
    assert all("pageSize=5" in t for t in asked), asked
    assert set(first.ids("users")) | set(second.ids("users")) == expected
    assert not set(first.ids("users")) & set(second.ids("users"))
    assert second.stream_state("users") == {"updated_at": progress["mark"]}


# ---- interrupted syncs --------------------------------------------------------------------------

def _popen_read(config: dict, catalog: dict, folder: str, env: dict) -> subprocess.Popen:
    import os

    paths = []
    for name, value in (("config", config), ("catalog", catalog)):
        path = Path(folder) / f"{name}.json"
        path.write_text(json.dumps(value))
        paths += [f"--{name}", str(path)]
    return subprocess.Popen([sys.executable, str(MAIN), "read", *paths], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, cwd=str(ROOT),
                            env={**os.environ, **env})


def _read_until(proc: subprocess.Popen, records: int, deadline: float = 60) -> list:
    """Messages until `records` records and a STATE of two streams have arrived."""
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
    proc = _popen_read(fast_config(s, dialect), configured_catalog("incremental", TABLES, dialect), str(tmp_path),
                       clock_env(s))
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
    clock = clock_env(now=DEFAULT_NOW)  # the sandbox process's clock
    proc = _popen_read(config, configured_catalog("incremental", TABLES, dialect), str(tmp_path), clock)
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
        rerun = run_connector("read", config, configured_catalog("incremental", TABLES, dialect),
                              state=_last_states(messages), env=clock)
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
    first = read(s, dialect)
    assert first.returncode == 0, error_messages(first)
    assert s.stats()["faults_fired"] == {"mutate_during_read": 3}
    during = {t: touched_ids(s, dialect, t) for t in TABLES}
    after = {t: set(s.dataset.touch(t, count=2)) for t in TABLES}  # oldest records, edited after the sync
    added = {t: set(s.dataset.add(t, 1)) for t in TABLES}
    if dialect == "hmac":  # touch/add return REST ids
        conv = lambda t, ids: {s.dataset.zone_id(t, s.dataset.index_of(t, i)) for i in ids}  # noqa: E731
        after = {t: conv(t, v) for t, v in after.items()}
        added = {t: conv(t, v) for t, v in added.items()}

    second = read(s, dialect, state=first.final_state())  # on the sandbox's clock, after the edits
    assert second.returncode == 0, error_messages(second)
    expected = expected_ids(s, dialect)  # an edit gives a record with a blank date a time
    for table in TABLES:
        cursor = CURSOR[dialect][table]
        assert after[table] | added[table] <= set(second.ids(table)), table
        assert set(first.ids(table)) | set(second.ids(table)) == expected[table], table
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
    # Zone suppliers sync through the change feed: its pages are the `lastupdate` zone's; then
    # each changed supplier is fetched by id.
    suppliers = "lastupdate" if dialect == "hmac" else "suppliers"
    fetches = [{"fault": "truncated_json", "match": {"table": "suppliers"}, "skip": 5},
               {"fault": "missing_id", "match": {"table": "suppliers"}, "skip": 9}] if dialect == "hmac" else []
    s = server([
        {"fault": "truncated_json", "match": {"table": "users"}, "skip": 1},
        {"fault": "truncated_json", "match": {"table": "payments"}, "skip": 3},
        {"fault": "non_json", "match": {"table": "users"}, "skip": 3},
        {"fault": "html_error", "status": 200, "match": {"table": "users"}, "skip": 5},
        {"fault": "html_error", "status": 502, "match": {"table": suppliers}, "skip": 1},
        {"fault": "absurd_retry_after", "match": {"table": suppliers}, "skip": 3},
        {"fault": "missing_id", "index": 1, "match": {"table": "payments"}, "skip": 1},
        *[{"fault": "repeat_previous_page", "match": {"table": t, "page": 2}} for t in ("users", "payments", suppliers)],
        *fetches,
    ])
    run = read(s, dialect, max_retry_wait_seconds=wait)
    expected = expected_ids(s, dialect)

    assert run.returncode == 0, error_messages(run)
    assert not [rule for rule in s.stats()["faults"] if rule["fired"] < 1]
    assert run.seconds < 60  # Retry-After 99999 did not stall the read
    for table, got in deliveries([run], expected).items():
        assert not got.missing and not got.duplicates, (table, got)  # no page half-read or read twice
        _assert_complete_records(run, table)
    said = warnings(run)
    text = " ".join(said)
    capped = [w for w in said if "Retry-After 99999" in w]
    assert len(capped) == 1 and "longer than max_retry_wait_seconds" in capped[0], said
    assert f"asking again in {wait:.1f} s" in capped[0], capped
    assert "not JSON" in text and "have no id" in text and "repeats" in text, said
    assert text.count("a truncated answer") >= 2, said


# ---- ordering and state -------------------------------------------------------------------------

def test_records_ascend_and_state_never_passes_the_sync_start(server, dialect):
    s = server()
    launched = s.dataset.now.replace(microsecond=0)  # the sync's start, on the sandbox's clock
    future = launched + timedelta(days=3)
    for table in CURSOR[dialect]:
        s.dataset.touch(table, count=2, at=future)  # a server clock days ahead of ours
    run = read(s, dialect, now=launched)
    assert run.returncode == 0, error_messages(run)
    assert len(run.states) > len(TABLES)  # checkpoints along the way, not only at the end
    for table, cursor in CURSOR[dialect].items():
        problems = ordering_problems(run, table, cursor, ordered=table in ORDERED[dialect])
        assert not problems, problems
        emitted = [r[cursor] for r in run.records_of(table) if r[cursor] is not None]
        assert max(emitted) >= future.strftime("%Y-%m-%d")  # the future records were read...
        day = cursor == "payment_date"
        cap = launched.strftime("%Y-%m-%d") if day else launched.strftime("%Y-%m-%dT%H:%M:%SZ")
        values = [st["stream"]["stream_state"][cursor] for st in run.states
                  if st["stream"]["stream_descriptor"]["name"] == table and st["stream"].get("stream_state")]
        assert values and all(v <= cap for v in values), (values[-3:], cap)  # ...but state stops at sync start
        assert values[-1] == cap
