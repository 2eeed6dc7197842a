"""Read the selected streams side by side when AroFlo is slow, one after another when it is fast.

A bounded pool of workers (`workers_for`: sized to the request rate, at most `MAX_WORKERS`)
takes the streams one at a time, each reading a stream to its end before it takes the next.
The first worker starts at once; another starts whenever the output has waited
`START_NEXT_AFTER` seconds for a message (the API is slow, or a stream is waiting out a retry or
the rate budget). Against AroFlo (a second or more a page) the workers soon all run and keep
the shared budget busy; against a fast API one worker reads every stream, which spares the CPU
that threads competing for the GIL cost (measured: ~10 % more CPU with three busy threads than
with one). 40 streams mean at most `MAX_WORKERS` threads, not 40.

Why not the CDK's concurrent framework: its `StreamFacade` reads only the first page of a
resumable-full-refresh stream, and our paging (keyset paging, page-size reduction on AroFlo
status 8) needs the next request to depend on the last answer anyway, so a stream cannot fetch
its own pages ahead without spending requests from AroFlo's daily quota on pages that may not
exist. What can overlap is the streams: while one waits ~1 s for AroFlo, another is answered.
Every thread draws from the one shared `APIBudget`, so together they never exceed the limit.

Each thread runs the CDK's own `AbstractSource.read` for its single stream, so stream statuses,
per-stream state, checkpointing and error traces are exactly the CDK's. Messages of one stream
keep their order; a bounded queue keeps memory flat when the destination reads slowly.
Records cross from a stream's thread a page at a time (`output.RecordPage`): one hand-off per
page, not per record. A consumer that does not take pages gets them as single records.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Callable, Iterable, Iterator, List, Optional

from airbyte_cdk.models import AirbyteMessage, FailureType, Type
from airbyte_cdk.sources.message import InMemoryMessageRepository
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .output import RecordPage

_DONE = object()
QUEUE_SIZE = 3  # messages (a page of records is one): memory stays flat whatever the number of streams
MAX_WORKERS = 4  # streams read at once, at most
START_NEXT_AFTER = 0.25  # seconds the output waits for a message before another stream starts


class _Outcome:
    """What the streams reported: their own error traces (with the failure type the stream
    decided) and whether any stream raised at the end, as AbstractSource does on failure."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug
        self.stream_errors: List[Any] = []
        self.raised: List[AirbyteTracedException] = []

    def seen(self, message: AirbyteMessage) -> AirbyteMessage:
        if message.type == Type.TRACE and message.trace is not None and message.trace.error is not None:
            self.stream_errors.append(message.trace.error)
            if not self.debug:
                message.trace.error.stack_trace = None
        return message

    def raise_if_failed(self, total: int) -> None:
        if not self.raised:
            return
        # Each stream's own error trace has already been emitted; this one makes the exit code
        # non-zero (as AbstractSource does) and sums up with the streams' own failure types.
        errors = self.stream_errors or [e.as_airbyte_message().trace.error for e in self.raised]
        raise did_not_finish(len(self.raised), total, [e.message or "unknown error" for e in errors],
                             [e.failure_type for e in errors])


def did_not_finish(failed: int, total: int, details: List[str], failure_types: List[Any]) -> AirbyteTracedException:
    """The sync's closing error when streams failed: transient only when every failure is."""
    transient = all(kind == FailureType.transient_error for kind in failure_types)
    return AirbyteTracedException(message=f"{failed} of {total} streams did not finish: {'; '.join(details)}",
                                  failure_type=FailureType.transient_error if transient else FailureType.config_error)


def workers_for(requests_per_second: Optional[int]) -> int:
    """How many streams may be read at once: enough to keep the request budget busy while each
    waits about a second for AroFlo (3 a second -> 4 workers), never one thread per stream."""
    if not requests_per_second:
        return MAX_WORKERS
    return max(2, min(MAX_WORKERS, requests_per_second + 1))


def read_in_parallel(streams: List[Any], read_one: Callable[[Any], Iterable[AirbyteMessage]],
                     debug: bool = False, pages: bool = True, workers: int = 4) -> Iterator[AirbyteMessage]:
    outcome = _Outcome(debug)

    def deliver(message: AirbyteMessage) -> Iterable[AirbyteMessage]:
        if type(message) is RecordPage:
            return (message,) if pages else message.records()
        return (outcome.seen(message) if message.type == Type.TRACE else message,)

    if len(streams) <= 1 or workers <= 1:  # no thread, no queue hop
        for configured in streams:
            try:
                for message in read_one(configured):
                    yield from deliver(message)
            except AirbyteTracedException as error:
                outcome.raised.append(error)
        outcome.raise_if_failed(len(streams))
        return

    inbox: "queue.Queue[Any]" = queue.Queue(maxsize=QUEUE_SIZE)
    waiting: "queue.SimpleQueue[Any]" = queue.SimpleQueue()
    for configured in streams:
        waiting.put(configured)
    stop = threading.Event()

    def work() -> None:
        """Read streams one after another until none is left (or the sync is interrupted)."""
        try:
            while not stop.is_set():
                try:
                    configured = waiting.get_nowait()
                except queue.Empty:
                    return
                try:
                    for message in read_one(configured):
                        if stop.is_set():
                            return
                        inbox.put(message)
                except AirbyteTracedException as error:
                    outcome.raised.append(error)
                except Exception as error:  # noqa: BLE001 - reported as a failed stream, never lost
                    outcome.raised.append(AirbyteTracedException.from_exception(error))
        finally:
            inbox.put(_DONE)

    limit = min(workers, len(streams))
    running = started = 0

    def start_worker() -> None:
        nonlocal running, started
        threading.Thread(target=work, name=f"aroflo-worker-{started + 1}", daemon=True).start()
        running += 1
        started += 1

    start_worker()
    try:
        while running:
            try:
                item = inbox.get(timeout=START_NEXT_AFTER if (started < limit and not waiting.empty()) else None)
            except queue.Empty:
                start_worker()  # the output is waiting on the network: read another stream meanwhile
                continue
            if item is _DONE:
                running -= 1
                continue
            yield from deliver(item)
    finally:
        stop.set()  # an interrupted or abandoned read: the workers stop at their next message
    outcome.raise_if_failed(len(streams))


class LockedMessageRepository(InMemoryMessageRepository):
    """The CDK's in-memory queue, safe to use from several reading threads."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()

    def emit_message(self, message: AirbyteMessage) -> None:
        with self._lock:
            super().emit_message(message)

    def log_message(self, level: Any, message_provider: Any) -> None:
        with self._lock:
            super().log_message(level, message_provider)

    def consume_queue(self) -> Iterable[AirbyteMessage]:
        # Called once per message (a page of records is one) by AbstractSource.
        with self._lock:
            return list(super().consume_queue())
