"""Site M: a 38-user trades business with five years of history, synced every hour for a day.

AroFlo's quota is 2,000 daily-limited requests and 20,000 single-id requests a day, for every
integration using the same keys. The goals (issue 16): 24 hourly syncs of every stream spend at
most 500 daily-limited (a quarter) and 10,000 single-id requests a day; every record that changed
in an hour, in every zone with a change signal, reaches the next sync; the first sync of every
stream spends at most 1,600, or stops at the reserve and finishes over the next days.

The sandbox plays the site (`Dataset.site_m`: its sizes, five years of dates) and its busy hours
(`Dataset.busy_hour`: about 25 tasks, 10 labour and 15 material lines, 8 invoices, 10 schedules,
8 timesheets, a few quotes, orders, clients, contacts, notes and documents), keeps AroFlo's two
daily budgets (reset at 00:00 Australia/Melbourne of its clock) and counts every request by the
budget it spends. Every sync is `python main.py read` with every stream selected, incremental,
state carried from one to the next, as the Airbyte platform runs it. `scale` shrinks every zone
and the page size together (the request counts of page reads stay those of the real site; the
single-id requests of a busy hour do not shrink, so its changes are those of the real site).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional
from zoneinfo import ZoneInfo

from integration_tests.harness import catalog_from, run_connector, sandbox_config
from integration_tests.sandbox import Dataset, SandboxServer

from .common import table, verdict

MELBOURNE = ZoneInfo("Australia/Melbourne")
GOALS = {"day_daily": 500, "day_single": 10_000, "first_daily": 1_600}
BEFORE = {"busy hour": 422, "no change": 413, "syncs a day on the whole quota": 4.7}  # issue 16, the old connector
DAY = timedelta(days=1)


def _melbourne_midnight_after(moment: datetime) -> datetime:
    local = moment.astimezone(MELBOURNE)
    midnight = (local + DAY).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc)


class _Site:
    """The sandbox, the connector's config and catalog, and the state carried from sync to sync."""

    def __init__(self, server: SandboxServer, scale: float, executable: Optional[list] = None):
        self.server, self.data, self.executable = server, server.dataset, executable
        page = max(1, min(500, round(500 * scale)))
        self.config = sandbox_config(server, "hmac", max_records_per_page=page, requests_per_second=100,
                                     requests_per_minute=6000)
        discovered = run_connector("discover", self.config, executable=executable)
        if discovered.returncode != 0:
            raise RuntimeError(f"discover failed: {discovered.stderr[-1500:]}")
        self.catalog = catalog_from(discovered.catalog(), "incremental")
        self.keys = {s["stream"]["name"]: [k[0] for k in s["primary_key"]] for s in self.catalog["streams"]}
        self.state: List[dict] = []

    def sync(self) -> Dict[str, Any]:
        self.server.stats_obj.reset()
        # The connector's clock is the site's (its windows, refresh times and quota days).
        run = run_connector("read", self.config, catalog=self.catalog, state=self.state or None, timeout=3600,
                            env={"SOURCE_AROFLO_NOW": self.data.now.isoformat()}, executable=self.executable)
        if run.returncode != 0 and self.executable is None:
            raise RuntimeError(f"sync failed (exit {run.returncode}): {[e['message'] for e in run.errors][:3]}")
        stats = self.server.stats()
        states = {s["stream"]["stream_descriptor"]["name"]: s for s in self.state}
        states.update({s["stream"]["stream_descriptor"]["name"]: s for s in run.final_state()})
        self.state = list(states.values())
        delivered = defaultdict(set)
        for record in run.records:
            key = self.keys.get(record["stream"], ["id"])
            delivered[record["stream"]].add(tuple(str(record["data"].get(k)) for k in key))
        waits = any("waiting_until" in (s["stream"].get("stream_state") or {}) for s in run.final_state())
        by_kind = stats.get("by_kind", {})
        return {"daily": by_kind.get("daily", 0), "single": by_kind.get("secondary", 0), "free": by_kind.get("free", 0),
                "by_zone": stats.get("by_zone_kind", {}), "delivered": delivered, "waits": waits, "records": len(run.records),
                "plan": next((l["message"] for l in run.logs if l["message"].startswith("Plan for this sync")), ""),
                "left": stats.get("daily_used")}


def _missed(changed: Dict[str, List[str]], delivered: Dict[str, set], streams: Dict[str, list]) -> Dict[str, int]:
    """Changed ids of zones with a change signal that the sync did not deliver."""
    missed = {}
    for zone, ids in changed.items():
        if zone not in streams:
            continue
        got = {key[0] for key in delivered.get(zone, set())}
        lost = [i for i in ids if i not in got]
        if lost:
            missed[zone] = len(lost)
    return missed


def bench_site_m(scale: float = 1.0, hours: int = 24, seed: int = 0, start: Optional[datetime] = None) -> Dict[str, Any]:
    start = start or datetime(2026, 11, 30, 13, 40, tzinfo=timezone.utc)  # 00:40 in Melbourne
    data = Dataset.site_m(scale=scale, seed=seed, now=start)
    with SandboxServer(data, daily_limit=2000, secondary_daily_limit=20000) as server:
        site = _Site(server, scale)
        first_days: List[Dict[str, Any]] = []
        while True:  # the first sync of every stream, day after day if the quota stops it
            run = site.sync()
            first_days.append(run)
            if not run["waits"] or len(first_days) >= 7:
                break
            data.advance((_melbourne_midnight_after(data.now) - data.now).total_seconds() + 600)
        # The hourly syncs: one AroFlo day, from just after its midnight.
        data.advance((_melbourne_midnight_after(data.now) - data.now).total_seconds() + 1800)
        hourly: List[Dict[str, Any]] = []
        changed_signal = ("tasks", "tasklabours", "taskmaterials", "taskexpenses", "invoices", "quotes",
                          "purchaseorders", "clients", "suppliers", "locations", "users", "assets", "bills",
                          "inventory", "inventorystocklevels")
        missed: Dict[str, int] = defaultdict(int)
        for _ in range(hours):
            changed = data.busy_hour()
            data.advance(3600)
            run = site.sync()
            signal = {z: ids for z, ids in changed.items() if z in changed_signal}
            for zone, count in _missed(signal, run["delivered"], site.keys).items():
                missed[zone] += count
            run["changed"] = sum(len(ids) for ids in changed.values())
            hourly.append(run)
        data.advance(1800)  # half an hour on, nothing changed and nothing due (the daily re-reads came at 01:30)
        none = site.sync()
    day_daily = sum(r["daily"] for r in hourly)
    day_single = sum(r["single"] for r in hourly)
    first_daily = first_days[0]["daily"]
    met = (day_daily <= GOALS["day_daily"] and day_single <= GOALS["day_single"] and not missed
           and (first_daily <= GOALS["first_daily"] or len(first_days) > 1))
    per_zone = defaultdict(lambda: [0, 0])
    for run in hourly:
        for zone, kinds in run["by_zone"].items():
            per_zone[zone][0] += kinds.get("daily", 0)
            per_zone[zone][1] += kinds.get("secondary", 0)
    rows = [
        ["first sync of every stream: daily-limited / single-id / change feed",
         f"{first_daily} / {first_days[0]['single']} / {first_days[0]['free']}"],
        ["  days the first sync took (stops at the reserve, goes on after 00:00 Melbourne)", len(first_days)],
        [f"hourly syncs: {hours}, daily-limited in all (goal <= {GOALS['day_daily']})", day_daily],
        [f"hourly syncs: single-id in all (goal <= {GOALS['day_single']})", day_single],
        ["hourly sync: daily-limited, least / most", f"{min(r['daily'] for r in hourly)} / {max(r['daily'] for r in hourly)}"],
        ["hourly sync: single-id, least / most", f"{min(r['single'] for r in hourly)} / {max(r['single'] for r in hourly)}"],
        ["sync with no change (nothing due): daily-limited / single-id / change feed",
         f"{none['daily']} / {none['single']} / {none['free']}"],
        ["the hour the daily re-reads fall due (windows, zones without a change signal)", max(r["daily"] for r in hourly)],
        ["records changed in the busy hours (sandbox)", sum(r["changed"] for r in hourly)],
        ["changed records of zones with a change signal not delivered by the next sync",
         sum(missed.values()) if missed else 0],
        ["before (issue 16, old connector): a busy hour / no change / syncs a day on the whole quota",
         f"{BEFORE['busy hour']} / {BEFORE['no change']} / {BEFORE['syncs a day on the whole quota']}"],
        ["syncs a day the whole quota would allow now (2,000 / busiest hour)",
         f"{2000 / max(1, max(r['daily'] for r in hourly)):.0f}"],
        ["goal (day <= 500 daily-limited and <= 10,000 single-id, nothing missed, first sync <= 1,600 or resumed)",
         verdict(met)],
    ]
    text = table(f"6. Site M: every stream, hourly for {hours} h (scale {scale:g}: sizes and page size x{scale:g})",
                 ["figure", "value"], rows)
    zone_rows = [[zone, d, s] for zone, (d, s) in sorted(per_zone.items(), key=lambda kv: -kv[1][0]) if d or s]
    text += "\n" + table("   where the day's requests went (hourly syncs)", ["zone", "daily-limited", "single-id"], zone_rows)
    return {"figures": {"first_daily": first_daily, "first_days": len(first_days), "day_daily": day_daily,
                        "day_single": day_single, "none_daily": none["daily"], "missed": dict(missed), "met": met,
                        "hourly_daily": [r["daily"] for r in hourly]},
            "text": text}



def measure_before(rev: str, scale: float = 1.0, hours: int = 3, seed: int = 0,
                   start: Optional[datetime] = None) -> Dict[str, Any]:
    """The same site and busy hours read by the connector as it was at `rev` (a git worktree of
    it, run as `python main.py`): its daily-limited requests per busy hour and with no change."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    start = start or datetime(2026, 11, 30, 13, 40, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory(prefix="aroflo-before-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", str(tree), rev], check=True,
                       capture_output=True)
        try:
            data = Dataset.site_m(scale=scale, seed=seed, now=start)
            with SandboxServer(data, daily_limit=20000, secondary_daily_limit=200000) as server:
                site = _Site(server, scale, executable=[sys.executable, str(tree / "main.py")])
                first = site.sync()
                busy = []
                for _ in range(hours):
                    data.busy_hour()
                    data.advance(3600)
                    busy.append(site.sync())
                data.advance(1800)
                none = site.sync()
        finally:
            subprocess.run(["git", "-C", str(root), "worktree", "remove", "--force", str(tree)], capture_output=True)
    return {"rev": rev, "first": first["daily"], "busy": [r["daily"] for r in busy], "none": none["daily"],
            "single": [r["single"] for r in busy]}
