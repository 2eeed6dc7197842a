"""The five measurements. Each takes its sizes as arguments (so the smoke test can run them tiny)
and returns a dict of figures plus a printable table; `__main__` strings them together."""

from __future__ import annotations


import math
import pstats

from collections import defaultdict
from typing import Any, Dict, List

from integration_tests.harness import configured_catalog, sandbox_config
from integration_tests.sandbox import BEARER_TOKEN, Dataset, SandboxServer

from .common import (ROOT, ChildRun, Files, PYTHON, connector_args, median, module_args, ratio, run_child,
                     site_clock, table, verdict)

TABLES = ("users", "suppliers", "payments")
EARLY = "2000-01-01T00:00:00Z"  # before any sandbox record: an incremental sync that reads all


def _path_key(dialect: str, name: str) -> str:
    return f"/v1/{name}" if dialect == "bearer" else f"zone:{name}"


def _requests_by_stream(server: SandboxServer, dialect: str) -> Dict[str, int]:
    by_path = server.stats()["by_path"]
    return {t: by_path.get(_path_key(dialect, t), 0) for t in TABLES}


def ideal_requests(records: int, page_size: int) -> int:
    """Fewest requests that can read `records` in pages of `page_size`: the last page must come
    back short to prove it is the last, so an exactly full last page costs one empty page more."""
    return math.ceil(records / page_size) + (1 if records % page_size == 0 else 0)


def _streams_of(run: ChildRun) -> Dict[str, List[dict]]:
    out: Dict[str, List[dict]] = defaultdict(list)
    states: Dict[str, List[dict]] = defaultdict(list)
    for message in run.messages():
        if message.get("type") == "RECORD":
            out[message["record"]["stream"]].append(message["record"]["data"])
        elif message.get("type") == "STATE" and "stream" in message["state"]:
            name = message["state"]["stream"]["stream_descriptor"]["name"]
            states[name].append(message["state"]["stream"].get("stream_state") or {})
    out["__states__"] = states  # type: ignore[assignment]
    return out


def _final_state(run: ChildRun) -> list:
    last = {}
    for message in run.messages():
        if message.get("type") == "STATE" and "stream" in message["state"]:
            last[message["state"]["stream"]["stream_descriptor"]["name"]] = {"type": "STREAM",
                                                                             "stream": message["state"]["stream"]}
    return list(last.values())


def _check_ok(run: ChildRun, what: str) -> None:
    if run.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {run.returncode}): {run.stderr[-2000:]} {run.stdout[-2000:]!r}")


# ---------------------------------------------------------------------------------------------
# 1. Fewest requests
# ---------------------------------------------------------------------------------------------
def bench_requests(sizes: Dict[str, int], rest_page: int, zone_page: int) -> Dict[str, Any]:
    """Requests per stream, counted on the sandbox's wire: a full read (full refresh), a first
    incremental sync, and an incremental sync with no change, in both dialects. Every sync runs
    on the sandbox's clock (`site_clock`)."""
    files = Files()
    rows, figures = [], {}
    try:
        with SandboxServer(Dataset(**sizes)) as server:
            clock = site_clock(server)
            for dialect, page in (("bearer", rest_page), ("hmac", zone_page)):
                config = sandbox_config(server, dialect, max_records_per_page=page, start_date=EARLY)
                config_path = files.write("config", config)
                # Full read.
                server.stats_obj.reset()
                full = run_child(connector_args(config_path, files.write("catalog", configured_catalog("full_refresh", dialect=dialect))),
                                 keep_stdout=True, env=clock)
                _check_ok(full, f"{dialect} full read")
                full_requests = _requests_by_stream(server, dialect)
                full_streams = _streams_of(full)
                # Incremental: a first sync reads everything, a second with its state sees no change.
                catalog_path = files.write("catalog", configured_catalog("incremental", dialect=dialect))
                server.stats_obj.reset()
                first = run_child(connector_args(config_path, catalog_path), keep_stdout=True, env=clock)
                _check_ok(first, f"{dialect} first incremental read")
                first_requests = _requests_by_stream(server, dialect)
                first_feed = server.stats()["by_path"].get("zone:lastupdate", 0) if dialect == "hmac" else 0
                server.stats_obj.reset()
                again = run_child(connector_args(config_path, catalog_path, files.write("state", _final_state(first))),
                                  keep_stdout=True, env=clock)
                _check_ok(again, f"{dialect} incremental read with no change")
                again_requests = _requests_by_stream(server, dialect)
                again_feed = server.stats()["by_path"].get("zone:lastupdate", 0) if dialect == "hmac" else 0
                again_streams = _streams_of(again)
                cursor_streams = {c["stream"]["name"] for c in configured_catalog("incremental", dialect=dialect)["streams"]
                                  if c["sync_mode"] == "incremental"}
                for name in TABLES:
                    n = server.dataset.count(name)
                    ideal = ideal_requests(n, page)
                    got = full_requests[name]
                    unique = len({r["id"] for r in full_streams.get(name, [])})
                    incremental = name in cursor_streams
                    through_feed = dialect == "hmac" and name == "suppliers"
                    key = f"{dialect}.{name}"
                    figures[key] = {"records": n, "unique_ids": unique, "full_requests": got, "ideal": ideal,
                                    "first_requests": first_requests[name],
                                    "incremental_requests": again_requests[name],
                                    "incremental_records": len(again_streams.get(name, [])),
                                    "incremental": incremental,
                                    "first_feed_requests": first_feed if through_feed else 0,
                                    "feed_requests": again_feed if through_feed else 0}
                    first_text = str(first_requests[name]) + (f" + {first_feed} lastupdate" if through_feed else "")
                    no_change = str(again_requests[name]) if incremental else f"{again_requests[name]} (full refresh)"
                    if through_feed:
                        no_change += f" + {again_feed} lastupdate"
                    rows.append([("REST" if dialect == "bearer" else "zone"), name, n, page, ideal, got,
                                 f"{100.0 * (got - ideal) / ideal:+.1f}%", unique == n, first_text,
                                 no_change,
                                 len(again_streams.get(name, [])) if incremental else "-"])
    finally:
        files.close()
    text = table("1. Fewest requests: full read vs ideal ceil(n/page)(+1 if last page full); first incremental sync; "
                 "incremental with no change",
                 ["dialect", "stream", "records", "page", "ideal", "full read", "overhead", "all ids", "first sync reqs",
                  "no-change reqs", "re-emitted"], rows)
    text += ("\n   Zone full reads page by number under `id != 0` (each record once). A zone's first incremental\n"
             "   sync reads it in full too, newest first where it can be ordered (+1 request for the oldest\n"
             "   record's date, so a read the daily quota stops can say how long it still needs); zone\n"
             "   suppliers take their mark from the change feed (free). REST reads seek on updated_at: each\n"
             "   next page is asked from the last record's cursor (inclusive), so a boundary record is read\n"
             "   twice on every next page. With no change: a seek zone costs 1 request (re-emitting the\n"
             "   records on its saved instant), a feed zone 0 (its change feed request is free), a date\n"
             "   window 1 (re-emitting the records dated since the day before the last sync; its re-read\n"
             "   window is due once a day).")
    return {"figures": figures, "text": text}


# ---------------------------------------------------------------------------------------------
# 3 + 4. Memory and CPU (REST, prerendered sandbox)
# ---------------------------------------------------------------------------------------------
IMPLEMENTATIONS = ("connector", "reference", "minimal_cdk", "manifest")
_MODULES = {"reference": "bench.reference_reader", "minimal_cdk": "bench.minimal_cdk_source",
            "manifest": "bench.manifest_source"}


class RestTarget:
    """A started, prerendered REST sandbox and the config/catalog files every implementation reads."""

    def __init__(self, records: int, files: Files, page: int = 1000, latency: float = 0.0):
        self.records = records
        self.server = SandboxServer(Dataset(users=records, suppliers=records, payments=records), prerender=True,
                                    latency_s=latency).start()
        if records:
            self.server.warm(dialects=("rest",))
        self.catalog = files.write("catalog", configured_catalog("full_refresh"))
        self.connector_config = files.write("config", sandbox_config(self.server, "bearer", max_records_per_page=page))
        self.plain_config = files.write("plain", {"base_url": self.server.rest_base_url, "api_key": BEARER_TOKEN,
                                                  "page_size": page})

    def args(self, implementation: str) -> List[str]:
        if implementation == "connector":
            return connector_args(self.connector_config, self.catalog)
        return module_args(_MODULES[implementation], self.plain_config, self.catalog)

    @property
    def total(self) -> int:
        """Records the three tables hold (a dataset asked for none still has the one user and
        supplier its other zones hang on)."""
        return sum(self.server.dataset.count(t) for t in TABLES)

    def run(self, implementation: str) -> ChildRun:
        result = run_child(self.args(implementation))
        _check_ok(result, f"{implementation} read of {self.records} records/stream")
        if result.records != self.total:
            raise RuntimeError(f"{implementation} emitted {result.records} records, expected {self.total}")
        return result

    def stop(self) -> None:
        self.server.stop()


PARALLEL_LATENCY = 0.3  # s a page: slow enough that the connector reads the three streams side by side


def bench_cpu_memory(small: int, large: int, runs: int, implementations=IMPLEMENTATIONS) -> Dict[str, Any]:
    files = Files()
    targets = {}
    try:
        targets = {"empty": RestTarget(0, files), "small": RestTarget(small, files), "large": RestTarget(large, files),
                   "small_slow": RestTarget(small, files, latency=PARALLEL_LATENCY),
                   "large_slow": RestTarget(large, files, latency=PARALLEL_LATENCY)}
        results: Dict[str, Dict[str, List[ChildRun]]] = {k: defaultdict(list) for k in targets}
        in_flight: Dict[str, List[int]] = defaultdict(list)
        for _ in range(runs):  # alternate so drift (thermal, other load) hits every figure alike
            for implementation in implementations:
                results["empty"][implementation].append(targets["empty"].run(implementation))
                results["large"][implementation].append(targets["large"].run(implementation))
            results["small"]["connector"].append(targets["small"].run("connector"))
            for name in ("small_slow", "large_slow"):  # memory with the streams read side by side
                targets[name].server.stats_obj.reset()
                results[name]["connector"].append(targets[name].run("connector"))
                in_flight[name].append(targets[name].server.stats()["max_in_flight"])
    finally:
        for target in targets.values():
            target.stop()
        files.close()

    # Net of the 0-record run (whose dataset still holds the user and supplier its zones hang on).
    records = targets["large"].total - targets["empty"].total
    cpu: Dict[str, Dict[str, float]] = {}
    for implementation in implementations:
        start_cpu = median(r.cpu for r in results["empty"][implementation])
        start_wall = median(r.wall for r in results["empty"][implementation])
        total_cpu = median(r.cpu for r in results["large"][implementation])
        total_wall = median(r.wall for r in results["large"][implementation])
        net_cpu = max(total_cpu - start_cpu, 1e-9)
        net_wall = max(total_wall - start_wall, 1e-9)
        cpu[implementation] = {"startup_cpu": start_cpu, "cpu": total_cpu, "cpu_per_100k": net_cpu / records * 100_000,
                               "wall": total_wall, "records_per_s": records / net_wall,
                               "rss_mb": median(r.maxrss_mb for r in results["large"][implementation])}
    conn = cpu["connector"]
    figures: Dict[str, Any] = {"cpu": cpu, "records": records}
    if "minimal_cdk" in cpu:
        figures["connector_vs_minimal_cdk"] = ratio(conn["cpu_per_100k"], cpu["minimal_cdk"]["cpu_per_100k"])
    if "reference" in cpu:
        figures["connector_vs_reference"] = ratio(conn["cpu_per_100k"], cpu["reference"]["cpu_per_100k"])
    if "manifest" in cpu:
        figures["throughput_vs_manifest"] = ratio(conn["records_per_s"], cpu["manifest"]["records_per_s"])
    rss_small = median(r.maxrss_mb for r in results["small"]["connector"])
    rss_large = conn["rss_mb"]
    slow_small = median(r.maxrss_mb for r in results["small_slow"]["connector"])
    slow_large = median(r.maxrss_mb for r in results["large_slow"]["connector"])
    figures["memory"] = {"small_records": targets["small"].total, "large_records": targets["large"].total, "rss_small_mb": rss_small,
                         "rss_large_mb": rss_large, "ratio": ratio(rss_large, rss_small),
                         "parallel_rss_small_mb": slow_small, "parallel_rss_large_mb": slow_large,
                         "parallel_ratio": ratio(slow_large, slow_small),
                         "parallel_max_in_flight": min(in_flight["small_slow"] + in_flight["large_slow"])}
    m = figures["memory"]
    met = m["ratio"] <= 1.10 and m["parallel_ratio"] <= 1.10
    mem_text = table(f"3. Flat memory: connector peak RSS (VmHWM), REST full read, page 1000, median of {runs}",
                     ["records", "fast API: streams one after another (MB)",
                      f"{PARALLEL_LATENCY} s a page: streams side by side (MB)"],
                     [[targets["small"].total, rss_small, slow_small], [targets["large"].total, rss_large, slow_large],
                      ["ratio (goal <= 1.10)", f"{m['ratio']:.3f}", f"{m['parallel_ratio']:.3f}"],
                      ["fewest requests in flight at once in the side-by-side runs", "", m["parallel_max_in_flight"]],
                      ["goal (both ratios <= 1.10)", "", verdict(met)]])
    rows = []
    for implementation in implementations:
        c = cpu[implementation]
        rows.append([implementation, c["startup_cpu"], c["cpu"], c["cpu_per_100k"], c["wall"], c["records_per_s"],
                     c["rss_mb"]])
    cpu_text = table(f"4. CPU per record: REST full read of {records:,} records (prerendered sandbox, page 1000), "
                     f"median of {runs} alternating runs",
                     ["implementation", "start-up CPU s", "CPU s", "CPU s / 100k rec", "wall s", "records/s (net)",
                      "peak RSS MB"], rows)
    goals = []
    if "minimal_cdk" in cpu:
        goals.append(["connector / minimal CDK HttpStream (goal <= 1.0)",
                      f"{figures['connector_vs_minimal_cdk']:.2f}  {verdict(figures['connector_vs_minimal_cdk'] <= 1.0)}"])
    if "reference" in cpu:
        goals.append(["connector / bare requests reader", f"{figures['connector_vs_reference']:.2f}"])
    if "manifest" in cpu:
        goals.append(["records/s connector / low-code manifest (goal >= 2.0)",
                      f"{figures['throughput_vs_manifest']:.2f}  {verdict(figures['throughput_vs_manifest'] >= 2.0)}"])
    cpu_text += "\n" + table("   ratios", ["figure", "value"], goals)
    cpu_text += ("\n   CPU = the child's own user+sys seconds (os.wait4), net of a 0-record run of the same program;\n"
                 "   records/s = records / (wall - wall of the 0-record run). The connector maps every record\n"
                 "   (flatten, UTC timestamps, typed values) and keeps state; the other three pass records as sent.")
    return {"figures": figures, "text": mem_text + "\n\n" + cpu_text}


# ---------------------------------------------------------------------------------------------
# 5. Profile
# ---------------------------------------------------------------------------------------------
def _area(filename: str) -> str:
    if "/source_aroflo/" in filename:
        return "source_aroflo (connector)"
    if "/airbyte_cdk/" in filename:
        return "airbyte_cdk"
    if any(p in filename for p in ("/requests/", "/urllib3/", "/http/client", "/socket", "/ssl")):
        return "requests/urllib3/http"
    if "/integration_tests/" in filename or "/bench/" in filename:
        return "bench"
    if filename.startswith("~") or filename == "<built-in>":
        return "builtins (C)"
    return "other Python (stdlib, serpyco, orjson, ...)"


def bench_profile(records: int, top: int = 12) -> Dict[str, Any]:
    files = Files()
    target = RestTarget(records, files)
    out = str(files.path / "profile.pstats")
    try:
        args = [PYTHON, "-m", "bench.profile_child", out, "read", "--config", target.connector_config,
                "--catalog", target.catalog]
        run = run_child(args)
        _check_ok(run, "profiled connector read")
        stats = pstats.Stats(out)
    finally:
        target.stop()
    entries = []
    for (filename, line, function), (cc, nc, tt, ct, callers) in stats.stats.items():
        entries.append({"where": f"{_short(filename)}:{line}({function})", "file": filename, "calls": nc,
                        "tottime": tt, "cumtime": ct})
    total = sum(e["tottime"] for e in entries) or 1.0
    by_area: Dict[str, float] = defaultdict(float)
    for e in entries:
        by_area[_area(e["file"])] += e["tottime"]
    own = [e for e in entries if "/source_aroflo/" in e["file"]]
    top_tottime = sorted(entries, key=lambda e: -e["tottime"])[:top]
    top_own_cum = sorted(own, key=lambda e: -e["cumtime"])[:top]
    text = table(f"5. Profile: connector REST full read of {3 * records:,} records, every thread (cProfile), "
                 f"{total:.2f} s profiled", ["area", "tottime s", "share"],
                 [[a, t, f"{100 * t / total:.1f}%"] for a, t in sorted(by_area.items(), key=lambda kv: -kv[1])])
    text += "\n" + table("   top functions by tottime (all code)", ["function", "calls", "tottime s", "cumtime s"],
                         [[e["where"], e["calls"], e["tottime"], e["cumtime"]] for e in top_tottime])
    text += "\n" + table("   connector's own functions by cumulative time", ["function", "calls", "tottime s", "cumtime s"],
                         [[e["where"], e["calls"], e["tottime"], e["cumtime"]] for e in top_own_cum])
    return {"figures": {"total_s": total, "by_area": dict(by_area), "top_tottime": top_tottime[:top],
                        "top_own_cumtime": top_own_cum, "records": 3 * records, "wall_s": run.wall},
            "text": text}


def _short(filename: str) -> str:
    for marker in ("/site-packages/", str(ROOT) + "/", "/lib/python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
