"""The benchmark's sections over every stream of the zone dialect: the request budget under
latency, AroFlo's daily quota (first sync, no change, k changes) and memory with every stream
selected. Each takes its sizes as arguments (the smoke test runs them tiny) and returns figures
plus a printable table."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Dict, List

from integration_tests.harness import catalog_from, expected_keys, key_of, run_connector, sandbox_config
from integration_tests.sandbox import Dataset, SandboxServer
from integration_tests.sandbox.dataset import FEED_TABLES, ZONE_NAMES

from .common import ChildRun, Files, connector_args, median, ratio, run_child, table, verdict
from .sections import _final_state, _streams_of

FEED_ZONES = set(FEED_TABLES)  # §5.6: synced through the change feed
OWN_TIME = {"invoices", "locations", "tasks"}  # feed zones with an update time of their own
CHUNK = 50  # ids fetched a request
ZONE_PAGE = 500


def _discovered(server: SandboxServer) -> dict:
    run = run_connector("discover", sandbox_config(server, "hmac"))
    if run.returncode != 0:
        raise RuntimeError(f"discover failed: {run.stderr[-1500:]}")
    return run.catalog()


def _ideal(records: int, page: int) -> int:
    """Fewest requests that read `records` (an exactly full last page needs an empty one more)."""
    return math.ceil(records / page) + (1 if records % page == 0 else 0)


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
                            keep_stdout=True)
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
    rows = [[f"requests R (zone, all {len(expected)} streams, first sync)", total],
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
# AroFlo's daily quota: first sync, no change, k changes
# ---------------------------------------------------------------------------------------------
def _spent(server: SandboxServer) -> Dict[str, int]:
    return {path[5:]: n for path, n in server.stats()["by_path"].items() if path.startswith("zone:")}


def bench_quota(seed_records: int, zone_records: int, changes: int) -> Dict[str, Any]:
    files = Files()
    try:
        data = Dataset(users=seed_records, suppliers=seed_records, payments=seed_records, zones=zone_records)
        with SandboxServer(data, prerender=True) as server:
            server.warm(tables=ZONE_NAMES, dialects=("zone",))
            discovered = _discovered(server)
            streams = {s["name"]: s for s in discovered["streams"]}
            incremental = {n for n, s in streams.items() if "incremental" in s["supported_sync_modes"]}
            config = files.write("config", sandbox_config(server, "hmac", start_date="2000-01-01"))
            catalog = files.write("catalog", catalog_from(discovered, "incremental"))
            runs, spent = {}, {}
            server.stats_obj.reset()
            runs["first"] = run_child(connector_args(config, catalog), keep_stdout=True)
            _check(runs["first"], "first sync")
            spent["first"] = _spent(server)
            server.stats_obj.reset()
            runs["none"] = run_child(connector_args(config, catalog, files.write("state", _final_state(runs["first"]))),
                                     keep_stdout=True)
            _check(runs["none"], "no-change sync")
            spent["none"] = _spent(server)
            # The no-change sync's state holds the ids delivered at the boundary instant: from here
            # on, nothing changed costs nothing. Measure it once more, then change k records.
            server.stats_obj.reset()
            state = files.write("state", _final_state(runs["none"]))
            runs["none2"] = run_child(connector_args(config, catalog, state), keep_stdout=True)
            _check(runs["none2"], "second no-change sync")
            spent["none2"] = _spent(server)
            for name in sorted(incremental - {"lastupdate"}):
                ids = data.ids(name, "zone")
                data.touch(name, ids=ids[:changes])
            server.stats_obj.reset()
            runs["k"] = run_child(connector_args(config, catalog, files.write("state", _final_state(runs["none2"]))),
                                  keep_stdout=True)
            _check(runs["k"], "sync with k changes")
            spent["k"] = _spent(server)
            counts = {n: (data.count(n) if n != "lastupdate" else len(expected_keys(server, n, "hmac"))) for n in streams}
    finally:
        files.close()
    seek = sorted(incremental - FEED_ZONES - {"lastupdate"})
    feed_only = sorted(FEED_ZONES - OWN_TIME)
    own = sorted(OWN_TIME)
    full = sorted(set(streams) - incremental)
    daily = {phase: sum(n for z, n in s.items() if z != "lastupdate") for phase, s in spent.items()}
    free = {phase: s.get("lastupdate", 0) for phase, s in spent.items()}
    pages = {n: _ideal(counts[n], ZONE_PAGE) for n in streams}
    k_fetches = math.ceil(changes / CHUNK)
    ideal = {
        # every record once, plus the marks: one newest-first request per seek zone (daily-limited)
        # and the change feed's (no daily limit)
        "first": sum(pages[n] for n in streams if n != "lastupdate") + len(seek),
        "none": len(seek) + sum(pages[n] for n in full),
        "k": len(seek) + sum(pages[n] for n in full) + len(feed_only) * k_fetches
        + len(own) * min(k_fetches, math.ceil(changes / ZONE_PAGE)),
    }
    ideal["none2"] = ideal["none"]

    def group(phase: str, names: List[str]) -> int:
        return sum(spent[phase].get(n, 0) for n in names)

    rows = []
    for label, names in (("seek zones (own update time)", seek), ("feed zones", feed_only),
                         ("feed zones with an update time of their own", own), ("full-refresh-only zones", full)):
        rows.append([f"{label} ({len(names)})", group("first", names), group("none", names), group("none2", names),
                     group("k", names)])
    rows.append(["daily-limited requests in all", daily["first"], daily["none"], daily["none2"], daily["k"]])
    rows.append(["ideal (see below)", ideal["first"], ideal["none"], ideal["none2"], ideal["k"]])
    rows.append(["change-feed requests (no daily limit)", free["first"], free["none"], free["none2"], free["k"]])
    records = {phase: sum(1 for m in run.messages() if m.get("type") == "RECORD") for phase, run in runs.items()}
    rows.append(["records delivered", records["first"], records["none"], records["none2"], records["k"]])
    met = (group("none2", feed_only + own) == 0 and daily["none2"] <= ideal["none2"] and daily["k"] <= ideal["k"]
           and daily["first"] <= ideal["first"])
    figures = {"spent": spent, "daily": daily, "feed": free, "ideal": ideal, "records": records, "met": met,
               "feed_zones_no_change": group("none2", feed_only + own)}
    text = table(f"2b. AroFlo's daily quota, every stream ({len(streams)}): {seed_records} records in each seed "
                 f"table, {zone_records} in each other zone, page {ZONE_PAGE}, k = {changes} changes in every "
                 f"incremental stream",
                 ["daily-limited requests", "first sync", "no change", "no change again", "k changes"], rows)
    text += ("\n   ideal: first = sum of ceil(n/500) over the zones + 1 newest-first request per seek zone (the\n"
             "   change feed's mark is a feed request); no change = 1 per seek zone + the pages of each\n"
             "   full-refresh-only zone, 0 on feed zones; k changes = + ceil(k/50) per feed zone (a feed zone\n"
             "   with an update time of its own seeks on it when that is fewer: ceil(k/500)). The first\n"
             "   no-change sync after a first sync fetches the records at the saved instant once (the first\n"
             "   sync cannot know their ids); from then on a sync with no change fetches nothing."
             f"\n   goal (0 on feed zones with no change, every phase within its ideal): {verdict(met)}")
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
