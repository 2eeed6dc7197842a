"""Incremental syncs: where a sync starts, and the state it leaves behind.

The clock is frozen at NOW = 2024-06-01T12:00:00Z, so "now minus N days" is exact.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import TestCase

import requests_mock
from airbyte_cdk.test.mock_http import HttpMocker
from freezegun import freeze_time

from unit_tests.builders import (
    NOW,
    FakeRestApi,
    RestResponse,
    catalog,
    config,
    error_traces,
    final_state,
    ids,
    page_of,
    rest_record,
    run_read,
    run_read_with_state_file,
    states_of,
    stream_state,
    users_page,
    users_request,
)

SAVED = "2024-05-01T08:00:00Z"


def _first_request_modified_since(cfg, state=None, state_file=None) -> str:
    """Run a users sync against an empty API and return the modified_since it asked with."""
    with requests_mock.Mocker() as mocker:
        api = FakeRestApi(users=[]).install(mocker)
        if state_file is not None:
            output = run_read_with_state_file(cfg, catalog("users"), state_file)
        else:
            output = run_read(cfg, catalog("users"), state)
    assert not output.errors, [e.message for e in error_traces(output)]
    return api.params_of()[0]["modified_since"]


@freeze_time(NOW)
class WhereASyncStartsTest(TestCase):
    def test_the_first_sync_starts_at_start_date(self) -> None:
        assert _first_request_modified_since(config().with_start_date("2024-01-15").build()) == "2024-01-15T00:00:00Z"

    def test_a_start_date_with_an_offset_is_sent_in_utc(self) -> None:
        cfg = config().with_start_date("2024-01-15T10:00:00+10:00").build()
        assert _first_request_modified_since(cfg) == "2024-01-15T00:00:00Z"

    def test_without_start_date_the_first_sync_starts_initial_sync_days_before_now(self) -> None:
        assert _first_request_modified_since(config().with_initial_sync_days(10).build()) == "2024-05-22T12:00:00Z"

    def test_the_default_first_sync_reaches_back_90_days(self) -> None:
        assert _first_request_modified_since(config().build()) == "2024-03-03T12:00:00Z"

    def test_start_date_wins_over_initial_sync_days(self) -> None:
        cfg = config().with_start_date("2024-05-30").with_initial_sync_days(300).build()
        assert _first_request_modified_since(cfg) == "2024-05-30T00:00:00Z"

    def test_a_saved_state_wins_over_start_date(self) -> None:
        cfg = config().with_start_date("2024-01-01").build()
        assert _first_request_modified_since(cfg, [stream_state("users", updated_at=SAVED)]) == SAVED

    def test_the_lookback_window_is_subtracted_from_the_saved_state(self) -> None:
        cfg = config().with_lookback_minutes(90).build()
        assert _first_request_modified_since(cfg, [stream_state("users", updated_at=SAVED)]) == "2024-05-01T06:30:00Z"

    def test_a_saved_state_with_an_offset_is_resumed_in_utc(self) -> None:
        state = [stream_state("users", updated_at="2024-05-01T18:00:00+10:00")]
        assert _first_request_modified_since(config().build(), state) == SAVED

    def test_another_streams_state_does_not_move_this_stream(self) -> None:
        state = [stream_state("payments", updated_at=SAVED)]
        assert _first_request_modified_since(config().with_initial_sync_days(1).build(), state) == "2024-05-31T12:00:00Z"

    def test_an_unreadable_saved_state_fails_with_a_config_error_naming_the_value(self) -> None:
        with requests_mock.Mocker() as mocker:
            FakeRestApi(users=[]).install(mocker)
            output = run_read(config().build(), catalog("users"), [stream_state("users", updated_at="last tuesday")],
                              expect_failure=True)
        messages = [e.message for e in error_traces(output)]
        assert any("'last tuesday'" in m and "reset the stream's state" in m for m in messages), messages
        assert {e.failure_type.value for e in error_traces(output)} == {"config_error"}


@freeze_time(NOW)
class LegacyStateTest(TestCase):
    """The seed kept one `{"last_sync_time": ...}` for every table; each envelope still works."""

    def test_a_bare_json_object_state_file(self) -> None:
        modified_since = _first_request_modified_since(config().build(), state_file={"last_sync_time": SAVED})
        assert modified_since == SAVED

    def test_a_legacy_state_message(self) -> None:
        state_file = [{"type": "LEGACY", "data": {"last_sync_time": SAVED}}]
        assert _first_request_modified_since(config().build(), state_file=state_file) == SAVED

    def test_a_global_state_with_last_sync_time_in_shared_state(self) -> None:
        state_file = [{"type": "GLOBAL", "global": {"shared_state": {"last_sync_time": SAVED}, "stream_states": []}}]
        assert _first_request_modified_since(config().build(), state_file=state_file) == SAVED

    def test_a_streams_own_state_wins_over_the_shared_legacy_cursor(self) -> None:
        state_file = [{"type": "GLOBAL", "global": {
            "shared_state": {"last_sync_time": "2024-01-01T00:00:00Z"},
            "stream_states": [{"stream_descriptor": {"name": "users"}, "stream_state": {"updated_at": SAVED}}],
        }}]
        assert _first_request_modified_since(config().build(), state_file=state_file) == SAVED

    def test_the_legacy_cursor_starts_every_table_and_each_leaves_its_own_per_stream_state(self) -> None:
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=page_of("users", 2, start="2024-05-02T00:00:00Z"),
                              suppliers=page_of("suppliers", 1, start="2024-05-03T00:00:00Z"),
                              payments=[]).install(mocker)
            output = run_read_with_state_file(config().build(), catalog(), {"last_sync_time": SAVED})
        for table in ("users", "suppliers", "payments"):
            assert api.params_of(table)[0]["modified_since"] == SAVED, table
        assert final_state(output, "users") == {"updated_at": "2024-05-02T00:01:00Z"}
        assert final_state(output, "suppliers") == {"updated_at": "2024-05-03T00:00:00Z"}
        # Nothing new for payments: its state carries the legacy cursor forward in the new shape.
        assert final_state(output, "payments") == {"updated_at": SAVED}

    def test_an_empty_state_file_is_a_first_sync(self) -> None:
        cfg = config().with_initial_sync_days(2).build()
        assert _first_request_modified_since(cfg, state_file={}) == "2024-05-30T12:00:00Z"

    def test_a_state_file_that_is_not_json_state_fails_with_a_clear_message(self) -> None:
        output = run_read_with_state_file(config().build(), catalog("users"), ["not a state message"],
                                          expect_failure=True)
        messages = [e.message for e in error_traces(output)]
        assert any("not a state message" in m for m in messages), messages


@freeze_time(NOW)
class StateLeftBehindTest(TestCase):
    def test_state_is_checkpointed_after_every_page(self) -> None:
        records = page_of("users", 7, step=timedelta(minutes=1))  # 00:00 .. 00:06
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=records).install(mocker)
            output = run_read(config().with_page_size(3).with_start_date("2024-01-01").build(), catalog("users"))
        assert ids(output) == [str(i) for i in range(1, 8)]
        states = [s["updated_at"] for s in states_of(output)]
        # Pages: [1,2,3], then from 00:02 [3,4,5], then from 00:04 [5,6,7], then from 00:06 [7].
        assert len(api.params_of()) == 4
        assert len(states) >= 3, states
        assert states == sorted(states)
        assert states[0] <= "2024-03-01T00:03:00Z"  # a checkpoint before the whole stream was read
        assert states[-1] == "2024-03-01T00:06:00Z"

    def test_each_checkpoint_only_covers_records_already_emitted(self) -> None:
        """A checkpoint may never claim a record the destination has not received."""
        records = page_of("users", 9, step=timedelta(minutes=1))
        with requests_mock.Mocker() as mocker:
            FakeRestApi(users=records).install(mocker)
            output = run_read(config().with_page_size(4).with_start_date("2024-01-01").build(), catalog("users"))
        emitted = []
        for message in output.records_and_state_messages:
            if message.record is not None:
                emitted.append(message.record.data["updated_at"])
            elif message.state is not None and message.state.stream is not None:
                value = message.state.stream.stream_state.__dict__.get("updated_at")
                assert value is None or (emitted and value <= max(emitted)), (value, emitted)

    @HttpMocker()
    def test_state_never_goes_past_the_sync_start_even_when_records_are_dated_in_the_future(
            self, http_mocker: HttpMocker) -> None:
        future = [rest_record("users", "1", "2024-06-01T11:00:00Z"), rest_record("users", "2", "2024-07-01T00:00:00Z")]
        http_mocker.get(users_request().with_modified_since(SAVED).build(), RestResponse().with_records(future).build())
        output = run_read(config().build(), catalog("users"), [stream_state("users", updated_at=SAVED)])
        assert ids(output) == ["1", "2"]
        assert final_state(output) == {"updated_at": NOW}
        assert all(state["updated_at"] <= NOW for state in states_of(output))

    @HttpMocker()
    def test_state_never_moves_backwards_when_the_lookback_rereads_older_records(self, http_mocker: HttpMocker) -> None:
        older = [rest_record("users", "1", "2024-05-01T07:10:00Z"), rest_record("users", "2", "2024-05-01T07:30:00Z")]
        http_mocker.get(users_request().with_modified_since("2024-05-01T07:00:00Z").build(),
                        RestResponse().with_records(older).build())
        output = run_read(config().with_lookback_minutes(60).build(), catalog("users"),
                          [stream_state("users", updated_at=SAVED)])
        assert ids(output) == ["1", "2"]
        assert all(state == {"updated_at": SAVED} for state in states_of(output)), states_of(output)

    @HttpMocker()
    def test_a_sync_that_finds_nothing_keeps_the_saved_state(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(users_request().with_modified_since(SAVED).build(), RestResponse().with_records([]).build())
        output = run_read(config().build(), catalog("users"), [stream_state("users", updated_at=SAVED)])
        assert output.records == []
        assert final_state(output) == {"updated_at": SAVED}

    @HttpMocker()
    def test_state_advances_to_the_newest_record_read(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(users_request().with_modified_since(SAVED).build(),
                        RestResponse().with_records(users_page(3, start="2024-05-10T00:00:00Z", step=timedelta(hours=1))).build())
        output = run_read(config().build(), catalog("users"), [stream_state("users", updated_at=SAVED)])
        assert final_state(output) == {"updated_at": "2024-05-10T02:00:00Z"}

    def test_a_second_sync_resumes_from_the_state_the_first_left(self) -> None:
        records = page_of("users", 3, start="2024-05-10T00:00:00Z")
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=records).install(mocker)
            first = run_read(config().with_start_date("2024-05-01").build(), catalog("users"))
            api.tables["users"].append(rest_record("users", "4", "2024-05-20T00:00:00Z"))
            second = run_read(config().with_start_date("2024-05-01").build(), catalog("users"),
                              [stream_state("users", **final_state(first))])
        assert api.params_of()[-1]["modified_since"] == "2024-05-10T00:02:00Z"
        # Inclusive: the boundary record comes again (at-least-once), then the new one.
        assert ids(second) == ["3", "4"]
        assert final_state(second) == {"updated_at": "2024-05-20T00:00:00Z"}
