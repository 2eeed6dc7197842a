"""What source-aroflo relies on in the CDK beyond its documented API (source_aroflo/cdk_seams.py).
Each test fails when a CDK release changes what a seam needs; each fallback is exercised too."""

from __future__ import annotations

import inspect
import logging

import pytest
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import Status
from airbyte_cdk.sources.streams.http import HttpStream

from source_aroflo import cdk_seams
from source_aroflo.source import SourceAroflo


def _parameters(function) -> list:
    return list(inspect.signature(function).parameters)


# ---- 1. the page loop of HttpStream -------------------------------------------------------------------
def test_http_stream_has_the_page_hook_the_stream_overrides_and_its_page_loop_calls_it():
    assert _parameters(getattr(HttpStream, cdk_seams.FETCH_HOOK)) == [
        "self", "stream_slice", "stream_state", "next_page_token"]
    assert _parameters(getattr(HttpStream, cdk_seams.READ_PAGES)) == [
        "self", "records_generator_fn", "stream_slice", "stream_state"]
    loop = inspect.getsource(getattr(HttpStream, cdk_seams.READ_PAGES))
    assert "self._fetch_next_page(" in loop and "records_generator_fn(" in loop and "self.next_page_token(" in loop


def test_the_stream_reaches_the_page_loop_only_through_the_seam():
    import source_aroflo.client as client

    source = inspect.getsource(client)
    assert "_fetch_next_page" not in source and "_read_pages" not in source
    assert issubclass(client.AroFloStream, cdk_seams.PagedHttpStream)


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
