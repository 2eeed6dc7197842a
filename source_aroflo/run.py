"""Entry point for `python main.py` and the `source-aroflo` console script.

The CDK's `launch` prints an uncaught exception's traceback into the log; a person running
`check` or `read` with a bad config or a failing API gets a one-line error trace instead.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from airbyte_cdk.entrypoint import launch
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .source import SourceAroflo


def run(args: Optional[List[str]] = None) -> None:
    argv = sys.argv[1:] if args is None else args
    source = SourceAroflo()
    try:
        launch(source, argv)
    except Exception as error:  # noqa: BLE001 - turned into one error trace, no traceback
        if not isinstance(error, AirbyteTracedException):
            error = AirbyteTracedException.from_exception(error)
        message = error.as_sanitized_airbyte_message()
        if message.trace and message.trace.error:
            message.trace.error.stack_trace = None
        from airbyte_cdk.entrypoint import AirbyteEntrypoint

        print(AirbyteEntrypoint.airbyte_message_to_string(message), flush=True)
        sys.exit(1)
