"""Entry point for `python main.py` and the `source-aroflo` console script.

The CDK's `launch` prints an uncaught exception's traceback into the log; a person running
`check` or `read` with a bad config or a failing API gets a one-line error trace instead.

The CDK's message serializer drops every `None`, record values included; a record keeps its
null columns here, so every seed column is in every record as the README promises.
"""

from __future__ import annotations

import sys
from typing import List, Optional

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import AirbyteMessage, Type
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .source import SourceAroflo


_cdk_message_to_string = AirbyteEntrypoint.airbyte_message_to_string


def _message_to_string(message: AirbyteMessage) -> str:
    """RECORD messages are written directly (cheaper than the generic serializer, and nulls kept)."""
    record = message.record if message.type == Type.RECORD else None
    if record is not None and record.meta is None and record.namespace is None and type(record.data) is dict:
        try:
            return orjson.dumps(
                {"type": "RECORD", "record": {"stream": record.stream, "data": record.data, "emitted_at": record.emitted_at}}
            ).decode()
        except TypeError:
            pass  # a value orjson cannot write: fall back to the CDK's serializer
    return _cdk_message_to_string(message)


_CHUNK = 500  # RECORD lines written at once


def launch(source: SourceAroflo, args: List[str]) -> None:
    """The CDK's `launch`, writing RECORD lines in chunks instead of one locked write each.

    A chunk is written out before any other message (STATE, TRACE, ...), so every state still
    follows its records, and on the way out whatever happens.
    """
    entrypoint = AirbyteEntrypoint(source)
    parsed_args = entrypoint.parse_args(args)
    with PRINT_BUFFER:
        chunk: list = []
        try:
            for line in entrypoint.run(parsed_args):
                chunk.append(line)
                if len(chunk) >= _CHUNK or not line.startswith(_RECORD_PREFIX):
                    print("\n".join(chunk) + "\n", end="")
                    chunk = []
        finally:
            if chunk:
                print("\n".join(chunk) + "\n", end="")


_RECORD_PREFIX = '{"type":"RECORD"'


def run(args: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if args is None else args
    AirbyteEntrypoint.airbyte_message_to_string = staticmethod(_message_to_string)
    source = SourceAroflo()
    try:
        launch(source, argv)
    except Exception as error:  # noqa: BLE001 - turned into one error trace, no traceback
        if not isinstance(error, AirbyteTracedException):
            error = AirbyteTracedException.from_exception(error)
        message = error.as_sanitized_airbyte_message()
        if message.trace and message.trace.error:
            message.trace.error.stack_trace = None
        print(AirbyteEntrypoint.airbyte_message_to_string(message), flush=True)
        sys.exit(1)
