"""End to end: `python main.py spec|check|discover|read` as a subprocess against the local sandbox.

Every test runs in both dialects (bearer = the seed's REST API, hmac = AroFlo's zone API). The
expected records come from the sandbox's own dataset, never from the connector's code.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jsonschema
import pytest

from integration_tests.harness import STREAMS, TABLES, configured_catalog, run_connector, sandbox_config
from integration_tests.sandbox import BEARER_TOKEN, ZONE_CREDENTIALS

# The sandbox dataset's id dialect for each connector dialect.
ID_DIALECT = {"bearer": "rest", "hmac": "zone"}
# The incremental cursor of each stream (contract §4); zone suppliers' comes from the `lastupdate` zone.
CURSORS = {
    "bearer": {"users": "updated_at", "suppliers": "updated_at", "payments": "updated_at"},
    "hmac": {"users": "updated_at", "suppliers": "updated_at", "payments": "payment_date"},
}
# Seed columns (contract §3): every record must carry all of them, null when the API has none.
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
    assert server.stats()["total"] >= 1, "check must talk to the API"


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
    else:
        assert "status 1" in message and "log in" in message, message
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
    assert set(streams) == set(STREAMS[dialect])
    for name, stream in streams.items():
        jsonschema.Draft7Validator.check_schema(stream["json_schema"])
        properties = stream["json_schema"]["properties"]
        assert all(key[0] in properties for key in stream["source_defined_primary_key"]), name
        if name not in TABLES:
            continue
        assert set(SEED_COLUMNS[name]) <= set(properties), name
        assert stream["source_defined_primary_key"] == [["id"]]
        cursor = CURSORS[dialect].get(name)
        if cursor:
            assert stream["supported_sync_modes"] == ["full_refresh", "incremental"], name
            assert stream["default_cursor_field"] == [cursor], name
        else:
            assert stream["supported_sync_modes"] == ["full_refresh"], name
    assert server.stats()["total"] == 0, "discover must not spend API requests"


# ---- full refresh ----------------------------------------------------------------------------------

def test_full_refresh_returns_exactly_the_sandbox_records(sandbox, dialect):
    server = sandbox(users=60, suppliers=40, payments=80)
    # Small pages: several pages per stream, a whole page on one tied cursor value (the dataset
    # has a cluster of 7 users sharing one updated_at), and the last page exactly full or not.
    run = run_connector("read", sandbox_config(server, dialect, max_records_per_page=7),
                        configured_catalog("full_refresh", dialect=dialect))
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
        log = [entry["target"] for entry in server.stats(log=500)["log"]]
        assert log and all("where=" in target for target in log), "every zone request needs an explicit where"


def test_state_record_counts_and_closing_log_count_every_record(sandbox, dialect):
    """Records leave a page at a time; what Airbyte checks is still per record: each STATE's
    `sourceStats.recordCount` is the number of records of that stream since its previous
    STATE, and the CDK's closing line says how many records (not pages) a stream read."""
    server = sandbox(users=60, suppliers=40, payments=80)
    run = run_connector("read", sandbox_config(server, dialect, max_records_per_page=7, start_date="2000-01-01T00:00:00Z"),
                        configured_catalog("incremental", dialect=dialect))
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
    logs = [entry["message"] for entry in run.logs]
    for table in TABLES:
        assert since_state[table] == 0, f"{table}: records after its last state"
        assert len(run.ids(table)) == server.dataset.count(table), table
        assert f"Read {server.dataset.count(table)} records from {table} stream" in logs, table
    # A checkpoint after every page of a cursor stream (60 users in pages of 7: 9 pages or more).
    assert states_seen["users"] >= 9


def test_records_match_discovered_schema_and_carry_seed_columns(sandbox, dialect):
    server = sandbox()
    config = sandbox_config(server, dialect)
    discovered = run_connector("discover", config)
    _ok(discovered)
    schemas = {s["name"]: s["json_schema"] for s in discovered.catalog()["streams"]}
    run = run_connector("read", config, configured_catalog("full_refresh", dialect=dialect))
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


def test_incremental_second_sync_reads_the_changes(sandbox, dialect):
    server = sandbox(users=60, suppliers=40, payments=80)
    config = sandbox_config(server, dialect, max_records_per_page=10, initial_sync_days=365)
    catalog = configured_catalog("incremental", dialect=dialect)
    first = run_connector("read", config, catalog)
    _ok(first)
    cursors = CURSORS[dialect]
    assert set(s["stream"]["stream_descriptor"]["name"] for s in first.final_state()) >= set(cursors)
    state_one = {t: first.stream_state(t) for t in cursors}
    for table, column in cursors.items():
        assert set(state_one[table]) == {column}, state_one[table]
        values = _cursor_states(first, table, column)
        assert values == sorted(values), f"{table}: state moved backwards in the first sync: {values}"
        if dialect == "hmac" and table == "suppliers":
            # A first sync reads every supplier; its state is the newest change the `lastupdate`
            # zone listed when the read began.
            newest = max(filter(None, _source_cursor_values(server, dialect, table).values()))
            assert state_one[table][column] == newest.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert len(first.ids(table)) == server.dataset.count(table)
            continue
        assert state_one[table][column] == max(r[column] for r in first.records_of(table) if r[column])[:len(values[-1])]

    # Change some records: an old one (outside the first sync's window) and recent ones.
    data = server.dataset
    touched = {}
    tables = ["users", "payments", "suppliers"]
    for table in tables:
        order = data.rest_order(table)  # oldest first
        picks = [data.rest_id(table, i) for i in (order[0], order[len(order) // 2], order[-1])]
        rest_ids = data.touch(table, ids=picks)
        touched[table] = {data.ids(table, ID_DIALECT[dialect])[data.index_of(table, r)] for r in rest_ids}

    second = run_connector("read", config, catalog, state=first.final_state())
    _ok(second)
    for table, column in cursors.items():
        ids = second.ids(table)
        assert len(ids) == len(set(ids)), f"{table}: duplicates"
        assert touched[table] <= set(ids), f"{table}: missing changed records {touched[table] - set(ids)}"
        others = [r for r in second.records_of(table) if r["id"] not in touched[table]]
        start = state_one[table][column]
        # The only unchanged records read again sit exactly on the saved cursor (the inclusive
        # boundary instant, or the last whole day for a date cursor): nothing older, nothing else.
        assert all((r[column] or "")[:len(start)] == start for r in others), (table, start, [r[column] for r in others][:5])
        assert len(others) < len(first.ids(table)) // 2, f"{table}: {len(others)} unchanged records re-read"
        values = _cursor_states(second, table, column)
        assert values and values == sorted(values), f"{table}: state moved backwards: {values}"
        assert values[0] >= start, f"{table}: second sync's state {values[0]} is behind the first's {start}"
        assert values[-1] > start, f"{table}: state did not advance past the changes ({start} -> {values[-1]})"


def test_legacy_seed_state_is_every_streams_start(sandbox, dialect):
    server = sandbox()
    since = server.dataset.now - timedelta(days=20)
    legacy = {"last_sync_time": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
    run = run_connector("read", sandbox_config(server, dialect), configured_catalog("incremental", dialect=dialect),
                        state=legacy)
    _ok(run)
    for table in TABLES:
        ids = set(run.ids(table))
        source = _source_cursor_values(server, dialect, table)
        column = CURSORS[dialect].get(table)
        if column is None:
            assert ids == set(source), f"{table}: a stream with no cursor reads everything"
            continue
        floor = since if column != "payment_date" else since.replace(hour=0, minute=0, second=0)
        # A legacy state is a saved state: no first-sync sweep, so a record whose cursor is blank
        # is not expected (README: what happens to blank cursors).
        expected = {rid for rid, when in source.items() if when is not None and when >= floor}
        assert 0 < len(expected) < len(source), "the dataset must have records on both sides of the state"
        assert ids == expected, (f"{table}: missing {sorted(expected - ids)[:5]}, "
                                 f"older than the state {sorted(ids - expected)[:5]}")
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
    assert set(streams) == set(STREAMS[dialect])
    if dialect == "bearer":
        controls = [m["control"] for m in discover.of_type("CONTROL")]
        assert controls, "inside Airbyte the migrated config is offered to the platform"
        migrated = controls[-1]["connectorConfig"]["config"]
        assert migrated["credentials"]["auth_type"] == "bearer" and "api_key" not in migrated
        assert migrated["max_records_per_page"] == 25 and migrated["enable_users_sync"] is True
    read = run_connector("read", config, configured_catalog("full_refresh", dialect=dialect))
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
    assert {s["name"] for s in discover.catalog()["streams"]} == set(STREAMS[dialect]) - {"payments"}
    run = run_connector("read", config, configured_catalog("full_refresh", dialect=dialect))
    _ok(run)
    assert run.records_of("payments") == []
    for table in ("users", "suppliers"):
        assert set(run.ids(table)) == set(server.dataset.ids(table, ID_DIALECT[dialect])), table
    reasons = [log["message"] for log in run.logs if "payments" in log["message"] and "enable_payments_sync" in log["message"]]
    assert reasons, "a log line must say why payments was skipped"
    paths = server.stats()["by_path"]
    assert not any("payments" in path for path in paths), paths


# ---- zone suppliers: incremental through the `lastupdate` zone -------------------------------------

def test_zone_suppliers_incremental_reads_the_lastupdate_zone_then_the_changed_suppliers_by_id(sandbox):
    from urllib.parse import parse_qsl, urlsplit

    server = sandbox(users=5, suppliers=130, payments=5)
    config = sandbox_config(server, "hmac", max_records_per_page=100)
    catalog = configured_catalog("incremental", streams=["suppliers"], dialect="hmac")
    data = server.dataset

    # First sync, no state: the feed's newest change (1 request), then every supplier by page.
    server.stats_obj.reset()
    first = run_connector("read", config, catalog)
    _ok(first)
    assert set(first.ids("suppliers")) == set(data.ids("suppliers", "zone"))
    assert server.stats()["by_path"] == {"zone:lastupdate": 1, "zone:suppliers": 2}
    newest = max(_source_cursor_values(server, "hmac", "suppliers").values())
    assert first.stream_state("suppliers") == {"updated_at": newest.strftime("%Y-%m-%dT%H:%M:%SZ")}

    # 60 suppliers change: the next sync reads the feed from the state and fetches exactly those
    # (plus the ones already sitting on the saved instant), at most 50 ids a request.
    changed_rest = data.touch("suppliers", count=60)
    changed = {data.zone_id("suppliers", data.index_of("suppliers", r)) for r in changed_rest}
    server.stats_obj.reset()
    second = run_connector("read", config, catalog, state=first.final_state())
    _ok(second)
    ids = second.ids("suppliers")
    assert len(ids) == len(set(ids))
    assert changed <= set(ids)
    stamps = _source_cursor_values(server, "hmac", "suppliers")
    start = first.stream_state("suppliers")["updated_at"]
    for record in second.records_of("suppliers"):
        assert _utc(record["updated_at"]) == stamps[record["id"]], record["id"]  # the feed's change time, in UTC
        assert record["id"] in changed or record["updated_at"] == start, record["id"]
    fetches = [dict(parse_qsl(urlsplit(e["target"]).query)) for e in server.stats(log=500)["log"]
               if "zone=suppliers" in e["target"]]
    assert fetches and all(f["where"].startswith("and|supplierid|IN|") for f in fetches)
    assert [len(f["where"].split("|")[3].split("*")) for f in fetches][:1] == [50]
    assert sum(len(f["where"].split("|")[3].split("*")) for f in fetches) == len(ids)
    assert second.stream_state("suppliers")["updated_at"] == max(r["updated_at"] for r in second.records_of("suppliers"))


def test_zone_suppliers_changes_survive_faults_on_the_feed_and_the_fetch(sandbox):
    """A 503 on the feed, a reset and AroFlo status 888888 (query too long) on the fetch by id:
    retried, then asked again for half the ids; every changed supplier still arrives once."""
    server = sandbox(users=5, suppliers=130, payments=5)
    config = sandbox_config(server, "hmac", max_records_per_page=100, retry_attempts=3, max_retry_wait_seconds=1)
    catalog = configured_catalog("incremental", streams=["suppliers"], dialect="hmac")
    first = run_connector("read", config, catalog)
    _ok(first)
    data = server.dataset
    changed_rest = data.touch("suppliers", count=70)
    changed = {data.zone_id("suppliers", data.index_of("suppliers", r)) for r in changed_rest}
    server.faults.set([{"fault": "http_503", "match": {"table": "lastupdate"}, "times": 1},
                       {"fault": "reset", "match": {"table": "suppliers"}, "times": 1},
                       {"fault": "zone_status", "code": 888888, "match": {"table": "suppliers"}, "times": 1}])
    server.stats_obj.reset()
    second = run_connector("read", config, catalog, state=first.final_state())
    _ok(second)
    ids = second.ids("suppliers")
    assert len(ids) == len(set(ids)) and changed <= set(ids)
    assert any("asking again with 25 records a page instead of 50" in entry["message"] for entry in second.logs), \
        [entry["message"] for entry in second.logs if "suppliers" in entry["message"]]
