"""Incoming state in every shape it can arrive in, turned into per-stream state messages.

The seed kept one cursor for all tables, `{"last_sync_time": "..."}`. It may reach us as a bare
JSON object in the state file, as a LEGACY state message, or as a GLOBAL state's shared state.
Each becomes the starting point of every stream that has no state of its own. Airbyte's older
legacy format `{"users": {...}, ...}` is accepted too.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, List, Mapping

from airbyte_cdk.models import (
    AirbyteStateBlob,
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    AirbyteStateType,
    AirbyteStreamState,
    StreamDescriptor,
)

from .config import ConfigError

LEGACY_KEY = "last_sync_time"


def _stream_message(name: str, state: Mapping[str, Any]) -> AirbyteStateMessage:
    return AirbyteStateMessage(
        type=AirbyteStateType.STREAM,
        stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=name), stream_state=AirbyteStateBlob(**state)),
    )


def load_state_file(path: str) -> List[AirbyteStateMessage]:
    if not path:
        return []
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
    except (OSError, ValueError) as error:
        raise ConfigError([f"the state file {path} could not be read as JSON ({error})"]) from None
    if not raw:
        return []
    if isinstance(raw, dict):
        if "type" in raw:  # a single state message
            raw = [raw]
        else:
            return [AirbyteStateMessage(type=AirbyteStateType.LEGACY, data=raw)]
    if not isinstance(raw, list):
        raise ConfigError([f"the state file {path} must hold a JSON object or a list of state messages"])
    messages = []
    for item in raw:
        try:
            messages.append(AirbyteStateMessageSerializer.load(item))
        except Exception as error:  # serpyco raises its own types
            raise ConfigError([f"the state file {path} holds something that is not a state message: {error}"]) from None
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
