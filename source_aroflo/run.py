"""Entry point for `python main.py` and the `source-aroflo` console script.

The CDK's `launch`, with two changes: pages of records are written as blocks of RECORD lines
(`output.py`: the CPU cost of the CDK's per-record message path, and null columns kept), and
an uncaught exception becomes one error trace instead of a traceback in the log, so a person
running `check` or `read` with a bad config or a failing API reads one line.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .output import launch
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
        print(AirbyteEntrypoint.airbyte_message_to_string(message), flush=True)
        sys.exit(1)
