"""A tiny run of every `make bench` code path, so the benchmark cannot rot unnoticed.

Sizes are small, so only sanity is asserted: the figures exist and are consistent with the data
the sandbox served (request counts against the ideal, records counted, CPU and memory positive).
"""

from __future__ import annotations

import math

import pytest

from bench.common import table
from bench.sections import bench_cpu_memory, bench_profile, bench_requests, ideal_requests
from bench.zones import bench_budget, bench_quota, bench_zone_memory


def test_ideal_requests_counts_the_empty_page_after_an_exactly_full_one():
    assert ideal_requests(0, 100) == 1
    assert ideal_requests(99, 100) == 1
    assert ideal_requests(100, 100) == 2
    assert ideal_requests(2345, 100) == 24


def test_table_renders_every_row():
    text = table("t", ["a", "b"], [["x", 1.5], ["y", 1234]])
    assert "1.50" in text and "1,234" in text and text.count("\n") == 6


@pytest.mark.slow
def test_request_counts_are_measured_on_the_wire():
    sizes = {"users": 230, "suppliers": 100, "payments": 0}
    result = bench_requests(sizes, rest_page=50, zone_page=50)
    figures = result["figures"]
    assert len(figures) == 6
    for key, f in figures.items():
        assert f["unique_ids"] == f["records"], key
        assert f["ideal"] == ideal_requests(f["records"], 50)
        assert f["ideal"] <= f["full_requests"] <= f["ideal"] * 1.5 + 1, key
        assert f["incremental"], key
        # No change: one request per stream (zone suppliers: one `lastupdate` request, then the
        # boundary supplier(s) fetched by id).
        assert f["incremental_requests"] == 1, key
        assert f["feed_requests"] == (1 if key == "hmac.suppliers" else 0), key
    assert "no-change reqs" in result["text"]


def test_budget_run_checks_order_checkpoints_and_limits():
    result = bench_budget(seed_records=30, zone_records=8, page=10, latency=0.05, rps=8, rpm=400)
    f = result["figures"]
    assert f["streams"] == 42
    assert f["rejections"] == 0
    assert f["max_1s"] <= 8
    assert f["max_in_flight"] <= 4  # a bounded pool of workers, not one thread per stream
    assert not f["incomplete"] and not f["bad_checkpoints"], (f["incomplete"], f["bad_checkpoints"])
    assert 0 < f["span_s"] < f["wall_s"] + 1
    assert math.isclose(f["limit_s"], 1.2 * f["requests"] / 2)


@pytest.mark.slow
def test_cpu_memory_and_profile_figures_are_produced():
    result = bench_cpu_memory(small=200, large=2000, runs=1)
    f = result["figures"]
    assert f["records"] == 6000
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

    profile = bench_profile(records=1000, top=25)["figures"]
    assert profile["by_area"]["source_aroflo (connector)"] > 0
    own = [e["where"] for e in profile["top_own_cumtime"]]
    assert any("map_rest" in w or "_interpret" in w for w in own), own


@pytest.mark.slow
def test_quota_figures_hold_the_change_feed_to_zero_requests_when_nothing_changed():
    result = bench_quota(seed_records=30, zone_records=12, changes=3)
    f = result["figures"]
    assert f["feed_zones_no_change"] == 0
    assert f["daily"]["none2"] <= f["ideal"]["none2"] and f["daily"]["k"] <= f["ideal"]["k"], f
    assert f["records"]["none2"] < f["records"]["first"]
    assert "no change again" in result["text"]


@pytest.mark.slow
def test_zone_memory_figures_are_produced():
    f = bench_zone_memory(small=5, large=10, runs=1, latency=0.02, page=5)["figures"]
    assert f["rss"]["small"] > 0 and f["rss"]["large"] > 0 and f["records"]["large"] > f["records"]["small"]
