"""Run the connector as a person or Airbyte would: `python main.py <command>` in a subprocess.

Used by the end-to-end, reliability and acceptance tests and by the demo. Every run gets its
own temporary folder for config, catalog and state files; `Run` splits the output by type.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "main.py"
TABLES = ("users", "suppliers", "payments")


def _documented_streams() -> tuple:
    """What discover must offer in the zone dialect, from AroFlo's API documentation (the docs
    fixture `aroflo_docs`, not the connector): every documented zone with a GET (all but
    `taskresources`), then the child streams cut from a zone's arrays — `<zone>_lines` for the
    zones whose records carry `lines` filled by the `lineitems` join, `<zone>_customfields` for
    the zones with a `customfields` join. A zone or child the connector forgets fails the tests."""
    from integration_tests import aroflo_docs

    zones = aroflo_docs.load()
    readable = tuple(sorted(name for name, facts in zones.items() if facts["get"]))
    children = tuple(
        [f"{name}_lines" for name in readable
         if "lineitems" in zones[name]["joins"] and "lines" in zones[name]["fields"]]
        + [f"{name}_customfields" for name in readable if "customfields" in zones[name]["joins"]])
    return readable, children


# The zone streams (one per documented zone with a GET) and the child streams, as AroFlo documents them.
ZONE_STREAMS, CHILD_STREAMS = _documented_streams()
STREAMS = {"bearer": TABLES, "hmac": ZONE_STREAMS}  # the zone streams of each dialect
# Everything discover offers in each dialect: the zone dialect's child streams too.
OFFERED = {"bearer": TABLES, "hmac": ZONE_STREAMS + CHILD_STREAMS}
# The environment variable that pins the connector's clock (a sync's start, "due", windows).
CLOCK_ENV = "SOURCE_AROFLO_NOW"


def sandbox_config(server: Any, dialect: str, **overrides: Any) -> dict:
    """A config for `server` (a SandboxServer) in `dialect` ("bearer" or "hmac")."""
    from integration_tests.sandbox import BEARER_TOKEN, ZONE_CREDENTIALS

    if dialect == "bearer":
        config = {"credentials": {"auth_type": "bearer", "api_key": BEARER_TOKEN}, "base_url": server.rest_base_url}
    else:
        config = {"credentials": {"auth_type": "hmac", **ZONE_CREDENTIALS}, "base_url": server.zone_base_url,
                  "requests_per_second": 50, "requests_per_minute": 3000}
    config.update(overrides)
    return config


def sandbox_clock(server: Any) -> dict:
    """The environment that runs the connector on the sandbox's clock (`dataset.now`): a sync's
    start, what is due, the windows and AroFlo's quota day then agree with the sandbox's data."""
    data = getattr(server, "dataset", server)
    return {CLOCK_ENV: data.now.strftime("%Y-%m-%dT%H:%M:%SZ")}


def configured_catalog(mode: str = "incremental", streams: Iterable[str] = TABLES, dialect: str = "bearer") -> dict:
    """What Airbyte sends to `read`: every named stream in `mode` (falls back to full refresh
    for a stream with no cursor in that dialect)."""
    cursors = {"bearer": {t: "updated_at" for t in TABLES},
               "hmac": {"users": "updated_at", "suppliers": "updated_at", "payments": "payment_date"}}[dialect]
    result = []
    for name in streams:
        cursor = cursors.get(name)
        sync_mode = mode if cursor else "full_refresh"
        result.append({
            "stream": {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh"] + (["incremental"] if cursor else []),
                       "source_defined_cursor": True, "default_cursor_field": [cursor] if cursor else [],
                       "source_defined_primary_key": [["id"]]},
            "sync_mode": sync_mode,
            "destination_sync_mode": "append_dedup" if sync_mode == "incremental" else "overwrite",
            "cursor_field": [cursor] if (cursor and sync_mode == "incremental") else [],
            "primary_key": [["id"]],
        })
    return {"streams": result}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    messages: list = field(default_factory=list)

    def of_type(self, kind: str) -> list:
        return [m for m in self.messages if m.get("type") == kind]

    @property
    def records(self) -> list:
        return [m["record"] for m in self.of_type("RECORD")]

    def records_of(self, stream: str) -> list:
        return [r["data"] for r in self.records if r["stream"] == stream]

    def ids(self, stream: str) -> list:
        return [r["id"] for r in self.records_of(stream)]

    @property
    def states(self) -> list:
        return [m["state"] for m in self.of_type("STATE")]

    def final_state(self) -> list:
        """The last state message of each stream, as a state file for the next run."""
        last = {}
        for state in self.states:
            stream = state.get("stream", {}).get("stream_descriptor", {}).get("name")
            if stream:
                last[stream] = {"type": "STREAM", "stream": state["stream"]}
        return list(last.values())

    def stream_state(self, stream: str) -> Optional[dict]:
        for state in reversed(self.states):
            if state.get("stream", {}).get("stream_descriptor", {}).get("name") == stream:
                return state["stream"].get("stream_state")
        return None

    def stream_statuses(self, stream: str) -> list:
        """The STREAM_STATUS trace statuses of one stream, in order (STARTED, RUNNING, COMPLETE...)."""
        return [m["trace"]["stream_status"]["status"] for m in self.of_type("TRACE")
                if m["trace"].get("type") == "STREAM_STATUS"
                and m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream]

    @property
    def errors(self) -> list:
        return [m["trace"]["error"] for m in self.of_type("TRACE") if m["trace"].get("type") == "ERROR"]

    @property
    def logs(self) -> list:
        return [m["log"] for m in self.of_type("LOG")]

    def log_lines(self, level: Optional[str] = None, starting: str = "") -> list:
        """The log messages (of one level, starting with a text)."""
        return [log["message"] for log in self.logs
                if (level is None or log["level"] == level) and log["message"].startswith(starting)]

    def connection_status(self) -> Optional[dict]:
        found = self.of_type("CONNECTION_STATUS")
        return found[-1]["connectionStatus"] if found else None

    def catalog(self) -> Optional[dict]:
        found = self.of_type("CATALOG")
        return found[-1]["catalog"] if found else None


def run_connector(command: str, config: Optional[dict] = None, catalog: Optional[dict] = None,
                  state: Any = None, timeout: float = 300, extra_args: Iterable[str] = (),
                  executable: Optional[list] = None, env: Optional[dict] = None, now: Any = None) -> Run:
    """`python main.py <command> --config ... [--catalog ...] [--state ...]`; never raises on exit codes.
    `now`: a SandboxServer or Dataset whose clock the connector runs on (`sandbox_clock`)."""
    if now is not None:
        env = {**sandbox_clock(now), **(env or {})}
    with tempfile.TemporaryDirectory(prefix="aroflo-run-") as folder:
        args = list(executable or [sys.executable, str(MAIN)]) + [command]
        for flag, value in (("--config", config), ("--catalog", catalog), ("--state", state)):
            if value is not None:
                path = Path(folder) / f"{flag[2:]}.json"
                path.write_text(json.dumps(value))
                args += [flag, str(path)]
        args += list(extra_args)
        started = time.monotonic()
        completed = subprocess.run(args, capture_output=True, text=True, timeout=timeout, cwd=str(ROOT),
                                   env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - started
    messages = []
    for line in completed.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                messages.append(json.loads(line))
            except ValueError:
                pass
    return Run(completed.returncode, completed.stdout, completed.stderr, seconds, messages)


def catalog_from(discovered: dict, mode: str = "incremental", streams: Optional[Iterable[str]] = None) -> dict:
    """A configured catalog of what `discover` offered: every stream (or the named ones) in
    `mode`, falling back to full refresh for a stream that offers no incremental sync."""
    wanted = set(streams) if streams is not None else None
    out = []
    for stream in discovered["streams"]:
        if wanted is not None and stream["name"] not in wanted:
            continue
        incremental = mode == "incremental" and "incremental" in stream["supported_sync_modes"]
        out.append({"stream": stream, "sync_mode": "incremental" if incremental else "full_refresh",
                    "destination_sync_mode": "append_dedup" if incremental else "overwrite",
                    "cursor_field": list(stream.get("default_cursor_field") or []) if incremental else [],
                    "primary_key": stream["source_defined_primary_key"]})
    return {"streams": out}


def key_of(stream: dict) -> Any:
    """A function giving a record's primary key (a tuple for a composite key)."""
    columns = [k[0] for k in stream["source_defined_primary_key"]]
    if len(columns) == 1:
        return lambda record: record[columns[0]]
    return lambda record: tuple(record[c] for c in columns)


# Streams of one row per item of a zone's array (`<zone>_lines`, `<zone>_customfields`): the
# array, the join that fills it, and the item's key. Keyed (parent id, item key).
CHILD_ARRAYS = {"lines": ("lineitems", "lineid"), "customfields": ("customfields", "fieldid")}


def child_stream(name: str) -> Optional[tuple]:
    """(zone, array, join, item key) of a child stream's name, else None."""
    zone, _, array = name.rpartition("_")
    if zone and array in CHILD_ARRAYS:
        return (zone, array) + CHILD_ARRAYS[array]
    return None


def expected_keys(server: Any, name: str, dialect: str) -> set:
    """The primary keys of every record the sandbox holds in one stream (ids in its dialect)."""
    data = server.dataset
    if name == "lastupdate":
        from integration_tests.sandbox.dataset import FEED_TABLES
        tables = getattr(getattr(server, "zone", None), "feed_tables", FEED_TABLES)
        return {(table, data.zone_id(table, i)) for table in tables for i in range(data.count(table))}
    if name == "inventorystocklevels":
        return {(r["itemid"], r["assignedtoid"]) for r in data.zone_records(name)}
    child = child_stream(name)
    if child is not None:
        from integration_tests.sandbox.zone import record_id_field
        zone, array, join, item_key = child
        parent_key = record_id_field(zone)
        return {(record[parent_key], str(item[item_key])) for record in data.zone_records(zone, joins=[join])
                for item in record.get(array) or [] if item.get(item_key) not in (None, "", " ")}
    return set(data.ids(name, "rest" if dialect == "bearer" else "zone"))


def as_key(value: Any) -> tuple:
    """A primary key as a tuple of strings, whatever its JSON type in a record or in the sandbox."""
    return tuple(str(v) for v in value) if isinstance(value, tuple) else (str(value),)


def keys_read(run: Run, stream: dict) -> list:
    """The primary keys of the records of one discovered stream in a run (`as_key`), in order."""
    key = key_of(stream)
    return [as_key(key(record)) for record in run.records_of(stream["name"])]


def expected_key_set(server: Any, name: str, dialect: str) -> set:
    """`expected_keys` as `as_key` tuples, comparable with `keys_read`."""
    return {as_key(k) for k in expected_keys(server, name, dialect)}


def past_melbourne_midnight(server: Any) -> None:
    """Move the sandbox's clock past the next 00:00 Australia/Melbourne, when AroFlo's daily
    counters reset."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    now = server.dataset.now
    local = now.astimezone(ZoneInfo("Australia/Melbourne"))
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
    server.dataset.advance((midnight - now).total_seconds())
