"""Fault matrix: every sandbox fault x both dialects, end to end through `main.py read`.

    python -m integration_tests.fault_matrix [--workers 2] [--only http_503,reset]

Prints a markdown table: fault x dialect -> records expected / delivered / duplicates / wall
time / exit code / verdict. "Expected" is every record of the sandbox dataset (an incremental
sync from 2000-01-01 covers all of them); "delivered" counts distinct expected ids that arrived.
A fault that must be survived passes when everything arrived and the exit code is 0; a fault
that never stops (`times: -1`) passes when the read fails within the retry bound with an error
trace naming the endpoint and no traceback.

The helpers here (fast config, dataset expectations, delivery accounting, message checks) are
shared by `test_reliability.py` and `test_secrets.py`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from integration_tests.harness import TABLES, Run, configured_catalog, run_connector, sandbox_config
from integration_tests.sandbox import Dataset, SandboxServer

DIALECTS = ("bearer", "hmac")
SANDBOX_DIALECT = {"bearer": "rest", "hmac": "zone"}
CURSOR = {"bearer": {t: "updated_at" for t in TABLES}, "hmac": {"users": "updated_at", "payments": "payment_date"}}
# Sizes that give every table 16+ pages of 5 records, so faults spaced 3 requests apart all fire.
SIZES = {"users": 100, "suppliers": 80, "payments": 120}
PAGE_SIZE = 5
TRACEBACK = "Traceback (most recent call last)"


def fast_config(server: SandboxServer, dialect: str, **overrides: Any) -> dict:
    """A config that reads everything (start_date far back) and gives up quickly."""
    config = sandbox_config(server, dialect, start_date="2000-01-01", max_records_per_page=PAGE_SIZE,
                            retry_attempts=4, max_retry_wait_seconds=2, request_timeout_seconds=2)
    config.update(overrides)
    return config


EARLY = "early"  # `read(state=EARLY)`: every cursor stream starts from a state before any record


def early_state(dialect: str, streams=TABLES) -> list:
    """A saved state before every record: the read is a later sync (seek / change feed), not a
    first sync (which in the zone dialect reads in pages by number)."""
    out = []
    for table in streams:
        cursor = CURSOR[dialect].get(table) or ("updated_at" if dialect == "hmac" and table == "suppliers" else None)
        if cursor:
            value = "2000-01-01" if cursor == "payment_date" else "2000-01-01T00:00:00Z"
            out.append({"type": "STREAM", "stream": {"stream_descriptor": {"name": table},
                                                     "stream_state": {cursor: value}}})
    return out


def read(server: SandboxServer, dialect: str, state: Any = EARLY, streams=TABLES, mode: str = "incremental",
         timeout: float = 240, **overrides: Any) -> Run:
    if isinstance(state, str) and state == EARLY:
        state = early_state(dialect, streams) if mode == "incremental" else None
    return run_connector("read", fast_config(server, dialect, **overrides),
                         configured_catalog(mode, streams, dialect), state=state, timeout=timeout)


def expected_ids(server: SandboxServer, dialect: str, streams=TABLES, first_sync: bool = False) -> Dict[str, set]:
    """Every record, but (zone dialect, a later sync) those whose cursor AroFlo leaves blank:
    no date filter can find them; only a first sync or a full refresh delivers them."""
    data = server.dataset
    out = {}
    for t in streams:
        ids = data.ids(t, SANDBOX_DIALECT[dialect])
        blank = set() if (first_sync or dialect != "hmac") else data.blank.get(t, set())
        out[t] = {ident for i, ident in enumerate(ids) if i not in blank}
    return out


def touched_ids(server: SandboxServer, dialect: str, table: str) -> set:
    """Ids of records changed since the dataset was built (touch / mutate_during_read)."""
    ds = server.dataset
    with ds.lock:
        return {ds.ids(table, SANDBOX_DIALECT[dialect])[i] for i, rev in enumerate(ds.rev[table]) if rev}


@dataclass
class Delivery:
    expected: int
    delivered: int
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    duplicates: Dict[str, int] = field(default_factory=dict)  # id -> extra copies

    @property
    def duplicate_count(self) -> int:
        return sum(self.duplicates.values())


def delivery(ids: List[str], expected: set) -> Delivery:
    counts = Counter(ids)
    got = set(counts)
    return Delivery(expected=len(expected), delivered=len(got & expected), missing=sorted(expected - got),
                    unexpected=sorted(got - expected), duplicates={i: n - 1 for i, n in counts.items() if n > 1})


def deliveries(runs: List[Run], expected: Dict[str, set]) -> Dict[str, Delivery]:
    return {t: delivery([i for run in runs for i in run.ids(t)], ids) for t, ids in expected.items()}


def messages_in_order(run: Run, stream: str) -> List[tuple]:
    """("RECORD", data) / ("STATE", stream_state) of one stream, in emission order."""
    out = []
    for message in run.messages:
        if message.get("type") == "RECORD" and message["record"]["stream"] == stream:
            out.append(("RECORD", message["record"]["data"]))
        elif message.get("type") == "STATE":
            st = message["state"].get("stream", {})
            if st.get("stream_descriptor", {}).get("name") == stream:
                out.append(("STATE", st.get("stream_state") or {}))
    return out


def ordering_problems(run: Run, stream: str, cursor: str) -> List[str]:
    """Records must come in ascending cursor order, and no record emitted after a STATE may
    lie strictly below that state's cursor (the checkpoint would have skipped it)."""
    problems = []
    last_record = None
    checkpoint = None
    for kind, payload in messages_in_order(run, stream):
        if kind == "STATE":
            value = payload.get(cursor)
            if value is not None:
                if checkpoint is not None and value < checkpoint:
                    problems.append(f"state went backwards: {value} after {checkpoint}")
                checkpoint = value
            continue
        value = _key(payload.get(cursor), cursor)
        if value is None:
            # Only a first sync's sweep, before any checkpoint, emits records whose cursor is blank.
            if checkpoint is not None:
                problems.append(f"record {payload.get('id')} has no {cursor} (after state {checkpoint})")
            continue
        if last_record is not None and value < last_record:
            problems.append(f"record {payload['id']} {cursor}={value} after {last_record}")
        last_record = value
        if checkpoint is not None and value < _key(checkpoint, cursor):
            problems.append(f"record {payload['id']} {cursor}={value} emitted after state {checkpoint}")
    return problems


def _key(value: Optional[str], cursor: str) -> Optional[str]:
    """Cursor values as emitted are UTC `...Z` date-times or dates: comparable as text."""
    if value is None:
        return None
    return value[:10] if cursor == "payment_date" else value[:19]


def stdout_problems(run: Run) -> List[str]:
    """Things that must never reach stdout: tracebacks (also inside traces and logs) and
    lines that are not Airbyte messages."""
    problems = []
    if TRACEBACK in run.stdout:
        problems.append("a Python traceback reached stdout")
    for line in run.stdout.splitlines():
        if line.strip() and not line.strip().startswith("{"):
            problems.append(f"non-JSON line on stdout: {line[:120]!r}")
            break
    return problems


def error_messages(run: Run) -> List[str]:
    return [(e.get("message") or "") + " | " + (e.get("internal_message") or "") for e in run.errors]


def mixed_plan(dialect: str) -> List[dict]:
    """Every transient fault the sandbox knows, spread over the three tables.

    Rules on one table get skips 0, 2, 4, ...: the first live matching rule fires, so they then
    fire on that table's requests 0, 3, 6, ... with two good answers between (the retry, and
    the next page); a retry budget of 4 is never exhausted.
    """
    per_table = {
        "users": [
            {"fault": "http_429", "retry_after": "2"},
            {"fault": "http_500"},
            {"fault": "reset"},
            {"fault": "truncated_json"},
            {"fault": "missing_id", "index": 3},
            {"fault": "mutate_during_read", "count": 3, "pick": "first"},
            {"fault": "zone_status", "code": 6},
        ],
        "suppliers": [
            {"fault": "http_429", "retry_after": "http-date", "retry_after_s": 2},
            {"fault": "http_502"},
            {"fault": "slow", "seconds": 3.0},  # above request_timeout_seconds=2
            {"fault": "html_error", "status": 200},
            {"fault": "zone_status", "code": 8, "max_page_size": PAGE_SIZE - 2},
            {"fault": "mutate_during_read", "count": 2, "pick": "first"},
        ],
        "payments": [
            {"fault": "http_503"},
            {"fault": "non_json"},
            {"fault": "slow", "seconds": 1.0},  # below the timeout: just slow
            {"fault": "html_error", "status": 502},
            {"fault": "zone_status", "code": 888888},
            {"fault": "mutate_during_read", "count": 3, "pick": "first"},
        ],
    }
    rules = []
    for table, faults in per_table.items():
        # Zone suppliers sync through the change feed: most of their requests are the feed's
        # pages (the `lastupdate` zone); the changed suppliers are then fetched 50 at a time.
        wire = "lastupdate" if (dialect == "hmac" and table == "suppliers") else table
        # Page 2 exists in every stream: the seek streams (the feed too) step through the
        # dataset's cluster of 7 records on one cursor value by page number.
        rules.append({"fault": "repeat_previous_page", "match": {"table": wire, "page": 2}, "times": 1})
        live = [f for f in faults if f["fault"] != "zone_status" or dialect == "hmac"]
        for i, fault in enumerate(live):
            on = table if fault["fault"] == "mutate_during_read" else wire  # edits: of the table itself
            rules.append({**fault, "match": {"table": on}, "skip": 2 * i if on == wire else 0, "times": 1})
    return rules


# ---- the matrix -------------------------------------------------------------------------------

@dataclass
class Scenario:
    name: str
    rules: Callable[[str], List[dict]]
    survive: bool = True  # False: the fault never stops; the read must fail cleanly
    dialects: tuple = DIALECTS
    overrides: dict = field(default_factory=dict)


def _on_each_table(fault: dict, skip: int = 1, times: int = 1) -> Callable[[str], List[dict]]:
    return lambda dialect: [{**fault, "match": {"table": t}, "skip": skip, "times": times} for t in TABLES]


SCENARIOS = [
    Scenario("none (baseline)", lambda d: []),
    Scenario("http_429 Retry-After 2", _on_each_table({"fault": "http_429", "retry_after": "2"})),
    Scenario("http_429 Retry-After date", _on_each_table({"fault": "http_429", "retry_after": "http-date", "retry_after_s": 2})),
    Scenario("http_500", _on_each_table({"fault": "http_500"})),
    Scenario("http_502", _on_each_table({"fault": "http_502"})),
    Scenario("http_503 x2", _on_each_table({"fault": "http_503"}, times=2)),
    Scenario("reset", _on_each_table({"fault": "reset"})),
    Scenario("slow 1 s (< timeout)", _on_each_table({"fault": "slow", "seconds": 1.0})),
    Scenario("slow 3 s (> timeout)", _on_each_table({"fault": "slow", "seconds": 3.0})),
    Scenario("truncated_json", _on_each_table({"fault": "truncated_json"})),
    Scenario("html_error 502", _on_each_table({"fault": "html_error", "status": 502})),
    Scenario("html_error 200", _on_each_table({"fault": "html_error", "status": 200})),
    Scenario("non_json", _on_each_table({"fault": "non_json"})),
    Scenario("zone_status 6", _on_each_table({"fault": "zone_status", "code": 6}), dialects=("hmac",)),
    Scenario("zone_status 8 (pageSize > 3)", _on_each_table({"fault": "zone_status", "code": 8, "max_page_size": 3}),
             dialects=("hmac",)),
    Scenario("zone_status 888888", _on_each_table({"fault": "zone_status", "code": 888888}), dialects=("hmac",)),
    Scenario("repeat_previous_page", lambda d: [{"fault": "repeat_previous_page", "match": {"table": t, "page": 2}}
                                                for t in TABLES]),
    Scenario("missing_id (once)", _on_each_table({"fault": "missing_id", "index": 2})),
    Scenario("mutate_during_read", _on_each_table({"fault": "mutate_during_read", "count": 3, "pick": "first"}, skip=2)),
    Scenario("absurd Retry-After 99999", _on_each_table({"fault": "absurd_retry_after"})),
    Scenario("mixed plan", mixed_plan),
    Scenario("http_503 always", _on_each_table({"fault": "http_503"}, skip=0, times=-1), survive=False,
             overrides={"retry_attempts": 2}),
    Scenario("reset always", _on_each_table({"fault": "reset"}, skip=0, times=-1), survive=False,
             overrides={"retry_attempts": 2}),
    Scenario("missing_id always", _on_each_table({"fault": "missing_id"}, skip=0, times=-1), survive=False,
             overrides={"retry_attempts": 2}),
    Scenario("zone_status 7 (daily limit)", lambda d: [{"fault": "zone_status", "code": 7, "skip": 4, "times": -1}],
             survive=False, dialects=("hmac",)),
]


def run_scenario(scenario: Scenario, dialect: str) -> dict:
    with SandboxServer(Dataset(**SIZES), faults=scenario.rules(dialect)) as server:
        expected = expected_ids(server, dialect)
        run = read(server, dialect, **scenario.overrides)
        fired = sum(server.stats()["faults_fired"].values())
    got = deliveries([run], expected)
    exp = sum(d.expected for d in got.values())
    delivered = sum(d.delivered for d in got.values())
    dups = sum(d.duplicate_count for d in got.values())
    problems = stdout_problems(run)
    if scenario.survive:
        ok = run.returncode == 0 and delivered == exp and not run.errors and not problems
    else:
        ok = run.returncode != 0 and bool(run.errors) and not problems
    return {"fault": scenario.name, "dialect": dialect, "expected": exp, "delivered": delivered,
            "duplicates": dups, "seconds": run.seconds, "exit": run.returncode, "fired": fired,
            "verdict": ("ok" if ok else "FAIL") + ("" if scenario.survive else " (fails cleanly)" if ok else "")}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="scenarios run side by side")
    parser.add_argument("--only", default="", help="comma-separated substrings of scenario names")
    args = parser.parse_args(argv)
    wanted = [s for s in SCENARIOS if not args.only or any(w in s.name for w in args.only.split(","))]
    jobs = [(s, d) for s in wanted for d in s.dialects]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        rows = list(pool.map(lambda job: run_scenario(*job), jobs))
    print("| fault | dialect | expected | delivered | duplicates | faults fired | wall time | exit | verdict |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['fault']} | {r['dialect']} | {r['expected']} | {r['delivered']} | {r['duplicates']} | "
              f"{r['fired']} | {r['seconds']:.1f} s | {r['exit']} | {r['verdict']} |")
    failed = [r for r in rows if not r["verdict"].startswith("ok")]
    print(f"\n{len(rows)} runs, {len(failed)} failed, {time.monotonic() - started:.0f} s "
          f"({args.workers} at a time)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
