"""Every place source-aroflo relies on the Airbyte CDK beyond its documented API: this module.

`unit_tests/test_cdk_seams.py` fails when a CDK release changes one of them. Each says what it
needs, why, and what happens without it:

1. `PagedHttpStream`: the stream chooses each next request from the last answer (keyset
   tokens, the same page again when its content is unusable, half the page on AroFlo status 8).
   It overrides `HttpStream._fetch_next_page` (called by `HttpStream._read_pages`) and calls
   both. No fallback: an `HttpStream` has no public hook between "an answer arrived" and "ask
   the next page". The test checks both signatures and that `_read_pages` calls the hook.
2. `page_writer()`: records leave a page per message (`output.RecordPage`), which took the
   connector from 1.5x to 0.75x the CPU of a minimal CDK stream (issue 6). It needs
   `AirbyteEntrypoint.handle_record_counts(message, counter)` (called by `read` for every
   message), `AirbyteEntrypoint.airbyte_message_to_string` (the serializer `run` calls) and the
   print buffer's `lock` / `flush`. Fallback: `page_writer()` is None and `launch` runs the CDK's
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
from typing import Any, Callable, Iterable, Mapping, Optional

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.sources.streams.http import HttpStream

FETCH_HOOK = "_fetch_next_page"  # HttpStream's: sends one request, returns (request, response)
READ_PAGES = "_read_pages"  # HttpStream's: calls the hook, the records function, next_page_token


class PagedHttpStream(HttpStream):
    """An `HttpStream` whose page loop asks `fetch_page(token)` for each answer.

    Subclasses implement `fetch_page(token) -> (request, response)`, sending requests with
    `send(token)`, and read with `read_pages(records)` (records: response -> iterable).
    """

    def fetch_page(self, token: Any) -> tuple:  # pragma: no cover - the subclass's
        raise NotImplementedError

    def _fetch_next_page(self, stream_slice: Any = None, stream_state: Any = None, next_page_token: Any = None):
        return self.fetch_page(next_page_token)

    def send(self, token: Any) -> tuple:
        """One request for `token` through the CDK's HTTP client (auth, budget, retries, errors)."""
        return HttpStream._fetch_next_page(self, None, None, token)

    def read_pages(self, records: Callable[[Any], Iterable[Any]]) -> Iterable[Any]:
        return HttpStream._read_pages(self, lambda request, response, state, _slice: records(response), None, None)


# ---- 2. pages of records through the entrypoint ----------------------------------------------------
class PageWriter:
    """What `output.launch` needs of the CDK to write a page of records as one block of lines."""

    def __init__(self, print_buffer: Any):
        self.print_buffer = print_buffer
        self.lock = print_buffer.lock
        self.cdk_message_to_string = AirbyteEntrypoint.airbyte_message_to_string
        self.cdk_handle_record_counts = AirbyteEntrypoint.handle_record_counts

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
    return PageWriter(PRINT_BUFFER) if reads_counts else None


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
