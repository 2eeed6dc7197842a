"""Configuration: validation in human words, the seed's flat config, discover and stream switches."""

from __future__ import annotations

import os
from unittest import mock

from datetime import datetime, timezone
from unittest import TestCase

import pytest
import requests_mock
from airbyte_cdk.models import Level, Status, SyncMode
from freezegun import freeze_time

from source_aroflo import config as config_module
from source_aroflo.config import ConfigError
from unit_tests.builders import (
    API_KEY,
    BASE_URL,
    NOW,
    FakeRestApi,
    catalog,
    config,
    connection_status,
    control_messages,
    error_traces,
    ids,
    log_lines,
    page_of,
    run_check,
    run_discover,
    run_read,
    seed_config,
)

# (what is wrong, the config, the exact words the person must see)
BAD_CONFIGS = [
    ("missing credentials", config().without("credentials").build(),
     "credentials are missing: give an api_key (bearer) or the AroFlo API keys (hmac)"),
    ("credentials not an object", config().with_credentials("abc").build(),
     "credentials must be an object with auth_type 'bearer' or 'hmac'"),
    ("bad auth_type", config().with_credentials({"auth_type": "oauth", "api_key": "unit-key-1234"}).build(),
     "credentials.auth_type must be 'bearer' or 'hmac', got 'oauth'"),
    ("placeholder api_key", config().with_credentials({"auth_type": "bearer", "api_key": "<YOUR_API_KEY>"}).build(),
     "credentials.api_key still holds the template placeholder: paste the real value"),
    ("empty api_key", config().with_credentials({"auth_type": "bearer", "api_key": ""}).build(),
     "credentials.api_key is required"),
    ("hmac without secret_key", config().with_zone_credentials(secret_key="").build(),
     "credentials.secret_key is required"),
    ("bearer credentials carrying a zone key", config().with_credentials(
        {"auth_type": "bearer", "api_key": "unit-key-1234", "u_encoded": "zone-user-1234"}).build(),
     "credentials.u_encoded is not used by auth_type 'bearer'"),
    ("bad host_ip", config().with_zone_credentials(host_ip="my-laptop").build(),
     "credentials.host_ip must be an IP address such as 203.0.113.10, got 'my-laptop'"),
    ("page size 5000", config().with_page_size(5000).build(),
     "max_records_per_page must be between 1 and 1000, got 5000"),
    ("page size 0", config().with_page_size(0).build(), "max_records_per_page must be between 1 and 1000, got 0"),
    ("initial_sync_days 0", config().with_initial_sync_days(0).build(),
     "initial_sync_days must be between 1 and 365, got 0"),
    ("initial_sync_days 400", config().with_initial_sync_days(400).build(),
     "initial_sync_days must be between 1 and 365, got 400"),
    ("negative lookback", config().with_lookback_minutes(-5).build(),
     "lookback_window_minutes must be between 0 and 525600, got -5"),
    ("negative lookback as a string", config().with_lookback_minutes("-5").build(),
     "lookback_window_minutes must be between 0 and 525600, got -5"),
    ("non-numeric string", config().with_retry_attempts("ten").build(), "retry_attempts must be a whole number, got 'ten'"),
    ("number with a unit", config().with_("request_timeout_seconds", "30s").build(),
     "request_timeout_seconds must be a whole number, got '30s'"),
    ("fractional number", config().with_page_size(10.5).build(), "max_records_per_page must be a whole number, got 10.5"),
    ("retry_attempts 11", config().with_retry_attempts(11).build(), "retry_attempts must be between 0 and 10, got 11"),
    ("max_retry_wait_seconds 0", config().with_max_retry_wait(0).build(),
     "max_retry_wait_seconds must be between 1 and 3600, got 0"),
    ("bad start_date", config().with_start_date("31/01/2024").build(),
     "start_date must be an ISO date (2024-01-31) or date-time (2024-01-31T00:00:00Z), got '31/01/2024'"),
    ("start_date not a string", config().with_start_date(20240131).build(),
     "start_date must be an ISO date (2024-01-31) or date-time (2024-01-31T00:00:00Z), got 20240131"),
    ("future start_date", config().with_start_date("2999-01-01").build(),
     "start_date '2999-01-01' is in the future: no record could match it"),
    ("ftp base_url", config().with_("base_url", "ftp://api.aroflo.com/v1").build(),
     "base_url must start with https:// (or http:// for a local test server), got 'ftp://api.aroflo.com/v1'"),
    ("base_url without a host", config().with_("base_url", "https://").build(),
     "base_url must start with https:// (or http:// for a local test server), got 'https://'"),
    ("unknown key with a close match", config().with_("inital_sync_days", 30).build(),
     "unknown key 'inital_sync_days' (did you mean 'initial_sync_days'?)"),
    ("every stream disabled", config().with_stream_disabled("users", "suppliers", "payments").build(),
     "every stream is disabled (enable_users_sync, enable_suppliers_sync, enable_payments_sync): enable at least one"),
    ("boolean typo", config().with_("enable_users_sync", "yes please").build(),
     "enable_users_sync must be true or false, got 'yes please'"),
    ("boolean as a number", config().with_incremental(2).build(), "enable_incremental_sync must be true or false, got 2"),
    ("reserve above the daily limit", config().with_("daily_quota_reserve", 2001).build(),
     "daily_quota_reserve must be between 0 and 2000, got 2001"),
    ("re-read window of 0 days", config().with_("re_read_window_days", 0).build(),
     "re_read_window_days must be between 1 and 365, got 0"),
    ("refresh every 0 hours", config().with_("refresh_hours", 0).build(), "refresh_hours must be between 1 and 8760, got 0"),
    ("single-id requests above AroFlo's budget", config().with_("single_id_requests_per_sync", 20001).build(),
     "single_id_requests_per_sync must be between 0 and 20000, got 20001"),
]


@pytest.mark.parametrize("what, bad, expected", BAD_CONFIGS, ids=[case[0] for case in BAD_CONFIGS])
def test_parse_rejects_a_bad_config_with_words_a_person_can_act_on(what: str, bad: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config_module.parse(bad)
    assert expected in raised.value.message
    assert raised.value.failure_type.value == "config_error"


@pytest.mark.parametrize("what, bad, expected", BAD_CONFIGS, ids=[case[0] for case in BAD_CONFIGS])
def test_check_fails_a_bad_config_with_the_same_words_and_no_traceback(what: str, bad: dict, expected: str) -> None:
    with requests_mock.Mocker() as mocker:  # a bad config must fail before any request
        output = run_check(bad)
        assert mocker.call_count == 0
    status = connection_status(output)
    assert status.status == Status.FAILED
    assert expected in status.message
    assert not output.errors
    assert not any("Traceback" in line for line in log_lines(output))


def test_every_problem_is_reported_at_once() -> None:
    bad = config().with_page_size(5000).with_initial_sync_days(0).with_("enable_users_sync", "nope").build()
    with pytest.raises(ConfigError) as raised:
        config_module.parse(bad)
    assert len(raised.value.problems) == 3
    message = raised.value.message
    assert "max_records_per_page" in message and "initial_sync_days" in message and "enable_users_sync" in message


def test_a_config_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ConfigError, match="the configuration must be a JSON object"):
        config_module.parse(["api_key", "abc"])


def test_the_future_is_judged_against_the_clock_given() -> None:
    now = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    assert config_module.parse(config().with_start_date("2024-06-01T11:59:59Z").build(), now=now).start_date
    with pytest.raises(ConfigError, match="is in the future"):
        config_module.parse(config().with_start_date("2024-06-01T12:00:01Z").build(), now=now)


def test_a_bad_config_never_echoes_a_secret_in_check() -> None:
    bad = config().with_credentials({"auth_type": "bearer", "api_key": API_KEY, "secret_key": "zone-secret-xyz"}).build()
    status = connection_status(run_check(bad))
    assert status.status == Status.FAILED
    assert "credentials.secret_key is not used by auth_type 'bearer'" in status.message
    assert API_KEY not in status.message and "zone-secret-xyz" not in status.message


# ---- good configs ---------------------------------------------------------------------------------
def test_defaults_fill_everything_left_out() -> None:
    settings = config_module.parse({"credentials": {"auth_type": "bearer", "api_key": API_KEY}})
    assert settings.base_url == "https://api.aroflo.com/v1"
    assert (settings.page_size, settings.initial_sync_days, settings.lookback_window_minutes) == (100, 90, 0)
    assert (settings.request_timeout_seconds, settings.retry_attempts, settings.max_retry_wait_seconds) == (30, 3, 60)
    assert settings.enabled_streams == {"users", "suppliers", "payments"} and settings.incremental is True
    assert (settings.requests_per_second, settings.requests_per_minute) == (None, None)
    # AroFlo's quota: 400 of its 2,000 daily requests kept for the site's other integrations, a
    # 31-day re-read window, zones without a change signal read again daily, 1,000 single-id requests a sync.
    assert (settings.daily_quota_reserve, settings.re_read_window_days, settings.refresh_hours,
            settings.single_id_requests_per_sync) == (400, 31, 24, 1000)


def test_the_quota_settings_take_the_values_given_as_numbers_or_text() -> None:
    settings = config_module.parse(config().with_("daily_quota_reserve", "0").with_("re_read_window_days", 7)
                                   .with_("refresh_hours", "168").with_("single_id_requests_per_sync", 0).build())
    assert (settings.daily_quota_reserve, settings.re_read_window_days, settings.refresh_hours,
            settings.single_id_requests_per_sync) == (0, 7, 168, 0)


def test_zone_defaults_pace_at_aroflos_documented_limits_and_ask_full_pages() -> None:
    settings = config_module.parse(config().with_zone_credentials().without("base_url").build())
    assert settings.dialect == "hmac" and settings.base_url == "https://api.aroflo.com/"
    assert settings.page_size == 500
    assert (settings.requests_per_second, settings.requests_per_minute) == (3, 120)


def test_an_empty_base_url_or_start_date_in_a_form_means_not_set() -> None:
    settings = config_module.parse(config().with_("base_url", "").with_start_date("  ").build())
    assert settings.base_url == "https://api.aroflo.com/v1" and settings.start_date is None


def test_zone_page_size_over_500_is_clamped_to_500_and_remembered() -> None:
    settings = config_module.parse(config().with_zone_credentials().with_page_size(800).build())
    assert settings.page_size == 500 and settings.page_size_was_clamped_from == 800
    assert config_module.parse(config().with_page_size(800).build()).page_size == 800  # REST allows 1000


def test_seed_shaped_config_parses_to_the_same_settings_as_its_spec_shaped_equivalent() -> None:
    seed = config_module.parse(seed_config())
    spec_shaped = config_module.parse(config().with_initial_sync_days(30).with_page_size(100).with_("sync_frequency_hours", 6).build())
    assert seed == spec_shaped
    assert seed.sync_frequency_hours == 6


@freeze_time(NOW)
class SeedShapedConfigTest(TestCase):
    """The seed's configuration.json (flat api_key, every value a string) works unchanged."""

    def test_check_succeeds_and_emits_the_migrated_config_in_a_control_message(self) -> None:
        with requests_mock.Mocker() as mocker, mock.patch.dict(os.environ, {"WORKER_JOB_ID": "42"}):
            mocker.get(f"{BASE_URL}/users", json={"data": page_of("users", 1)})
            output = run_check(seed_config())
            assert mocker.last_request.headers["Authorization"] == f"Bearer {API_KEY}"
        assert connection_status(output).status == Status.SUCCEEDED
        [control] = control_messages(output)
        migrated = control.connectorConfig.config
        assert migrated["credentials"] == {"auth_type": "bearer", "api_key": API_KEY}
        assert "api_key" not in migrated
        assert migrated["max_records_per_page"] == 100 and migrated["initial_sync_days"] == 30
        assert migrated["enable_users_sync"] is True and migrated["enable_debug_logging"] is False
        assert config_module.parse(migrated) == config_module.parse(seed_config())

    def test_outside_airbyte_the_seed_config_is_converted_without_printing_it(self) -> None:
        with requests_mock.Mocker() as mocker, mock.patch.dict(os.environ, {}, clear=False):
            os.environ.pop("WORKER_JOB_ID", None)
            mocker.get(f"{BASE_URL}/users", json={"data": page_of("users", 1)})
            output = run_check(seed_config())
        assert connection_status(output).status == Status.SUCCEEDED
        assert control_messages(output) == []  # a CONTROL message would print the api_key
        assert any("seed's flat format" in m.log.message for m in output.logs)

    def test_a_spec_shaped_config_emits_no_control_message(self) -> None:
        with requests_mock.Mocker() as mocker:
            mocker.get(f"{BASE_URL}/users", json={"data": []})
            output = run_check(config().build())
        assert control_messages(output) == []

    def test_discover_offers_the_three_streams(self) -> None:
        output = run_discover(seed_config())
        assert [s.name for s in output.catalog.catalog.streams] == ["payments", "suppliers", "users"]

    def test_read_uses_the_seed_values_and_explains_sync_frequency_hours(self) -> None:
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=page_of("users", 3, start="2024-05-20T00:00:00Z"), suppliers=[], payments=[]).install(mocker)
            output = run_read(seed_config(), catalog())
        assert ids(output, "users") == ["1", "2", "3"]
        first = api.params_of("users")[0]
        assert first == {"page": "1", "per_page": "100", "modified_since": "2024-05-02T12:00:00Z"}  # NOW - 30 days
        assert any("sync_frequency_hours=6 is not used by this connector" in line for line in log_lines(output))


# ---- discover and stream switches ---------------------------------------------------------------
class DiscoverTest(TestCase):
    def test_discover_offers_three_streams_with_schemas_keys_and_cursors(self) -> None:
        streams = {s.name: s for s in run_discover(config().build()).catalog.catalog.streams}
        assert set(streams) == {"users", "suppliers", "payments"}
        seed_columns = {"users": {"first_name", "role", "territory"}, "suppliers": {"contact_person", "tax_id"},
                        "payments": {"amount", "invoice_id", "job_id"}}
        for name, stream in streams.items():
            properties = stream.json_schema["properties"]
            assert {"id", "created_at", "updated_at"} | seed_columns[name] <= set(properties), name
            assert stream.source_defined_primary_key == [["id"]]
            assert stream.supported_sync_modes == [SyncMode.full_refresh, SyncMode.incremental]
            assert stream.source_defined_cursor is True and stream.default_cursor_field == ["updated_at"]
        assert streams["payments"].json_schema["properties"]["amount"]["type"] == ["null", "number"]
        assert streams["users"].json_schema["properties"]["updated_at"]["format"] == "date-time"

    def test_a_disabled_stream_is_not_offered(self) -> None:
        streams = run_discover(config().with_stream_disabled("suppliers").build()).catalog.catalog.streams
        assert [s.name for s in streams] == ["payments", "users"]

    def test_incremental_sync_disabled_offers_full_refresh_only(self) -> None:
        for stream in run_discover(config().with_incremental(False).build()).catalog.catalog.streams:
            assert stream.supported_sync_modes == [SyncMode.full_refresh], stream.name
            assert not stream.default_cursor_field

    def test_every_zone_stream_is_offered_incremental_with_the_cursor_its_reading_gives(self) -> None:
        from source_aroflo.declaration import Reading
        from source_aroflo.zones import CHILDREN, ZONES

        cursor = {Reading.FEED: "updated_at", Reading.FEED_OR_SEEK: "updated_at", Reading.SEEK_TIME: "updated_at",
                  Reading.WINDOW: "read_at", Reading.REFRESH: "read_at"}
        expected = {z.name: "payment_date" if z.name == "payments" else cursor[z.reading] for z in ZONES}
        expected.update({c.name: expected[c.parent.name] for c in CHILDREN})
        streams = {s.name: s for s in run_discover(config().with_zone_credentials().build()).catalog.catalog.streams}
        assert set(streams) == set(expected)
        for name, stream in streams.items():
            assert stream.supported_sync_modes == [SyncMode.full_refresh, SyncMode.incremental], name
            assert stream.source_defined_cursor is True and stream.default_cursor_field == [expected[name]], name
            assert expected[name] in stream.json_schema["properties"], name

    def test_discover_with_a_bad_config_fails_with_the_human_message(self) -> None:
        output = run_discover(config().with_page_size(5000).build(), expect_failure=True)
        messages = [e.message for e in error_traces(output)]
        assert any("max_records_per_page must be between 1 and 1000, got 5000" in m for m in messages), messages


@freeze_time(NOW)
class StreamSwitchTest(TestCase):
    def test_a_catalog_naming_a_disabled_stream_reads_the_others_and_says_why_it_skipped(self) -> None:
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=page_of("users", 2, start="2024-05-20T00:00:00Z"),
                              payments=page_of("payments", 1, start="2024-05-20T00:00:00Z")).install(mocker)
            output = run_read(config().with_stream_disabled("payments").build(), catalog("users", "payments"))
        assert ids(output, "users") == ["1", "2"]
        assert ids(output, "payments") == []
        assert api.params_of("payments") == []
        warnings = log_lines(output, Level.WARN)
        assert any("Skipping stream 'payments': enable_payments_sync is false in the configuration" in w for w in warnings)
        assert not output.errors

    def test_a_catalog_naming_a_stream_that_does_not_exist_is_a_config_error_before_any_request(self) -> None:
        from airbyte_cdk.test.catalog_builder import CatalogBuilder

        cat = CatalogBuilder().with_stream("users", SyncMode.incremental).with_stream("widgets", SyncMode.full_refresh).build()
        for cfg in (config().build(), config().with_zone_credentials().build()):
            with self.subTest(dialect=cfg["credentials"]["auth_type"]), requests_mock.Mocker() as mocker:
                output = run_read(cfg, cat, expect_failure=True)
                assert mocker.call_count == 0
            [error] = error_traces(output)
            assert error.failure_type.value == "config_error"
            assert "'widgets' (source-aroflo has no such stream (discover lists the streams))" in error.message
            assert "Make the catalog from `discover`" in error.message
            assert output.records == [] and output.state_messages == []

    def test_zone_page_size_over_500_is_clamped_with_a_warning_and_500_is_asked(self) -> None:
        zone_answer = {"status": "0", "statusmessage": "Login OK",
                       "zoneresponse": {"users": [], "maxpageresults": "500", "pagenumber": "1", "currentpageresults": 0}}
        with requests_mock.Mocker() as mocker:
            mocker.get(requests_mock.ANY, json=zone_answer)
            output = run_read(config().with_zone_credentials().with_page_size(800).build(), catalog("users"))
            assert "pageSize=500" in mocker.last_request.url
        assert not output.errors
        assert any("max_records_per_page=800 is above the zone API's maximum of 500 records a page; using 500" in w
                   for w in log_lines(output, Level.WARN))


# ---- the spec and the checks agree ------------------------------------------------------------------
def _spec_integers() -> dict:
    import json
    from pathlib import Path

    spec = json.loads((Path(config_module.__file__).with_name("spec.json")).read_text())
    return {key: schema for key, schema in spec["connectionSpecification"]["properties"].items()
            if schema.get("type") == "integer"}


@pytest.mark.parametrize("key", sorted(_spec_integers()))
def test_every_number_the_form_allows_is_accepted_and_the_ones_beyond_are_refused(key: str) -> None:
    schema = _spec_integers()[key]
    if "minimum" in schema:
        config_module.parse(config().with_(key, schema["minimum"]).build())
        with pytest.raises(ConfigError, match=key):
            config_module.parse(config().with_(key, schema["minimum"] - 1).build())
    if "maximum" in schema:
        config_module.parse(config().with_(key, schema["maximum"]).build())
        with pytest.raises(ConfigError, match=key):
            config_module.parse(config().with_(key, schema["maximum"] + 1).build())


@pytest.mark.parametrize("key", sorted(k for k, schema in _spec_integers().items() if "default" in schema))
def test_the_default_the_form_shows_is_the_one_a_config_without_the_key_gets(key: str) -> None:
    settings = config_module.parse(config().build())
    assert getattr(settings, key) == _spec_integers()[key]["default"]
