"""`make bench` / `python -m bench`: the five measurements of issue 6 on the local sandbox.

Knobs (environment variables; defaults finish in about 5 minutes on 2 cores):
  BENCH_ONLY             comma list of sections: sitem,requests,budget,nochange,cpu,zonememory,profile (default all;
                         `quota` is the old name of nochange)
  BENCH_RUNS             alternating runs per implementation for memory/CPU (default 3; 2 saves ~1 min)
  BENCH_REQ_USERS / _SUPPLIERS / _PAYMENTS   records for the request count (default 2345 / 1000 / 3171)
  BENCH_REQ_PAGE         page size for the request count, both dialects (default 100)
  BENCH_BUDGET_RECORDS   records in each seed table for the latency/budget run (default 300)
  BENCH_BUDGET_ZONE_RECORDS  records in each of the other zones for it (default 60)
  BENCH_BUDGET_PAGE      zone page size for it (default 40: about 150 requests over the 42 streams)
  BENCH_BUDGET_LATENCY   sandbox latency in seconds (default 0.8)
  BENCH_NOCHANGE_RECORDS / BENCH_NOCHANGE_ZONE_RECORDS   sizes for the no-change sync (1200 / 700)
  BENCH_ZONE_MEM_SMALL / BENCH_ZONE_MEM_LARGE   records per stream for memory with every stream, fast API
                         (1000 / 5000, pages of 100: both fill the pipeline, so the ratio shows growth)
  BENCH_ZONE_MEM_SLOW_SMALL / BENCH_ZONE_MEM_SLOW_LARGE   the same at 0.3 s a page (300 / 1500)
  BENCH_MEM_N            records per stream of the small memory run (default 5000: below ~5,000 a stream the pipeline is still filling, which reads as growth); the large run
                         and the CPU comparison use BENCH_CPU_RECORDS (default 10 x BENCH_MEM_N)
  BENCH_PROFILE_RECORDS  records per stream for the profile (default 10000)
  BENCH_SITE_M_SCALE     Site M's sizes and page size x this (default 1: the real site, ~6 minutes; 0.05 takes ~1)
  BENCH_SITE_M_HOURS     hourly syncs simulated (default 24: one AroFlo day)
  BENCH_SITE_M_BEFORE    a git revision: also read the same site with the connector as it was there
                         (e.g. 91e558d, before the quota work; needs the git history)
"""

from __future__ import annotations

import os
import sys
import time

from .common import env_float, env_int
from .sections import bench_cpu_memory, bench_profile, bench_requests
from .site_m import bench_site_m, measure_before
from .zones import bench_budget, bench_no_change, bench_zone_memory


def main() -> int:
    only = {s.strip() for s in os.environ.get("BENCH_ONLY", "sitem,requests,budget,nochange,cpu,zonememory,profile").split(",")
            if s.strip()}
    if "quota" in only:  # the old name of the no-change section
        only = (only - {"quota"}) | {"nochange"}
    runs = env_int("BENCH_RUNS", 3)
    mem_n = env_int("BENCH_MEM_N", 5000)
    started = time.monotonic()
    print(f"source-aroflo benchmark (python {sys.version.split()[0]}, {os.cpu_count()} CPUs); sections: "
          f"{', '.join(sorted(only))}\n", flush=True)
    if "sitem" in only:
        scale = env_float("BENCH_SITE_M_SCALE", 1.0)
        print(bench_site_m(scale, env_int("BENCH_SITE_M_HOURS", 24))["text"] + "\n", flush=True)
        before = os.environ.get("BENCH_SITE_M_BEFORE", "").strip()
        if before:
            old = measure_before(before, scale)
            print(f"   the same site read by the connector at {before}: first sync {old['first']} daily-limited; "
                  f"a busy hour {', '.join(map(str, old['busy']))}; no change {old['none']}\n", flush=True)
    if "requests" in only:
        sizes = {"users": env_int("BENCH_REQ_USERS", 2345), "suppliers": env_int("BENCH_REQ_SUPPLIERS", 1000),
                 "payments": env_int("BENCH_REQ_PAYMENTS", 3171)}
        page = env_int("BENCH_REQ_PAGE", 100)
        print(bench_requests(sizes, page, page)["text"] + "\n", flush=True)
    if "budget" in only:
        print(bench_budget(env_int("BENCH_BUDGET_RECORDS", 300), env_int("BENCH_BUDGET_ZONE_RECORDS", 60),
                           env_int("BENCH_BUDGET_PAGE", 40), env_float("BENCH_BUDGET_LATENCY", 0.8), 3, 120)["text"]
              + "\n", flush=True)
    if "nochange" in only:
        print(bench_no_change(env_int("BENCH_NOCHANGE_RECORDS", 1200), env_int("BENCH_NOCHANGE_ZONE_RECORDS", 700))["text"]
              + "\n", flush=True)
    if "cpu" in only:
        print(bench_cpu_memory(mem_n, env_int("BENCH_CPU_RECORDS", 10 * mem_n), runs)["text"] + "\n", flush=True)
    if "zonememory" in only:
        print(bench_zone_memory(env_int("BENCH_ZONE_MEM_SMALL", 1000), env_int("BENCH_ZONE_MEM_LARGE", 5000), runs,
                                slow_small=env_int("BENCH_ZONE_MEM_SLOW_SMALL", 300),
                                slow_large=env_int("BENCH_ZONE_MEM_SLOW_LARGE", 1500))["text"] + "\n", flush=True)
    if "profile" in only:
        print(bench_profile(env_int("BENCH_PROFILE_RECORDS", 10000))["text"] + "\n", flush=True)
    print(f"total bench time {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
