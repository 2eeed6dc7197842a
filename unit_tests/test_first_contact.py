"""First contact: the config and catalog surprises a person meets on their first check and sync."""

from __future__ import annotations

import os
import re
from unittest import mock

import pytest
import requests_mock
from airbyte_cdk.models import Level, Status, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder

from .builders import (
    BASE_URL,
    error_traces,
    FakeRestApi,
    catalog,
    config,
    connection_status,
    ids,
    log_lines,
    page_of,
    run_check,
    run_read,
    seed_config,
    stream_state,
)
from .zone_builders import BASE_URL as ZONE_BASE_URL, ZoneServer, supplier, user


def _check(cfg):
    with requests_mock.Mocker() as mocker, mock.patch.dict(os.environ, {}, clear=False):
        os.environ.pop("WORKER_JOB_ID", None)
        mocker.get(f"{BASE_URL}/users", json={"data": page_of("users", 1)})
        output = run_check(cfg)
        calls = mocker.call_count
    return output, calls


def _warnings(output):
    return log_lines(output, Level.WARN)


# ---- unknown keys --------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["x_platform_added", "streams_to_sync"])
def test_an_unknown_key_that_resembles_no_known_key_is_accepted_with_one_warning(key):
    output, calls = _check(config().with_(key, "anything").build())
    status = connection_status(output)
    assert status.status == Status.SUCCEEDED, status.message
    assert calls == 1
    naming = [w for w in _warnings(output) if key in w]
    assert len(naming) == 1, f"expected one WARN line naming {key!r}, got {naming}"


@pytest.mark.parametrize("typo, meant", [("intial_sync_days", "initial_sync_days"),
                                         ("enable_user_sync", "enable_users_sync")])
def test_a_likely_typo_still_fails_check_with_did_you_mean(typo, meant):
    output, calls = _check(config().with_(typo, 30 if "days" in typo else False).build())
    status = connection_status(output)
    assert status.status == Status.FAILED
    assert f"unknown key '{typo}' (did you mean '{meant}'?)" in status.message
    assert calls == 0


def test_a_numeric_api_key_fails_saying_it_must_be_text():
    output, calls = _check(config().with_credentials({"auth_type": "bearer", "api_key": 12345}).build())
    status = connection_status(output)
    assert status.status == Status.FAILED
    assert "credentials.api_key must be text" in status.message
    assert "is required" not in status.message
    assert "12345" not in status.message or "must be text" in status.message
    assert calls == 0


# ---- which conversion is announced -----------------------------------------------------------------
def test_a_spec_shaped_config_with_one_numeric_string_is_not_called_the_seeds_flat_format():
    output, _ = _check(config().with_page_size("100").build())
    assert connection_status(output).status == Status.SUCCEEDED
    lines = log_lines(output)
    assert not any("seed's flat format" in line for line in lines), [l for l in lines if "flat" in l]
    assert any("given as text" in line and "max_records_per_page" in line for line in lines), lines


def test_a_truly_flat_seed_config_is_called_the_seeds_flat_format():
    output, _ = _check(seed_config())
    assert connection_status(output).status == Status.SUCCEEDED
    assert any("seed's flat format" in line for line in log_lines(output))


# ---- warnings at read time -------------------------------------------------------------------------
def _read(cfg, cat, state=None, **tables):
    tables = tables or {"users": page_of("users", 3, start="2024-05-20T00:00:00Z")}
    with requests_mock.Mocker() as mocker:
        api = FakeRestApi(**tables).install(mocker)
        output = run_read(cfg, cat, state)
    return api, output


def test_a_saved_state_in_the_future_is_warned_about():
    api, output = _read(config().build(), catalog("users"), [stream_state("users", updated_at="2999-01-01T00:00:00Z")])
    assert not output.errors
    future = [w for w in _warnings(output) if "users" in w and "future" in w]
    assert len(future) == 1, _warnings(output)
    assert "2999-01-01" in future[0]
    assert ids(output, "users") == []


def test_a_state_key_that_is_not_the_cursor_is_warned_about():
    api, output = _read(config().build(), catalog("users"), [stream_state("users", modified="2024-05-01T00:00:00Z")])
    assert not output.errors
    naming = [w for w in _warnings(output) if "'modified'" in w]
    assert len(naming) == 1, _warnings(output)
    assert "updated_at" in naming[0]


def test_an_incremental_catalog_with_incremental_sync_disabled_is_a_full_refresh_with_a_warning():
    api, output = _read(config().with_incremental(False).build(), catalog("users"))
    assert not output.errors, output.get_formatted_error_message()
    warned = [w for w in _warnings(output) if "enable_incremental_sync is false" in w]
    assert len(warned) == 1, _warnings(output)
    assert "full refresh" in warned[0]
    assert ids(output, "users") == ["1", "2", "3"]
    assert all("modified_since" not in params for params in api.params_of("users")), api.params_of("users")


def test_a_zone_stream_in_the_rest_dialect_is_a_config_error_naming_the_zone_api_before_any_request():
    cat = CatalogBuilder().with_stream("users", SyncMode.full_refresh).with_stream("invoices", SyncMode.full_refresh) \
        .with_stream("invoices_lines", SyncMode.full_refresh).build()
    with requests_mock.Mocker() as mocker:
        output = run_read(config().build(), cat, expect_failure=True)
        assert mocker.call_count == 0
    [error] = error_traces(output)
    assert error.failure_type.value == "config_error"
    assert "'invoices' (the REST API (bearer token) has only users, suppliers and payments; 'invoices' needs " \
           "AroFlo's zone API (credentials.auth_type 'hmac'))" in error.message
    assert "'invoices_lines' (" in error.message and "zone API" in error.message
    assert output.records == []


def test_a_seed_table_switched_off_is_still_skipped_with_a_log_line_and_its_child_streams_too():
    cat = CatalogBuilder().with_stream("users", SyncMode.full_refresh).with_stream("suppliers", SyncMode.full_refresh) \
        .with_stream("suppliers_customfields", SyncMode.full_refresh).build()
    with requests_mock.Mocker() as mocker:
        server = ZoneServer(mocker, data={"users": [user(1)], "suppliers": [supplier(1)]})
        output = run_read(config().with_zone_credentials().with_stream_disabled("suppliers").build()
                          | {"base_url": ZONE_BASE_URL}, cat)
    assert not output.errors, output.get_formatted_error_message()
    assert {query.zone for query in server.asked} == {"users"}
    skipped = [w for w in _warnings(output) if w.startswith("Skipping stream")]
    assert skipped == ["Skipping stream 'suppliers': enable_suppliers_sync is false in the configuration",
                       "Skipping stream 'suppliers_customfields': enable_suppliers_sync is false in the configuration"]


# ---- one summary line per sync ---------------------------------------------------------------------
def test_one_summary_line_per_sync_names_every_stream_with_its_record_count():
    api, output = _read(config().build(), catalog("users", "suppliers", "payments", mode=SyncMode.full_refresh),
                        users=page_of("users", 3, start="2024-05-20T00:00:00Z"),
                        suppliers=page_of("suppliers", 2, start="2024-05-20T00:00:00Z"),
                        payments=page_of("payments", 1, start="2024-05-20T00:00:00Z"))
    assert not output.errors, output.get_formatted_error_message()
    assert (len(ids(output, "users")), len(ids(output, "suppliers")), len(ids(output, "payments"))) == (3, 2, 1)
    lines = log_lines(output)
    summaries = [line for line in lines if line.startswith("Finished syncing SourceAroflo")]
    assert len(summaries) == 1, summaries
    summary = summaries[0]
    for stream, count in (("users", 3), ("suppliers", 2), ("payments", 1)):
        assert re.search(rf"\b{stream} {count} records?\b", summary), f"{stream} {count} not in {summary!r}"
    assert not [line for line in lines if "SourceAroflo runtimes" in line]
    assert len([line for line in lines if line.startswith("Starting syncing SourceAroflo")]) == 1
