"""What source-aroflo relies on in the CDK beyond its documented API (source_aroflo/cdk_seams.py).
Each test fails when a CDK release changes what a seam needs; each fallback is exercised too."""

from __future__ import annotations

import inspect
import logging

import pytest
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import Status

from source_aroflo import cdk_seams
from source_aroflo.source import SourceAroflo


def _parameters(function) -> list:
    return list(inspect.signature(function).parameters)


# ---- 1. the second the HTTP client adds to every backoff --------------------------------------------
def test_the_http_client_sleeps_a_backoff_plus_the_second_the_seam_takes_off():
    source = cdk_seams.client_sleep_source()
    assert "sleep_time = retry_after + 1" in source and "time.sleep(sleep_time)" in source
    assert cdk_seams.CLIENT_ADDS_SECONDS == 1.0


def test_the_wait_a_retry_logs_is_the_wait_made(sleeps):
    """Measured through a read: the back-off strategy answers its wait less the client's second,
    so what the log says and what `time.sleep` is asked for agree."""
    import re

    import requests_mock
    from airbyte_cdk.models import Level

    from unit_tests.builders import BASE_URL, catalog, config, log_lines, run_read, users_page

    with requests_mock.Mocker() as mocker:
        mocker.get(f"{BASE_URL}/users", [{"status_code": 500, "json": {"error": "hiccup"}},
                                         {"status_code": 200, "json": {"data": users_page(1)}}])
        output = run_read(config().with_start_date("2024-01-01").build(), catalog("users"))
    [said] = [float(m) for line in log_lines(output, Level.WARN) for m in re.findall(r"waiting ([0-9.]+) s", line)]
    [slept] = sleeps.longer_than(0)
    assert abs(slept - said) <= 0.05, (said, sleeps.durations)


def test_no_other_module_imports_a_private_cdk_name_or_reaches_the_cdks_internals():
    import pathlib
    import re

    internals = ("PRINT_BUFFER", "HashableStreamDescriptor", "user_defined_backoff_handler", "_fetch_next_page",
                 "_read_pages", "rate_limiting")
    package = pathlib.Path(cdk_seams.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "cdk_seams.py":
            continue
        text = path.read_text()
        for match in re.finditer(r"from airbyte_cdk[\w.]* import \(?([^)\n]*(?:\n[^)]*)?)\)?", text):
            offenders += [f"{path.name}: imports {name.strip()}" for name in match.group(1).split(",")
                          if name.strip().startswith("_")]
        offenders += [f"{path.name}: {name}" for name in internals if name in text]
        if re.search(r"AirbyteEntrypoint\.\w+\s*=(?!=)", text):
            offenders.append(f"{path.name}: replaces an AirbyteEntrypoint attribute")
    assert offenders == []


# ---- 2. pages of records through the entrypoint ----------------------------------------------------
def test_this_cdk_has_what_pages_of_records_need():
    writer = cdk_seams.page_writer()
    assert writer is not None
    assert "handle_record_counts(" in inspect.getsource(AirbyteEntrypoint.read)
    assert _parameters(writer.cdk_handle_record_counts) == ["message", "stream_message_count"]
    assert callable(writer.print_buffer.flush) and writer.lock.acquire(timeout=1)
    writer.lock.release()


def test_without_them_the_connector_writes_a_message_per_record(monkeypatch, capsys):
    from source_aroflo import output

    monkeypatch.setattr(output, "page_writer", lambda: None)
    ran = []
    monkeypatch.setattr("airbyte_cdk.entrypoint.launch", lambda source, args: ran.append((source, args)))
    source = SourceAroflo()
    output.launch(source, ["spec"])
    assert ran == [(source, ["spec"])] and source.emit_record_pages is False


def test_a_cdk_whose_entrypoint_changed_gets_no_page_writer(monkeypatch):
    cdk_seams.page_writer.cache_clear()
    try:
        monkeypatch.setattr(AirbyteEntrypoint, "handle_record_counts", staticmethod(lambda message: message))
        assert cdk_seams.page_writer() is None
        assert cdk_seams.print_lock() is cdk_seams._OWN_LOCK  # the fallback lock
    finally:
        monkeypatch.undo()
        cdk_seams.page_writer.cache_clear()
    assert cdk_seams.page_writer() is not None


# ---- 3. the source's config messages before the CDK's schema check ---------------------------------
def test_check_runs_the_connectors_own_config_check_before_the_cdks_schema_check():
    wrapped = AirbyteEntrypoint.validate_connection
    assert getattr(wrapped, "_aroflo_wrapped", False)
    assert "self.validate_connection(" in inspect.getsource(AirbyteEntrypoint.check)


def test_without_the_wrap_check_still_fails_a_bad_config(monkeypatch):
    from airbyte_cdk.test import entrypoint_wrapper

    original = inspect.getattr_static(AirbyteEntrypoint, "validate_connection")
    monkeypatch.setattr(AirbyteEntrypoint, "validate_connection",
                        staticmethod(lambda source_spec, config: None))  # as if this CDK had no seam
    bad = {"credentials": {"auth_type": "bearer", "api_key": "k"}, "max_records_per_page": 5000}
    output = entrypoint_wrapper.discover(SourceAroflo(), bad, expecting_exception=True)
    assert any("max_records_per_page must be between 1 and 1000" in (e.trace.error.message or "")
               for e in output.errors)
    status = SourceAroflo().check(logging.getLogger("airbyte"), bad)
    assert status.status == Status.FAILED and "max_records_per_page" in status.message
    assert original is not None


def test_the_wrap_refuses_a_validate_connection_of_another_shape(monkeypatch):
    monkeypatch.setattr(AirbyteEntrypoint, "validate_connection", staticmethod(lambda spec: None))
    assert cdk_seams.check_config_first(SourceAroflo, lambda config: None) is False


@pytest.mark.parametrize("name", ["consume_queue", "emit_message", "log_message"])
def test_the_message_repository_is_used_through_its_public_methods_only(name):
    from source_aroflo import parallel

    assert "_message_queue" not in inspect.getsource(parallel)
    assert callable(getattr(parallel.LockedMessageRepository(), name))
