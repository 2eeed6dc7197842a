"""Pacing end to end: a zone read of many small pages against a sandbox that enforces AroFlo's
documented limits (3 requests a second, 120 a minute), with the connector's own defaults.

The sandbox counts requests as they arrive, in sliding windows, and rejects (status 6 / HTTP 429)
any over the limit, so this checks what AroFlo would see, not what the client believes it sent.
"""

from __future__ import annotations

import pytest

from integration_tests.harness import TABLES, configured_catalog, run_connector
from integration_tests.sandbox import ZONE_CREDENTIALS

PER_SECOND, PER_MINUTE = 3, 120


@pytest.mark.slow
def test_zone_read_stays_within_aroflo_rate_limits(sandbox):
    server = sandbox(users=90, suppliers=70, payments=90,
                     rate_limit_per_second=PER_SECOND, rate_limit_per_minute=PER_MINUTE)
    # Built by hand: requests_per_second / requests_per_minute are left out, so the connector's
    # defaults for the zone API apply (the harness's sandbox_config raises them for speed).
    config = {
        "credentials": {"auth_type": "hmac", **ZONE_CREDENTIALS},
        "base_url": server.zone_base_url,
        "max_records_per_page": 5,
        "retry_attempts": 0,  # a rejected request must fail the sync, not hide behind a retry
    }
    run = run_connector("read", config, configured_catalog("full_refresh", dialect="hmac"), timeout=240)
    stats = server.stats()
    requests, rejected = stats["total"], stats["rejected_total"]
    span = (stats["last_arrival"] or 0) - (stats["first_arrival"] or 0)
    figures = (f"pacing: {requests} requests in {span:.1f} s on the wire ({run.seconds:.1f} s wall), "
               f"max {stats['max_requests_1s']}/s, max {stats['max_requests_60s']}/min, rejected {rejected}")
    print(figures)

    assert run.returncode == 0 and not run.errors, f"{figures}; {run.errors} {run.stderr[-1500:]}"
    assert requests >= 40, figures
    assert stats["max_requests_1s"] <= PER_SECOND, figures
    assert stats["max_requests_60s"] <= PER_MINUTE, figures
    assert rejected == 0 and not stats["by_zone_status"].get("6"), f"{figures}; {stats['rejections']}"
    for table in TABLES:
        ids = run.ids(table)
        assert len(ids) == len(set(ids)), f"{table}: duplicates; {figures}"
        assert set(ids) == set(server.dataset.ids(table, dialect="zone")), f"{table}; {figures}"
    # Paced, not merely slow by accident: at most 3 a second means at least (n - 3) / 3 seconds.
    assert span >= (requests - PER_SECOND) / PER_SECOND * 0.95, figures
