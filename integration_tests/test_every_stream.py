"""Every stream, end to end: one sandbox per dialect and a handful of `python main.py read` runs
for the whole module, then one parametrized test per stream and property.

The streams are AroFlo's documented ones (`harness.OFFERED`: every documented zone with a GET, and
the child streams cut from their `lines` and `customfields`), and every expected record is what the
sandbox holds (`harness.expected_keys`), never what the connector says. For every stream:

- a full refresh returns exactly the sandbox's records, each once; every column it carries is
  declared in the discovered schema and typed right, and every zone stream declares its cursor and
  `_ab_cdc_deleted_at`;
- every stream syncs incrementally, on the cursor its zone's change signal gives;
- a first incremental sync delivers every record; then the sandbox changes (two records edited and
  one added in every zone, one deleted in every change-feed zone) and the next sync, an hour
  later, delivers what that signal shows: every changed record of a zone with an update time or
  in the change feed (a deletion as a deletion), the new records of a dated zone, nothing of a
  zone without a change signal; a day later the dated zones' re-read window and the other zones'
  full re-read come round and bring every edit.

Every run is on the sandbox's clock (`SOURCE_AROFLO_NOW`): "an hour later" is the sandbox's hour.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone

import jsonschema
import pytest

from integration_tests.harness import (CHILD_ARRAYS, CHILD_STREAMS, OFFERED, TABLES, ZONE_STREAMS, as_key,
                                       catalog_from, child_stream, expected_key_set, keys_read, run_connector,
                                       sandbox_config)
from integration_tests.sandbox import Dataset, SandboxServer
from integration_tests.sandbox.dataset import FEED_ZONES

PAGE = 5  # several pages a stream
# A business of 0.9 years, re-read within 365 days: the edits fall inside the re-read window (an
# edit to a record dated before the window is not promised: the README's caveat of dated zones).
YEARS, WINDOW_DAYS = 0.9, 365
HOUR = 3600

# How AroFlo lets a sync find what changed, written out from its documentation (not read from
# the connector):
# - zones with an update time of their own to filter on (inventory's documented update-time
#   filters apply to its joined stock levels, not to the item: it has none), and the change
#   feed's zones: cursor `updated_at`;
CHANGES = frozenset(FEED_ZONES) | {"users", "assets", "bills", "inventorystocklevels", "invoices", "locations",
                                   "tasks", "lastupdate"}
# - zones with only a date (their records' own date: timesheets' workdate, payments' date
#   paid...): new records every sync, a re-read window once a day; cursor `read_at`, payments
#   their `payment_date`;
DATED = frozenset({"timesheets", "schedules", "contacts", "projects", "clientnotes", "messagetemplates", "workorders",
                   "trackingcentres", "payments"})
# - every other zone has no change signal: read in full at most every `refresh_hours` (24).
# The sandbox has no custom field for a location (AroFlo's docs show none): nothing to read there.
EMPTY_IN_SANDBOX = {"locations_customfields"}


def _zone(name: str) -> str:
    child = child_stream(name)
    return child[0] if child else name


def _reading(dialect: str, name: str) -> str:
    """'changes', 'dated' or 'refresh': how an incremental sync finds what changed in the stream."""
    zone = _zone(name)
    if dialect == "bearer" or zone in CHANGES:
        return "changes"
    return "dated" if zone in DATED else "refresh"


def _cursor(dialect: str, name: str) -> str:
    if dialect == "bearer" or _reading(dialect, name) == "changes":
        return "updated_at"
    return "payment_date" if name == "payments" else "read_at"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Reads:
    """The module's sandbox and runs in one dialect, done once and only when a test first needs them."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.server = SandboxServer(Dataset(users=23, suppliers=17, payments=31, zones=13, years=YEARS)).start()
        self.data = self.server.dataset
        self.config = sandbox_config(self.server, dialect, max_records_per_page=PAGE, start_date="2000-01-01",
                                     re_read_window_days=WINDOW_DAYS)

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
        # What the sandbox holds is taken before the read (the sandbox changes later in the module).
        self.full_expected = {n: expected_key_set(self.server, n, self.dialect) for n in self.streams}
        return _ok(run_connector("read", self.config, catalog_from(self.discovered, "full_refresh"), now=self.data))

    def _key_at(self, zone: str, i: int) -> tuple:
        if self.dialect == "bearer":
            return (self.data.rest_id(zone, i),)
        if zone == "inventorystocklevels":
            record = self.data.zone_record(zone, i)
            return (record["itemid"], record["assignedtoid"])
        return (self.data.zone_id(zone, i),)

    def _zone_key(self, zone: str, record_id: str) -> tuple:
        return self._key_at(zone, self.data.index_of(zone, record_id))

    def changed_since(self, name: str, cursor: str, inclusive: bool) -> set:
        """Keys of the records of a zone (or the change feed's entries) whose change time in the
        sandbox is after `cursor` (or at it, when `inclusive`)."""
        data = self.data
        if name == "lastupdate":
            tables = [z for z in FEED_ZONES if z in data.updated]
            return {(z, data.zone_id(z, i)) for z in tables for i in range(data.count(z))
                    if (_iso(data.updated_ts(z, i)) >= cursor if inclusive else _iso(data.updated_ts(z, i)) > cursor)}
        blank = set() if name in FEED_ZONES else data.blank[name]  # a seek cannot see a blank update time
        deleted = data.deleted(name)
        found = set()
        for i in range(data.count(name)):
            if i in blank or (i in deleted and name not in FEED_ZONES):
                continue
            stamp = _iso(data.updated_ts(name, i))
            if stamp > cursor or (inclusive and stamp == cursor):
                found.add(self._key_at(name, i))
        return found

    def created_within_window(self, zone: str, key: tuple) -> bool:
        """Whether the sandbox created the record within the re-read window (two days' margin for
        the site's local dates): only an edit to such a record of a dated zone is promised to arrive
        (README: an edit to an older one needs a full refresh). The sandbox's tracking centres date
        from the site's set-up, years back: their edits are not promised."""
        created = self.data.created[zone][self.data.index_of(zone, key[0])]
        return self.data.now_ts - created < (WINDOW_DAYS - 2) * 24 * HOUR

    def children_of(self, name: str, parents: set) -> set:
        """Keys of a child stream's rows that belong to the given parent keys, as the sandbox holds them."""
        from integration_tests.sandbox.zone import record_id_field

        zone, array, join, item_key = child_stream(name)
        parent_key = record_id_field(zone)
        return {(record[parent_key], str(item[item_key])) for record in self.data.zone_records(zone, joins=[join])
                if (record[parent_key],) in parents
                for item in record.get(array) or [] if item.get(item_key) not in (None, "", " ")}

    @functools.cached_property
    def incremental(self) -> dict:
        """The first sync, the sandbox's changes, the next sync an hour later and one a day later."""
        _ = self.full  # the full refresh reads the untouched sandbox first
        data, catalog = self.data, catalog_from(self.discovered, "incremental")
        first = _ok(run_connector("read", self.config, catalog, now=data))
        first_expected = {n: expected_key_set(self.server, n, self.dialect) for n in self.streams}
        touched, added, deleted = {}, {}, {}
        for zone in (TABLES if self.dialect == "bearer" else ZONE_STREAMS):
            if zone == "lastupdate":
                continue
            ids = data.ids(zone, "rest" if self.dialect == "bearer" else "zone")
            touched[zone] = {self._zone_key(zone, i) for i in data.touch(zone, ids=[ids[0], ids[len(ids) // 2]])}
            added[zone] = {self._zone_key(zone, i) for i in data.add(zone, 1)}
            if self.dialect == "hmac" and zone in FEED_ZONES:
                deleted[zone] = {self._zone_key(zone, ids[-1])}
                data.delete(zone, [ids[-1]])
        data.advance(HOUR)
        self.server.stats_obj.reset()
        hour = _ok(run_connector("read", self.config, catalog, state=first.final_state(), now=data))
        hour_spent = dict(self.server.stats()["by_path"])
        data.advance(25 * HOUR)
        day_expected = {n: expected_key_set(self.server, n, self.dialect) for n in self.streams}
        day = _ok(run_connector("read", self.config, catalog, state=hour.final_state(), now=data))
        return {"first": first, "first_expected": first_expected, "touched": touched, "added": added,
                "deleted": deleted, "hour": hour, "hour_spent": hour_spent, "day": day, "day_expected": day_expected}

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


CASES = [("hmac", name) for name in OFFERED["hmac"]] + [("bearer", name) for name in OFFERED["bearer"]]
IDS = [f"{d}-{n}" for d, n in CASES]


def test_discover_offers_exactly_the_documented_streams(reads):
    # The documented streams: a zone stream per zone with a GET, child streams of both kinds.
    assert {name.rpartition("_")[2] for name in CHILD_STREAMS} == set(CHILD_ARRAYS)
    for dialect in ("hmac", "bearer"):
        assert sorted(reads(dialect).streams) == sorted(OFFERED[dialect]), dialect


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_full_refresh_returns_exactly_the_sandbox_records(reads, dialect, name):
    r = reads(dialect)
    got = keys_read(r.full, r.streams[name])
    assert len(got) == len(set(got)), f"{name}: a record read twice"
    assert set(got) == r.full_expected[name], sorted(set(got) ^ r.full_expected[name])[:5]
    if name in EMPTY_IN_SANDBOX:
        assert not r.full_expected[name], f"the sandbox now holds {name}: take it off EMPTY_IN_SANDBOX"
    else:
        assert got, f"{name}: the sandbox serves records for every stream"


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_every_column_is_declared_and_typed(reads, dialect, name):
    r = reads(dialect)
    schema = r.streams[name]["json_schema"]
    declared = set(schema["properties"])
    assert _cursor(dialect, name) in declared, name
    if dialect == "hmac" and not child_stream(name):  # a zone stream can say a record was deleted
        assert "_ab_cdc_deleted_at" in declared, name
    validator = jsonschema.Draft7Validator(schema)
    for record in r.full.records_of(name):
        undeclared = set(record) - declared
        assert not undeclared, f"{name}: columns not in the schema: {sorted(undeclared)}"
        errors = sorted(validator.iter_errors(record), key=str)
        assert not errors, f"{name}: {errors[0].json_path}: {errors[0].message}"
        for column, value in record.items():
            if isinstance(value, str) and schema["properties"][column].get("format") == "date-time":
                assert value.endswith("Z") and value[10] == "T", (name, column, value)


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_every_stream_syncs_incrementally_on_the_cursor_its_change_signal_gives(reads, dialect, name):
    stream = reads(dialect).streams[name]
    assert stream["supported_sync_modes"] == ["full_refresh", "incremental"], name
    assert stream["source_defined_cursor"] is True and stream["default_cursor_field"] == [_cursor(dialect, name)]


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_a_first_incremental_sync_delivers_every_record(reads, dialect, name):
    r = reads(dialect)
    runs = r.incremental
    got = keys_read(runs["first"], r.streams[name])
    assert len(got) == len(set(got)), f"{name}: a record read twice"
    assert set(got) == runs["first_expected"][name], sorted(set(got) ^ runs["first_expected"][name])[:5]
    state = runs["first"].stream_state(name)
    assert state and _cursor(dialect, name) in state, state


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_an_hour_later_the_next_sync_delivers_what_the_change_signal_shows(reads, dialect, name):
    r = reads(dialect)
    runs = r.incremental
    stream, cursor, zone = r.streams[name], _cursor(dialect, name), _zone(name)
    first_state, state = runs["first"].stream_state(name), runs["hour"].stream_state(name)
    got = keys_read(runs["hour"], stream)
    assert len(got) == len(set(got)), f"{name}: a record delivered twice"
    got = set(got)
    reading = _reading(dialect, name)
    if child_stream(name):
        # A child stream's rows come with their parent: every row of every parent delivered.
        parents = {as_key(p) for p in keys_read(runs["hour"], r.streams[zone])} - runs["deleted"].get(zone, set())
        assert got == r.children_of(name, parents), sorted(got ^ r.children_of(name, parents))[:5]
    elif reading == "changes":
        # Every record changed since the saved cursor, and nothing else but what sits on it.
        saved = first_state[cursor]
        must, may = r.changed_since(zone, saved, inclusive=False), r.changed_since(zone, saved, inclusive=True)
        assert must and must <= got, f"{name}: changes missed: {sorted(must - got)[:5]}"
        assert got <= may, f"{name}: unchanged records delivered: {sorted(got - may)[:5]}"
        assert runs["touched"].get(zone, set()) | runs["added"].get(zone, set()) <= got
    elif reading == "dated":
        # The new records arrive; the zone is not read again in full.
        assert runs["added"][zone] <= got, f"{name}: the new record is missing"
        assert len(got) < len(runs["first_expected"][name]), f"{name}: read again in full"
    else:
        # No change signal: not read again before refresh_hours, not one request spent on it.
        assert got == set() and runs["hour_spent"].get(f"zone:{zone}", 0) == 0, (name, len(got))
    assert state and state[cursor] >= first_state[cursor], (name, first_state, state)


@pytest.mark.parametrize("dialect, name", CASES, ids=IDS)
def test_a_day_later_every_edit_has_arrived(reads, dialect, name):
    r = reads(dialect)
    runs = r.incremental
    stream, cursor, zone = r.streams[name], _cursor(dialect, name), _zone(name)
    got = set(keys_read(runs["day"], stream))
    delivered = set(keys_read(runs["hour"], stream)) | got
    reading = _reading(dialect, name)
    if reading == "refresh":
        # Due for its full re-read: exactly the sandbox's records.
        assert got == runs["day_expected"][name], sorted(got ^ runs["day_expected"][name])[:5]
    elif reading == "changes" and not child_stream(name):
        # Nothing changed since the last sync: at most what sits on its saved cursor comes again.
        saved = runs["hour"].stream_state(name)[cursor]
        assert got <= r.changed_since(zone, saved, inclusive=True), sorted(got)[:5]
    if not child_stream(name) and name != "lastupdate":
        edits = runs["added"][zone] | {key for key in runs["touched"][zone]
                                       if reading != "dated" or r.created_within_window(zone, key)}
        assert edits <= delivered, f"{name}: edits not delivered within a day: {sorted(edits - delivered)}"
    state, before = runs["day"].stream_state(name), runs["hour"].stream_state(name)
    assert state[cursor] >= before[cursor], (name, before, state)
    if cursor == "read_at":  # the sync's start, when the zone was read (due or not: its record's time)
        assert all(record["read_at"] == state["read_at"] for record in runs["day"].records_of(name)), name


FEED_CASES = [("hmac", name) for name in sorted(FEED_ZONES) if name in OFFERED["hmac"]]


@pytest.mark.parametrize("dialect, name", FEED_CASES, ids=[f"{d}-{n}" for d, n in FEED_CASES])
def test_a_record_deleted_in_aroflo_arrives_as_a_deletion(reads, dialect, name):
    r = reads(dialect)
    runs = r.incremental
    [gone] = runs["deleted"][name]
    stream = r.streams[name]
    rows = [record for key, record in zip(keys_read(runs["hour"], stream), runs["hour"].records_of(name))
            if key == gone]
    assert len(rows) == 1, f"{name}: {len(rows)} rows for the deleted record"
    assert rows[0]["_ab_cdc_deleted_at"], rows[0]
    others = [record for key, record in zip(keys_read(runs["hour"], stream), runs["hour"].records_of(name))
              if key != gone]
    assert others, f"{name}: the records edited in the same sync are missing"
    assert not [record for record in others if record["_ab_cdc_deleted_at"]], f"{name}: a live record marked deleted"
