"""Reading the REST (bearer) dialect: paging, keyset paging and what each request asks for.

Every test freezes the clock at `NOW` and answers exact requests (`HttpMocker` fails a test
when a mocked request is never sent, and `requests_mock` fails one that was not mocked).
"""

from __future__ import annotations

from datetime import timedelta
from unittest import TestCase

import requests_mock
from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.mock_http import HttpMocker
from freezegun import freeze_time

from unit_tests.builders import (
    NOW,
    FakeRestApi,
    RestResponse,
    catalog,
    config,
    final_state,
    ids,
    page_of,
    record_data,
    request_for,
    rest_record,
    run_read,
    states_of,
    stream_state,
    users_page,
    users_request,
)

START = "2024-02-01T00:00:00Z"  # the start_date of these tests, before every record


def _config(page_size: int = 2):
    return config().with_page_size(page_size).with_start_date(START).build()


@freeze_time(NOW)
class PagingTest(TestCase):
    @HttpMocker()
    def test_a_short_first_page_is_the_only_request(self, http_mocker: HttpMocker) -> None:
        first_page = users_request().with_per_page(3).with_modified_since(START).build()
        http_mocker.get(first_page, RestResponse().with_records(users_page(2)).build())
        output = run_read(_config(page_size=3), catalog("users"))
        assert ids(output) == ["1", "2"]
        http_mocker.assert_number_of_calls(first_page, 1)

    @HttpMocker()
    def test_an_empty_first_page_reads_nothing_and_keeps_no_cursor(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(users_request().with_per_page(2).with_modified_since(START).build(),
                        RestResponse().with_records([]).build())
        output = run_read(_config(), catalog("users"))
        assert output.records == []
        assert not output.errors
        assert all(state == {} for state in states_of(output))

    @HttpMocker()
    def test_the_second_request_seeks_from_the_last_records_updated_at_on_page_one(self, http_mocker: HttpMocker) -> None:
        first = users_page(2, start="2024-03-01T00:00:00Z", step=timedelta(hours=1))
        second = [first[-1], rest_record("users", "3", "2024-03-01T05:00:00Z")]
        http_mocker.get(users_request().with_per_page(2).with_modified_since(START).build(),
                        RestResponse().with_records(first).build())
        http_mocker.get(users_request().with_page(1).with_per_page(2).with_modified_since("2024-03-01T01:00:00Z").build(),
                        RestResponse().with_records(second).build())
        http_mocker.get(users_request().with_page(1).with_per_page(2).with_modified_since("2024-03-01T05:00:00Z").build(),
                        RestResponse().with_records(second[-1:]).build())
        output = run_read(_config(), catalog("users"))
        # The boundary record comes back (modified_since is inclusive) and is not emitted twice.
        assert ids(output) == ["1", "2", "3"]

    @HttpMocker()
    def test_an_exactly_full_last_page_is_followed_by_one_request_that_finds_nothing_new(self, http_mocker: HttpMocker) -> None:
        records = users_page(4, step=timedelta(minutes=10))  # 00:00, 00:10, 00:20, 00:30
        http_mocker.get(users_request().with_per_page(4).with_modified_since(START).build(),
                        RestResponse().with_records(records).build())
        after_the_full_page = users_request().with_per_page(4).with_modified_since("2024-03-01T00:30:00Z").build()
        http_mocker.get(after_the_full_page, RestResponse().with_records([]).build())
        output = run_read(_config(page_size=4), catalog("users"))
        assert ids(output) == ["1", "2", "3", "4"]
        http_mocker.assert_number_of_calls(after_the_full_page, 1)

    @HttpMocker()
    def test_an_exactly_full_last_page_whose_boundary_record_comes_back_alone_ends_the_read(self, http_mocker: HttpMocker) -> None:
        records = users_page(2, step=timedelta(minutes=10))
        http_mocker.get(users_request().with_per_page(2).with_modified_since(START).build(),
                        RestResponse().with_records(records).build())
        http_mocker.get(users_request().with_per_page(2).with_modified_since("2024-03-01T00:10:00Z").build(),
                        RestResponse().with_records(records[-1:]).build())
        output = run_read(_config(), catalog("users"))
        assert ids(output) == ["1", "2"]

    @HttpMocker()
    def test_a_short_last_page_ends_the_read_without_another_request(self, http_mocker: HttpMocker) -> None:
        records = users_page(4, step=timedelta(minutes=10))
        http_mocker.get(users_request().with_per_page(3).with_modified_since(START).build(),
                        RestResponse().with_records(records[:3]).build())
        # Inclusive seek: the boundary record (3) and one new record; below page size = last page.
        last_page = users_request().with_per_page(3).with_modified_since("2024-03-01T00:20:00Z").build()
        http_mocker.get(last_page, RestResponse().with_records(records[2:]).build())
        output = run_read(_config(page_size=3), catalog("users"))
        assert ids(output) == ["1", "2", "3", "4"]
        http_mocker.assert_number_of_calls(last_page, 1)
        assert final_state(output) == {"updated_at": "2024-03-01T00:30:00Z"}

    @HttpMocker()
    def test_a_tie_group_filling_whole_pages_is_stepped_through_by_page_number_under_the_same_modified_since(
            self, http_mocker: HttpMocker) -> None:
        t1, tie, t3 = "2024-03-01T01:00:00Z", "2024-03-01T02:00:00Z", "2024-03-01T03:00:00Z"
        one, two, three, four, five = (rest_record("users", "1", t1), rest_record("users", "2", tie),
                                       rest_record("users", "3", tie), rest_record("users", "4", tie),
                                       rest_record("users", "5", t3))
        http_mocker.get(users_request().with_page(1).with_per_page(2).with_modified_since(START).build(),
                        RestResponse().with_records([one, two]).build())
        http_mocker.get(users_request().with_page(1).with_per_page(2).with_modified_since(tie).build(),
                        RestResponse().with_records([two, three]).build())
        http_mocker.get(users_request().with_page(2).with_per_page(2).with_modified_since(tie).build(),
                        RestResponse().with_records([four, five]).build())
        http_mocker.get(users_request().with_page(1).with_per_page(2).with_modified_since(t3).build(),
                        RestResponse().with_records([five]).build())
        output = run_read(_config(), catalog("users"))
        assert ids(output) == ["1", "2", "3", "4", "5"]

    def test_a_tie_group_larger_than_several_pages_emits_every_record_exactly_once(self) -> None:
        tie = "2024-03-01T02:00:00Z"
        records = ([rest_record("users", "a0", "2024-03-01T01:00:00Z")]
                   + [rest_record("users", f"t{i:02d}", tie) for i in range(7)]
                   + [rest_record("users", "z9", "2024-03-01T03:00:00Z")])
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=records).install(mocker)
            output = run_read(_config(page_size=3), catalog("users"))
        assert ids(output) == [r["id"] for r in records]
        tie_requests = [p for p in api.params_of() if p.get("modified_since") == tie]
        assert [p["page"] for p in tie_requests] == ["1", "2", "3"]

    def test_a_record_edited_mid_sync_moves_to_the_end_without_another_record_being_skipped(self) -> None:
        records = page_of("users", 6, step=timedelta(minutes=1))

        def edit_user_1_after_the_first_page(request_number: int, api: FakeRestApi) -> None:
            if request_number == 2:
                api.edit("users", "1", updated_at="2024-03-01T09:00:00Z", first_name="Edited")

        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=records).install(mocker)
            api.before_request = edit_user_1_after_the_first_page
            output = run_read(_config(), catalog("users"))
        read_ids = ids(output)
        assert sorted(set(read_ids)) == ["1", "2", "3", "4", "5", "6"]
        # The only id read twice is the edited one, and its second copy is the edited version.
        assert [i for i in read_ids if read_ids.count(i) > 1] == ["1", "1"]
        assert record_data(output, "users")[-1]["first_name"] == "Edited"
        assert final_state(output) == {"updated_at": "2024-03-01T09:00:00Z"}

    def test_page_numbers_alone_would_skip_a_record_the_keyset_read_does_not(self) -> None:
        """The same edit, checked against what a page-number reader would have seen."""
        records = page_of("users", 6, step=timedelta(minutes=1))
        api = FakeRestApi(users=records)
        api.edit("users", "1", updated_at="2024-03-01T09:00:00Z")
        order_after_edit = [r["id"] for r in sorted(api.tables["users"], key=lambda r: r["updated_at"])]
        assert order_after_edit[2:4] == ["4", "5"]  # page 2 by number would jump from 2 straight to 4

    @HttpMocker()
    def test_records_listed_under_the_resource_name_are_read_too(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(request_for("suppliers").with_per_page(2).with_modified_since(START).build(),
                        RestResponse().under_key("suppliers").with_records(page_of("suppliers", 1)).build())
        output = run_read(_config(), catalog("suppliers"))
        assert ids(output, "suppliers") == ["1"]

    def test_three_streams_are_read_side_by_side_each_with_its_own_records_and_state(self) -> None:
        with requests_mock.Mocker() as mocker:
            FakeRestApi(users=page_of("users", 5), suppliers=page_of("suppliers", 3, start="2024-04-01T00:00:00Z"),
                        payments=page_of("payments", 4, start="2024-05-01T00:00:00Z")).install(mocker)
            output = run_read(_config(), catalog())
        assert ids(output, "users") == ["1", "2", "3", "4", "5"]
        assert ids(output, "suppliers") == ["1", "2", "3"]
        assert ids(output, "payments") == ["1", "2", "3", "4"]
        assert final_state(output, "suppliers") == {"updated_at": "2024-04-01T00:02:00Z"}
        assert final_state(output, "payments") == {"updated_at": "2024-05-01T00:03:00Z"}
        assert not output.errors


@freeze_time(NOW)
class FullRefreshTest(TestCase):
    @HttpMocker()
    def test_full_refresh_sends_no_modified_since_and_reads_records_of_any_age(self, http_mocker: HttpMocker) -> None:
        ancient = [rest_record("users", "1", "2001-01-01T00:00:00Z"), rest_record("users", "2", "2009-06-30T23:59:59Z")]
        http_mocker.get(users_request().with_per_page(100).build(), RestResponse().with_records(ancient).build())
        cfg = config().with_start_date("2024-05-01").build()  # start_date is for incremental syncs only
        output = run_read(cfg, catalog("users", mode=SyncMode.full_refresh))
        assert ids(output) == ["1", "2"]

    def test_full_refresh_starts_unfiltered_and_later_pages_only_seek_past_records_already_read(self) -> None:
        """Keyset paging holds in full refresh too: page 2 is asked from the last record read,
        never from start_date or a saved state."""
        records = page_of("users", 5, start="1999-01-01T00:00:00Z")
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=records).install(mocker)
            output = run_read(config().with_page_size(2).with_start_date("2024-05-01").build(),
                              catalog("users", mode=SyncMode.full_refresh),
                              state=[stream_state("users", updated_at="2024-05-01T00:00:00Z")])
        assert ids(output) == ["1", "2", "3", "4", "5"]
        params = api.params_of()
        assert "modified_since" not in params[0]
        read_so_far = {r["updated_at"] for r in records}
        assert all(p["modified_since"] in read_so_far for p in params[1:])

    def test_incremental_sync_disabled_reads_everything_even_when_the_catalog_asks_for_incremental(self) -> None:
        with requests_mock.Mocker() as mocker:
            api = FakeRestApi(users=page_of("users", 3, start="1999-01-01T00:00:00Z")).install(mocker)
            output = run_read(config().with_incremental(False).build(), catalog("users", mode=SyncMode.full_refresh))
        assert ids(output) == ["1", "2", "3"]
        assert all("modified_since" not in params for params in api.params_of())


@freeze_time(NOW)
class RecordShapeTest(TestCase):
    @HttpMocker()
    def test_rest_records_leave_the_connector_typed_and_in_utc(self, http_mocker: HttpMocker) -> None:
        record = rest_record("payments", 42, "2024-03-01T20:00:00+10:00", amount="1,296.50",
                             meta={"source": "web", "batch": {"no": 7}}, payment_date="2024/03/01")
        http_mocker.get(request_for("payments").with_per_page(2).with_modified_since(START).build(),
                        RestResponse().with_records([record]).build())
        [row] = record_data(run_read(_config(), catalog("payments")), "payments")
        assert row["id"] == "42"
        assert row["updated_at"] == "2024-03-01T10:00:00Z"
        assert row["amount"] == 1296.5
        assert row["payment_date"] == "2024-03-01"
        assert row["meta"] == {"source": "web", "batch": {"no": 7}}  # an undeclared object: one column, as sent
        # Seed columns the API did not send are null. (The CDK's message serializer leaves
        # null values out of the JSON it prints, so on the wire "null" is an absent key.)
        assert row.get("job_id") is None and row.get("customer_id") is None
