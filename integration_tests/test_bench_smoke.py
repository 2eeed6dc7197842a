"""A tiny run of every `make bench` code path, so the benchmark cannot rot unnoticed.

Sizes are small, so only sanity is asserted: the figures exist and are consistent with the data
the sandbox served (request counts against the ideal, records counted, CPU and memory positive).
"""

from __future__ import annotations

import math

import pytest

from bench.common import table
from bench.sections import bench_budget, bench_cpu_memory, bench_profile, bench_requests, ideal_requests


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
    result = bench_budget(records=60, page=20, latency=0.05, rps=5, rpm=100)
    f = result["figures"]
    assert f["rejections"] == 0
    assert f["max_1s"] <= 5
    assert f["requests"] >= 3 * ideal_requests(60, 20)
    for name, check in f["checks"].items():
        assert check["ordered"] and check["complete"] and check["checkpoints"], name
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
