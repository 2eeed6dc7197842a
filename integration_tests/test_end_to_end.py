"""End to end: `python main.py spec|check|discover|read` as a subprocess against the local sandbox.

Every test runs in both dialects (bearer = the seed's REST API, hmac = AroFlo's zone API) on the
seed's three tables, and every read runs on the sandbox's clock (`SOURCE_AROFLO_NOW` = the
dataset's `now`). The expected records come from the sandbox's own dataset, never from the
connector's code.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import math
from urllib.parse import parse_qsl, urlsplit

import jsonschema
import pytest

from integration_tests.harness import OFFERED, TABLES, configured_catalog, run_connector, sandbox_config
from integration_tests.sandbox import BEARER_TOKEN, ZONE_CREDENTIALS
from integration_tests.sandbox.zone import id_where_field

# The sandbox dataset's id dialect for each connector dialect.
ID_DIALECT = {"bearer": "rest", "hmac": "zone"}
# The incremental cursor of each stream: zone suppliers' comes from the change feed
# (`lastupdate`), zone payments (no update time) sync on their date paid.
CURSORS = {
    "bearer": {"users": "updated_at", "suppliers": "updated_at", "payments": "updated_at"},
    "hmac": {"users": "updated_at", "suppliers": "updated_at", "payments": "payment_date"},
}
# Seed columns (the seed README's tables): every record must carry all of them, null when the API has none.
SEED_COLUMNS = {
    "users": ["id", "first_name", "last_name", "email", "phone", "role", "department", "employee_id",
              "status", "access_level", "territory", "created_at", "updated_at"],
    "suppliers": ["id", "name", "contact_person", "email", "phone", "address", "city", "state", "country",
                  "postal_code", "payment_terms", "tax_id", "account_code", "status", "created_at", "updated_at"],
    "payments": ["id", "amount", "currency", "payment_date", "payment_method", "status", "reference_number",
                 "customer_id", "invoice_id", "job_id", "transaction_type", "notes", "created_at", "updated_at"],
}
SECRET_FIELDS = {"bearer": ["api_key"], "hmac": ["u_encoded", "p_encoded", "org_encoded", "secret_key"]}


def _no_traceback(run) -> None:
    assert "Traceback" not in run.stdout and "Traceback" not in run.stderr, run.stderr[-2000:] or run.stdout[-2000:]


def _ok(run) -> None:
    assert run.returncode == 0, f"exit {run.returncode}: {run.errors} {run.stderr[-2000:]}"
    assert not run.errors, run.errors
    _no_traceback(run)


def _utc(text: str):
    """A timestamp as the sandbox renders it (ISO with any offset, or zone `YYYY/MM/DD HH:MM:SS`);
    None for AroFlo's blanks (`" "`, `""`)."""
    if text is None or not text.strip():
        return None
    value = datetime.fromisoformat(text.replace("/", "-").replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _source_cursor_values(server, dialect: str, table: str) -> dict:
    """id -> the record's cursor instant (or date), read from what the sandbox serves."""
    data = server.dataset
    if dialect == "bearer":
        return {r["id"]: _utc(r["updated_at"]) for r in data.rest_records(table)}
    if table == "users":
        return {r["userid"]: _utc(r["lastupdateddatetimeutc"]) for r in data.zone_records(table)}
    if table == "payments":
        return {r["paymentid"]: _utc(r["datepaid"]) for r in data.zone_records(table)}
    # Suppliers: the change time the `lastupdate` zone lists for each supplier.
    return {data.zone_id(table, i): datetime.fromtimestamp(data.updated[table][i], timezone.utc)
            for i in range(data.count(table))}


def _cursor_of(record: dict, column: str):
    return _utc(record[column]) if record[column] is not None else None


# ---- spec / check / discover --------------------------------------------------------------------

def test_spec_has_both_credentials_and_marks_secrets(dialect):
    run = run_connector("spec")
    _ok(run)
    specs = run.of_type("SPEC")
    assert len(specs) == 1
    connection = specs[0]["spec"]["connectionSpecification"]
    jsonschema.Draft7Validator.check_schema(connection)
    variants = connection["properties"]["credentials"]["oneOf"]
    by_type = {v["properties"]["auth_type"]["const"]: v for v in variants}
    assert set(by_type) == {"bearer", "hmac"}
    mine = by_type[dialect]
    for name in SECRET_FIELDS[dialect]:
        assert mine["properties"][name].get("airbyte_secret") is True, name
        assert name in mine["required"], name
    # A config of this dialect validates against the spec; the other dialect's keys alone do not.
    credentials = ({"auth_type": "bearer", "api_key": BEARER_TOKEN} if dialect == "bearer"
                   else {"auth_type": "hmac", **ZONE_CREDENTIALS})
    jsonschema.validate({"credentials": credentials, "max_records_per_page": 50}, connection)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"credentials": {"auth_type": dialect}}, connection)


def test_check_succeeds_with_good_config(sandbox, dialect):
    server = sandbox()
    run = run_connector("check", sandbox_config(server, dialect))
    _ok(run)
    assert run.connection_status() == {"status": "SUCCEEDED"}
    if dialect == "bearer":
        assert server.stats()["total"] >= 1, "check must talk to the API"
    else:  # one request of the change feed, which AroFlo's daily limit does not count
        assert server.stats()["by_path"] == {"zone:lastupdate": 1}
        assert server.stats()["by_kind"].get("daily", 0) == server.stats()["by_kind"].get("secondary", 0) == 0


@pytest.mark.parametrize("wrong", ["key", "other"])
def test_check_fails_cleanly_with_wrong_credentials(sandbox, dialect, wrong):
    server = sandbox()
    config = sandbox_config(server, dialect)
    bad_value = "wr0ng-value-7f3a9c"
    if dialect == "bearer":
        field = "api_key"
        if wrong == "other":  # a token the API knows but that may not read: HTTP 403
            from integration_tests.sandbox import FORBIDDEN_TOKEN
            bad_value = FORBIDDEN_TOKEN
    else:
        field = "secret_key" if wrong == "key" else "p_encoded"
    config["credentials"][field] = bad_value
    run = run_connector("check", config)
    assert run.returncode == 0, run.stderr[-2000:]
    _no_traceback(run)
    status = run.connection_status()
    assert status and status["status"] == "FAILED", status
    message = status["message"]
    if dialect == "bearer":
        assert "api_key" in message and ("401" in message or "403" in message), message
    elif field == "secret_key":
        assert "-99999" in message and "secret_key" in message, message
    else:  # AroFlo's status 1: the user name, password or organisation
        assert "status 1" in message and "u_encoded" in message and "p_encoded" in message, message
    # The value typed in is never echoed (it may be a real secret with a typo), nor the good ones.
    everything = run.stdout + run.stderr
    assert bad_value not in everything
    for secret in (BEARER_TOKEN, ZONE_CREDENTIALS["secret_key"], ZONE_CREDENTIALS["p_encoded"]):
        assert secret not in everything


def test_discover_offers_every_stream_of_the_dialect_with_valid_schemas(sandbox, dialect):
    server = sandbox()
    run = run_connector("discover", sandbox_config(server, dialect))
    _ok(run)
    streams = {s["name"]: s for s in run.catalog()["streams"]}
    assert sorted(streams) == sorted(OFFERED[dialect])
    for name, stream in streams.items():
        jsonschema.Draft7Validator.check_schema(stream["json_schema"])
        properties = stream["json_schema"]["properties"]
        assert all(key[0] in properties for key in stream["source_defined_primary_key"]), name
        assert stream["supported_sync_modes"] == ["full_refresh", "incremental"], name
        assert [c for c in stream["default_cursor_field"] if c in properties] == stream["default_cursor_field"] != [], name
        if name not in TABLES:
            continue
        assert set(SEED_COLUMNS[name]) <= set(properties), name
        assert stream["source_defined_primary_key"] == [["id"]]
        assert stream["default_cursor_field"] == [CURSORS[dialect][name]], name
        if dialect == "hmac":  # a record AroFlo deleted can be told
            assert "_ab_cdc_deleted_at" in properties, name
    assert server.stats()["total"] == 0, "discover must not spend API requests"


# ---- full refresh ----------------------------------------------------------------------------------

def test_full_refresh_returns_exactly_the_sandbox_records(sandbox, dialect):
    server = sandbox(users=60, suppliers=40, payments=80)
    # Small pages: several pages per stream, a whole page on one tied cursor value (the dataset
    # has a cluster of 7 users sharing one updated_at), and the last page exactly full or not.
    run = run_connector("read", sandbox_config(server, dialect, max_records_per_page=7),
                        configured_catalog("full_refresh", dialect=dialect), now=server)
    _ok(run)
    now = server.dataset.now
    for table in TABLES:
        ids = run.ids(table)
        assert len(ids) == len(set(ids)), f"{table}: duplicates {len(ids) - len(set(ids))}"
        expected = set(server.dataset.ids(table, dialect=ID_DIALECT[dialect]))
        assert set(ids) == expected, (f"{table}: missing {sorted(expected - set(ids))[:5]}, "
                                      f"unexpected {sorted(set(ids) - expected)[:5]}")
        # The dataset holds records older than 30 and 90 days, and they were all delivered
        # (the zone API's default 30-day window must not apply to a full read).
        ages = [now - when for rid, when in _source_cursor_values(server, dialect, table).items()
                if rid in ids and when is not None]
        assert any(age > timedelta(days=90) for age in ages), table
        assert any(timedelta(days=30) < age <= timedelta(days=90) for age in ages), table
    if dialect == "hmac":
        # Every request of a full read asks for every id: without a where, AroFlo's documented
        # default filter (the last 30 days) would apply.
        queries = [dict(parse_qsl(urlsplit(entry["target"]).query)) for entry in server.stats(log=500)["log"]]
        assert len(queries) == server.stats()["total"] > 0
        for query in queries:
            assert query.get("where") == f"and|{id_where_field(query['zone'])}|!=|0", query


def test_what_a_sync_says_counts_every_record(sandbox, dialect):
    """Records leave a page at a time; what Airbyte checks is still per record: each STATE's
    `sourceStats.recordCount` is the number of records of that stream since its previous STATE,
    every stream says STARTED, RUNNING and COMPLETE, and the sync's closing line counts each
    stream's records."""
    server = sandbox(users=60, suppliers=40, payments=80)
    page = 7
    catalog = configured_catalog("incremental", dialect=dialect)
    run = run_connector("read", sandbox_config(server, dialect, max_records_per_page=page, start_date="2000-01-01T00:00:00Z"),
                        catalog, now=server)
    _ok(run)
    since_state = {table: 0 for table in TABLES}
    states_seen = {table: 0 for table in TABLES}
    for message in run.messages:
        if message["type"] == "RECORD":
            since_state[message["record"]["stream"]] += 1
        elif message["type"] == "STATE":
            stream = message["state"]["stream"]["stream_descriptor"]["name"]
            assert message["state"]["sourceStats"]["recordCount"] == since_state[stream], stream
            since_state[stream] = 0
            states_seen[stream] += 1
    assert run.log_lines(starting="Starting syncing SourceAroflo") == [f"Starting syncing SourceAroflo: {len(catalog['streams'])} streams"]
    assert len(run.log_lines(starting="Plan for this sync: ")) == 1
    [summary] = run.log_lines(starting="Finished syncing SourceAroflo in ")
    assert not [line for line in run.log_lines() if line.startswith("Read ") and " records from " in line]
    for table in TABLES:
        assert since_state[table] == 0, f"{table}: records after its last state"
        assert len(run.ids(table)) == server.dataset.count(table), table
        assert f"{table} {server.dataset.count(table)} records" in summary, (table, summary)
        assert run.stream_statuses(table) == ["STARTED", "RUNNING", "COMPLETE"], table
        # A checkpoint after every page (and one when the stream ends).
        assert states_seen[table] >= math.ceil(server.dataset.count(table) / page), table


def test_records_match_discovered_schema_and_carry_seed_columns(sandbox, dialect):
    server = sandbox()
    config = sandbox_config(server, dialect)
    discovered = run_connector("discover", config)
    _ok(discovered)
    schemas = {s["name"]: s["json_schema"] for s in discovered.catalog()["streams"]}
    run = run_connector("read", config, configured_catalog("full_refresh", dialect=dialect), now=server)
    _ok(run)
    for table in TABLES:
        schema = schemas[table]
        validator = jsonschema.Draft7Validator(schema)
        records = run.records_of(table)
        assert len(records) == server.dataset.count(table)
        timestamp_columns = [n for n, p in schema["properties"].items() if p.get("format") == "date-time"]
        date_columns = [n for n, p in schema["properties"].items() if p.get("format") == "date"]
        for record in records:
            errors = sorted(validator.iter_errors(record), key=str)
            assert not errors, f"{table} {record['id']}: {errors[0].message}"
            missing = [c for c in SEED_COLUMNS[table] if c not in record]
            assert not missing, f"{table} {record['id']} lacks seed columns {missing}"
            for column in timestamp_columns:
                value = record.get(column)
                if value is not None:
                    assert value.endswith("Z"), f"{table}.{column} = {value!r}"
                    datetime.fromisoformat(value.replace("Z", "+00:00"))
            for column in date_columns:
                value = record.get(column)
                if value is not None:
                    assert len(value) == 10 and datetime.strptime(value, "%Y-%m-%d"), f"{table}.{column} = {value!r}"
        # Values, not just types: the records are the sandbox's, mapped.
        source = _source_cursor_values(server, dialect, table)
        if table in CURSORS[dialect]:
            column = CURSORS[dialect][table]
            for record in records:
                if dialect == "hmac" and table == "suppliers":
                    # The suppliers zone has no update time: a full read leaves it empty (an
                    # incremental sync fills it from the `lastupdate` zone, tested below).
                    assert record[column] is None, record
                    continue
                assert _cursor_of(record, column) == source[record["id"]], (table, record["id"], record[column])


# ---- incremental ----------------------------------------------------------------------------------

def _cursor_states(run, stream: str, column: str) -> list:
    values = []
    for state in run.states:
        descriptor = state.get("stream", {}).get("stream_descriptor", {})
        if descriptor.get("name") == stream:
            value = (state["stream"].get("stream_state") or {}).get(column)
            if value is not None:
                values.append(value)
    return values


def _day_before(date: str) -> str:
    return (datetime.strptime(date[:10], "%Y-%m-%d") - timedelta(days=1)).strftime("%Y-%m-%d")


def test_incremental_second_sync_reads_the_changes(sandbox, dialect):
    server = sandbox(users=60, suppliers=40, payments=80)
    config = sandbox_config(server, dialect, max_records_per_page=10, initial_sync_days=365)
    catalog = configured_catalog("incremental", dialect=dialect)
    first = run_connector("read", config, catalog, now=server)
    _ok(first)
    started = server.dataset.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    cursors = CURSORS[dialect]
    assert set(s["stream"]["stream_descriptor"]["name"] for s in first.final_state()) >= set(cursors)
    state_one = {t: first.stream_state(t) for t in cursors}
    for table, column in cursors.items():
        assert column in state_one[table], state_one[table]
        values = _cursor_states(first, table, column)
        assert values == sorted(values), f"{table}: state moved backwards in the first sync: {values}"
        saved = state_one[table][column]
        assert saved <= started[:len(saved)], f"{table}: a state past the sync's start: {saved}"
        if dialect == "hmac" and table == "suppliers":
            # A first sync reads every supplier; its state is a change-feed instant no supplier
            # change is newer than.
            newest = max(filter(None, _source_cursor_values(server, dialect, table).values()))
            assert saved >= newest.strftime("%Y-%m-%dT%H:%M:%SZ"), saved
            assert len(first.ids(table)) == server.dataset.count(table)
            continue
        newest = max(r[column] for r in first.records_of(table) if r[column])[:len(saved)]
        if column == "payment_date":
            # Payments have only a date: the state is the sync's day (a later payment dated
            # today arrives with the next sync's days).
            assert saved == started[:10], saved
        else:
            assert saved == newest, (table, saved, newest)

    # Change some records: an old one (outside the first sync's window) and recent ones.
    data = server.dataset
    touched = {}
    for table in TABLES:
        order = data.rest_order(table)  # oldest first
        picks = [data.rest_id(table, i) for i in (order[0], order[len(order) // 2], order[-1])]
        rest_ids = data.touch(table, ids=picks)
        touched[table] = {data.ids(table, ID_DIALECT[dialect])[data.index_of(table, r)] for r in rest_ids}

    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    _ok(second)
    for table, column in cursors.items():
        ids = second.ids(table)
        assert len(ids) == len(set(ids)), f"{table}: duplicates"
        assert touched[table] <= set(ids), f"{table}: missing changed records {touched[table] - set(ids)}"
        others = [r for r in second.records_of(table) if r["id"] not in touched[table]]
        start = state_one[table][column]
        if column == "payment_date":
            # A date zone reads the records dated since the day before the last sync.
            assert all(r[column] >= _day_before(start) for r in others), (table, start, [r[column] for r in others][:5])
        else:
            # The only unchanged records read again sit exactly on the saved cursor (the inclusive
            # boundary instant): nothing older, nothing else.
            assert all((r[column] or "")[:len(start)] == start for r in others), \
                (table, start, [r[column] for r in others][:5])
        assert len(others) < len(first.ids(table)) // 2, f"{table}: {len(others)} unchanged records re-read"
        values = _cursor_states(second, table, column)
        assert values and values == sorted(values), f"{table}: state moved backwards: {values}"
        assert values[0] >= start, f"{table}: second sync's state {values[0]} is behind the first's {start}"
        newest = max(r[column] for r in second.records_of(table))
        assert values[-1] >= newest[:len(values[-1])], f"{table}: state {values[-1]} behind a record read ({newest})"
        if column != "payment_date":  # same day: a date cursor stays on it
            assert values[-1] > start, f"{table}: state did not advance past the changes ({start} -> {values[-1]})"


def test_legacy_seed_state_is_every_streams_start(sandbox, dialect):
    """The seed's state (`last_sync_time`, one for every table), 60 days old: longer ago than the
    re-read window of a zone with only a date (31 days), so the state alone says where to start."""
    server = sandbox()
    since = server.dataset.now - timedelta(days=60)
    legacy = {"last_sync_time": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
    run = run_connector("read", sandbox_config(server, dialect), configured_catalog("incremental", dialect=dialect),
                        state=legacy, now=server)
    _ok(run)
    for table in TABLES:
        ids = set(run.ids(table))
        source = _source_cursor_values(server, dialect, table)
        column = CURSORS[dialect][table]
        floor = since if column != "payment_date" else since.replace(hour=0, minute=0, second=0)
        # A legacy state is a saved state: no first-sync sweep, so a record whose cursor is blank
        # is not expected (README: what happens to blank cursors).
        expected = {rid for rid, when in source.items() if when is not None and when >= floor}
        assert 0 < len(expected) < len(source), "the dataset must have records on both sides of the state"
        assert expected <= ids, f"{table}: missing {sorted(expected - ids)[:5]} (of {len(expected)} since the state)"
        if column == "payment_date":  # a date: those dated the day before may come again
            older = {rid for rid in ids if source[rid] < floor - timedelta(days=1)}
        else:
            older = ids - expected
        assert not older, f"{table}: older than the state {sorted(older)[:5]}"
        assert run.stream_state(table), f"{table}: no state emitted"
        assert "last_sync_time" not in run.stream_state(table), "new state is per stream, in its own cursor"


def test_seed_shaped_all_strings_config(sandbox, dialect):
    server = sandbox()
    strings = {"sync_frequency_hours": "4", "initial_sync_days": "90", "max_records_per_page": "25",
               "request_timeout_seconds": "30", "retry_attempts": "3", "enable_users_sync": "true",
               "enable_suppliers_sync": "true", "enable_payments_sync": "true",
               "enable_incremental_sync": "true", "enable_debug_logging": "false"}
    if dialect == "bearer":  # exactly the seed's configuration.json shape: flat api_key
        config = {"api_key": BEARER_TOKEN, "base_url": server.rest_base_url, **strings}
    else:  # the same all-strings values next to the zone credentials
        config = {**sandbox_config(server, dialect), **strings}
        config["requests_per_second"], config["requests_per_minute"] = "50", "3000"
    check = run_connector("check", config)
    _ok(check)
    assert check.connection_status() == {"status": "SUCCEEDED"}
    assert not check.of_type("CONTROL"), "outside Airbyte the converted config (secrets included) is not printed"
    discover = run_connector("discover", config, env={"WORKER_JOB_ID": "1"})  # as inside Airbyte
    _ok(discover)
    streams = {s["name"]: s for s in discover.catalog()["streams"]}
    assert sorted(streams) == sorted(OFFERED[dialect])
    if dialect == "bearer":
        controls = [m["control"] for m in discover.of_type("CONTROL")]
        assert controls, "inside Airbyte the migrated config is offered to the platform"
        migrated = controls[-1]["connectorConfig"]["config"]
        assert migrated["credentials"]["auth_type"] == "bearer" and "api_key" not in migrated
        assert migrated["max_records_per_page"] == 25 and migrated["enable_users_sync"] is True
    read = run_connector("read", config, configured_catalog("full_refresh", dialect=dialect), now=server)
    _ok(read)
    for table in TABLES:
        assert sorted(read.ids(table)) == sorted(server.dataset.ids(table, ID_DIALECT[dialect])), table
    # "25" was honoured as the page size: 60 users take 3 pages (+ keyset boundaries), not 1.
    requests = server.stats()["by_path"]
    users_requests = requests.get("/v1/users", 0) + requests.get("zone:users", 0)
    assert users_requests >= 3, requests


def test_disabled_stream_in_catalog_is_skipped_with_a_reason(sandbox, dialect):
    server = sandbox()
    config = sandbox_config(server, dialect, enable_payments_sync=False)
    discover = run_connector("discover", config)
    _ok(discover)
    assert {s["name"] for s in discover.catalog()["streams"]} == set(OFFERED[dialect]) - {"payments"}
    run = run_connector("read", config, configured_catalog("full_refresh", dialect=dialect), now=server)
    _ok(run)
    assert run.records_of("payments") == []
    for table in ("users", "suppliers"):
        assert set(run.ids(table)) == set(server.dataset.ids(table, ID_DIALECT[dialect])), table
    reasons = [log["message"] for log in run.logs if "payments" in log["message"] and "enable_payments_sync" in log["message"]]
    assert len(reasons) == 1, "one log line must say why payments was skipped"
    paths = server.stats()["by_path"]
    assert not any("payments" in path for path in paths), paths


# ---- zone suppliers: incremental through the change feed (`lastupdate`) -----------------------------

def _fetches(server, zone: str) -> list:
    """The where clauses of the requests of one zone, in order, from the sandbox's request log."""
    return [dict(parse_qsl(urlsplit(e["target"]).query))["where"] for e in server.stats(log=1000)["log"]
            if f"zone={zone}&" in e["target"]]


def _ids_asked(where: str) -> list:
    """The ids of a fetch by id: `and|supplierid|=|<id>` or `and|supplierid|IN|<id>*<id>...`."""
    _, field, operator, value = where.split("|")
    assert field == id_where_field("suppliers") and operator in ("=", "IN"), where
    return value.split("*")


def test_zone_suppliers_sync_through_the_change_feed_and_fetch_the_changed_ones_by_id(sandbox):
    server = sandbox(users=5, suppliers=130, payments=5)
    config = sandbox_config(server, "hmac", max_records_per_page=100)
    catalog = configured_catalog("incremental", streams=["suppliers"], dialect="hmac")
    data = server.dataset

    # First sync, no state: the feed's newest change (1 request, free), then every supplier by page.
    server.stats_obj.reset()
    first = run_connector("read", config, catalog, now=server)
    _ok(first)
    assert set(first.ids("suppliers")) == set(data.ids("suppliers", "zone"))
    assert server.stats()["by_path"] == {"zone:lastupdate": 1, "zone:suppliers": 2}
    newest_supplier = max(_source_cursor_values(server, "hmac", "suppliers").values())
    newest_change = max(datetime.fromtimestamp(data.updated_ts(zone, i), timezone.utc)
                        for zone in ("suppliers", "tasks", "quotes", "invoices", "clients", "locations", "purchaseorders",
                                     "tasklabours", "taskmaterials", "taskexpenses") for i in range(data.count(zone)))
    saved = first.stream_state("suppliers")["updated_at"]
    assert newest_supplier.strftime("%Y-%m-%dT%H:%M:%SZ") <= saved <= newest_change.strftime("%Y-%m-%dT%H:%M:%SZ")

    # 60 suppliers change: the next sync reads the feed once and fetches exactly those, one id a
    # request from AroFlo's single-id budget (none daily-limited).
    changed = _touch_suppliers(data, 60)
    server.stats_obj.reset()
    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    _ok(second)
    _delivered_once_with_their_change_time(server, second, changed, saved)
    assert server.stats()["by_zone_kind"]["suppliers"] == {"secondary": 60}
    assert server.stats()["by_path"]["zone:lastupdate"] == 1
    assert [len(_ids_asked(where)) for where in _fetches(server, "suppliers")] == [1] * 60

    # Without single-id requests (single_id_requests_per_sync 0): 50 ids a request, daily-limited.
    changed = _touch_suppliers(data, 60)
    server.stats_obj.reset()
    third = run_connector("read", {**config, "single_id_requests_per_sync": 0}, catalog,
                          state=second.final_state(), now=server)
    _ok(third)
    _delivered_once_with_their_change_time(server, third, changed, second.stream_state("suppliers")["updated_at"])
    fetches = _fetches(server, "suppliers")
    assert all(where.startswith(f"and|{id_where_field('suppliers')}|IN|") for where in fetches), fetches
    assert [len(_ids_asked(where)) for where in fetches] == [50, 10]
    assert server.stats()["by_zone_kind"]["suppliers"] == {"daily": 2}
    assert third.stream_state("suppliers")["updated_at"] == max(r["updated_at"] for r in third.records_of("suppliers"))


def _touch_suppliers(data, count: int) -> set:
    data.advance(60)
    return {data.zone_id("suppliers", data.index_of("suppliers", r)) for r in data.touch("suppliers", count=count)}


def _delivered_once_with_their_change_time(server, run, changed: set, saved: str) -> None:
    ids = run.ids("suppliers")
    assert len(ids) == len(set(ids)) and changed <= set(ids), sorted(changed - set(ids))[:5]
    stamps = _source_cursor_values(server, "hmac", "suppliers")
    for record in run.records_of("suppliers"):
        assert _utc(record["updated_at"]) == stamps[record["id"]], record["id"]  # the feed's change time, in UTC
        assert record["id"] in changed or record["updated_at"] == saved, record["id"]


def test_zone_suppliers_changes_survive_faults_on_the_feed_and_the_fetch(sandbox):
    """A 503 on the feed, a reset and AroFlo status 888888 (query too long) on a fetch of 50 ids:
    retried, then asked again for half the ids; every changed supplier still arrives once."""
    server = sandbox(users=5, suppliers=130, payments=5)
    config = sandbox_config(server, "hmac", max_records_per_page=100, retry_attempts=3, max_retry_wait_seconds=1,
                            single_id_requests_per_sync=0)
    catalog = configured_catalog("incremental", streams=["suppliers"], dialect="hmac")
    first = run_connector("read", config, catalog, now=server)
    _ok(first)
    changed = _touch_suppliers(server.dataset, 70)
    server.faults.set([{"fault": "http_503", "match": {"table": "lastupdate"}, "times": 1},
                       {"fault": "reset", "match": {"table": "suppliers"}, "times": 1},
                       {"fault": "zone_status", "code": 888888, "match": {"table": "suppliers"}, "times": 1}])
    server.stats_obj.reset()
    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    _ok(second)
    assert server.stats()["faults_fired"] == {"http_503": 1, "reset": 1, "zone_status": 1}
    ids = second.ids("suppliers")
    assert len(ids) == len(set(ids)) and changed <= set(ids)
    assert second.log_lines(starting="suppliers: ") and any(
        "asking again with 25 records a page instead of 50" in line for line in second.log_lines()), \
        [line for line in second.log_lines() if "suppliers" in line]


def test_a_single_id_fetch_answered_status_888888_once_is_asked_again(sandbox):
    """AroFlo's 888888 (the query ran over 60 s) on a fetch of one id: nothing to halve, but the
    page's budget of attempts (retry_attempts + 1) still holds — the same request again gets it."""
    server = sandbox(users=5, suppliers=40, payments=5)
    config = sandbox_config(server, "hmac", retry_attempts=3, max_retry_wait_seconds=1)
    catalog = configured_catalog("incremental", streams=["suppliers"], dialect="hmac")
    first = run_connector("read", config, catalog, now=server)
    _ok(first)
    changed = _touch_suppliers(server.dataset, 5)
    server.faults.set([{"fault": "zone_status", "code": 888888, "match": {"table": "suppliers"}, "times": 1}])
    server.stats_obj.reset()
    second = run_connector("read", config, catalog, state=first.final_state(), now=server)
    _ok(second)
    assert set(second.ids("suppliers")) == changed
    assert server.stats()["by_zone_kind"]["suppliers"] == {"secondary": 6}  # 5 ids, one of them asked twice
