"""How records leave the connector: a page of records travels as one message.

Through the CDK every record is its own `AirbyteMessage`: the stream's read loop, the source's
read loop, the entrypoint's record counter and the serializer each run once per record, and
together they cost more CPU than fetching, parsing and mapping the record (issue 6's profile).
Here the rows of one page travel as one `RecordPage` — a RECORD message that carries the page —
through those same CDK loops (so stream statuses, checkpoints after each page, error traces and
per-state record counts stay the CDK's), and are written as one block of RECORD lines: the same
lines single messages would give, null columns included (the CDK's serializer drops them).

Only a writer that knows pages asks for them (`launch` here sets `emit_record_pages` on the
source). Anything else that drives the source — the CDK's test entrypoint, a program embedding
it — gets one ordinary message per record.
"""

from __future__ import annotations

import gc
import sys
from typing import Any, List, Optional, Tuple

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.models import AirbyteMessage, AirbyteRecordMessage, Type

from .cdk_seams import page_writer

_cdk_message_to_string = AirbyteEntrypoint.airbyte_message_to_string


class RecordPage(AirbyteMessage):
    """The records of one page of one stream, as one RECORD message.

    `record` holds the page's last row, so code that looks at a message's record (the CDK's
    stream read loop, for its state tracking) sees the newest one; `rows` holds them all.
    """

    def __init__(self, stream: str, rows: List[dict], emitted_at: int):
        super().__init__(type=Type.RECORD,
                         record=AirbyteRecordMessage(stream=stream, data=rows[-1], emitted_at=emitted_at))
        self.rows = rows

    def records(self) -> List[AirbyteMessage]:
        """The page as one ordinary RECORD message per row."""
        stream, emitted_at = self.record.stream, self.record.emitted_at
        return [AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=stream, data=row, emitted_at=emitted_at))
                for row in self.rows]

    def encoded(self) -> bytes:
        """One RECORD line per row, each ending in a newline, UTF-8 encoded."""
        stream, emitted_at = self.record.stream, self.record.emitted_at
        head = b'{"type":"RECORD","record":{"stream":' + orjson.dumps(stream) + b',"data":'
        tail = b',"emitted_at":' + str(int(emitted_at)).encode() + b"}}\n"
        try:
            # One C-level pass: every row's JSON between a shared tail + head.
            return head + (tail + head).join(map(orjson.dumps, self.rows)) + tail
        except TypeError:
            # A value orjson cannot write (an integer beyond 64 bits, ...): row by row, with the
            # CDK's serializer for the rows that need it.
            return "".join(message_to_string(message) + "\n" for message in self.records()).encode()


def message_to_string(message: AirbyteMessage) -> Any:
    """The CDK's serializer, except that RECORD messages keep their null values and a page is
    handed to the writer (`launch`) as it is: it writes the page's bytes itself, because
    decoding them to text only to have print encode them again costs ~6 % of the read's CPU."""
    if type(message) is RecordPage:
        return message
    record = message.record if message.type == Type.RECORD else None
    if record is not None and record.meta is None and record.namespace is None and type(record.data) is dict:
        try:
            return orjson.dumps(
                {"type": "RECORD", "record": {"stream": record.stream, "data": record.data, "emitted_at": record.emitted_at}}
            ).decode()
        except TypeError:
            pass  # a value orjson cannot write: the CDK's serializer below
    return _cdk_message_to_string(message)


# Python's cyclic garbage collector runs after every 700 net new container objects. A page of
# 1,000 records makes ~3,000 (raw dicts, nested dicts, rows), all freed by reference counting
# as soon as the page is written (records hold no cycles), yet each page set off several
# collections, and every tenth of those rescans the survivors: measured 594 collections and
# 0.4 s of CPU per 100k records. Collecting after 50,000 keeps the collector for real cycles
# (memory stays bounded) and takes it off the per-page path.
GC_THRESHOLD = (50_000, 20, 100)


def _tune_garbage_collector() -> None:
    gc.freeze()  # what start-up built (modules, classes, the CDK) lives as long as the process
    gc.set_threshold(*GC_THRESHOLD)


def launch(source: Any, args: List[str]) -> None:
    """The CDK's `launch`, with pages of records written as blocks of lines."""
    _tune_garbage_collector()
    writer = page_writer()
    if writer is None:  # a CDK without what pages need (cdk_seams.py, 2): a message per record
        from airbyte_cdk.entrypoint import launch as cdk_launch

        cdk_launch(source, args)
        return
    writer.install_serializer(message_to_string)
    source.emit_record_pages = True
    entrypoint = writer.paged_entrypoint(source, _page_of)
    parsed_args = entrypoint.parse_args(args)
    raw = getattr(sys.__stdout__, "buffer", None)
    buffer = writer.print_buffer
    with buffer:
        for out in entrypoint.run(parsed_args):
            if type(out) is RecordPage:
                if raw is None:  # no byte stream underneath: as text
                    print(out.encoded().decode(), end="")
                    continue
                # Under the print buffer's lock: what was printed before goes out first, and no
                # other thread's log line can land in the middle of the page.
                with writer.lock:
                    buffer.flush()
                    write_all(raw, out.encoded())
                    raw.flush()
            else:
                print(f"{out}\n", end="")


def _page_of(message: Any) -> Optional[Tuple[str, int]]:
    return (message.record.stream, len(message.rows)) if type(message) is RecordPage else None


def write_all(raw: Any, data: bytes) -> None:
    """Write every byte: an unbuffered stdout (PYTHONUNBUFFERED) is a bare file whose `write`
    may write only part of a page when a signal interrupts it, and the rest would be lost."""
    view = memoryview(data)
    while view:
        written = raw.write(view)
        if written is None:  # a non-blocking pipe that is full: try again
            continue
        view = view[written:]
