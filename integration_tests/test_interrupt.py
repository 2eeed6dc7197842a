"""Ctrl-C (SIGINT) or a cancel from the platform (SIGTERM) in the middle of `read`.

The connector must stop where it is and say so in one line: no traceback, nothing half
written on stdout, and the exit code a shell gives a process stopped by that signal
(128 + the signal's number: 130 for SIGINT, 143 for SIGTERM). In both dialects: the zone
dialect's streams are read side by side by a pool of workers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from integration_tests.harness import (MAIN, ROOT, TABLES, configured_catalog, run_connector, sandbox_clock,
                                       sandbox_config)

ROWS = 300  # per table: with 10 records a page and 0.5 s a request, a full read takes over 15 s
INTERRUPTED = "The sync was interrupted"
# Guards against a hang, not measures of speed: a test that reaches one has failed anyway.
HANG = 60


def _start_read(config: dict, catalog: dict, folder: Path, server) -> subprocess.Popen:
    """`python main.py read` on the sandbox's clock, its output piped."""
    paths = []
    for name, value in (("config", config), ("catalog", catalog)):
        path = folder / f"{name}.json"
        path.write_text(json.dumps(value))
        paths += [f"--{name}", str(path)]
    return subprocess.Popen([sys.executable, str(MAIN), "read", *paths], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, cwd=str(ROOT),
                            env={**os.environ, **sandbox_clock(server)})


def _collect(stream, lines: list, first_record: threading.Event = None) -> threading.Thread:
    def pump() -> None:
        for line in stream:
            lines.append(line)
            if first_record is not None and line.startswith('{"type":"RECORD"'):
                first_record.set()

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("signum, exit_code, dialect",
                         [(signal.SIGINT, 130, "bearer"), (signal.SIGTERM, 143, "bearer"), (signal.SIGTERM, 143, "hmac")],
                         ids=["SIGINT", "SIGTERM", "SIGTERM-hmac"])
def test_a_signal_mid_read_stops_the_sync_cleanly(sandbox, tmp_path, signum, exit_code, dialect):
    server = sandbox(users=ROWS, suppliers=ROWS, payments=ROWS, zones=2, latency_s=0.5)
    config = sandbox_config(server, dialect, max_records_per_page=10, start_date="2023-01-01")
    proc = _start_read(config, configured_catalog("incremental", TABLES, dialect), tmp_path, server)
    stdout, stderr, first_record = [], [], threading.Event()
    pumps = [_collect(proc.stdout, stdout, first_record), _collect(proc.stderr, stderr)]
    try:
        assert first_record.wait(timeout=HANG), f"no record at all: {''.join(stdout + stderr)[-2000:]}"
        assert proc.poll() is None, "the read ended before it could be interrupted"
        proc.send_signal(signum)
        try:
            returncode = proc.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the read did not stop on {signal.Signals(signum).name}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)
    for pump in pumps:
        pump.join(timeout=5)
    out, err = "".join(stdout), "".join(stderr)

    assert returncode == exit_code, f"exit code {returncode}; stderr: {err[-2000:]}"
    assert "Traceback" not in out and "Traceback" not in err, (out + err)[-3000:]
    assert err.strip() == "", err[-2000:]

    messages = []
    for number, line in enumerate(out.splitlines(), 1):
        try:
            messages.append(json.loads(line))
        except ValueError:
            pytest.fail(f"stdout line {number} is not JSON: {line[:300]!r}")

    interrupted = [m for m in messages if m["type"] == "LOG" and INTERRUPTED in m["log"]["message"]]
    assert len(interrupted) == 1, [m["log"] for m in messages if m["type"] == "LOG"]
    log = interrupted[0]["log"]
    assert log["level"] == "WARN"
    name = signal.Signals(signum).name
    assert name in log["message"]
    assert "last checkpoint" in log["message"] and "next sync resumes from it" in log["message"]
    assert messages[-1] == interrupted[0], "something was written after the interrupted line"

    records = [m for m in messages if m["type"] == "RECORD"]
    assert 0 < len(records) < 3 * ROWS, "the read was not interrupted mid-way"
    assert not [m for m in messages if m["type"] == "TRACE" and m["trace"].get("type") == "ERROR"], \
        "an interruption is not an error of the connector"

    # The next sync resumes from the last checkpoint: with what the interrupted one delivered, every record.
    checkpoints = {}
    for m in messages:
        if m["type"] == "STATE":
            checkpoints[m["state"]["stream"]["stream_descriptor"]["name"]] = {"type": "STREAM", "stream": m["state"]["stream"]}
    assert checkpoints, "no checkpoint before the interruption"
    server.configure(latency_s=0.0)
    resumed = run_connector("read", config, configured_catalog("incremental", TABLES, dialect),
                            state=list(checkpoints.values()), now=server)
    assert resumed.returncode == 0 and not resumed.errors, resumed.errors
    for table in TABLES:
        before = {m["record"]["data"]["id"] for m in records if m["record"]["stream"] == table}
        assert before | set(resumed.ids(table)) == set(server.dataset.ids(table, "rest" if dialect == "bearer" else "zone")), table
        if before:  # it went on from the checkpoint rather than starting over
            assert len(set(resumed.ids(table))) < server.dataset.count(table), f"{table}: the next sync started over"


def _signals_blocked(pid: int) -> bool:
    """Whether the process's main thread blocks SIGINT and SIGTERM: `run()` has taken them."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    blocked = next((int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigBlk:")), 0)
    wanted = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    return blocked & wanted == wanted


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to see when the handling is in")
@pytest.mark.parametrize("signum, exit_code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)],
                         ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_start_up_ends_the_same_way(sandbox, tmp_path, signum, exit_code):
    """Importing the CDK takes about 2 s: a signal then (Ctrl-C right after pressing Enter) gets
    the same one line and exit code, not a KeyboardInterrupt traceback or a silent kill."""
    server = sandbox(users=5, suppliers=5, payments=5)
    config = sandbox_config(server, "bearer", start_date="2023-01-01")
    started = time.monotonic()
    proc = _start_read(config, configured_catalog("incremental", TABLES, "bearer"), tmp_path, server)
    try:
        while not _signals_blocked(proc.pid) and time.monotonic() - started < 1.0 and proc.poll() is None:
            time.sleep(0.005)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=HANG)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)

    assert proc.returncode == exit_code, f"exit code {proc.returncode}; stderr: {err[-2000:]}"
    assert "Traceback" not in out + err and err.strip() == "", (out + err)[-3000:]
    lines = out.splitlines()
    assert len(lines) == 1, f"expected only the interrupted line, got {len(lines)}: {out[:2000]}"
    log = json.loads(lines[0])["log"]
    assert log["level"] == "WARN" and INTERRUPTED in log["message"]
    assert signal.Signals(signum).name in log["message"]
