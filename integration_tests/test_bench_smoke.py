"""A tiny run of every `make bench` code path, so the benchmark cannot rot unnoticed.

Sizes are small, so only sanity is asserted: the figures exist and are consistent with the data
the sandbox served (request counts against the ideal, records counted, CPU and memory positive,
Site M's quota figures within its goals). The sections a session selects run side by side (each
waits on its own child processes and sandbox), so the module takes about a minute on 2 cores.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.common import table
from bench.sections import bench_cpu_memory, bench_profile, bench_requests, ideal_requests
from bench.site_m import bench_site_m
from bench.zones import bench_budget, bench_no_change, bench_zone_memory
from integration_tests.harness import ZONE_STREAMS
from source_aroflo.zones import CHILDREN


# Each section tiny, by the test that checks it; the longest first.
SECTIONS = {
    "test_cpu_memory_and_profile_figures_are_produced":
        lambda: (bench_cpu_memory(small=200, large=2000, runs=1), bench_profile(records=1000, top=25)),
    "test_site_m_replays_a_day_on_aroflo_s_quota": lambda: bench_site_m(scale=0.01, hours=2),
    "test_zone_memory_figures_are_produced":
        lambda: bench_zone_memory(small=5, large=10, runs=1, latency=0.02, page=5),
    "test_request_counts_are_measured_on_the_wire":
        lambda: bench_requests({"users": 230, "suppliers": 100, "payments": 0}, rest_page=50, zone_page=50),
    "test_budget_run_checks_order_checkpoints_and_limits":
        lambda: bench_budget(seed_records=30, zone_records=8, page=10, latency=0.05, rps=8, rpm=400),
    "test_a_sync_with_no_change_costs_nothing_on_feed_zones": lambda: bench_no_change(seed_records=30, zone_records=12),
}


@pytest.fixture(scope="module")
def section(request):
    """`section(test_name)`: that test's section's result; every section this session selected
    was started at once, side by side."""
    selected = {item.originalname or item.name for item in request.session.items}
    pool = ThreadPoolExecutor(max_workers=3)
    futures = {name: pool.submit(run) for name, run in SECTIONS.items() if name in selected}
    yield lambda name: futures[name].result()
    pool.shutdown(wait=True, cancel_futures=True)


def test_ideal_requests_counts_the_empty_page_after_an_exactly_full_one():
    assert ideal_requests(0, 100) == 1
    assert ideal_requests(99, 100) == 1
    assert ideal_requests(100, 100) == 2
    assert ideal_requests(2345, 100) == 24


def test_table_renders_every_row():
    text = table("t", ["a", "b"], [["x", 1.5], ["y", 1234]])
    assert "1.50" in text and "1,234" in text and text.count("\n") == 6


def test_request_counts_are_measured_on_the_wire(section):
    result = section("test_request_counts_are_measured_on_the_wire")
    figures = result["figures"]
    assert len(figures) == 6
    for key, f in figures.items():
        assert f["unique_ids"] == f["records"], key
        assert f["ideal"] == ideal_requests(f["records"], 50)
        assert f["ideal"] <= f["full_requests"] <= f["ideal"] * 1.5 + 1, key
        assert f["incremental"], key
        # A first sync reads everything once (zone: newest first, +1 request for the oldest date).
        assert f["ideal"] <= f["first_requests"] <= f["ideal"] * 1.5 + 2, key
        if key == "hmac.suppliers":
            # Through the change feed: with no change, one free `lastupdate` request, nothing else.
            assert (f["incremental_requests"], f["feed_requests"], f["incremental_records"]) == (0, 1, 0), f
        else:
            assert f["incremental_requests"] == 1 and f["feed_requests"] == 0, key
    assert "no-change reqs" in result["text"] and "first sync reqs" in result["text"]


def test_budget_run_checks_order_checkpoints_and_limits(section):
    result = section("test_budget_run_checks_order_checkpoints_and_limits")
    f = result["figures"]
    assert f["streams"] == len(ZONE_STREAMS) + len(CHILDREN)  # every zone and child stream
    assert f["rejections"] == 0
    assert f["max_1s"] <= 8
    assert f["max_in_flight"] <= 4  # a bounded pool of workers, not one thread per stream
    assert not f["incomplete"] and not f["bad_checkpoints"], (f["incomplete"], f["bad_checkpoints"])
    assert 0 < f["span_s"] < f["wall_s"] + 1
    assert math.isclose(f["limit_s"], 1.2 * f["requests"] / 2)


def test_cpu_memory_and_profile_figures_are_produced(section):
    result, profiled = section("test_cpu_memory_and_profile_figures_are_produced")
    f = result["figures"]
    assert 5990 <= f["records"] <= 6000  # net of the empty run's user and supplier
    # At this size the net CPU of 6,000 records is within start-up noise (±0.1 s): only that the
    # figures exist and are consistent is asserted here; `make bench` measures at scale.
    for name, c in f["cpu"].items():
        assert c["cpu"] > 0 and c["startup_cpu"] > 0, name
        assert c["cpu_per_100k"] > 0 and c["records_per_s"] > 0, name
        assert c["rss_mb"] > 10, name
    for key in ("connector_vs_minimal_cdk", "connector_vs_reference", "throughput_vs_manifest"):
        assert 0 < f[key] < math.inf
    assert f["memory"]["rss_small_mb"] > 10 and 0.5 < f["memory"]["ratio"] < 3
    assert 0.5 < f["memory"]["parallel_ratio"] < 3
    assert f["memory"]["parallel_max_in_flight"] >= 2, "the slow-API memory runs must read streams side by side"

    profile = profiled["figures"]
    assert profile["by_area"]["source_aroflo (connector)"] > 0
    own = [e["where"] for e in profile["top_own_cumtime"]]
    assert any("map_rest" in w or "interpret" in w for w in own), own


def test_a_sync_with_no_change_costs_nothing_on_feed_zones(section):
    f = section("test_a_sync_with_no_change_costs_nothing_on_feed_zones")["figures"]
    assert f["feed_zones_no_change"] == 0, f["spent"]["none"]
    assert f["met"], f["no_change_by_zone"]
    assert 0 < f["no_change_daily"] < len(ZONE_STREAMS)  # the seeks and date windows: 1 each
    assert f["records"]["none"] < f["records"]["first"]


def test_site_m_replays_a_day_on_aroflo_s_quota(section):
    f = section("test_site_m_replays_a_day_on_aroflo_s_quota")["figures"]
    assert f["first_days"] >= 1 and f["first_daily"] > 0
    assert len(f["hourly_daily"]) == 2
    assert f["missed"] == {}, f["missed"]  # every change of a zone with a change signal arrived
    assert f["day_daily"] <= 500 and f["day_single"] <= 10_000
    assert f["none_daily"] < len(ZONE_STREAMS)  # nothing changed, nothing due: no full reads
    assert f["met"], f


def test_zone_memory_figures_are_produced(section):
    f = section("test_zone_memory_figures_are_produced")["figures"]
    assert f["rss"]["small"] > 0 and f["rss"]["large"] > 0 and f["records"]["large"] > f["records"]["small"]
