"""Every place source-aroflo relies on the Airbyte CDK beyond its documented API: this module.

`unit_tests/test_cdk_seams.py` fails when a CDK release changes one of them, and a guard test
checks that no other module of the package imports a private CDK name or touches these
internals. Each seam says what it needs, why, and what happens without it:

1. `CLIENT_ADDS_SECONDS`: the CDK's HTTP client sleeps a backoff strategy's answer plus one
   second (`user_defined_backoff_handler`). The backoff strategy takes it off, so the waits it
   logs are the waits made. Fallback: none needed — a CDK that stops adding it only makes each
   wait a second shorter; the test measures it.
2. `page_writer()`: records leave a page per message (`output.RecordPage`): a page of rows goes
   through the entrypoint as one message and is written as one block of lines (measured: the
   connector's CPU per record 0.75× a minimal CDK stream's, 1.5× without). It needs
   `AirbyteEntrypoint.handle_record_counts(message, counter)` (called by `read` for every
   message, to fill each STATE's record count), `AirbyteEntrypoint.airbyte_message_to_string`
   (the serializer `run` calls), `HashableStreamDescriptor` (the counter's key) and the print
   buffer's `lock` / `flush`. Fallback: `page_writer()` is None and `launch` runs the CDK's
   entrypoint with one message per record.
3. `check_config_first(parse)`: the CDK validates a config against the spec's JSON schema before
   `check` reaches the source, in jsonschema's words ("5000 is greater than the maximum of
   1000", no key named). Wrapping `AirbyteEntrypoint.validate_connection` lets the source's own
   messages come first. Fallback: without it, `check` fails with jsonschema's message.
"""

from __future__ import annotations

import functools
import inspect
import threading
from typing import Any, Callable, DefaultDict, Mapping, Optional, Tuple

from airbyte_cdk.entrypoint import AirbyteEntrypoint

# ---- 1. the second the HTTP client adds to every backoff -------------------------------------------
CLIENT_ADDS_SECONDS = 1.0


def client_sleep_source() -> str:
    """The CDK code that sleeps before a retry (the seam test reads it)."""
    from airbyte_cdk.sources.streams.http import rate_limiting

    return inspect.getsource(rate_limiting.user_defined_backoff_handler)


# ---- 2. pages of records through the entrypoint ----------------------------------------------------
class PageWriter:
    """What `output.launch` needs of the CDK to write a page of records as one block of lines."""

    def __init__(self, print_buffer: Any, descriptor: Any):
        self.print_buffer = print_buffer
        self.lock = print_buffer.lock
        self.cdk_message_to_string = AirbyteEntrypoint.airbyte_message_to_string
        self.cdk_handle_record_counts = AirbyteEntrypoint.handle_record_counts
        self._descriptor = descriptor

    def count_records(self, stream: str, rows: int, counter: DefaultDict[Any, float]) -> None:
        """Add `rows` records of `stream` to the entrypoint's per-stream counter."""
        counter[self._descriptor(name=stream, namespace=None)] += float(rows)

    def paged_entrypoint(self, source: Any, page_of: Callable[[Any], Optional[Tuple[str, int]]]) -> Any:
        """The CDK's entrypoint for `source`, counting a message for which `page_of(message)` gives
        (stream, rows) as that many records: the count goes into every STATE message
        (`sourceStats.recordCount`, records since the stream's previous state), which the platform
        checks against what it received."""
        writer = self

        class PagedEntrypoint(AirbyteEntrypoint):
            @staticmethod
            def handle_record_counts(message: Any, stream_message_count: DefaultDict[Any, float]) -> Any:
                page = page_of(message)
                if page is None:
                    return writer.cdk_handle_record_counts(message, stream_message_count)
                writer.count_records(page[0], page[1], stream_message_count)
                return message

        return PagedEntrypoint(source)

    def install_serializer(self, serializer: Callable[[Any], Any]) -> None:
        # The entrypoint serializes with the class attribute; only this process's output uses it.
        AirbyteEntrypoint.airbyte_message_to_string = staticmethod(serializer)


def _parameters(function: Any) -> list:
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return []


@functools.lru_cache(maxsize=1)  # looked at once, before `install_serializer` replaces the serializer
def page_writer() -> Optional[PageWriter]:
    """The CDK parts a page writer needs, or None when this CDK lacks them (then: a message per record)."""
    try:
        from airbyte_cdk.logger import PRINT_BUFFER
        from airbyte_cdk.sources.connector_state_manager import HashableStreamDescriptor
    except ImportError:
        return None
    if not (hasattr(PRINT_BUFFER, "lock") and hasattr(PRINT_BUFFER, "flush")):
        return None
    if _parameters(getattr(AirbyteEntrypoint, "handle_record_counts", None)) != ["message", "stream_message_count"]:
        return None
    if _parameters(getattr(AirbyteEntrypoint, "airbyte_message_to_string", None)) != ["airbyte_message"]:
        return None
    try:
        reads_counts = "handle_record_counts(" in inspect.getsource(AirbyteEntrypoint.read)
    except (OSError, TypeError):
        reads_counts = False
    return PageWriter(PRINT_BUFFER, HashableStreamDescriptor) if reads_counts else None


def print_lock() -> Any:
    """The lock the CDK's print buffer holds while it writes (a lock of our own without one)."""
    writer = page_writer()
    return writer.lock if writer is not None else _OWN_LOCK


def flush_prints() -> None:
    writer = page_writer()
    if writer is not None:
        writer.print_buffer.flush()


_OWN_LOCK = threading.RLock()


# ---- 3. the source's own config messages before the CDK's schema check -----------------------------
def check_config_first(owner: type, parse: Callable[[Mapping[str, Any]], Any]) -> bool:
    """Wrap `AirbyteEntrypoint.validate_connection` so that, for sources of class `owner`,
    `parse(config)` runs first (and raises its own config error). False when this CDK has no such
    static method with (source_spec, config)."""
    current = getattr(AirbyteEntrypoint, "validate_connection", None)
    if getattr(current, "_aroflo_wrapped", False):
        return True
    if _parameters(current) != ["source_spec", "config"]:
        return False

    def validate_connection(entrypoint: Any, source_spec: Any, config: Mapping[str, Any]) -> None:
        if isinstance(getattr(entrypoint, "source", None), owner):
            parse(config)
        current(source_spec, config)

    validate_connection._aroflo_wrapped = True  # type: ignore[attr-defined]
    AirbyteEntrypoint.validate_connection = validate_connection  # type: ignore[method-assign]
    return True
