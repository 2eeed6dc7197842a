"""The selected streams of one zone — the zone's own stream and its child streams — and the state
each of them keeps while the zone is read once for all of them (a family, read by `sync.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, List, Optional

from airbyte_cdk.models import (AirbyteMessage, AirbyteStateBlob, AirbyteStateMessage, AirbyteStateType,
                                AirbyteStreamState, StreamDescriptor, SyncMode, Type)

from .cursor import FEED_SEEN, PROGRESS, TAKEN, WAITING, WINDOW_AT, Cursor
from .declaration import READ_AT, Child
from .mapping import build_child_rows, deletion_row
from .schemas import columns


@dataclass
class Member:
    """One selected stream of a family."""

    stream: Any  # the AroFloStream that discover shows for it
    incremental: bool
    incoming: dict  # its state as the sync began
    cursor: Cursor
    rows_of: Callable[[list], list]  # the family's page of (zone) rows -> this stream's rows
    is_zone: bool = True
    state: dict = field(default_factory=dict)
    running: bool = False

    @property
    def name(self) -> str:
        return self.stream.name

    def start(self) -> None:
        """The state carries over what this sync does not change (the feed flag, the last window)."""
        self.state = {k: v for k, v in self.incoming.items()
                      if k in (self.cursor.column, TAKEN, FEED_SEEN, WINDOW_AT, READ_AT, PROGRESS)}
        self.state.pop(WAITING, None)
        if self.cursor.column not in self.incoming and self.cursor.saved(self.incoming):
            self.state[self.cursor.column] = self.cursor.saved(self.incoming)  # the seed's last_sync_time

    def advance(self, step: Any) -> None:
        """State after emitting the page of `step`: never behind the incoming state, never past
        the sync's start. A full read's position is the state until its cursor arrives."""
        column, state = self.cursor.column, self.state
        if step.progress is not None:
            state[PROGRESS] = step.progress
        if not step.cursor:
            return
        latest, taken = self.cursor.clip(step.cursor), step.taken
        if latest == self.cursor.cap and step.cursor > latest:
            taken = ()
        current = state.get(column)
        if current is None or PROGRESS in state or latest > current:
            state.pop(PROGRESS, None)
            state[column] = latest
            state.pop(TAKEN, None)
            if taken:
                state[TAKEN] = list(taken)
        elif latest == current and taken:
            state[TAKEN] = sorted(set(state.get(TAKEN, ())) | set(taken))

    def finish(self, keys: dict) -> None:
        for key, value in keys.items():
            if key == self.cursor.column:
                self.advance(_Done(value))
            else:
                self.state[key] = value

    def wait(self, until: datetime) -> None:
        self.state[WAITING] = until.strftime("%Y-%m-%dT%H:%M:%SZ")

    def state_message(self) -> Optional[AirbyteMessage]:
        if not self.incremental:
            return None
        return AirbyteMessage(type=Type.STATE, state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM,
            stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=self.name),
                                      stream_state=AirbyteStateBlob(**self.state))))

    def progress_words(self) -> str:
        progress = self.state.get(PROGRESS)
        if progress:
            return f"a full read at page {progress.get('page')}"
        return f"changes up to {self.state.get(self.cursor.column)}" if self.state.get(self.cursor.column) \
            else "not started"


@dataclass
class _Done:
    cursor: str
    progress: None = None
    taken: tuple = ()


def member_for(stream: Any, configured: Any, state: dict, cursor: Cursor) -> Member:
    declaration = stream.declaration
    incremental = configured.sync_mode == SyncMode.incremental and bool(stream.cursor_field)
    if isinstance(declaration, Child):
        cut = build_child_rows(declaration, columns(declaration, "hmac"))
        return Member(stream, incremental, state, cursor, cut, is_zone=False)
    return Member(stream, incremental, state, cursor, lambda rows: rows)


def with_deletions(member: Member, rows: List[dict], deleted: tuple) -> List[dict]:
    """A page's rows, and a deletion record for every id AroFlo no longer returns (zone streams only)."""
    if not deleted or not member.is_zone:
        return rows
    key = member.stream.key_columns
    return rows + [deletion_row(key, ident, member.cursor.column, stamp) for ident, stamp in deleted]
