"""Families: the selected streams of one zone — the zone's own stream and its child streams — read
once for all of them (by `sync.py`), and the state each member keeps meanwhile.

A family reads from the oldest state among its members (a member ahead of it only sees some
records again); in full when any member is new (a first sync) or full refresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional

from airbyte_cdk.models import (AirbyteMessage, AirbyteStateBlob, AirbyteStateMessage, AirbyteStateType,
                                AirbyteStreamState, StreamDescriptor, SyncMode, Type)

from .cursor import FEED_SEEN, PROGRESS, TAKEN, WAITING, WINDOW_AT, Cursor, canonical
from .declaration import READ_AT, ZONE, Child, Grain
from .child_rows import build_child_rows, deletion_row
from .schemas import columns
from .zones import ZONES_BY_NAME


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
        saved = self.cursor.saved(self.incoming) if self.cursor.column not in self.incoming else None
        if saved:
            self.state[self.cursor.column] = saved  # the seed's last_sync_time

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
        self.state[WAITING] = canonical(until)

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
        cut = build_child_rows(declaration, columns(declaration, ZONE))
        return Member(stream, incremental, state, cursor, cut, is_zone=False)
    return Member(stream, incremental, state, cursor, lambda rows: rows)


def with_deletions(member: Member, rows: List[dict], deleted: tuple) -> List[dict]:
    """A page's rows, and a deletion record for every id AroFlo no longer returns (zone streams only)."""
    if not deleted or not member.is_zone:
        return rows
    key = member.stream.key_columns
    return rows + [deletion_row(key, ident, member.cursor.column, stamp) for ident, stamp in deleted]


class Family:
    """The selected streams of one zone, read once (`lead` sends the requests); `mode` is full,
    incremental, or full_with_state (a full read that still keeps the incremental members' state)."""

    def __init__(self, lead: Any, members: List[Member], mode: str, state: dict, joins: tuple):
        self.lead, self.members, self.mode, self.state, self.joins = lead, members, mode, state, joins
        self.plan: Any = None
        self.error: Optional[BaseException] = None

    @property
    def zone(self) -> Any:
        return self.lead.zone

    @property
    def names(self) -> str:
        return ", ".join(m.name for m in self.members)


def build_families(catalog: Any, states: Dict[str, dict], declarations: Dict[str, Any], stream: Callable[..., Any],
                   settings: Any, now: datetime) -> List[Family]:
    """The families of a configured catalog; `stream(declaration, label=...)` builds a stream."""
    grouped: Dict[str, list] = {}
    for configured in catalog.streams:
        declaration = declarations[configured.stream.name]
        zone = declaration.parent if isinstance(declaration, Child) else declaration
        grouped.setdefault(zone.name, []).append((declaration, configured))
    families = []
    for name, entries in grouped.items():
        lead = stream(ZONES_BY_NAME[name])
        members = []
        for declaration, configured in entries:
            built = lead if declaration is lead.declaration else stream(declaration, label=name)
            column = built.cursor_field[0] if built.cursor_field else declaration.cursor_column
            grain = Grain.SECOND if built.rest else declaration.grain  # REST cursors are all date-times
            cursor = Cursor(built.name, column, grain, settings.lookback_window_minutes, now)
            members.append(member_for(built, configured, dict(states.get(built.name) or {}), cursor))
        modes = {m.incremental for m in members}
        mode = "incremental" if modes == {True} else "full" if modes == {False} else "full_with_state"
        joins = tuple(sorted({d.join for d, _ in entries if isinstance(d, Child)} - set(lead.zone.joins)))
        families.append(Family(lead, members, mode, family_state(members), joins))
    return families


def family_state(members: List[Member]) -> dict:
    """The state the family reads from: the oldest of its incremental members'; none (a first
    sync) when one of them has none — resuming a first sync only all of them share."""
    incremental = [m for m in members if m.incremental]
    if not incremental:
        return {}
    saved = [(m.cursor.saved(m.incoming), m) for m in incremental]
    if any(value is None for value, _ in saved):
        shared = {json.dumps(m.incoming.get(PROGRESS), sort_keys=True) for m in incremental}
        first = incremental[0].incoming
        return first if len(shared) == 1 and first.get(PROGRESS) else {}
    return min(saved, key=lambda pair: pair[0])[1].incoming
