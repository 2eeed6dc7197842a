"""Every stream, end to end: one sandbox and a handful of `python main.py read` runs for the
whole module, then one parametrized test per stream and property.

- full refresh returns exactly the sandbox's records of the stream, each once;
- every column a record carries is declared in the discovered schema, and typed right
  (JSON-schema validation; a typed destination would drop an undeclared column);
- a first incremental sync, then changes in the sandbox, then a second sync from the saved
  state: the second delivers every changed record, and the state moves forward.
The stream names are the contract's (harness.ZONE_STREAMS), not the connector's.
"""

from __future__ import annotations

import functools

import jsonschema
import pytest

from integration_tests.harness import (STREAMS, TABLES, ZONE_STREAMS, catalog_from, expected_keys, key_of,
                                       run_connector, sandbox_config)
from integration_tests.sandbox import Dataset, SandboxServer

PAGE = 5  # several pages a stream


class Reads:
    """The module's sandbox and runs, done once and only when a test first needs them."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.server = SandboxServer(Dataset(users=23, suppliers=17, payments=31, zones=13)).start()
        self.config = sandbox_config(self.server, dialect, max_records_per_page=PAGE)

    @functools.cached_property
    def discovered(self) -> dict:
        run = run_connector("discover", self.config)
        assert run.returncode == 0, run.stderr[-2000:]
        return run.catalog()

    @functools.cached_property
    def streams(self) -> dict:
        return {s["name"]: s for s in self.discovered["streams"]}

    @functools.cached_property
    def full(self):
        # The expected keys are taken before the read (the sandbox changes later in the module).
        self.full_expected = {n: {str(k) for k in expected_keys(self.server, n, self.dialect)} for n in self.streams}
        return _ok(run_connector("read", self.config, catalog_from(self.discovered, "full_refresh")))

    @functools.cached_property
    def incremental(self):
        """(first sync, ids changed per stream, second sync from the first's state)."""
        _ = self.full  # the full refresh reads the untouched sandbox first
        catalog = catalog_from(self.discovered, "incremental")
        first = _ok(run_connector("read", self.config, catalog))
        data, changed = self.server.dataset, {}
        for name, stream in self.streams.items():
            if "incremental" not in stream["supported_sync_modes"] or name == "lastupdate":
                continue
            ids = data.ids(name, "rest" if self.dialect == "bearer" else "zone")
            picks = [ids[0], ids[len(ids) // 2]]
            data.touch(name, ids=picks)
            changed[name] = set(picks)
        second = _ok(run_connector("read", self.config, catalog, state=first.final_state()))
        return first, changed, second

    def stop(self) -> None:
        self.server.stop()


def _ok(run):
    assert run.returncode == 0 and not run.errors, (run.errors, run.stderr[-2000:])
    assert "Traceback" not in run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def reads():
    made = {}

    def get(dialect: str) -> Reads:
        if dialect not in made:
            made[dialect] = Reads(dialect)
        return made[dialect]

    yield get
    for r in made.values():
        r.stop()


CASES = [("hmac", name) for name in ZONE_STREAMS] + [("bearer", name) for name in TABLES]
IDS = [f"{d}-{n}" for d, n in CASES]


def test_discover_offers_exactly_the_dialects_streams(reads):
    for dialect in ("hmac", "bearer"):
        assert set(reads(dialect).streams) == set(STREAMS[dialect]), dialect


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_full_refresh_returns_exactly_the_sandbox_records(reads, dialect, name):
    r = reads(dialect)
    stream = r.streams[name]
    got = [str(key_of(stream)(record)) for record in r.full.records_of(name)]
    assert len(got) == len(set(got)), f"{name}: a record read twice"
    assert set(got) == r.full_expected[name], (sorted(set(got) ^ r.full_expected[name])[:5])
    assert got, f"{name}: the sandbox serves records for every stream"


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_every_column_is_declared_and_typed(reads, dialect, name):
    r = reads(dialect)
    schema = r.streams[name]["json_schema"]
    declared = set(schema["properties"])
    validator = jsonschema.Draft7Validator(schema)
    for record in r.full.records_of(name):
        undeclared = set(record) - declared
        assert not undeclared, f"{name}: columns not in the schema: {sorted(undeclared)}"
        errors = sorted(validator.iter_errors(record), key=str)
        assert not errors, f"{name}: {errors[0].json_path}: {errors[0].message}"
        for column, value in record.items():
            if isinstance(value, str) and schema["properties"][column].get("format") == "date-time":
                assert value.endswith("Z") and value[10] == "T", (name, column, value)


# The contract's incremental zones: an update time of their own (issue 10), the change feed's
# zones (§5.6), payments on their date paid, and the change feed itself.
OWN_UPDATE_TIME = {"users", "tasks", "invoices", "bills", "locations", "assets", "inventorystocklevels", "inventory"}
FEED = {"tasks", "purchaseorders", "invoices", "clients", "suppliers", "locations", "tasklabours", "taskmaterials",
        "taskexpenses", "quotes"}
INCREMENTAL_ZONES = OWN_UPDATE_TIME | FEED | {"payments", "lastupdate"}
INCREMENTAL = [(d, n) for d, n in CASES if n != "lastupdate" and (d == "bearer" or n in INCREMENTAL_ZONES)]


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_incremental_is_offered_exactly_where_aroflo_allows_it(reads, dialect, name):
    modes = reads(dialect).streams[name]["supported_sync_modes"]
    wanted = dialect == "bearer" or name in INCREMENTAL_ZONES
    assert modes == (["full_refresh", "incremental"] if wanted else ["full_refresh"]), (name, modes)


@pytest.mark.parametrize("dialect, name", INCREMENTAL, ids=[f"{d}-{n}" for d, n in INCREMENTAL])
def test_an_incremental_sync_picks_up_every_change(reads, dialect, name):
    r = reads(dialect)
    stream = r.streams[name]
    first, changed, second = r.incremental
    cursor = stream["default_cursor_field"][0]
    assert first.stream_state(name) and cursor in first.stream_state(name), first.stream_state(name)
    id_column = stream["source_defined_primary_key"][0][0]
    delivered = {record[id_column] for record in second.records_of(name)}
    assert changed[name] <= delivered, f"{name}: missing {changed[name] - delivered}"
    # Nothing else came again but what sits on the saved instant (the boundary is inclusive).
    saved = first.stream_state(name)[cursor]
    others = [record.get(cursor) for record in second.records_of(name) if record[id_column] not in changed[name]]
    assert all((value or "")[:len(saved)] == saved for value in others), (name, saved, others[:5])
    assert second.stream_state(name)[cursor] > first.stream_state(name)[cursor], (name, second.stream_state(name))
