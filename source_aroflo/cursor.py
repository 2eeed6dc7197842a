"""A stream's cursor and its state: canonical values, where the next sync starts, how state moves.

Cursor values are kept canonical: `2024-01-10T05:06:07Z` (grain SECOND) or `2024-01-10` (grain
DAY); two values compare as text over the grain's width. The state of a stream is one JSON
object; its keys:

| key | what it holds |
|---|---|
| `<cursor column>` | the cursor: the newest change delivered, or when the zone was last read |
| `ids_at_cursor` | change feed: ids whose change at that instant is delivered (ties) |
| `first_sync` | a full read under way (`{mark, page, size}`): where it resumes |
| `window_at` | a date zone: when its re-read window was last read |
| `feed` | true once the site's change feed was seen to carry this zone |
| `waiting_until` | stopped at AroFlo's daily quota: no daily-limited request before this time |

State never moves behind the incoming state nor past the sync's start (a server clock ahead of
ours cannot make us skip records); the incoming cursor minus `lookback_window_minutes` is where
the next sync looks from.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, Optional

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .config import parse_datetime
from .declaration import Grain

TAKEN = "ids_at_cursor"
PROGRESS = "first_sync"
WINDOW_AT = "window_at"
FEED_SEEN = "feed"
WAITING = "waiting_until"
LEGACY = "last_sync_time"  # the seed's one cursor for every table
KEYS = (TAKEN, PROGRESS, WINDOW_AT, FEED_SEEN, WAITING, LEGACY)
# A date before any AroFlo record, for a seek with no lower bound.
EVERYTHING = "1900-01-01T00:00:00Z"


def canonical(moment: datetime, grain: Grain = Grain.SECOND) -> str:
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d") if grain is Grain.DAY else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def where_value(value: str, before: int = 0) -> str:
    """A canonical value `before` steps earlier (seconds, or days for a date), as a `where` value:
    `>` on the value one step earlier means "at or after" it."""
    if len(value) == 10:
        day = datetime.fromisoformat(value) - timedelta(days=before)
        return day.strftime("%Y-%m-%d")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) - timedelta(seconds=before)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# Tests and the benchmark replay days of a site in minutes: they set the time the sync takes as
# its start (ISO-8601). Requests are still signed with the real time.
CLOCK_ENV = "SOURCE_AROFLO_NOW"


def utc_now() -> datetime:
    """Now, for a sync's start, its windows, refresh times and quota days."""
    fixed = os.environ.get(CLOCK_ENV)
    if fixed:
        try:
            return parse_datetime(fixed)
        except ValueError:
            pass
    return datetime.now(timezone.utc)


class Cursor:
    """One stream's cursor column, grain and state arithmetic, for one sync."""

    def __init__(self, stream: str, column: str, grain: Grain, lookback_minutes: int, sync_started: datetime):
        self.stream, self.column, self.grain = stream, column, grain
        self.lookback = timedelta(minutes=lookback_minutes)
        self.cap = canonical(sync_started, grain)

    def saved(self, state: Optional[Mapping[str, Any]]) -> Optional[str]:
        """The incoming cursor, canonical; None on a first sync. An unreadable one is a config error."""
        if not state:
            return None
        raw = state.get(self.column) or state.get(LEGACY)
        if not isinstance(raw, str) or not raw.strip():
            return None
        try:
            return canonical(parse_datetime(raw), self.grain)
        except ValueError:
            raise AirbyteTracedException(
                message=f"{self.stream}: the saved state {raw!r} is not a date-time; reset the stream's state",
                failure_type=FailureType.config_error) from None

    def since(self, state: Optional[Mapping[str, Any]]) -> Optional[str]:
        """Where this sync looks for changes from: the saved cursor minus the lookback."""
        saved = self.saved(state)
        if saved is None:
            return None
        return canonical(parse_datetime(saved) - self.lookback, self.grain)

    def clip(self, value: str) -> str:
        """A value the state may take: canonical, and never past the sync's start."""
        return min(self.grain.canonical(value), self.cap)


def saved_time(state: Optional[Mapping[str, Any]], key: str) -> Optional[datetime]:
    """A time kept under `key` in a state (window_at, waiting_until), or None."""
    raw = (state or {}).get(key)
    if not isinstance(raw, str):
        return None
    try:
        return parse_datetime(raw)
    except ValueError:
        return None


def progress_of(state: Optional[Mapping[str, Any]]) -> Optional[dict]:
    """A full read under way ({mark, page, size}), when the state holds a valid one."""
    progress = (state or {}).get(PROGRESS)
    if isinstance(progress, Mapping) and isinstance(progress.get("page"), int) and isinstance(progress.get("size"), int):
        return dict(progress)
    return None
