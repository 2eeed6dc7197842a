"""What a sync says about AroFlo's quota: the plan before any daily-limited request, and what was
spent, per stream, when it ends. (The message for streams a quota stop leaves waiting is the
quota's: `Quota.waiting_message`.)"""

from __future__ import annotations

from typing import Any, Dict, List

from .dialects import DAILY, SINGLE
from .plans import budget_words

CHANGE_FEED = "change feed"  # whose requests the sync's own reads of the `lastupdate` zone are


def plan_line(families: List[Any], quota: Any, rest: bool = False) -> str:
    """One line: the daily-limited and single-id requests this sync expects, per stream that costs
    any, what AroFlo says is left, and the streams with nothing to read (and why)."""
    if rest:
        return f"Plan for this sync: {sum(len(f.members) for f in families)} streams"
    costs, idle = [], []
    for family in families:
        plan = family.plan
        if plan is None:
            continue
        if plan.idle and not plan.deleted:
            idle.append(f"{family.names} ({plan.what})")
        elif plan.daily or plan.single:
            costs.append(f"{family.names}: {plan.what} [{budget_words(plan)}]")
        else:
            costs.append(f"{family.names}: {plan.what}")
    plans = [f.plan for f in families if f.plan]
    daily, single = sum(p.daily for p in plans), sum(p.single for p in plans)
    more = any(p.more for p in plans)
    left = " and ".join(f"{quota.left(b)} {w}" for b, w in ((DAILY, "daily-limited"), (SINGLE, "single-id"))
                        if quota.left(b) is not None)
    head = f"Plan for this sync: {'at least ' if more else ''}{daily} daily-limited and {single} single-id requests"
    if left:
        head += (f" (AroFlo reports {left} requests left today; {quota.reserve[DAILY]} daily-limited are kept for "
                 f"the site's other integrations)")
    return ". ".join([head] + (["; ".join(costs)] if costs else []) + ([f"Nothing to read: {'; '.join(idle)}"] if idle else []))


def summary_line(seconds: float, families: List[Any], quota: Any, feed: Any, records: Dict[str, int],
                 times: Dict[str, float]) -> str:
    """One line at the end: what the sync spent and what AroFlo says is left; per stream its
    records, requests and time."""
    parts = []
    for family in families:
        for member in family.members:
            spent = quota.spent.get(family.zone.name, {}) if member.is_zone else {}
            cost = ", ".join(f"{n} {b}" for b, n in sorted(spent.items()) if n)
            parts.append(f"{member.name} {records.get(member.name, 0)} records"
                         + (f", {cost} requests" if cost else "") + f", {times.get(member.name, 0):.1f} s")
    spent = quota.spent.get(CHANGE_FEED)
    if spent:
        parts.append(f"change feed {sum(spent.values())} requests, {feed.entries if feed else 0} entries")
    return f"Finished syncing SourceAroflo in {seconds:.1f} s: {quota.summary()}. " + "; ".join(sorted(parts))
