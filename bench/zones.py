"""The benchmark's sections over every stream of the zone dialect: the request budget under
latency, what a sync with no change costs (AroFlo's daily quota at a real site's size is Site M,
`site_m.py`) and memory with every stream selected. Each takes its sizes as arguments (the smoke
test runs them tiny) and returns figures plus a printable table. Every sync runs on the sandbox's
clock (`site_clock`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Dict, List

from integration_tests.harness import catalog_from, expected_keys, key_of, run_connector, sandbox_config
from integration_tests.sandbox import Dataset, SandboxServer
from integration_tests.sandbox.dataset import FEED_TABLES, ZONE_NAMES

from .common import ChildRun, Files, connector_args, median, ratio, run_child, site_clock, table, verdict
from .sections import _final_state, _streams_of

FEED_ZONES = set(FEED_TABLES)  # AroFlo's documented change feed zones: read through the feed


_DISCOVERED: Dict[str, dict] = {}  # the streams do not depend on the data: discover once a process


def _discovered(server: SandboxServer) -> dict:
    if "catalog" not in _DISCOVERED:
        run = run_connector("discover", sandbox_config(server, "hmac"))
        if run.returncode != 0:
            raise RuntimeError(f"discover failed: {run.stderr[-1500:]}")
        _DISCOVERED["catalog"] = run.catalog()
    return _DISCOVERED["catalog"]


def _messages_by_stream(run: ChildRun):
    records = _streams_of(run)
    return records, records.pop("__states__")


def _check(run: ChildRun, what: str) -> None:
    if run.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {run.returncode}): {run.stderr[-1500:]}")


# ---------------------------------------------------------------------------------------------
# Budget under latency, every stream selected
# ---------------------------------------------------------------------------------------------
def bench_budget(seed_records: int, zone_records: int, page: int, latency: float, rps: int, rpm: int) -> Dict[str, Any]:
    files = Files()
    try:
        data = Dataset(users=seed_records, suppliers=seed_records, payments=seed_records, zones=zone_records)
        with SandboxServer(data, latency_s=latency, rate_limit_per_second=rps, rate_limit_per_minute=rpm,
                           prerender=True) as server:
            server.warm(tables=ZONE_NAMES, dialects=("zone",))
            discovered = _discovered(server)
            server.stats_obj.reset()
            config = sandbox_config(server, "hmac", max_records_per_page=page, start_date="2000-01-01",
                                    requests_per_second=rps, requests_per_minute=rpm)
            run = run_child(connector_args(files.write("config", config),
                                           files.write("catalog", catalog_from(discovered, "incremental"))),
                            keep_stdout=True, env=site_clock(server))
            _check(run, "first sync of every stream under latency")
            stats = server.stats()
            expected = {s["name"]: {str(k) for k in expected_keys(server, s["name"], "hmac")}
                        for s in discovered["streams"]}
    finally:
        files.close()
    records, states = _messages_by_stream(run)
    total = sum(n for path, n in stats["by_path"].items() if path.startswith("zone:"))
    span = (stats["last_arrival"] - stats["first_arrival"] + latency) if stats["first_arrival"] else float("nan")
    limit = 1.2 * total / 2
    incomplete, bad_checkpoints = [], []
    for stream in discovered["streams"]:
        name = stream["name"]
        got = [str(key_of(stream)(r)) for r in records.get(name, [])]
        if set(got) != expected[name] or len(got) != len(set(got)):
            incomplete.append(name)
        if "incremental" in stream["supported_sync_modes"]:
            cursor = stream["default_cursor_field"][0]
            seen = states.get(name, [])
            pages = [s["first_sync"]["page"] for s in seen if "first_sync" in s]
            final = seen[-1] if seen else {}
            if pages != sorted(pages) or cursor not in final:
                bad_checkpoints.append(name)
    met = span <= limit and stats["rejected_total"] == 0 and not incomplete and not bad_checkpoints
    figures = {"requests": total, "span_s": span, "wall_s": run.wall, "limit_s": limit, "streams": len(expected),
               "sequential_s": total * latency, "rejections": stats["rejected_total"],
               "max_1s": stats["max_requests_1s"], "max_60s": stats["max_requests_60s"],
               "max_in_flight": stats["max_in_flight"], "incomplete": incomplete,
               "bad_checkpoints": bad_checkpoints, "met": met}
    rows = [[f"requests R (zone, all {len(expected)} streams, first sync; child streams cost none)", total],
            ["first arrival -> last answer (s)", span],
            ["connector wall time incl. start-up (s)", run.wall],
            ["goal: 1.2 x R / 2 (s)", limit],
            [f"sequential at one request per latency: R x {latency:.1f} (s)", total * latency],
            ["rejections (status 6 / 429)", stats["rejected_total"]],
            [f"max requests in any 1 s / 60 s window (limits {rps} / {rpm})",
             f"{stats['max_requests_1s']} / {stats['max_requests_60s']}"],
            ["most requests in flight at once (worker pool)", stats["max_in_flight"]],
            ["streams with every record once", f"{len(expected) - len(incomplete)} of {len(expected)}"
             + (f" (not: {', '.join(incomplete)})" if incomplete else "")],
            ["cursor streams checkpointing forward, ending on a cursor",
             "all" if not bad_checkpoints else f"not: {', '.join(bad_checkpoints)}"],
            ["goal (span <= 1.2 R/2, no rejection, complete, checkpoints)", verdict(met)]]
    text = table(f"2. Budget under latency, every stream: {seed_records} records in each seed table, "
                 f"{zone_records} in each other zone, page {page}, latency {latency} s, limits {rps}/s {rpm}/min",
                 ["figure", "value"], rows)
    return {"figures": figures, "text": text}


# ---------------------------------------------------------------------------------------------
# A sync with no change
# ---------------------------------------------------------------------------------------------
def _spent(server: SandboxServer) -> Dict[str, Dict[str, int]]:
    """Per zone, what its requests spent: {"daily": n, "secondary": m} (the feed's are free)."""
    stats = server.stats()
    out = {zone: dict(kinds) for zone, kinds in stats.get("by_zone_kind", {}).items()}
    return out


def bench_no_change(seed_records: int, zone_records: int) -> Dict[str, Any]:
    """A first sync of every stream, then a sync with no change on the same clock (nothing due):
    what each spends of AroFlo's daily limit, single-id budget and its free change feed. With no
    change, the zones of the change feed must cost nothing of either budget."""
    files = Files()
    try:
        data = Dataset(users=seed_records, suppliers=seed_records, payments=seed_records, zones=zone_records)
        with SandboxServer(data, prerender=True) as server:
            server.warm(tables=ZONE_NAMES, dialects=("zone",))
            discovered = _discovered(server)
            clock = site_clock(server)
            config = files.write("config", sandbox_config(server, "hmac", start_date="2000-01-01"))
            catalog = files.write("catalog", catalog_from(discovered, "incremental"))
            runs, spent, free = {}, {}, {}
            server.stats_obj.reset()
            runs["first"] = run_child(connector_args(config, catalog), keep_stdout=True, env=clock)
            _check(runs["first"], "first sync")
            spent["first"], free["first"] = _spent(server), server.stats()["by_kind"].get("free", 0)
            server.stats_obj.reset()
            runs["none"] = run_child(connector_args(config, catalog, files.write("state", _final_state(runs["first"]))),
                                     keep_stdout=True, env=clock)
            _check(runs["none"], "no-change sync")
            spent["none"], free["none"] = _spent(server), server.stats()["by_kind"].get("free", 0)
    finally:
        files.close()
    zones = sorted(ZONE_NAMES)
    feed = sorted(FEED_ZONES & set(zones))
    others = [z for z in zones if z not in FEED_ZONES]

    def total(phase: str, names: List[str], kind: str) -> int:
        return sum(spent[phase].get(n, {}).get(kind, 0) for n in names)

    records = {phase: sum(1 for m in run.messages() if m.get("type") == "RECORD") for phase, run in runs.items()}
    rows = []
    for phase, label in (("first", "first sync"), ("none", "no change")):
        rows.append([label, f"{total(phase, feed, 'daily')} / {total(phase, feed, 'secondary')}",
                     f"{total(phase, others, 'daily')} / {total(phase, others, 'secondary')}", free[phase],
                     records[phase]])
    costly = {z: k.get("daily", 0) for z, k in spent["none"].items() if k.get("daily", 0)}
    feed_none = total("none", feed, "daily") + total("none", feed, "secondary")
    met = feed_none == 0 and all(n <= 1 for n in costly.values())
    figures = {"spent": spent, "free": free, "records": records, "feed_zones_no_change": feed_none,
               "no_change_daily": sum(costly.values()), "no_change_by_zone": costly, "met": met}
    text = table(f"2b. A sync with no change, every stream ({len(discovered['streams'])}): {seed_records} records in "
                 f"each seed table, {zone_records} in each other zone, AroFlo's page of 500",
                 ["sync", f"feed zones ({len(feed)}): daily-limited / single-id",
                  f"other zones ({len(others)}): daily-limited / single-id", "change feed (free)", "records"], rows)
    text += ("\n   With no change and nothing due, a feed zone costs nothing (its change feed request is free),\n"
             "   a zone with an update time of its own 1 request (a seek from its saved instant), a date zone\n"
             "   1 (records dated since the day before the last sync), a zone without a change signal none\n"
             "   until refresh_hours have passed. AroFlo's quota at a real site's size: section 6, Site M.\n"
             f"   no change, zones that spent a daily-limited request: "
             f"{', '.join(f'{z} {n}' for z, n in sorted(costly.items())) or 'none'}"
             f"\n   goal (no change: 0 on feed zones, at most 1 request a zone): {verdict(met)}")
    return {"figures": figures, "text": text}


# ---------------------------------------------------------------------------------------------
# Memory with every stream selected
# ---------------------------------------------------------------------------------------------
def bench_zone_memory(small: int, large: int, runs: int, latency: float = 0.3, page: int = 100,
                      slow_small: int = 0, slow_large: int = 0) -> Dict[str, Any]:
    """Peak RSS of a full read of every stream at two sizes; `page` small enough that both sizes
    read many full pages (the pipeline holds a few pages: its peak is reached after a few). The
    slow runs (`latency` a page: a pool of workers reading side by side) use their own sizes."""
    files = Files()
    peaks: Dict[str, List[float]] = defaultdict(list)
    in_flight: List[int] = []
    totals = {}
    slow_small, slow_large = slow_small or small, slow_large or large
    try:
        for label, size, lat in (("small", small, 0.0), ("large", large, 0.0), ("small_slow", slow_small, latency),
                                 ("large_slow", slow_large, latency)):
            data = Dataset(users=size, suppliers=size, payments=size, zones=size)
            with SandboxServer(data, prerender=True, latency_s=lat) as server:
                server.warm(tables=ZONE_NAMES, dialects=("zone",))
                discovered = _discovered(server)
                config = files.write("config", sandbox_config(server, "hmac", requests_per_second=100,
                                                              requests_per_minute=6000, max_records_per_page=page))
                catalog = files.write("catalog", catalog_from(discovered, "full_refresh"))
                for _ in range(runs):
                    server.stats_obj.reset()
                    run = run_child(connector_args(config, catalog))
                    _check(run, f"full read of every stream, {size} records each")
                    peaks[label].append(run.maxrss_mb)
                    totals[label] = run.records
                    if lat:
                        in_flight.append(server.stats()["max_in_flight"])
    finally:
        files.close()
    m = {label: median(values) for label, values in peaks.items()}
    fast, slow = ratio(m["large"], m["small"]), ratio(m["large_slow"], m["small_slow"])
    met = fast <= 1.10 and slow <= 1.10
    text = table(f"3b. Flat memory with every stream: zone full read of all {len(ZONE_NAMES) + 1} streams, page {page}, "
                 f"median of {runs}",
                 ["", "records (fast)", "fast API (MB)", "records (slow)", f"{latency} s a page: a pool of workers (MB)"],
                 [["small", totals.get("small", 0), m["small"], totals.get("small_slow", 0), m["small_slow"]],
                  ["large", totals.get("large", 0), m["large"], totals.get("large_slow", 0), m["large_slow"]],
                  ["ratio (goal <= 1.10)", "", f"{fast:.3f}", "", f"{slow:.3f}"],
                  ["most requests in flight at once in the slow runs", "", "", "", max(in_flight) if in_flight else 0],
                  ["goal (both ratios <= 1.10)", "", "", "", verdict(met)]])
    return {"figures": {"rss": m, "ratio": fast, "parallel_ratio": slow, "records": totals,
                        "max_in_flight": max(in_flight) if in_flight else 0, "met": met}, "text": text}
