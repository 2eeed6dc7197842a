"""The plan of a whole sync, before its first daily-limited request.

The change feed is read first (free of the daily limit), once, for every family whose zone reads
its changes from it — or, when none does, from the newest state only to see which zones this
site's feed carries. After a quota stop, one free request says whether AroFlo's day has turned.
Then each family gets its `Plan` (`plans.Planner`), the single-id allowance goes to the zones
with the fewest changes, and the families are ordered cheapest first, so when the quota stops
the sync it stops the big reads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, List, Optional

from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .change_feed import ChangeFeed
from .cursor import FEED_SEEN, canonical
from .declaration import REST, UPDATED_AT, Grain
from .dialects import SINGLE
from .families import Family
from .paging import Seek
from .plans import Plan, Planner
from .quota import Quota, QuotaStop


def plan_sync(families: List[Family], settings: Any, dialect: Any, quota: Quota, feed: Optional[ChangeFeed],
              now: datetime, newest: Callable[[], Any]) -> None:
    """Give every family its `plan` (or its `error`), and sort them cheapest first."""
    if dialect.name == REST:
        for family in families:
            family.plan = rest_plan(family, settings, now)
        return
    planner = Planner(settings, feed, dialect.IDS_PER_REQUEST, now)
    _read_feed(families, feed)
    if quota.waiting_from_state and quota.left("daily") is None:
        _ask_what_is_left(newest)
    for family in families:
        if family.error is not None:
            continue
        first = family.members[0].cursor
        try:
            family.plan = planner.plan(family.zone, family.lead.key, first, family.mode, family.state, family.joins)
        except (AirbyteTracedException, QuotaStop) as error:
            family.error = error
    planner.allocate_fetches([f.plan for f in families if f.plan], quota.left(SINGLE), quota.reserve[SINGLE])
    families.sort(key=lambda f: (f.plan is None, (f.plan.daily if f.plan else 0) + (1 if f.plan and f.plan.more else 0)))


def _read_feed(families: List[Family], feed: ChangeFeed) -> None:
    """Register every stream that reads the change feed and read it once (it is free)."""
    incremental = [f for f in families if f.mode == "incremental" and f.state]
    registered = False
    for family in incremental:
        since = _timed_since(family)
        if since and (family.zone.reading.uses_feed or family.state.get(FEED_SEEN)):
            feed.register(family.zone.name, since)
            registered = True
    if not registered:
        times = [s for s in map(_timed_since, incremental) if s]
        if not times:
            return
        feed.probe_from(max(times))  # only to see which zones this site's feed carries
    try:
        feed.read()
    except (AirbyteTracedException, QuotaStop) as error:
        for family in families:
            if family.zone.reading.uses_feed and family.mode != "full":
                family.error = error


def _timed_since(family: Family) -> Optional[str]:
    """Where a family looks for changes from, when its cursor has a time of day (the feed is keyed
    on seconds; a date cursor, payments', has no place in it)."""
    cursor = family.members[0].cursor
    return cursor.since(family.state) if cursor.grain is Grain.SECOND else None


def _ask_what_is_left(newest: Callable[[], Any]) -> None:
    """An earlier sync stopped at the quota: one free request (the change feed) says whether
    AroFlo's day has turned (what is left rides on every answer)."""
    try:
        newest()
    except (AirbyteTracedException, QuotaStop):
        pass  # the streams stay waiting; their own requests say why if it matters


def rest_plan(family: Family, settings: Any, now: datetime) -> Plan:
    """The REST dialect: a seek on `updated_at` from the state (every record on a full refresh)."""
    cursor, size = family.members[0].cursor, settings.page_size
    after = None
    if family.mode == "incremental":
        after = cursor.since(family.state) or canonical(settings.first_sync_start(now))
    reader = Seek(family.zone, UPDATED_AT, size, family.lead.key, after, field=UPDATED_AT)
    return Plan(reader, what=f"changes since {after}" if after else "every record", daily=0)
