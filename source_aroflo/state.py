"""Incoming state in every shape it can arrive in, turned into per-stream state messages.

The seed kept one cursor for all tables, `{"last_sync_time": "..."}`. It may reach us as a bare
JSON object in the state file, as a LEGACY state message, or as a GLOBAL state's shared state.
Each becomes the starting point of every stream that has no state of its own. Airbyte's older
legacy format `{"users": {...}, ...}` is accepted too.

`read_input_file` reads the files `read` is given (`--config`, `--catalog`, `--state`): a file
that is missing, not JSON or not the right shape is a config error naming the file and the problem.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, List, Mapping, Optional, Tuple

from airbyte_cdk.models import (
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    AirbyteStateType,
    AirbyteStreamState,
    FailureType,
    StreamDescriptor,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .config import ConfigError
from .cursor import LEGACY as LEGACY_KEY


def _stream_message(name: str, state: Mapping[str, Any]) -> AirbyteStateMessage:
    return AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=name), stream_state=AirbyteStateBlob(**state)),
    )


class InputFileError(ConfigError):
    """A `--config`, `--catalog` or `--state` file that is missing, not JSON or not the right shape.

    A config_error like `ConfigError`, whose message is the problems themselves: each names the
    file, and says nothing of what the file holds (it may hold secrets).
    """

    def __init__(self, problems: List[str]):
        self.problems = problems
        message = "; ".join(problems)
        AirbyteTracedException.__init__(self, message=message, internal_message=message,
                                        failure_type=FailureType.config_error)


_SHAPES = {"config": (dict,), "catalog": (dict,), "state": (dict, list, type(None))}
_SHAPE_WORDS = {"config": "a JSON object", "catalog": "a JSON object",
                "state": "a JSON object or a list of state messages"}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return {list: "a list", dict: "an object", str: "a string", type(None): "null"}.get(type(value), type(value).__name__)


def read_input_file(kind: str, path: str) -> Any:
    """The JSON value of the `kind` file ("config", "catalog" or "state") at `path`, checked to
    be of the shape that kind of file holds; otherwise an `InputFileError` saying what is wrong."""
    label = f"the {kind} file {path}"
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise InputFileError([f"{label} does not exist"]) from None
    except IsADirectoryError:
        raise InputFileError([f"{label} is a folder, not a file"]) from None
    except UnicodeDecodeError:
        raise InputFileError([f"{label} is not UTF-8 text"]) from None
    except OSError as error:
        raise InputFileError([f"{label} could not be read ({error.strerror or error})"]) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:  # its position only: the text itself may hold a secret
        raise InputFileError([f"{label} is not valid JSON (line {error.lineno} column {error.colno}: {error.msg})"]) from None
    if not isinstance(value, _SHAPES[kind]):
        raise InputFileError([f"{label} must hold {_SHAPE_WORDS[kind]}, not {_json_type(value)}"])
    return value


def check_input_files(paths: Iterable[Tuple[str, Optional[str]]]) -> None:
    """Read each (kind, path) given; every problem of every file in one `InputFileError`."""
    problems: List[str] = []
    for kind, path in paths:
        if path:
            try:
                read_input_file(kind, path)
            except InputFileError as error:
                problems += error.problems
    if problems:
        raise InputFileError(problems)


def load_state_file(path: str) -> List[AirbyteStateMessage]:
    if not path:
        return []
    raw = read_input_file("state", path)
    if not raw:
        return []
    if isinstance(raw, dict):
        if "type" in raw:  # a single state message
            raw = [raw]
        else:
            return [AirbyteStateMessage(type=AirbyteStateType.LEGACY, data=raw)]
    messages = []
    for item in raw:
        try:
            messages.append(AirbyteStateMessageSerializer.load(item))
        except Exception as error:  # serpyco raises its own types
            raise InputFileError([f"the state file {path} holds something that is not a state message: {error}"]) from None
    return messages


def _as_dict(blob: Any) -> dict:
    if blob is None:
        return {}
    if isinstance(blob, Mapping):
        return dict(blob)
    return dict(getattr(blob, "__dict__", {}))


def expand_legacy_state(messages: Iterable[AirbyteStateMessage], streams: Iterable[str]) -> List[AirbyteStateMessage]:
    """Return per-stream STREAM messages; legacy cursors fill streams with no state of their own."""
    per_stream: dict = {}
    shared: dict = {}
    for message in messages:
        kind = message.type
        if kind == AirbyteStateType.STREAM and message.stream:
            per_stream[message.stream.stream_descriptor.name] = _as_dict(message.stream.stream_state)
        elif kind == AirbyteStateType.GLOBAL and message.global_:
            shared.update(_as_dict(message.global_.shared_state))
            for stream_state in message.global_.stream_states or []:
                per_stream[stream_state.stream_descriptor.name] = _as_dict(stream_state.stream_state)
        elif message.data:  # LEGACY (or untyped) state
            data = _as_dict(message.data)
            for name, value in data.items():
                if isinstance(value, Mapping):
                    per_stream[name] = dict(value)
                else:
                    shared[name] = value
    result = []
    for name in streams:
        state = per_stream.get(name) or {}
        if not state and shared.get(LEGACY_KEY):
            state = {LEGACY_KEY: shared[LEGACY_KEY]}
        if state:
            result.append(_stream_message(name, state))
    return result
