"""Shared plumbing: sandboxes, child processes measured with `os.wait4`, medians, tables."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
_RECORD_MARK = b'"type":"RECORD"'


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


@dataclass
class ChildRun:
    """One finished child: its own CPU and peak RSS (from wait4), wall time, record count."""

    returncode: int
    wall: float
    cpu: float  # user + system seconds of the child alone
    maxrss_mb: float
    records: int
    stdout: bytes = b""
    stderr: str = ""

    def messages(self) -> List[dict]:
        out = []
        for line in self.stdout.splitlines():
            if line.startswith(b"{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out


def _peak_rss_kb(pid: int) -> int:
    """The process's high-water RSS since its exec (`VmHWM`), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _PeakWatcher(threading.Thread):
    """Polls `VmHWM` (monotonic, so the last reading is the peak up to then). `ru_maxrss` from
    wait4 cannot be used: it counts the forked copy of this (big, sandbox-holding) process."""

    def __init__(self, pid: int, interval: float = 0.02):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            value = _peak_rss_kb(self.pid)
            if value:
                self.peak_kb = max(self.peak_kb, value)
            self.stop_event.wait(self.interval)


def run_child(args: Sequence[str], keep_stdout: bool = False, timeout: float = 600,
              env: Optional[dict] = None) -> ChildRun:
    """Run `args` from the repo root, stream its stdout (counting RECORD lines) and reap it with
    `os.wait4`, whose rusage is this child's alone (CPU seconds); peak RSS from `VmHWM`. `env`
    adds to this process's environment (e.g. `site_clock`)."""
    with tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(list(args), stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                   cwd=str(ROOT), env={**os.environ, **(env or {})})
        watcher = _PeakWatcher(process.pid)
        watcher.start()
        kept: List[bytes] = []
        records = 0
        carry = b""
        reader = process.stdout
        while True:
            chunk = reader.read1(1 << 20)
            if not chunk:
                break
            block = carry + chunk
            records += block.count(_RECORD_MARK)
            carry = block[-(len(_RECORD_MARK) - 1):]  # a mark split across chunks is counted once
            records -= carry.count(_RECORD_MARK)
            if keep_stdout:
                kept.append(chunk)
            if time.monotonic() - started > timeout:
                process.kill()
        reader.close()
        watcher.peak_kb = max(watcher.peak_kb, _peak_rss_kb(process.pid))  # stdout closed: about to exit
        watcher.stop_event.set()
        watcher.join()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return ChildRun(process.returncode, wall, usage.ru_utime + usage.ru_stime, watcher.peak_kb / 1024.0, records,
                    b"".join(kept), stderr)


def site_clock(server: Any) -> dict:
    """The connector's clock pinned to the sandbox's (`SOURCE_AROFLO_NOW` = its dataset's `now`):
    the sandbox's records, quota day and the connector's windows and "due" times share one clock."""
    return {"SOURCE_AROFLO_NOW": server.dataset.now.isoformat()}


class Files:
    """A temporary folder holding config / catalog / state files for child runs."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="aroflo-bench-")
        self.path = Path(self._dir.name)
        self._n = 0

    def write(self, name: str, value: Any) -> str:
        self._n += 1
        path = self.path / f"{self._n:03d}-{name}.json"
        path.write_text(json.dumps(value))
        return str(path)

    def close(self) -> None:
        self._dir.cleanup()


def connector_args(config_path: str, catalog_path: str, state_path: Optional[str] = None) -> List[str]:
    args = [PYTHON, str(ROOT / "main.py"), "read", "--config", config_path, "--catalog", catalog_path]
    if state_path:
        args += ["--state", state_path]
    return args


def module_args(module: str, config_path: str, catalog_path: str) -> List[str]:
    return [PYTHON, "-m", module, "read", "--config", config_path, "--catalog", catalog_path]


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width text table."""
    cells = [[_fmt(c) for c in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [title, line, "| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths)) + " |", line]
    for row in cells[1:]:
        out.append("| " + " | ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths)) + " |")
    out.append(line)
    return "\n".join(out)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "n/a"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(text: str) -> bool:
    return bool(text) and (text[0].isdigit() or (text[0] in "-+" and text[1:2].isdigit()))


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"
