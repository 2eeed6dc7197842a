"""How records leave the connector: a page of records as one message, written as RECORD lines."""

from __future__ import annotations

import json
from collections import defaultdict

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStreamState,
    StreamDescriptor,
    Type,
)

from source_aroflo.cdk_seams import page_writer
from source_aroflo.output import RecordPage, _page_of, message_to_string

ROWS = [
    {"id": "1", "name": "Björn", "phone": None, "amount": 12.5, "tags": ["a", "b"]},
    {"id": "2", "name": "Tāne", "phone": "+61 3 9000 0000", "amount": None, "tags": []},
]


def _lines(page: RecordPage) -> list:
    text = page.encoded().decode()
    assert text.endswith("\n")
    return [json.loads(line) for line in text[:-1].split("\n")]


def test_a_page_is_written_as_one_record_line_per_row_with_nulls_kept() -> None:
    page = RecordPage("users", ROWS, 1700000000123)
    lines = _lines(page)
    assert lines == [{"type": "RECORD", "record": {"stream": "users", "data": row, "emitted_at": 1700000000123}}
                     for row in ROWS]


def test_a_page_and_its_single_records_are_written_the_same() -> None:
    page = RecordPage("payments", ROWS, 1700000000123)
    singles = [message_to_string(message) for message in page.records()]
    assert page.encoded().decode() == "".join(line + "\n" for line in singles)
    assert message_to_string(page) is page  # the writer writes a page's bytes itself


def test_a_value_orjson_cannot_write_falls_back_row_by_row_without_losing_rows() -> None:
    rows = [{"id": "1", "big": 2 ** 70}, {"id": "2", "big": 1}]
    lines = _lines(RecordPage("users", rows, 1))
    assert [line["record"]["data"]["id"] for line in lines] == ["1", "2"]
    assert lines[0]["record"]["data"]["big"] == 2 ** 70


def test_a_single_record_keeps_its_null_columns() -> None:
    message = AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream="users", data=ROWS[0], emitted_at=5))
    assert json.loads(message_to_string(message))["record"]["data"]["phone"] is None


def test_a_state_counts_the_records_of_the_pages_before_it() -> None:
    counts: defaultdict = defaultdict(float)
    PagedEntrypoint = type(page_writer().paged_entrypoint(None, _page_of))
    PagedEntrypoint.handle_record_counts(RecordPage("users", ROWS, 1), counts)
    PagedEntrypoint.handle_record_counts(RecordPage("users", ROWS[:1], 1), counts)
    PagedEntrypoint.handle_record_counts(RecordPage("payments", ROWS, 1), counts)
    state = AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name="users"), stream_state={"updated_at": "x"})))
    PagedEntrypoint.handle_record_counts(state, counts)
    assert state.state.sourceStats.recordCount == 3.0


def test_a_page_is_written_whole_even_when_the_file_takes_it_in_parts():
    from source_aroflo.output import write_all

    class Partial:
        def __init__(self):
            self.data = b""

        def write(self, chunk):
            taken = bytes(chunk[:7])  # as an unbuffered stdout interrupted by a signal would
            self.data += taken
            return len(taken)

    sink = Partial()
    page = b'{"type":"RECORD"}\n' * 5
    write_all(sink, page)
    assert sink.data == page
